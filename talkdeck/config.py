"""deck.toml: the deck's settings, validated completely before anything is built.

Every problem is collected and reported at once, each with its file and line, so a speaker fixes a config in
one pass instead of one error per build.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from talkdeck.errors import DeckError, Problem
from talkdeck.paths import read_text
from talkdeck.patterns import LazyPattern

CONFIG_NAME = "deck.toml"

TRANSITIONS = ("none", "fade", "slide", "convex", "concave", "zoom")
LANGUAGE_TAG = LazyPattern(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")  # BCP 47's shape: en, de, pt-BR, zh-Hant


class FieldsRepr:
    """`Name(field=value, ...)` for the model's dataclasses, read from their fields when called.

    The model's dataclasses are declared with ``eq=False, repr=False``: dataclasses compiles each generated
    method from source, in every process, which is most of what defining them costs a build's start-up.
    Equality is identity (two slides with the same text are still two slides) and the repr is this one.
    """

    def __repr__(self) -> str:
        values = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"{type(self).__name__}({values})"


@dataclass(eq=False, repr=False)
class DeckConfig(FieldsRepr):
    """deck.toml's settings, each with its default."""

    title: str = "Untitled talk"
    author: str = ""
    event: str = ""
    date: str = ""
    theme: str = "white"
    transition: str = "slide"
    lang: str = "en"
    minutes: int | None = None
    width: int = 1280
    height: int = 720
    margin: float = 0.0
    reveal: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


# key -> (accepted types, description used in messages)
_TOP_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "a string"),
    "author": ((str,), "a string"),
    "event": ((str,), "a string"),
    "date": ((str, dt.date), "a date such as 2020-11-09"),
    "theme": ((str,), "a string"),
    "transition": ((str,), "a string"),
    "lang": ((str,), "a language tag such as \"de\" or \"pt-BR\""),
    "minutes": ((int,), "a whole number of minutes"),
    "size": ((dict,), "a table"),
    "reveal": ((dict,), "a table of reveal.js options"),
}
_SIZE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "width": ((int,), "a whole number of pixels"),
    "height": ((int,), "a whole number of pixels"),
    "margin": ((int, float), "a number (a fraction of the size, as reveal.js takes it)"),
}
# reveal.js options talkdeck sets itself from the keys above; passing them in [reveal] would be ambiguous.
_OWNED_REVEAL_KEYS = {
    "width": "use size.width instead",
    "height": "use size.height instead",
    "margin": "use size.margin instead",
    "transition": "use transition instead",
    "plugins": "talkdeck loads the notes plugin, and the highlight plugin when the deck shows code; "
    "remove this line",
}


# reveal.js options for what talkdeck does in its stead: they would do nothing
_IDLE_REVEAL_KEYS = {
    "markdown": "talkdeck renders the slides' Markdown itself, when it builds, so reveal.js's markdown plugin and "
    "its options are not used; remove this table",
}


def load_config(deck_dir: Path, reveal_dist: Path | None = None) -> DeckConfig:
    """Read and validate deck.toml. With reveal.js's dist folder, the theme is checked with the rest."""
    path = deck_dir / CONFIG_NAME
    if not path.is_file():
        raise no_deck_error(deck_dir)
    text = read_text(path)
    return parse_config(text, path, reveal_dist)


