"""The deck's files: read as UTF-8, and the files a slide names (panes, Dockerfiles, images) relative to the
deck root, never outside it."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from talkdeck.errors import DeckError
from talkdeck.patterns import LazyPattern

SCHEME = LazyPattern(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
HARMLESS_SCHEMES = frozenset({"data", "blob", "about", "javascript", "mailto", "tel"})  # name no file, load none
ESCAPED = LazyPattern(r"\\([!-/:-@\[-`{-~])")  # a backslash escape, which a path in Markdown may hold
CHARACTER_REFERENCE = LazyPattern(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# what CSS's url() names (not a word ending in url, as window.location.url(...) in a script), and @import
CSS_URL = LazyPattern(r"""(?<![\w.$-])url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)""", re.IGNORECASE)
CSS_IMPORT = LazyPattern(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", re.IGNORECASE)


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """A srcset's candidates, (URL, descriptors), as HTML reads them: a URL runs to whitespace (commas at its
    end dropped), so `data:image/png;base64,...` keeps its comma; its descriptors (`2x`, `400w`) run to a comma."""
    candidates, at, end = [], 0, len(value)
    while at < end:
        while at < end and value[at] in " \t\n\r\f,":  # HTML's whitespace only: not a no-break space
            at += 1
        start = at
        while at < end and value[at] not in " \t\n\r\f":
            at += 1
        url = value[start:at]
        if not url:
            break
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        start, depth = at, 0
        while at < end and (value[at] != "," or depth):
            depth += {"(": 1, ")": -1 if depth else 0}.get(value[at], 0)
            at += 1
        candidates.append((url, value[start:at].strip()))
    return candidates


BACKGROUND_LISTS = frozenset({"data-background-image", "data-background-video"})


def background_list(name: str, value: str) -> list[str]:
    """The URLs of a slide's data-background-image or data-background-video as reveal.js 6 reads them: the parts
    between commas (several images, or several video sources), or one data: URI image whole."""
    value = value.strip()
    if name == "data-background-image" and value.startswith("data:"):
        return [value]
    return [part.strip() for part in value.split(",") if part.strip()]


def is_remote(url: str) -> bool:
    """Whether a browser would fetch `url` from the network: `//host/x`, `https://host/x`, and also
    `http:host/x`, which a page opened from disk reads as `http://host/x`."""
    if url.startswith("//"):
        return True
    match = SCHEME.match(url)
    return bool(match) and match.group(1).lower() not in HARMLESS_SCHEMES | {"file"}


def decoded(text: str) -> str:
    """`text` with its character references (`&amp;`, `&#38;`, with their semicolon) read."""
    return CHARACTER_REFERENCE.sub(lambda ref: unescape(ref.group(0)), text) if "&" in text else text


def file_path(url: str, markdown: bool = False) -> str:
    """The deck's file that a relative URL names: `img/a%20b.png` and `img/caf&eacute;.png` name `img/a b.png`
    and `img/café.png`; and as Markdown writes it (`markdown`), `img/a\\_b.png` names `img/a_b.png`. (HTML has
    no backslash escapes: a browser reads `\\` as `/`.)"""
    if markdown and "\\" in url:
        url = ESCAPED.sub(r"\1", url)
    return unquote(decoded(url).split("#", 1)[0].split("?", 1)[0])


def css_urls(text: str, imports: bool = False) -> list[str]:
    """What the `url()`s of CSS name, and with `imports` what its `@import`s name too."""
    urls = [next(group for group in url.groups() if group is not None).strip() for url in CSS_URL.finditer(text)]
    return urls + [match.group(1) for match in CSS_IMPORT.finditer(text)] if imports else urls


def deck_file(root: Path, url: str) -> tuple[str, Path, bool] | None:
    """The file of the deck that a relative URL of the page names: its path relative to the deck (with `/`),
    its resolved path, and whether it is there. None for a URL that names no file of the deck: this page
    (`#x`), an absolute path or one from the network, another scheme (`data:`), a file outside the deck or
    in its dist/ (what the build writes)."""
    if not url or url[0] in "#/" or SCHEME.match(url):
        return None
    rel = posixpath.normpath(file_path(url))
    if rel in (".", "..") or rel.startswith("../"):
        return None
    try:
        path = (root / rel).resolve()
        if not path.is_relative_to(root.resolve()) or path.is_relative_to((root / "dist").resolve()):
            return None
        return rel, path, path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a null byte
        return None


def _sheet_urls(text: str) -> list[str]:
    return css_urls(text, imports=True)


SHEET_READERS: dict[str, Callable[[str], list[str]]] = {".css": _sheet_urls}  # for loaded_files: what a sheet names


def sheet_files(root: Path, sheets: list[str]) -> tuple[list[str], list[Path]]:
    """The deck's files that the local stylesheets `sheets` (relative to the deck, with `/`) name in their
    `url()`s and `@import`s, and those that these name in turn: fonts, images, other sheets, each relative to
    the sheet that names it. Those there, relative to the deck, and those missing, as paths."""
    return loaded_files(root, sheets, SHEET_READERS)


def loaded_files(root: Path, first: list[str], readers: dict[str, Callable[[str], list[str]]]
                 ) -> tuple[list[str], list[Path]]:
    """The deck's files that the files `first` (relative to the deck, with `/`) load, and those that these load
    in turn, each named relative to the file that names it; `readers` gives, by suffix, what a file's text
    names (a file of another kind names nothing). Those there, relative to the deck, and those missing."""
    found: list[str] = []
    missing: list[Path] = []
    queue = list(first)
    for current in queue:  # (grows as it goes)
        reader = readers.get(posixpath.splitext(current)[1].lower())
        if reader is None:
            continue
        try:
            text = (root / current).read_text("utf-8", "replace")
        except OSError:
            continue
        for url in reader(text):
            url = url.strip()
            if not url or url[0] in "#/" or SCHEME.match(url):
                continue  # this page, an absolute path, data: or the network (left to `talkdeck check`)
            named = deck_file(root, posixpath.join(posixpath.dirname(current), url))
            if named is None:
                continue
            rel, path, there = named
            if not there:
                missing.append(path)
            elif rel not in found and rel not in queue:
                found.append(rel)
                queue.append(rel)
    return found, missing


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
