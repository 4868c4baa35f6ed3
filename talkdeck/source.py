"""Split a section's Markdown into front matter and slides, aware of code fences.

A line `---` starts a horizontal slide and `--` a vertical one, as in reveal.js's Markdown plugin; inside a
code fence neither counts. Line numbers are kept for every slide so errors can point at the source.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from talkdeck.config import KeyLocator, parse_toml, suggest
from talkdeck.errors import DeckError, Problem
from talkdeck.patterns import LazyPattern

FENCE = re.compile(r"^ *(`{3,}|~{3,})(.*)$")  # indented deeper than 3 in a list item
NOTES = re.compile(r"^notes?:", re.IGNORECASE)
FRONT_MATTER_LINE = LazyPattern(r"^\s*(?:title|minutes)\s*=")  # a line of a section's front matter
RAW_OPEN = LazyPattern(r"<(?:pre|textarea|script)\b", re.IGNORECASE)  # raw HTML that shows lines as they are
RAW_CLOSE = LazyPattern(r"</(?:pre|textarea|script)\s*>", re.IGNORECASE)
YAML_KEY = LazyPattern(r"^([A-Za-z_][\w-]*):(?:\s|$)")
# keys of other tools' front matter (Marp's, Jekyll's, Hugo's): YAML between --- lines that holds one of them
# was meant as front matter, not as a slide
YAML_FRONT_MATTER_KEYS = frozenset(["title", "minutes", "author", "date", "marp", "theme", "paginate", "layout",
                                    "description", "tags", "size", "class", "header", "footer", "headingdivider"])
CODE_SPAN = LazyPattern(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)")
FRONT_MATTER_KEYS = {"title": "a string", "minutes": "a number of minutes"}


class RawSlide:
    """A slide's source lines; `line` is the file line of `lines[0]`."""

    __slots__ = ("line", "lines", "vertical", "notes", "notes_line")

    def __init__(self, line: int, lines: list[str], vertical: bool = False):
        self.line, self.lines, self.vertical = line, lines, vertical
        self.notes: list[str] = []
        self.notes_line = 0

    @property
    def first_line(self) -> int:
        """The slide's first line with content (not the blank line after `---`): where messages point."""
        return self.line + next((i for i, text in enumerate(self.lines) if text.strip()), 0)


class SectionSource:
    """A section file split into its front matter and its slides."""

    __slots__ = ("path", "meta", "slides")

    def __init__(self, path: Path, meta: dict[str, Any], slides: list[RawSlide]):
        self.path, self.meta, self.slides = path, meta, slides


class Fence:
    """An open code fence: its marker (``` or ~~~ and length) and where it started."""

    __slots__ = ("char", "size", "line")

    def __init__(self, char: str, size: int, line: int):
        self.char, self.size, self.line = char, size, line

    def closes(self, text: str) -> bool:
        stripped = text.strip()
        return stripped.startswith(self.char * self.size) and set(stripped) == {self.char}


def open_fence(text: str, line: int) -> Fence | None:
    match = FENCE.match(text) if "```" in text or "~~~" in text else None  # most lines are not fences
    if not match:
        return None
    marker, info = match.groups()
    if marker[0] == "`" and "`" in info:
        return None
    return Fence(marker[0], len(marker), line)


def fence_spans(lines: list[str], first_line: int, path: Path) -> dict[int, int]:
    """Map the index of each fence's opening line to the index just past its closing line."""
    spans: dict[int, int] = {}
    fence: Fence | None = None
    start = 0
    for index, text in enumerate(lines):
        if fence is None:
            fence = open_fence(text, first_line + index)
            start = index
        elif fence.closes(text):
            spans[start] = index + 1
            fence = None
    if fence is not None:
        raise DeckError.at(
            path, fence.line, "code fence is never closed", f"add a closing {fence.char * fence.size} line"
        )
    return spans


def inside_fences(lines: list[str], first_line: int, path: Path) -> list[bool]:
    inside = [False] * len(lines)
    for start, end in fence_spans(lines, first_line, path).items():
        inside[start:end] = [True] * (end - start)
    return inside


def parse_section(text: str, path: Path) -> SectionSource:
    text = text.lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, start = _front_matter(lines, path)
    body = lines[start:]
    inside = inside_fences(body, start + 1, path)
    slides = [RawSlide(line=start + 1, lines=[])]
    commented = 0  # the line of an HTML comment still open: what it hides splits nothing and starts no notes
    for offset, (line_text, in_fence) in enumerate(zip(body, inside, strict=True)):
        number = start + 1 + offset
        stripped = line_text.rstrip()
        if not in_fence and not commented and stripped in ("---", "--"):
            slides.append(RawSlide(line=number + 1, lines=[], vertical=stripped == "--"))
            continue
        if stripped == "+++" and not (in_fence or commented or slides[-1].notes_line) \
                and _toml_block(body, offset) and not _raw_block_open(slides[-1].lines):
            raise DeckError.at(path, number, "front matter (TOML between +++ lines) below the top of the file "
                               "would show on the slide as text",
                               "move it to the very top of the file: only blank lines may come before it")
        current = slides[-1]
        was_commented = commented
        if not in_fence and (commented or "<!--" in line_text):
            open_at_end = uncommented(without_code_spans(line_text), bool(commented))[1]
            commented = (commented or number) if open_at_end else 0
        if not in_fence and not was_commented and not current.notes_line and NOTES.match(line_text):
            current.notes_line = number
            current.notes.append(line_text.split(":", 1)[1].lstrip())
            continue
        (current.notes if current.notes_line else current.lines).append(line_text)
    if commented:
        raise DeckError.at(path, commented, "HTML comment is never closed: it hides the rest of the file",
                           "end it with `-->`")
    # An empty slide between two separators is a blank slide, as in reveal.js (a pause); the text before the
    # first separator and after the last one makes a slide only when there is something in it.
    if len(slides) > 1 and not _has_content(slides[-1]):
        slides.pop()
    if not _has_content(slides[0]):
        slides.pop(0)
    return SectionSource(path=path, meta=meta, slides=slides)