def parse_toml(text: str, path: Path, first_line: int = 1) -> dict[str, Any]:
    """Parse TOML, turning a syntax error into a located message."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        if match:
            line = int(match.group(1)) + first_line - 1
        else:  # "(at end of document)"
            line = first_line + max(len(text.rstrip("\n").split("\n")) - 1, 0)
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        if message.startswith("Cannot declare"):  # a table's header twice, as [reveal] appended to a new deck's
            hint = "a table comes once: put all its keys under its one header line"
        elif message.startswith("Cannot overwrite"):
            hint = "a key comes once: keep one of its lines"
        else:
            hint = 'text goes in quotes, as in title = "My talk"; numbers and dates do not, as in minutes = 30'
        raise DeckError.at(path, line, f"invalid TOML: {message}", hint) from None


def no_deck_error(deck_dir: Path) -> DeckError:
    """The error for a folder that holds no deck.toml, with the deck it may be inside of."""
    path = deck_dir / CONFIG_NAME
    if not deck_dir.exists():
        return DeckError.at(deck_dir, None, "no such folder",
                            "give the deck's folder, or run `talkdeck new DIR` to create a deck there")
    if path.is_dir():
        return DeckError.at(path, None, "deck.toml is a folder", "the deck's settings go in a file deck.toml")
    outer = next((p for p in deck_dir.resolve().parents if (p / CONFIG_NAME).is_file()), None)
    if outer is not None:
        return DeckError.at(path, None, f"no deck.toml here: this folder is inside the deck at {outer}",
                            "give the command the deck's folder, or run it there")
    return DeckError.at(path, None, "no deck.toml here: this is not a deck folder",
                        "give the deck's folder, or run `talkdeck new DIR` to create a deck")


def parse_config(text: str, path: Path, reveal_dist: Path | None = None) -> DeckConfig:
    """Every problem of deck.toml at once, in the order of their lines."""
    data = parse_toml(text, path)
    locate = KeyLocator(text)
    problems: list[Problem] = []
    config = DeckConfig(path=path)
    _check_table(data, _TOP_KEYS, "", path, locate, problems)
    for key in ("title", "author", "event", "theme", "transition", "lang"):
        if isinstance(data.get(key), str):
            setattr(config, key, data[key])
    if config.lang != "en" and not LANGUAGE_TAG.match(config.lang):
        problems.append(Problem(path, locate("lang"), f"lang {config.lang!r} is not a language tag",
                                'write the language the slides are in, such as lang = "de" or "pt-BR"'))
    if isinstance(data.get("date"), (str, dt.date)):
        config.date = str(data["date"])
    if _is_int(data.get("minutes")):
        config.minutes = data["minutes"]
        if not 0 < config.minutes <= 1440:
            problems.append(Problem(path, locate("minutes"), "minutes must be more than 0 and at most 1440",
                                    "the talk's length in minutes, such as minutes = 30"))
    size = data.get("size")
    if isinstance(size, dict):
        _check_table(size, _SIZE_KEYS, "size", path, locate, problems)
        for key in ("width", "height"):
            if _is_int(size.get(key)):
                if not 100 <= size[key] <= 10000:
                    problems.append(Problem(path, locate(key, "size"), f"size.{key} must be from 100 to 10000",
                                            "pixels of the slide's design size, such as 1280 by 720"))
                setattr(config, key, size[key])
        if isinstance(size.get("margin"), (int, float)) and not isinstance(size.get("margin"), bool):
            config.margin = float(size["margin"])
            if not 0 <= config.margin < 1:  # also nan
                problems.append(Problem(path, locate("margin", "size"), "size.margin must be from 0 to less than 1",
                                        "reveal.js takes a fraction of the size, e.g. 0.04"))
    reveal = data.get("reveal")
    if isinstance(reveal, dict):
        for key in reveal:
            if key in _OWNED_REVEAL_KEYS:
                problems.append(
                    Problem(
                        path,
                        locate(key, "reveal"),
                        f"reveal.{key} is set by talkdeck",
                        _OWNED_REVEAL_KEYS[key],
                    )
                )
            elif key in _IDLE_REVEAL_KEYS:
                problems.append(Problem(path, locate(key, "reveal"), f"reveal.{key} would have no effect",
                                        _IDLE_REVEAL_KEYS[key]))
            elif _holds_a_date(reveal[key]):
                problems.append(Problem(path, locate(key, "reveal"),
                                        f"reveal.{key} holds a date or a time, which a reveal.js option cannot",
                                        f'write it in quotes, as text: {key} = "..."'))
            elif reveal_dist is not None and (meant := _misspelt_option(key, reveal_dist)):
                hint = (f"write {meant}: reveal.js's names are case-sensitive" if meant.lower() == key.lower()
                        else f"did you mean {meant}?")
                problems.append(Problem(path, locate(key, "reveal"),
                                        f"reveal.{key} is not an option of reveal.js, which would ignore it", hint))
        config.reveal = {k: v for k, v in reveal.items() if k not in _OWNED_REVEAL_KEYS}
    _check_choice(config.transition, TRANSITIONS, "transition", path, locate, problems)
    if reveal_dist is not None:
        from talkdeck.assets import theme_problem  # assets imports this module

        theme = theme_problem(config, reveal_dist, lambda: locate("theme"))
        if theme is not None:
            problems.append(theme)
    if problems:
        problems.sort(key=lambda problem: problem.line or 0)
        raise DeckError(problems)
    return config


def _holds_a_date(value: Any) -> bool:
    """Whether a TOML value is or contains a date or time, which JSON (and so reveal.js's options) lacks."""
    if isinstance(value, (dt.date, dt.time)):
        return True
    if isinstance(value, dict):
        return any(_holds_a_date(item) for item in value.values())
    return isinstance(value, list) and any(_holds_a_date(item) for item in value)


def _check_table(
    data: dict[str, Any],
    spec: dict[str, tuple[tuple[type, ...], str]],
    table: str,
    path: Path,
    locate: KeyLocator,
    problems: list[Problem],
) -> None:
    prefix = f"{table}." if table else ""
    for key, value in data.items():
        if key not in spec:
            where = f"in [{table}]" if table else "in deck.toml"
            problems.append(
                Problem(
                    path,
                    locate(key, table),
                    f"unknown key {prefix + key!r} {where}",
                    # (a closer likeness than the default: the keys are short, and depth is not width)
                    suggest(key, list(spec), "known keys: " + ", ".join(spec), cutoff=0.7),
                )
            )
            continue
        types, description = spec[key]
        if isinstance(value, bool) or not isinstance(value, types):
            problems.append(
                Problem(
                    path, locate(key, table), f"{prefix}{key} must be {description}, not {_toml_type(value)}"
                )
            )


def _check_choice(
    value: str, choices: tuple[str, ...], key: str, path: Path, locate: KeyLocator, problems: list[Problem]
) -> None:
    if value not in choices:
        problems.append(
            Problem(
                path,
                locate(key),
                f"unknown {key} {value!r}",
                suggest(value, list(choices), "choose one of " + ", ".join(choices)),
            )
        )


REVEAL_OPTION = LazyPattern(r"^    (\w+)\??:", re.MULTILINE)  # a member of RevealConfig in config.d.ts


@functools.cache  # read once per process: serve checks deck.toml at every rebuild
def _reveal_options(reveal_dist: Path) -> list[str]:
    try:
        types = (reveal_dist / "config.d.ts").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    start = types.find("interface RevealConfig")
    return REVEAL_OPTION.findall(types, start, types.find("\n}", start)) if start >= 0 else []


def _misspelt_option(key: str, reveal_dist: Path) -> str | None:
    """The reveal.js option that `key` misspells (slidenumber: slideNumber), read from the types reveal.js
    ships; None for an option, or a name of no option's likeness (a plugin's own option passes through)."""
    options = _reveal_options(reveal_dist)
    if not options or key in options:
        return None
    same = [name for name in options if name.lower() == key.lower()]
    if same:
        return same[0]
    import difflib

    close = difflib.get_close_matches(key, options, n=1, cutoff=0.9)
    return close[0] if close else None


def suggest(word: str, choices: list[str], fallback: str, cutoff: float = 0.6) -> str:
    import difflib  # only on an error: not worth its import on every build

    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return f"did you mean {close[0]!r}? {fallback}" if close else fallback


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TOML_TYPES = ((bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
               (list, "an array"), (dict, "a table"))


def _toml_type(value: Any) -> str:
    """How TOML calls a value's type, for messages (bool first: it is an int to Python)."""
    return next((name for kind, name in _TOML_TYPES if isinstance(value, kind)), type(value).__name__)


def _bare(name: str) -> str:
    """A TOML key or table name as tomllib gives it: `"size" . width` is `size.width`."""
    return name.replace(" ", "").replace('"', "").replace("'", "")


class KeyLocator:
    """Finds the line where a key is set, since tomllib reports no positions for valid documents."""

    _HEADER = LazyPattern(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")  # [table], [[array]]
    _KEY = LazyPattern(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+)(\s*\.\s*[A-Za-z0-9_\-\"']+)*\s*=")

    def __init__(self, text: str, first_line: int = 1):
        self.lines = text.splitlines()
        self.first_line = first_line

    def __call__(self, key: str, table: str = "") -> int | None:
        """The line that sets `key` of `table`: its own, its table's header, or the line of an inline table
        or a dotted key that holds it."""
        wanted = f"{table}.{key}" if table else key
        current = ""
        for number, line in enumerate(self.lines, start=self.first_line):
            header = self._HEADER.match(line)
            if header:
                current = _bare(header.group(1))
                if current == wanted or current.startswith(wanted + "."):
                    return number
                continue
            match = self._KEY.match(line)
            if not match:
                continue
            dotted = _bare(line.split("=", 1)[0])
            full = f"{current}.{dotted}" if current else dotted
            if full == wanted or full.startswith(wanted + ".") or wanted.startswith(full + "."):
                return number
        return None
