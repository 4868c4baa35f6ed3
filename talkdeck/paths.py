"""The deck's files: read as UTF-8, and the files a slide names (panes, Dockerfiles, images) relative to the
deck root, never outside it."""

from __future__ import annotations

import re
from pathlib import Path

from talkdeck.errors import DeckError
from talkdeck.patterns import LazyPattern

SCHEME = LazyPattern(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
HARMLESS_SCHEMES = frozenset({"data", "blob", "about", "javascript", "mailto", "tel"})  # name no file, load none


def is_remote(url: str) -> bool:
    """Whether a browser would fetch `url` from the network: `//host/x`, `https://host/x`, and also
    `http:host/x`, which a page opened from disk reads as `http://host/x`."""
    if url.startswith("//"):
        return True
    match = SCHEME.match(url)
    return bool(match) and match.group(1).lower() not in HARMLESS_SCHEMES | {"file"}


def inside_deck(root: Path, rel: str, slide_path: Path, line: int | None, noun: str) -> Path:
    """The file `rel` names under `root`, or a DeckError at the slide's line saying what is wrong."""
    candidate = Path(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise DeckError.at(slide_path, line, f"{noun} path {rel!r} points outside the deck",
                           "use a path relative to the deck root, without `..`")
    path = root / candidate
    try:
        is_file = path.is_file()
    except OSError as exc:  # a name too long for the file system, a path through a file
        raise DeckError.at(slide_path, line, f"{noun} path {rel!r} cannot be looked up: {exc.strerror}",
                           "check the path; it is relative to the deck root") from None
    if not is_file:
        what = "is a folder" if path.is_dir() else "does not exist"
        raise DeckError.at(slide_path, line, f"{noun} {rel} {what}", "check the path; it is relative to the deck root",
                           missing=path)
    if not path.resolve().is_relative_to(root.resolve()):
        raise DeckError.at(slide_path, line, f"{noun} {rel} links to a file outside the deck",
                           "only files inside the deck can be shown")
    return path


def read_text(path: Path) -> str:
    """Read a source file as UTF-8, turning OS and encoding failures into a located error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeckError.at(path, None, f"cannot read the file: {exc.strerror}",
                           "check that it exists and that you may read it") from None
    if data[:3] == b"\xef\xbb\xbf":  # the byte order mark some Windows editors write: not part of the text
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError.at(path, line, "the file is not valid UTF-8", "save it with UTF-8 encoding") from None
