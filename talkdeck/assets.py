"""reveal.js's files: where they are installed, which ones a deck needs, and copying them into a build."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

from talkdeck.config import DeckConfig, KeyLocator, suggest
from talkdeck.errors import DeckError, Problem
from talkdeck.paths import read_text
from talkdeck.patterns import LazyPattern

PACKAGE_DIR = Path(__file__).resolve().parent
REMOTE_CSS = LazyPattern(r"@import\s+(?:url\()?\s*[\"']?https?://|url\(\s*[\"']?https?://", re.IGNORECASE)


def find_reveal(deck_root: Path | None = None) -> Path | None:
    """reveal.js's dist folder: $TALKDECK_REVEAL_DIR, the deck's node_modules, then talkdeck's own checkout."""
    candidates = []
    if os.environ.get("TALKDECK_REVEAL_DIR"):
        candidates.append(Path(os.environ["TALKDECK_REVEAL_DIR"]))
    if deck_root is not None:
        candidates.append(deck_root / "node_modules" / "reveal.js" / "dist")
    candidates.append(PACKAGE_DIR.parent / "node_modules" / "reveal.js" / "dist")
    return next((c for c in candidates if _is_reveal_dist(c)), None)


def _is_reveal_dist(folder: Path) -> bool:
    """A whole reveal.js dist folder, not a half-installed one: its script and its themes."""
    return (folder / "reveal.js").is_file() and (folder / "theme").is_dir()


def _wrong_choice() -> str | None:
    """$TALKDECK_REVEAL_DIR when it names no reveal.js dist folder: a build refuses it."""
    chosen = os.environ.get("TALKDECK_REVEAL_DIR")
    return chosen if chosen and not _is_reveal_dist(Path(chosen)) else None


def require_reveal(deck_root: Path) -> Path:
    if chosen := _wrong_choice():
        raise DeckError.at(
            None,
            None,
            f"TALKDECK_REVEAL_DIR is {chosen}, which is not reveal.js's dist folder (no reveal.js and theme/ in it)",
            "point it at node_modules/reveal.js/dist, or unset it",
        )
    dist = find_reveal(deck_root)
    if dist is None:
        raise DeckError.at(None, None, "reveal.js is not installed: node_modules/reveal.js is missing",
                           install_hint(deck_root))
    return dist


def install_hint(deck_root: Path) -> str:
    """How to install reveal.js: in talkdeck's checkout (which has the package.json), else in the deck."""
    if (PACKAGE_DIR.parent / "package.json").is_file():
        return (f"run `npm ci` in {PACKAGE_DIR.parent} (or `make build`), "
                "or set TALKDECK_REVEAL_DIR to reveal.js's dist folder")
    return (f"run `npm install reveal.js@6` in {deck_root}, which puts it in the deck's node_modules/, "
            "or set TALKDECK_REVEAL_DIR to reveal.js's dist folder")


@cache
def reveal_version() -> str | None:
    """The version of the reveal.js a build in this folder uses; None when the build would find none (or
    refuse the one $TALKDECK_REVEAL_DIR names)."""
    dist = None if _wrong_choice() else find_reveal(Path.cwd())
    if dist is None:
        return None
    try:
        return json.loads((dist.parent / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def themes(dist: Path) -> list[str]:
    return sorted(p.stem for p in (dist / "theme").glob("*.css"))


def is_offline_theme(dist: Path, name: str) -> bool:
    path = dist / "theme" / f"{name}.css"
    st = path.stat()
    return _offline_css(path, st.st_mtime_ns, st.st_size)


@cache
def _offline_css(path: Path, _mtime: int, _size: int) -> bool:
    data = path.read_bytes()
    # The offline themes are half a megabyte of embedded fonts: one pass for the "://" that any remote URL
    # has (in whatever case its scheme is written) before running the regex.
    if b"://" not in data:
        return True
    return not REMOTE_CSS.search(data.decode("utf-8", "replace"))


def offline_themes(dist: Path) -> list[str]:
    return [name for name in themes(dist) if is_offline_theme(dist, name)]


def theme_problem(config: DeckConfig, dist: Path, locate: Callable[[], int | None]) -> Problem | None:
    """What is wrong with the deck's theme: one that does not exist, or one that loads its fonts from the
    network. A good theme costs one look at its file; `locate` finds the line in deck.toml only on an error."""
    plain = "/" not in config.theme and "\\" not in config.theme  # a name, not a path into reveal.js
    if plain and (dist / "theme" / f"{config.theme}.css").is_file() and is_offline_theme(dist, config.theme):
        return None
    offline = offline_themes(dist)
    if config.theme not in themes(dist):
        # suggest only a theme that would be accepted
        hint = suggest(config.theme, offline, "themes that work offline: " + ", ".join(offline))
        return Problem(config.path, locate(), f"unknown theme {config.theme!r}", hint)
    return Problem(config.path, locate(), f"theme {config.theme!r} loads its fonts from the network",
                   "a deck must work offline; use one of " + ", ".join(offline))


def check_theme(config: DeckConfig, dist: Path) -> None:
    """Raise the theme's problem, if it has one (load_config reports it with deck.toml's other problems)."""

    def locate() -> int | None:
        path = config.path
        return KeyLocator(read_text(path))("theme") if path and path.is_file() else None

    problem = theme_problem(config, dist, locate)
    if problem is not None:
        raise DeckError(problem)


def reveal_files(theme: str, has_code: bool) -> list[str]:
    """The files of reveal.js's dist folder a deck loads, and nothing more."""
    files = ["reset.css", "reveal.css", "reveal.js", f"theme/{theme}.css", "plugin/notes.js"]
    if has_code:
        files += ["plugin/highlight.js", "plugin/highlight/monokai.css"]
    return files


def copy_file(source: Path, target: Path, previous: Path | None = None) -> None:
    """Copy `source` to `target`, hard-linking an identical file of the previous build instead when possible.

    Builds never write into a file once it exists, so sharing the inode with the last output is safe, and it
    makes a rebuild's asset step nearly free.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if previous is not None:
        try:
            old, new = previous.stat(), source.stat()
            # copy2 keeps the source's mtime to the nanosecond: an edit since, even within the same second, differs
            if old.st_size == new.st_size and old.st_mtime_ns == new.st_mtime_ns:
                os.link(previous, target)
                return
        except OSError:
            pass
    shutil.copy2(source, target)