def _toml_block(lines: list[str], opening: int) -> bool:
    """Whether the `+++` line at `opening` starts front matter: lines of the section's keys (`title = ...`,
    `minutes = ...`; TOML comments may come between, nothing else) closed by another `+++`."""
    keys = 0
    for text in lines[opening + 1:]:
        if text.strip() == "+++":
            return keys > 0
        if text.strip():
            if FRONT_MATTER_LINE.match(text):
                keys += 1
            elif not text.lstrip().startswith("#"):  # a TOML comment may come between
                return False
    return False


def _raw_block_open(lines: list[str]) -> bool:
    """Whether a <pre>, <textarea> or <script> that shows its lines as they are is open after `lines`."""
    text = "\n".join(lines)
    if "<" not in text:
        return False
    return len(RAW_OPEN.findall(text)) > len(RAW_CLOSE.findall(text))


def without_code_spans(text: str) -> str:
    """`text` less its `code` spans, which show what they hold: a comment's marker in one opens nothing."""
    return CODE_SPAN.sub("", text) if "`" in text else text


def uncommented(text: str, open_at_start: bool = False) -> tuple[str, bool]:
    """`text` without its HTML comments, and whether a comment is still open at its end, given whether one
    was open at its start."""
    kept, at, is_open = [], 0, open_at_start
    while True:
        if is_open:
            end = text.find("-->", at)
            if end < 0:
                return "".join(kept), True
            at, is_open = end + 3, False
        else:
            begin = text.find("<!--", at)
            if begin < 0:
                kept.append(text[at:])
                return "".join(kept), False
            kept.append(text[at:begin])
            at, is_open = begin + 4, True


def _has_content(slide: RawSlide) -> bool:
    return any(line.strip() for line in slide.lines) or any(line.strip() for line in slide.notes)


def _front_matter(lines: list[str], path: Path) -> tuple[dict[str, Any], int]:
    """Parse `+++` TOML front matter at the top (blank lines may come before it); return it and the index of
    the first body line."""
    start = next((index for index, text in enumerate(lines) if text.strip()), 0)
    if lines and lines[start].rstrip() == "---" and _yaml_front_matter(lines, start):
        raise DeckError.at(path, start + 1, "front matter between --- lines (YAML) would show as a slide",
                           'talkdeck reads TOML between +++ lines: +++, then title = "Intro" and minutes = 5, '
                           "then +++")
    if not lines or lines[start].strip() != "+++":
        return {}, 0
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == "+++":
            toml_text = "\n".join(lines[start + 1:index])
            meta = parse_toml(toml_text, path, first_line=start + 2)
            _check_meta(meta, toml_text, path, first_line=start + 2)
            return meta, index + 1
    raise DeckError.at(path, start + 1, "front matter is never closed", "end it with a line `+++`")


def _yaml_front_matter(lines: list[str], start: int) -> bool:
    """Whether the section opens with YAML front matter (Marp's, Jekyll's): `---`, then lines `key: value`
    only, then `---`."""
    known = False
    for text in lines[start + 1:start + 40]:
        if text.rstrip() == "---":
            return known
        key = YAML_KEY.match(text)
        if key:
            known = known or key.group(1).lower() in YAML_FRONT_MATTER_KEYS
        elif text.strip() and text[:1] not in " \t-":  # (a list or a value that goes on under its key)
            return False
    return False


def _check_meta(meta: dict[str, Any], toml_text: str, path: Path, first_line: int) -> None:
    locate = KeyLocator(toml_text, first_line=first_line)
    problems: list[Problem] = []
    for key, value in meta.items():
        if key not in FRONT_MATTER_KEYS:
            hint = suggest(key, list(FRONT_MATTER_KEYS), "known keys: " + ", ".join(FRONT_MATTER_KEYS))
            problems.append(Problem(path, locate(key), f"unknown front matter key {key!r}", hint))
        elif key == "title" and not isinstance(value, str):
            problems.append(Problem(path, locate(key), "title must be a string"))
        elif key == "minutes" and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 24 * 60
        ):  # not inf, nan or 1e308 either
            problems.append(Problem(path, locate(key), "minutes must be a number of minutes, from 0 to 1440",
                                    "e.g. minutes = 3"))
    if problems:
        raise DeckError(problems)
