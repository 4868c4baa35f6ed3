"""`talkdeck check`: what would go wrong in front of an audience, found before it does.

The deck is built with the same :class:`~talkdeck.builder.Builder` into a temporary folder, then checked in
three ways:

- the talk, from the deck model: section minutes against the talk's length, slides without speaker notes;
- the built files, read as text: every image, local link, ``#anchor`` and reveal.js ``#/slide`` link must
  resolve, nothing may come from the network (HTML attributes, ``@import`` and ``url()`` in CSS), images need
  alt text;
- the deck in headless Chromium at its configured size: every slide at every fragment step is measured for
  content outside the slide frame and for code wider than its pane, and every request the page makes is
  routed, so a remote one or a missing file is caught even when the HTML did not show it.

Each problem is a :class:`Finding` located at the section file and line that causes it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from talkdeck.browser import NO_START_HINT, checkpoint, no_reveal_error, own_page_template, refuse_websockets
from talkdeck.entry import remove_folder, temporary_folder
from talkdeck.errors import DeckError, count, display_path
from talkdeck.model import Deck, Section, Slide
from talkdeck.paths import (
    BACKGROUND_LISTS,
    HARMLESS_SCHEMES,
    SCHEME,
    background_list,
    is_remote,
    srcset_candidates,
)
from talkdeck.source import inside_fences, uncommented, without_code_spans

ERROR = "error"
WARNING = "warning"
# Slides with one of these classes need no speaker notes (a title or section divider says it all).
NO_NOTES_CLASSES = ("title", "no-notes")
TOLERANCE = 1.0  # px: sub-pixel rounding is not an overflow
LOAD_TIMEOUT_MS = 20_000

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Finding:
    """One problem: `file` is relative to the deck root; `line` 0 when no line applies."""

    file: str
    line: int
    level: str
    kind: str
    message: str
    slide: int | None = None

    def location(self, root: Path | None = None) -> str:
        where = display_path(root / self.file) if root is not None else self.file
        return f"{where}:{self.line}" if self.line else where

    def format(self, root: Path | None = None) -> str:
        return f"{self.location(root)}: {self.level}: {self.message}"


@dataclass
class Report:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    slides: int = 0
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def sorted(self) -> list[Finding]:
        """Errors first, then warnings; each group by file and line."""
        return sorted(self.findings, key=lambda f: (f.level != ERROR, f.file, f.line, f.message))

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        return f"{count(errors, 'error')}, {count(warnings, 'warning')}"

    def text(self) -> str:
        lines = [finding.format(self.root) for finding in self.sorted()]
        return "\n".join([*lines, self.summary()])

    def json(self) -> str:
        items = []
        for finding in self.sorted():
            item = asdict(finding)
            item["file"] = display_path(self.root / finding.file)
            item["line"] = finding.line or None
            items.append(item)
        return json.dumps(items, indent=2, ensure_ascii=False)


# -- where things are in the sources -------------------------------------------------------------------------
class Sources:
    """Maps built slides back to their Markdown: file, first line, last line, number in the deck."""

    def __init__(self, deck: Deck):
        self.root = deck.root
        self.deck = deck
        self.by_id: dict[str, tuple[int, Slide]] = {s.id: (n, s) for n, s in enumerate(deck.slides, start=1)}
        self._ends: dict[str, int] = {}
        for section in deck.sections:
            slides = section.slides
            for index, slide in enumerate(slides):  # an empty section has none
                following = slides[index + 1] if index + 1 < len(slides) else None
                self._ends[slide.id] = following.line - 1 if following else 1 << 30
        self._files: dict[str, list[str]] = {}

    def lines(self, rel: str) -> list[str]:
        if rel not in self._files:
            try:
                self._files[rel] = (self.root / rel).read_text("utf-8", "replace").splitlines()
            except OSError:
                self._files[rel] = []
        return self._files[rel]

    def slide(self, slide_id: str | None) -> tuple[int, Slide] | None:
        return self.by_id.get(slide_id or "")

    def locate(self, slide_id: str | None, needle: str = "", nth: int = 0) -> tuple[str, int]:
        """The file and line of `needle` (its nth line after the first) within a slide's source, else the
        slide's first line.

        Outside any slide, the deck's own templates are searched (what is outside every slide comes from them),
        then the slides (a slide's script may ask for it), and deck.toml stands for the deck.
        """
        span = self.span(slide_id)
        if span is not None:
            rel, first, end = span
            if needle:
                lines = self.lines(rel)
                for number in range(first, end + 1):
                    if needle in lines[number - 1]:
                        if nth == 0:
                            return rel, number
                        nth -= 1
            return rel, first
        if needle:
            templates = self.root / "templates"
            for path in sorted(templates.rglob("*")) if templates.is_dir() else []:
                rel = path.relative_to(self.root).as_posix()
                for number, text in enumerate(self.lines(rel), start=1) if path.is_file() else ():
                    if needle in text:
                        return rel, number
            owner = self.owner_of(needle)
            if owner is not None:
                return self.locate(owner, needle)
        return "deck.toml", 0

    def span(self, slide_id: str | None) -> tuple[str, int, int] | None:
        """A slide's source file and its first and last line there (the lines before the next slide's)."""
        found = self.slide(slide_id)
        if found is None:
            return None
        slide = found[1]
        lines = self.lines(slide.source_rel)
        return slide.source_rel, slide.line, min(self._ends.get(slide.id, len(lines)), len(lines))

    def owner_of(self, needle: str) -> str | None:
        """The id of the first slide whose source mentions `needle` (for requests no element explains)."""
        for slide in self.deck.slides:
            rel, first, end = self.span(slide.id)
            lines = self.lines(rel)
            if any(needle in lines[number - 1] for number in range(first, end + 1)):
                return slide.id
        return None

    def written(self, url: str) -> str:
        """A requested URL as the sources write it: as requested, or `http:host/x` for `http://host/x`."""
        scheme, slashes, rest = url.partition("://")
        short = f"{scheme}:{rest}"
        if slashes and not self.owner_of(url) and self.locate(None, short)[1]:  # a slide's, else a template's
            return short
        return url

    def number(self, slide_id: str | None) -> int | None:
        found = self.slide(slide_id)
        return found[0] if found else None

    def label(self, slide_id: str | None) -> str:
        found = self.slide(slide_id)
        return f"slide {found[0]} (#{slide_id})" if found else "the page"


# -- the talk: timing and notes ------------------------------------------------------------------------------
def check_talk(deck: Deck, sources: Sources) -> list[Finding]:
    findings = []
    minutes = deck.config.minutes
    planned = [s.minutes for s in deck.sections if s.minutes is not None]
    if minutes and planned and sum(planned) > minutes:
        total = sum(planned)
        from talkdeck.config import KeyLocator

        line = KeyLocator((deck.root / "deck.toml").read_text("utf-8", "replace"))("minutes") or 0
        longest = sorted(deck.sections, key=lambda s: -(s.minutes or 0))[:3]
        biggest = ", ".join(f"{s.path.name} {_number(s.minutes or 0)}" for s in longest)
        findings.append(Finding("deck.toml", line, WARNING, "minutes",
                                f"the sections' minutes add up to {_number(total)}, "
                                f"{_number(total - minutes)} over the talk's {minutes} (longest: {biggest})"))
    findings += [finding for section in deck.sections if (finding := _timings_over(section))]
    findings += _shared_numbers(deck)
    findings += _unfilled_values(deck, sources)
    for number, slide in enumerate(deck.slides, start=1):
        if number == 1 or _exempt_from_notes(slide) or _has_notes(slide):
            continue
        findings.append(Finding(slide.source_rel, slide.line, WARNING, "notes",
                                f"slide {number} (#{slide.id}) has no speaker notes (add a `Note:` part, or "
                                f"the class no-notes if it needs none)", number))
    return findings


# a deck value with more between the braces (a filter, a call): a slide shows it as written
ODD_DECK_VALUE = re.compile(r"\{\{\s*deck\b[^{}]*\}\}")
CODE_ELEMENT = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


def _unfilled_values(deck: Deck, sources: Sources) -> list[Finding]:
    """A warning for `{{ deck.title | upper }}` on a slide, outside code: only `{{ deck.NAME }}` is filled in."""
    findings = []
    for number, slide in enumerate(deck.slides, start=1):
        texts = [slide.html, slide.notes or "", *(str(value) for value in slide.attrs.values())]
        if not any("{{" in text for text in texts):
            continue
        found = [unescape(shown) for text in texts for shown in ODD_DECK_VALUE.findall(CODE_ELEMENT.sub("", text))]
        for shown in dict.fromkeys(found):
            file, line = sources.locate(slide.id, shown)
            findings.append(Finding(file, line, WARNING, "value",
                                    f"slide {number} (#{slide.id}) shows {shown} as written: a slide fills in "
                                    "{{ deck.NAME }} only, with nothing else between the braces (to show the "
                                    "braces, put them in `code`)", number))
    return findings


def _shared_numbers(deck: Deck) -> list[Finding]:
    """A warning for each section whose number another one has (`01-intro.md`, `01-demo.md`, `1-end.md`):
    the build orders them by name, which may not be the order meant."""
    from talkdeck.builder import PREFIX

    first: dict[int, Section] = {}
    findings = []
    numbered = any(PREFIX.match(section.path.name) for section in deck.sections)
    for section in deck.sections:
        match = PREFIX.match(section.path.name)
        if not match:
            if numbered:  # a README.md or notes.md left in slides/ becomes the last part of the talk
                findings.append(Finding(section.path.relative_to(deck.root).as_posix(), 1, WARNING, "order",
                                        f"{section.path.name} has no number, so it is the talk's last section "
                                        "(number it, e.g. 99-end.md, or move it out of slides/)"))
            continue
        number = int(match.group(1))
        if number not in first:
            first[number] = section
            continue
        rel = section.path.relative_to(deck.root).as_posix()
        findings.append(Finding(rel, 1, WARNING, "order",
                                f"{section.path.name} has the number {number}, as {first[number].path.name} has: "
                                "the talk runs them in the order of their names (give each section a number of "
                                "its own)"))
    return findings


def _timings_over(section: Section) -> Finding | None:
    """A warning when the slides' own `data-timing` leave the section's other slides no time, or take more
    than the section's minutes."""
    timed = [slide for slide in section.slides if slide.timed]
    if section.minutes is None or not timed:
        return None
    own, budget = sum(slide.timing or 0 for slide in timed), round(section.minutes * 60)
    others = len(section.slides) - len(timed)
    if own < budget or (own == budget and not others):
        return None
    first = timed[0]
    left = "" if not others else "; the other slide gets 0 s" if others == 1 else f"; the other {others} slides get 0 s"
    return Finding(first.source_rel, first.line, WARNING, "minutes",
                   f"the data-timing values of {section.path.name}'s slides add up to {own} s, "
                   f"{'over' if own > budget else 'all of'} its minutes = {_number(section.minutes)} "
                   f"({budget} s){left}: raise its minutes or lower the timings")


def _number(value: float) -> str:
    return f"{value:g}"


def _exempt_from_notes(slide: Slide) -> bool:
    classes = slide.attrs.get("class", "").split()
    return any(name in classes for name in NO_NOTES_CLASSES)


def _has_notes(slide: Slide) -> bool:
    """A `Note:` part, an `<aside class="notes">` or a `data-notes` attribute, as reveal.js reads notes."""
    return bool(re.sub(r"<[^>]+>", "", slide.notes).strip()) or bool(slide.attrs.get("data-notes", "").strip()) \
        or bool(re.search(r"<aside\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bnotes\b", slide.html))


# -- the built files: references, links, alt text ------------------------------------------------------------
# Attributes whose value the browser loads (for `a`/`area` the href is a link, checked separately).
LOADED_ATTRS = {"src", "data-src", "poster", "data-background-image", "data-background-iframe",
                "data-background-video", "data-preview-image", "data-preview-video", "data"}
LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "prefetch", "modulepreload",
                "manifest", "preconnect", "dns-prefetch", "mask-icon"}
CSS_URL = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)|url\(\s*["']?([^"')]+?)["']?\s*\)""",
                     re.IGNORECASE)


@dataclass
class Reference:
    tag: str
    attr: str
    value: str
    slide: str | None  # id of the slide it is on, None outside slides
    notes: bool = False  # inside speaker notes


@dataclass
class PageScan:
    references: list[Reference] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    no_alt: list[Reference] = field(default_factory=list)
    css: list[tuple[str, str | None]] = field(default_factory=list)  # inline CSS text, slide id
    # every id of an element on a slide, and the slide it is on (a slide's own id is in `ids` only)
    element_ids: list[tuple[str, str]] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)  # `language-X` of code on a slide, its id


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = PageScan()
        self.sections: list[str | None] = []
        self.asides: list[bool] = []
        self.in_style = False

    @property
    def slide(self) -> str | None:
        return next((s for s in reversed(self.sections) if s), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.scan.ids.add(values["id"])
            if self.slide is not None and not (tag == "section" and "data-td-source" in values):
                self.scan.element_ids.append((values["id"], self.slide))
        if tag == "section":
            self.sections.append(values.get("id") if "data-td-source" in values else None)
        elif tag == "aside":
            self.asides.append("notes" in values.get("class", "").split())
        elif tag == "style":
            self.in_style = True
        notes = any(self.asides)
        if tag == "code" and not notes and self.slide is not None and "language-" in values.get("class", ""):
            self.scan.languages += [(name[9:], self.slide) for name in values["class"].split()
                                    if name.startswith("language-") and name[9:]]
        for name, value in values.items():
            if not value.strip():
                continue
            if name in ("href",) and tag in ("a", "area"):
                self.scan.references.append(Reference(tag, "href", value.strip(), self.slide, notes))
            elif name == "href" and tag == "link":
                if LOADING_RELS & set(values.get("rel", "").lower().split()):
                    self.scan.references.append(Reference(tag, name, value.strip(), self.slide, notes))
            elif name in ("href", "xlink:href") and tag == "image":  # an SVG picture
                self.scan.references.append(Reference(tag, name, value.strip(), self.slide, notes))
            elif name in LOADED_ATTRS and not (name == "data" and tag != "object"):
                for part in background_list(name, value) if name in BACKGROUND_LISTS else [value]:
                    self.scan.references.append(Reference(tag, name, part, self.slide, notes))
            elif name == "srcset":
                for url, _descriptors in srcset_candidates(value):
                    self.scan.references.append(Reference(tag, name, url, self.slide, notes))
            elif name == "style":
                self.scan.css.append((value, self.slide))
        if tag == "img" and not notes and self.slide is not None and not values.get("alt", "").strip():
            decorative = values.get("role") in ("presentation", "none") or values.get("aria-hidden") == "true"
            if not decorative:
                self.scan.no_alt.append(Reference(tag, "src", values.get("src", ""), self.slide))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.sections:
            self.sections.pop()
        elif tag == "aside" and self.asides:
            self.asides.pop()
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.scan.css.append((data, self.slide))


def scan_page(html: str) -> PageScan:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.scan


def css_urls(text: str) -> list[str]:
    return [(m.group(1) or m.group(2)).strip() for m in CSS_URL.finditer(text)]



class Collector:
    """Findings, each problem once: a file missing or remote is reported once per slide that uses it, and the
    browser's own requests only for what the built files did not already show."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.subjects: set[tuple] = set()
        self.remote: dict[str, str | None] = {}  # remote URL as the built files name it -> id of its slide

    def add(self, finding: Finding, subject: tuple | None = None) -> None:
        if subject is not None:
            if (*subject, finding.file, finding.line) in self.subjects:
                return
            self.subjects.add((*subject, finding.file, finding.line))
            self.subjects.add(subject)
        self.findings.append(finding)

    def known(self, subject: tuple) -> bool:
        return subject in self.subjects


def check_files(output: Path, sources: Sources, found: Collector) -> None:
    """References in the built HTML and CSS: remote or missing files, broken anchors, images without alt."""
    html = (output / "index.html").read_text("utf-8")
    scan = scan_page(html)
    # ids only on slides reveal.js takes out (hidden ones): a link to them goes nowhere
    gone = {slide.id for slide in sources.deck.slides if sources.deck.taken_out(slide)}
    hidden = ({ident for ident, slide in scan.element_ids if slide in gone}
              - {ident for ident, slide in scan.element_ids if slide not in gone})
    for ref in scan.references:
        if ref.tag in ("a", "area") and not ref.notes:
            _check_link(ref, scan.ids - hidden, output, sources, found, hidden)
    for url, what, slide, base in loaded_urls(output, scan):
        _check_resource(url, what, slide, base, output, sources, found)
    _check_ids(scan, sources, found)
    _check_languages(scan, output, sources, found)
    for ref in scan.no_alt:
        file, line = sources.locate(ref.slide, ref.value)
        found.add(Finding(file, line, WARNING, "alt",
                          f"{sources.label(ref.slide)}: image {ref.value or '(no src)'} has no alt text (say "
                          f"what it shows: ![what it shows]({ref.value}); decorative: role=\"presentation\")",
                          sources.number(ref.slide)))


# what highlight.js takes for no language at all, besides those it registers
NO_HIGHLIGHT = frozenset({"nohighlight", "no-highlight"})
HIGHLIGHT_NAMES = re.compile(r"registerLanguage\([`\"']([\w.+-]+)[`\"']")
HIGHLIGHT_ALIASES = re.compile(r"aliases\s*[:=]\s*\[([^\]]*)\]")  # in a definition, or set on it (arduino)
QUOTED = re.compile(r"[`\"']([^`\"']+)[`\"']")


def _check_languages(scan: PageScan, output: Path, sources: Sources, found: Collector) -> None:
    """Code marked with a language that reveal.js's highlight.js does not register shows without colours:
    ```pyhton, or a pane's language written wrong."""
    plugin = output / "reveal" / "plugin" / "highlight.js"
    if not scan.languages or not plugin.is_file():
        return
    text = plugin.read_text("utf-8", "replace")
    known = set(HIGHLIGHT_NAMES.findall(text)) | NO_HIGHLIGHT
    for aliases in HIGHLIGHT_ALIASES.findall(text):
        known.update(QUOTED.findall(aliases))
    if len(known) < 10:  # not the plugin this was written for: nothing to go by
        return
    from talkdeck.config import suggest

    for language, slide in dict.fromkeys(scan.languages):
        if language.lower() in known:  # highlight.js looks a name up in lower case
            continue
        file, line = sources.locate(slide, f"```{language}")  # the fence that names it, else the pane
        if line == sources.locate(slide)[1]:
            file, line = sources.locate(slide, language)
        hint = suggest(language.lower(), sorted(known), "name one it knows, such as python or bash, or text for "
                                                         "plain code", cutoff=0.75)
        found.add(Finding(file, line, WARNING, "language",
                          f"{sources.label(slide)}: code in {language!r}, a language reveal.js's highlighter does "
                          f"not know, shows without colours ({hint})", sources.number(slide)),
                  ("language", language, slide))


def _check_ids(scan: PageScan, sources: Sources, found: Collector) -> None:
    """An id given on a slide (`{#intro}`, `id="intro"`) that a slide or an earlier element already has: a link
    to it opens the first one, and reveal.js's address #/ID goes to that slide."""
    seen: dict[str, str] = {}
    before: dict[tuple[str, str], int] = {}  # how often the slide gave the id before: the line is the next one
    for ident, slide in scan.element_ids:
        nth = before[ident, slide] = before.get((ident, slide), -1) + 1
        if sources.slide(ident) is not None:
            problem, level = f"is also the id of {sources.label(ident)}, so #/{ident} may open this one", ERROR
        elif ident in seen:
            problem, level = f"is also on {sources.label(seen[ident])}: a link to #{ident} opens the first one", WARNING
        else:
            seen[ident] = slide
            continue
        file, line = _id_line(sources, slide, ident, nth)
        found.add(Finding(file, line, level, "id", f"{sources.label(slide)}: the id {ident} {problem} (give it "
                          "another id)", sources.number(slide)), ("id", ident, slide))


def _id_line(sources: Sources, slide: str, ident: str, nth: int) -> tuple[str, int]:
    """The line that gives the slide's nth element with this id, as `id="..."` or `{#...}`, counting each time a
    line gives it; else the first line that mentions it."""
    span = sources.span(slide)
    if span is not None:
        rel, first, end = span
        lines = sources.lines(rel)
        giving = re.compile(rf"""(?<![\w-])id\s*=\s*["']?{re.escape(ident)}(?![\w-])"""
                            rf"""|\{{[^{{}}]*#{re.escape(ident)}(?![\w-])""")
        # code (fences, spans) and comments give no id: the lines as the renderer reads them
        part = lines[first - 1:end]
        try:
            fenced = inside_fences(part, first, Path(rel))
        except DeckError:  # a fence the slide leaves open: the build said so
            fenced = [False] * len(part)
        commented = False
        for index, text in enumerate(part):
            if fenced[index]:
                continue
            text, commented = uncommented(without_code_spans(text), commented)
            nth -= len(giving.findall(text))
            if nth < 0:
                return rel, first + index
    return sources.locate(slide, ident)


def loaded_urls(output: Path, scan: PageScan) -> Iterator[tuple[str, str, str | None, Path]]:
    """Every URL the built deck loads, as written: (the URL, what names it, the id of the slide it is on or None
    outside the slides, the folder it is relative to), from the page's attributes and CSS and its stylesheets."""
    for ref in scan.references:
        if ref.tag not in ("a", "area"):
            yield ref.value, f"<{ref.tag} {ref.attr}>", ref.slide, output
    for text, slide in scan.css:
        for url in css_urls(text):
            yield url, "CSS url()", slide, output
    for css in sorted(output.rglob("*.css")):
        rel = css.relative_to(output).as_posix()
        for url in css_urls(css.read_text("utf-8", "replace")):
            yield url, f"stylesheet {rel}:", None, css.parent


def _check_resource(url: str, what: str, slide: str | None, base: Path, output: Path, sources: Sources,
                    found: Collector) -> None:
    if not url or url.startswith("#"):
        return
    if is_remote(url):
        file, line = sources.locate(slide, url)
        found.add(Finding(file, line, ERROR, "network",
                          f"{sources.label(slide)}: {what} {url} would be loaded from the network (a deck "
                          "must work offline: save the file in the deck and use a relative path)",
                          sources.number(slide)), ("network", url))
        found.remote.setdefault(url, slide)
        return
    scheme = SCHEME.match(url)
    if scheme and scheme.group(1).lower() in HARMLESS_SCHEMES:
        return
    target, problem = _local_problem(url, base, output, sources.root)
    if problem is None:
        return
    file, line = sources.locate(slide, urlsplit(url).path or url)
    found.add(Finding(file, line, ERROR, "missing", f"{sources.label(slide)}: {what} {url} {problem}",
                      sources.number(slide)), ("missing", str(target) if target else url))


def _local_problem(url: str, base: Path, output: Path, root: Path) -> tuple[Path | None, str | None]:
    """The file a local reference names, and why it does not resolve inside the built deck (None: it does)."""
    parts = urlsplit(url)
    if parts.scheme == "file" or parts.path.startswith("/"):
        return None, ("is an absolute path: it breaks once the deck is copied or served (use a path relative "
                      "to the deck)")
    out = output.resolve()
    target = (base / unquote(parts.path)).resolve()
    if not target.is_relative_to(out):
        return target, "points outside the built deck"
    if target.exists():
        return target, None
    rel = target.relative_to(out)
    if (root / rel).exists():
        return target, ("is in the deck folder but not in the built deck (talkdeck copies the files that "
                        "slides name in Markdown and in HTML attributes, not those a <style> block or a script "
                        "names: name it in an attribute, such as style=\"...url(...)\", or a link)")
    return target, "does not exist (save the file there, or correct the path)"


def _check_link(ref: Reference, ids: set[str], output: Path, sources: Sources, found: Collector,
                hidden: set[str]) -> None:
    url = ref.value
    scheme = SCHEME.match(url)
    if is_remote(url) or (scheme and scheme.group(1).lower() in HARMLESS_SCHEMES):
        return  # a link the speaker may click: nothing is loaded until then
    if url.startswith("#"):
        problem = _anchor_problem(url, ids, sources, hidden)
    else:
        problem = _local_problem(url, output, output, sources.root)[1]
    if problem is None:
        return
    file, line = sources.locate(ref.slide, url)
    found.add(Finding(file, line, ERROR, "link", f"{sources.label(ref.slide)}: link {url} {problem}",
                      sources.number(ref.slide)), ("link", url, ref.slide))


HIDDEN_SLIDE = ('names a hidden slide (data-visibility="hidden"), which reveal.js takes out of the deck: the link '
                "goes nowhere (or set showHiddenSlides = true under [reveal])")


def _anchor_problem(url: str, ids: set[str], sources: Sources, hidden: set[str] = frozenset()) -> str | None:
    """`#id` must name an element; reveal.js's `#/id[/f]` and `#/h[/v[/f]]` must name a slide. `hidden`: the
    ids of elements only on slides reveal.js takes out."""
    target = unquote(url[1:])
    if not target or target == "/":
        return None
    if target.lstrip("/").split("/")[0] in hidden:
        return HIDDEN_SLIDE.replace("names a hidden slide", "names an element of a hidden slide")
    if not target.startswith("/"):  # `#id`: reveal.js reads it as `#/id` too, for a slide
        if target in sources.by_id and sources.deck.taken_out(sources.by_id[target][1]):
            return HIDDEN_SLIDE
        return None if target in ids else "names no element of the deck"
    parts = target[1:].split("/")
    if parts[0].isdigit():  # as reveal.js counts them: without the hidden slides, which it takes out
        h = int(parts[0])
        v = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        stacks = [shown for section in sources.deck.sections for stack in section.stacks
                  if (shown := [slide for slide in stack if not sources.deck.taken_out(slide)])]
        if h >= len(stacks):
            return f"points past the last slide (there are {len(stacks)} horizontal slides shown, counted from 0)"
        if v >= len(stacks[h]) and v > 0:
            return f"points past the last vertical slide of slide {h} ({len(stacks[h])}, counted from 0)"
        return None
    if parts[0] in sources.by_id and sources.deck.taken_out(sources.by_id[parts[0]][1]):
        return HIDDEN_SLIDE
    if parts[0] in ids:
        return None
    from talkdeck.config import suggest

    hint = suggest(parts[0], list(sources.by_id), "slide ids look like #/section-name-2")
    return f"names no slide ({hint})"


# -- requests, back to the sources that ask for them: for `check` and `pdf` ----------------------------------
# Each URL as the page requests it, resolved by the browser itself: `http:host/x` (from a page opened from disk),
# `HTTPS://Host` and `https:\\host` are fetched as `http://host/x`, `https://host/` and `https://host/`, and a
# #fragment is never sent.
REQUESTED_JS = """(urls) => urls.map((url) => {
  try {
    const parsed = new URL(url, document.baseURI);
    parsed.hash = '';
    return parsed.href;
  } catch (e) {
    return url;  // no URL: the browser requests nothing for it
  }
})"""


def remote_references(output: Path) -> dict[str, str | None]:
    """The remote URLs the built deck loads, as written -> the id of the slide that names each (None: outside
    the slides); `check` collects them as it checks the files, in Collector.remote."""
    found: dict[str, str | None] = {}
    for url, _what, slide, _base in loaded_urls(output, scan_page((output / "index.html").read_text("utf-8"))):
        if is_remote(url):
            found.setdefault(url, slide)
    return found


def as_written(page, named: dict[str, str | None]) -> dict[str, tuple[str, str | None]]:
    """URL as the page requests it -> (the URL as the deck writes it, the id of the slide that does), for the
    `named` remote URLs; empty when the page can no longer answer."""
    from playwright.sync_api import Error as PlaywrightError

    written = list(named)
    try:
        requested = page.evaluate(REQUESTED_JS, written) if written else []
    except PlaywrightError:  # the page crashed or was closed: requests are found in the sources as they are
        requested = []
    checkpoint()
    mapping: dict[str, tuple[str, str | None]] = {}
    for url, source in zip(requested, written, strict=False):  # none when the page did not answer
        mapping.setdefault(url, (source, named[source]))
    return mapping


def locate_request(url: str, sources: Sources, written: dict[str, tuple[str, str | None]],
                   slide: str | None = None) -> tuple[str, str | None, str, int]:
    """A URL the page requested, as the deck writes it, and the slide, file and line that write it.

    A URL the built deck names (see :func:`as_written`) is found on its slide; another one (a script made it)
    in the sources, as requested or as `http:host/x`; `slide`, when known, is searched first.
    """
    # reveal.js adds to the query of some (a YouTube iframe asks for ...?enablejsapi=1): the same one still
    asked = urlsplit(url)
    source, named_on = written.get(url) or next(
        (found for requested, found in written.items()
         if (parts := urlsplit(requested))[:3] == asked[:3]
         and (not parts.query or asked.query == parts.query or asked.query.startswith(parts.query + "&"))),
        (sources.written(url), None))
    slide = slide or named_on or sources.owner_of(source)
    file, line = sources.locate(slide, source)
    return source, slide, file, line


# -- the deck in a browser: overflow, code panes, requests ---------------------------------------------------
MEASURE_JS = r"""
async ({index, width, height}) => {
  const slide = window.talkdeckSlides()[index];
  const where = Reveal.getIndices(slide);
  Reveal.slide(where.h, where.v, -1);
  const steps = [...new Set([...slide.querySelectorAll('.fragment')]
    .map(f => parseInt(f.getAttribute('data-fragment-index'), 10)).filter(n => !isNaN(n)))]
    .sort((a, b) => a - b);
  const frameElement = Reveal.getSlidesElement();
  const range = document.createRange();
  const SKIP = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);

  function settle() {
    const loading = [...slide.querySelectorAll('img')].filter(img => !img.complete);
    const images = loading.map(img => new Promise(done => {
      img.addEventListener('load', done, {once: true});
      img.addEventListener('error', done, {once: true});
    }));
    const timeout = new Promise(done => setTimeout(done, 3000));
    return Promise.race([Promise.all([document.fonts.ready, ...images]), timeout]);
  }

  function describe(el) {
    const text = (el.textContent || el.getAttribute('alt') || el.getAttribute('src') || '')
      .replace(/\s+/g, ' ').trim();
    return {tag: el.tagName.toLowerCase(), text: text.slice(0, 60)};
  }

  function measure() {
    const f = frameElement.getBoundingClientRect();
    const sx = f.width / width || 1, sy = f.height / height || 1;
    // Boxes in slide coordinates: the frame is 0..width x 0..height.
    const box = r => ({l: (r.left - f.left) / sx, t: (r.top - f.top) / sy,
                       r: (r.right - f.left) / sx, b: (r.bottom - f.top) / sy});
    const cut = (b, clip) => !clip ? b : {l: Math.max(b.l, clip.l), t: Math.max(b.t, clip.t),
                                          r: Math.min(b.r, clip.r), b: Math.min(b.b, clip.b)};
    const over = {top: 0, right: 0, bottom: 0, left: 0};
    let worst = null, worstBy = 0;
    // The slide's padding is its margin: content that reaches into it still shows, but crowds the edge and
    // makes the slide taller or wider than its PDF page.
    const ps = getComputedStyle(slide);
    const pad = {top: parseFloat(ps.paddingTop) || 0, right: parseFloat(ps.paddingRight) || 0,
                 bottom: parseFloat(ps.paddingBottom) || 0, left: parseFloat(ps.paddingLeft) || 0};
    const into = {top: 0, right: 0, bottom: 0, left: 0};
    let crowding = null, crowdingBy = 0;
    const backgrounds = new Set();
    function note(b, el, text) {
      if (b.r - b.l <= 0 && b.b - b.t <= 0) return;
      const o = {top: -b.t, left: -b.l, right: b.r - width, bottom: b.b - height};
      for (const side in o) {
        if (o[side] > over[side]) over[side] = o[side];
        if (o[side] >= worstBy && o[side] > 0) { worstBy = o[side]; worst = el; }
        // A text's box is its font's full height, a few px above and below its line: only elements count.
        if (text) continue;
        const m = o[side] + pad[side];
        if (m > into[side]) into[side] = m;
        if (m >= crowdingBy && m > 0) { crowdingBy = m; crowding = el; }
      }
    }
    function walk(el, clip, transparent, visible) {
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) {
          if (!visible || !node.data.trim()) continue;
          range.selectNodeContents(node);
          note(cut(box(range.getBoundingClientRect()), clip), el, true);
          continue;
        }
        if (node.nodeType !== Node.ELEMENT_NODE || SKIP.has(node.tagName)) continue;
        if (node.tagName === 'ASIDE' && node.classList.contains('notes')) continue;
        const cs = getComputedStyle(node);
        if (cs.display === 'none') continue;
        const clear = transparent || parseFloat(cs.opacity) === 0;
        const shown = !clear && cs.visibility === 'visible';
        const own = box(node.getBoundingClientRect());
        if (shown) {
          // fitted text reaches into the slide's side paddings, padded as much (talkdeck.css): its text counts
          const fitted = node.classList.contains('r-fit-text');
          note(cut(fitted ? {...own, l: own.l + parseFloat(cs.paddingLeft), r: own.r - parseFloat(cs.paddingRight)}
                   : own, clip), node);
          if (cs.backgroundImage && cs.backgroundImage !== 'none') backgrounds.add(cs.backgroundImage);
        }
        let inner = clip;
        const clipX = cs.overflowX !== 'visible', clipY = cs.overflowY !== 'visible';
        if (clipX || clipY) {
          inner = clip ? {...clip} : {l: -Infinity, t: -Infinity, r: Infinity, b: Infinity};
          if (clipX) { inner.l = Math.max(inner.l, own.l); inner.r = Math.min(inner.r, own.r); }
          if (clipY) { inner.t = Math.max(inner.t, own.t); inner.b = Math.min(inner.b, own.b); }
          if (inner.l >= 0 && inner.t >= 0 && inner.r <= width && inner.b <= height) continue;
        }
        walk(node, inner, clear, shown);
      }
    }
    walk(slide, null, false, true);

    const codes = [];
    [...slide.querySelectorAll('pre')].forEach((pre, preIndex) => {
      const figure = pre.closest('figure[data-td-path]');
      const panes = [...slide.querySelectorAll('figure[data-td-path]')];
      const children = [...pre.querySelectorAll(':scope > code')];
      const blocks = children.length ? children : [pre];
      for (const code of blocks) {
        if (!code.getClientRects().length) continue;
        const cs = getComputedStyle(code);
        if (cs.visibility !== 'visible' || parseFloat(cs.opacity) === 0) continue;
        const wide = code.scrollWidth - code.clientWidth, tall = code.scrollHeight - code.clientHeight;
        if (wide <= 1 && tall <= 1) continue;
        const r = code.getBoundingClientRect();
        const right = r.left + code.clientLeft + code.clientWidth - parseFloat(cs.paddingRight);
        const bottom = r.top + code.clientTop + code.clientHeight;
        const lines = [];
        let hidden = 0;
        const rows = [...code.querySelectorAll('td.hljs-ln-code')];
        if (rows.length) {
          rows.forEach((row, i) => {
            range.selectNodeContents(row);
            const rr = range.getBoundingClientRect();
            if (rr.right - right > 1) lines.push({index: i, text: row.textContent, by: rr.right - right});
            if (row.getBoundingClientRect().bottom - bottom > 1) hidden += 1;
          });
        } else {
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
          const room = code.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
          const tab = ' '.repeat(parseInt(cs.tabSize, 10) || 4);
          code.textContent.split('\n').forEach((text, i) => {
            const w = ctx.measureText(text.replace(/\t/g, tab)).width;
            if (w - room > 1) lines.push({index: i, text, by: w - room});
          });
          const lineHeight = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.2;
          if (tall > 1) hidden = Math.ceil(tall / lineHeight);
        }
        codes.push({pre: preIndex, pane: figure ? figure.getAttribute('data-td-path') : null,
                    paneIndex: figure ? panes.indexOf(figure) : -1, wide, tall, hidden, lines,
                    first: rows.length ? rows[0].textContent : code.textContent.split('\n')[0],
                    total: rows.length || code.textContent.split('\n').length});
      }
    });

    // (an image whose browser-chosen source is remote, from srcset or <picture>, failed because the request
    // was blocked: the network finding names it)
    const broken = [...slide.querySelectorAll('img')]
      .filter(img => img.complete && img.naturalWidth === 0 && img.getAttribute('src') &&
                     !/^https?:/i.test(img.currentSrc || ''))
      .map(img => img.getAttribute('src'));
    return {over, worst: worst ? describe(worst) : null, into, crowding: crowding ? describe(crowding) : null,
            codes, broken, backgrounds: [...backgrounds]};
  }

  // Background images (the slide's own, and CSS ones in it) that exist but do not show: a browser says
  // nothing of them, so each is loaded once more as an image.
  function brokenBackgrounds(values) {
    const background = Reveal.getSlideBackground(slide);
    const found = background ? [background, ...background.querySelectorAll('*')]
      .map(el => getComputedStyle(el).backgroundImage) : [];
    const urls = new Set();
    for (const value of [...values, ...found]) {
      for (const match of value.matchAll(/url\("([^"]+)"\)/g)) {
        if (/^file:/i.test(match[1])) urls.add(match[1]);
      }
    }
    const broken = [];
    return Promise.race([Promise.all([...urls].map(url => new Promise(done => {
      const image = new Image();
      image.onload = () => done();
      image.onerror = () => { broken.push(url); done(); };
      image.src = url;
    }))), new Promise(done => setTimeout(done, 3000))]).then(() => broken);
  }

  const results = [];
  for (const step of [-1, ...steps]) {
    if (step !== -1) Reveal.slide(where.h, where.v, step);
    await settle();
    results.push({step, ...measure()});
  }
  const backgroundsBroken = await brokenBackgrounds(results.flatMap(result => result.backgrounds));
  return {id: slide.id, steps: steps.length, results, backgroundsBroken};
}
"""


# Every slide, also those reveal.js does not count (data-visibility="uncounted"); a stack is not a slide.
SLIDES_JS = ("() => [...document.querySelectorAll('.reveal .slides section')]"
             ".filter(s => !s.querySelector('section'))")
MEASURE_BATCH_JS = """async ({from, to, width, height}) => {
  const out = [];
  for (let index = from; index < to; index++) out.push(await window.talkdeckMeasure({index, width, height}));
  return out;
}"""
BATCH = 10
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important; animation: none !important; }"


def viewport(width: int, height: int, margin: float) -> dict[str, int]:
    """A window in which reveal.js scales the deck by exactly 1 (it leaves `margin` of the window free)."""
    keep = 1 - margin if 0 <= margin < 1 else 1
    return {"width": int(-(-width // keep)), "height": int(-(-height // keep))}


# where an error's stack names the page itself: file:///.../index.html:LINE:COLUMN
INDEX_FRAME = re.compile(r"/index\.html(?:[?#][^:\s]*)?:(\d+):(\d+)")


class PageWatch:
    """Every request the page makes: remote ones are aborted and recorded, failed local ones recorded."""

    def __init__(self, page, output: Path):
        self.output = output.resolve()
        self.remote: list[str] = []
        self.failed: list[str] = []
        self.asked_by: dict[str, tuple[str, str]] = {}  # a URL -> the pages in iframes that asked: asking_page
        self.errors: list[str] = []
        page.route("**/*", self._route)
        refuse_websockets(page, self.remote)
        page.on("requestfailed", self._failed)
        self.error_lines: dict[str, tuple[int, int]] = {}  # an error's message -> its line and column in index.html
        page.on("pageerror", self._error)

    def _route(self, route) -> None:
        url = route.request.url
        if url.split(":", 1)[0].lower() in ("file", "data", "blob", "about"):
            route.continue_()
        else:
            self.remote.append(url)
            self._note_asker(route.request)
            route.abort("blockedbyclient")

    def _note_asker(self, request) -> None:
        if (page := asking_page(request)) is not None:
            self.asked_by.setdefault(request.url, page)

    def _error(self, exc) -> None:
        message, where = page_error(exc)
        self.errors.append(message)
        if where and message not in self.error_lines:
            self.error_lines[message] = where

    def _failed(self, request) -> None:
        if not request.url.startswith("file:"):
            return
        if "ERR_ABORTED" in (request.failure or "") and file_url_path(request.url).is_file():
            return  # a load the page gave up, of a file that is there: reveal.js unloads a slide's iframe
        self.failed.append(request.url)
        self._note_asker(request)


def page_error(error) -> tuple[str, tuple[int, int] | None]:
    """A JavaScript error of the page, as Playwright gives it: the first line of its message, and its line and
    column in index.html when its stack names them."""
    text = str(error).strip()
    where = INDEX_FRAME.search(getattr(error, "stack", "") or "")
    return (text.splitlines()[0] if text else "an error without a message",
            (int(where.group(1)), int(where.group(2))) if where else None)


def file_url_path(url: str) -> Path:
    """The path on disk that a file: address names, its %-escapes read."""
    return Path(unquote(urlsplit(url).path))


def deck_name(path: Path, output: Path) -> str:
    """A file as a finding names it: relative to the built deck when it is in it, else its whole path."""
    return path.relative_to(output).as_posix() if path.is_relative_to(output) else str(path)


def network_address(url: str) -> str | None:
    """`//host/x` for a failed file://host/x: what a page opened from disk asks of an address written `//host/x`,
    a network reference."""
    parts = urlsplit(url)
    return f"//{parts.netloc}{parts.path}" if parts.scheme == "file" and parts.netloc not in ("", "localhost") \
        else None


def asking_page(request) -> tuple[str, str] | None:
    """When a page that an iframe of a slide shows, or a page it shows in turn, asked for the request: the
    address of the first (the frame just under the deck's own page) and of the page that asked."""
    try:
        frame = asker = request.frame
        while frame.parent_frame is not None and frame.parent_frame.parent_frame is not None:
            frame = frame.parent_frame
        return (frame.url, asker.url) if frame.parent_frame is not None else None
    except Exception:  # noqa: BLE001 - a frame already gone: the slide is found by the URL alone
        return None


def iframe_source(pages: tuple[str, str] | None, output: Path, sources: Sources
                  ) -> tuple[str | None, str, int, str]:
    """The slide whose iframe shows the page of the built deck that asking_page gave, its file and line, and
    the page that asked, named relative to the deck; no line for another address."""
    shown, asker = (_built_file(url, output) for url in pages or ("", ""))
    if not shown:
        return None, "deck.toml", 0, ""
    slide = sources.owner_of(shown)
    named = asker if asker == shown or not asker else f"{asker}, shown by {shown},"
    return (slide, *sources.locate(slide, shown), named)


def _built_file(url: str, output: Path) -> str:
    """A file of the built deck at the file: address `url`, relative to it; "" for another address."""
    path = file_url_path(url).resolve()
    return path.relative_to(output).as_posix() if url and path.is_relative_to(output) else ""


def check_in_browser(deck: Deck, output: Path, sources: Sources, browser, found: Collector,
                     progress: Progress) -> None:
    config = deck.config
    overrides = {"transition": "none", "backgroundTransition": "none", "hash": False, "history": False,
                 "maxScale": 1, "autoSlide": 0, "autoAnimate": False, "fragmentInURL": False,
                 "controlsTutorial": False, "scrollActivationWidth": None, "view": None}
    context = browser.new_context(viewport=viewport(config.width, config.height, config.margin),
                                  device_scale_factor=1)
    try:
        page = context.new_page()
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        watch = PageWatch(page, output)
        page.add_init_script(f"window.TALKDECK_OVERRIDES = {json.dumps(overrides)};")
        progress("opening the deck in Chromium")
        page.goto((output / "index.html").as_uri())
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        if not page.evaluate("!!window.Reveal"):  # the page has loaded: its scripts have run
            found.add(_no_reveal_finding(deck.root, watch))
            return
        try:
            page.wait_for_function("window.Reveal && Reveal.isReady()")
        except PlaywrightTimeout:  # the page's own errors say why
            why = "; ".join(watch.errors) or "no error was reported"
            own = own_page_template(deck.root) is not None
            found.add(Finding("templates/deck.html.j2" if own else "deck.toml", 0, ERROR, "script",
                              f"reveal.js did not start within {LOAD_TIMEOUT_MS // 1000} s: {why}"
                              + (f" ({NO_START_HINT})" if own else "")))
            return
        # Fragments fade in through CSS transitions of their own: measure every step in its final state.
        page.add_style_tag(content=NO_TRANSITIONS)
        count = page.evaluate(f"window.talkdeckSlides = {SLIDES_JS}; window.talkdeckMeasure = {MEASURE_JS}; "
                              "window.talkdeckSlides().length")
        measured: list[dict] = []
        for start in range(0, count, BATCH):  # a few slides a call: fewer round trips, still some progress
            checkpoint()
            progress(f"measuring slide {start + 1}/{count}")
            measured += page.evaluate(MEASURE_BATCH_JS, {"from": start, "to": min(start + BATCH, count),
                                                         "width": config.width, "height": config.height})
        for item in measured:
            for finding in _slide_overflow(item, sources) + _code_overflow(item, sources):
                found.add(finding)
        _request_findings(watch, measured, output, sources, found, as_written(page, found.remote))
    finally:
        context.close()


def _no_reveal_finding(root: Path, watch: PageWatch) -> Finding:
    problem = no_reveal_error(root).problems[0]
    file = "templates/deck.html.j2" if problem.path is not None else "deck.toml"
    errors = f"; the page reported: {'; '.join(watch.errors)}" if watch.errors else ""
    return Finding(file, 0, ERROR, "script", f"{problem.message}{errors} ({problem.hint})")


def _slide_overflow(item: dict, sources: Sources) -> list[Finding]:
    """One finding per slide: the worst step, and when it is a fragment step, which one.

    Content outside the slide's frame is an error. Content inside the frame but in the slide's padding (its
    margin) is a warning: it shows, but `talkdeck pdf` has to shrink the slide to fit its page.
    """
    slide_id, steps = item["id"], item["steps"]
    file, line = sources.locate(slide_id)
    number = (sources.slide(slide_id) or (None,))[0]
    for key, element, level, kind, verb in (("over", "worst", ERROR, "overflow", "overflows the slide by"),
                                            ("into", "crowding", WARNING, "margin", "reaches into its margin by")):
        results = item["results"]
        worst = None
        for position, result in enumerate(results):
            amount = max(result[key].values())
            if amount > TOLERANCE and (worst is None or amount > worst[1]):
                worst = (position, amount, result)
        if worst is None:
            continue
        position, _, result = worst
        first_step = position == 0 or all(max(r[key].values()) <= TOLERANCE for r in results[:position])
        sides = [f"{round(px)} px {'at the ' + side if side in ('top', 'bottom') else 'on the ' + side}"
                 for side, px in sorted(result[key].items(), key=lambda kv: -kv[1]) if px > TOLERANCE]
        what = ""
        if result[element]:
            text = result[element]["text"]
            what = f" (<{result[element]['tag']}>{' ' + repr(text) if text else ''})"
        when = ""
        if position > 0:
            when = f" once fragment {position} of {steps} is shown" if first_step else \
                f", worst once fragment {position} of {steps} is shown"
        message = f"slide {number} (#{slide_id}) {verb} {' and '.join(sides)}{when}{what}"
        if kind == "margin":
            message += ": it shows, but crowds the edge"
            if result[key]["bottom"] > TOLERANCE:
                message += ", and the PDF export shrinks the slide to fit its page"
        return [Finding(file, line, level, kind, message, number)]
    return []


def _code_overflow(item: dict, sources: Sources) -> list[Finding]:
    slide_id = item["id"]
    found = sources.slide(slide_id)
    number = found[0] if found else None
    by_pre: dict[int, dict] = {}
    for result in item["results"]:
        for code in result["codes"]:
            seen = by_pre.get(code["pre"])
            if seen is None or (code["wide"], code["tall"]) > (seen["wide"], seen["tall"]):
                by_pre[code["pre"]] = code
    findings = []
    for code in by_pre.values():
        pane = _pane(found[1], code) if found else None
        if code["wide"] > TOLERANCE and code["lines"]:
            widest = max(code["lines"], key=lambda line: line["by"])
            text = widest["text"].strip()
            if pane is not None:
                where = f"line {_pane_line(pane, widest['index'])} of {pane.path}"
                file, line = sources.locate(slide_id)
                line = pane.slide_line or line
            else:
                where = f"line {widest['index'] + 1} of the code block"
                file, line = sources.locate(slide_id, text) if text else sources.locate(slide_id)
            many = len(code["lines"])
            others = f"; {many} lines are too wide" if many > 1 else ""
            findings.append(Finding(file, line, ERROR, "code-width",
                                    f"slide {number} (#{slide_id}): code is {round(code['wide'])} px wider "
                                    f"than its pane: {where} is {round(widest['by'])} px too long "
                                    f"({_short(text)}){others} (shorten or wrap the line, or show fewer "
                                    "columns)",
                                    number))
        if code["tall"] > TOLERANCE:
            first = (code.get("first") or "").strip()
            file, line = sources.locate(slide_id, first if pane is None else "")
            if pane is not None and pane.slide_line:
                line = pane.slide_line
            label = pane.path if pane is not None else "a code block"
            findings.append(Finding(file, line, WARNING, "code-height",
                                    f"slide {number} (#{slide_id}): {label} scrolls: {code['hidden']} of its "
                                    f"{code['total']} lines are hidden below the pane (show fewer lines)",
                                    number))
    return findings


def _pane(slide: Slide, code: dict):
    if code.get("pane") is None or code.get("paneIndex", -1) < 0:
        return None
    panes = slide.panes
    return panes[code["paneIndex"]] if code["paneIndex"] < len(panes) else None


def _pane_line(pane, index: int) -> int:
    return pane.lines[index] if 0 <= index < len(pane.lines) else index + 1


def _short(text: str, size: int = 50) -> str:
    return repr(text if len(text) <= size else text[: size - 1] + "…")


def _request_findings(watch: PageWatch, measured: list[dict], output: Path, sources: Sources,
                      found: Collector, written: dict[str, tuple[str, str | None]]) -> None:
    """What the page itself loaded or failed to load, tied where possible to the slide that asked for it.

    `written` maps a requested URL to a remote URL the built files name: that one was reported already.
    """
    out = output.resolve()
    owner: dict[str, str] = {}  # URL as the page resolved it, or as written -> id of the slide that uses it
    for item in measured:
        for result in item["results"]:
            for url in [*result["broken"], *_css_url_values(result["backgrounds"])]:
                owner.setdefault(url, item["id"])

    def requested(url: str, slide: str | None, file: str, line: int, asker: str = "") -> None:
        found.add(Finding(file, line, ERROR, "network",
                          f"{sources.label(slide)}: {asker or 'the page'} requested {url} from the network (a deck "
                          "must work offline)", sources.number(slide)), ("network", url))

    def by_asker(url: str) -> tuple[str | None, str, int, str]:
        return iframe_source(watch.asked_by.get(url), out, sources)

    for url in dict.fromkeys(watch.remote):
        source, slide, file, line = locate_request(url, sources, written, _owner(url, owner))
        asker = ""
        if not line and (shown := by_asker(url))[2]:  # a page an iframe shows asked for it
            slide, file, line, asker = shown
        if not found.known(("network", source)):
            requested(url, slide, file, line, asker)
    for url in dict.fromkeys(watch.failed):
        if remote := network_address(url):
            if not found.known(("network", remote)):
                slide = _owner(url, owner) or _owner(remote, owner)
                requested(remote, slide, *sources.locate(slide, remote))
            continue
        path = file_url_path(url).resolve()
        if found.known(("missing", str(path))):
            continue
        rel = deck_name(path, out)
        slide = _owner(url, owner) or _owner(rel, owner) or sources.owner_of(rel)
        file, line = sources.locate(slide, rel)
        asker = ""
        if not line and (shown := by_asker(url))[2]:  # a page an iframe shows asked for it: the slide with the iframe
            slide, file, line, asker = shown
            asker = f", which {asker} asks for,"
        found.add(Finding(file, line, ERROR, "missing",
                          f"{sources.label(slide)}: {rel}{asker} could not be loaded: no such file in the built "
                          "deck",
                          sources.number(slide)), ("missing", str(path)))
    for item in measured:
        shown = [(src, (output / unquote(urlsplit(src).path)).resolve())
                 for src in dict.fromkeys(src for result in item["results"] for src in result["broken"])]
        backgrounds = [file_url_path(url).resolve() for url in item.get("backgroundsBroken", [])]
        shown += [(deck_name(path, out), path) for path in backgrounds]
        for src, target in shown:
            if is_remote(src) or src.startswith("data:") or not target.is_file():
                continue  # a network request or a missing file: reported above
            file, line = sources.locate(item["id"], src)
            found.add(Finding(file, line, ERROR, "image",
                              f"{sources.label(item['id'])}: image {src} exists but the browser cannot show "
                              "it (a broken or unsupported image file)", sources.number(item["id"])),
                      ("image", str(target), item["id"]))
    page_lines: list[str] | None = None
    for message in dict.fromkeys(watch.errors):
        slide, file, line = None, "deck.toml", 0
        if message in watch.error_lines:  # a script of the page, at this line of index.html: whose it is
            if page_lines is None:
                page_lines = (output / "index.html").read_text("utf-8", "replace").splitlines()
            slide, file, line = script_source(watch.error_lines[message], page_lines, sources)
        what = f"{sources.label(slide)}: its script" if slide else "the page"
        found.add(Finding(file, line, ERROR, "script", f"{what} raised a JavaScript error: {message}",
                          sources.number(slide)))


def script_source(where: tuple[int, int], page: list[str], sources: Sources) -> tuple[str | None, str, int]:
    """The slide (if any), file and line of the script at line and column `where` of the built page: found by
    that line's text, or by the script's text around the column when the line holds tags of the page too."""
    number, column = where
    text = page[number - 1] if 0 < number <= len(page) else ""
    start = text.rfind(">", 0, column - 1) + 1
    end = text.find("<", column - 1)
    for code in dict.fromkeys([text.strip(), text[start:end if end >= 0 else len(text)].strip()]):
        if len(code) < 4:  # too little to tell one source line from another
            continue
        slide = sources.owner_of(code)
        file, line = sources.locate(slide, code)
        if line:
            return slide, file, line
    return None, "deck.toml", 0


def _css_url_values(values: Iterable[str]) -> list[str]:
    return [url for value in values for url in css_urls(value)]


def _owner(url: str, owner: dict[str, str]) -> str | None:
    if url in owner:
        return owner[url]
    return next((slide for known, slide in owner.items() if known and url.endswith(known)), None)


# -- putting it together -------------------------------------------------------------------------------------
def run_check(root: Path, browser=None, executable: str | None = None, use_browser: bool = True,
              progress: Progress | None = None) -> Report:
    """Build the deck into a temporary folder and check it; `browser` is a Playwright browser to reuse.

    A deck that does not build gives its build errors as findings.
    """
    from talkdeck.builder import Builder

    progress = progress or (lambda _text: None)
    started = time.perf_counter()
    root = root.resolve()
    report = Report(root=root)
    found = Collector()
    tmp = temporary_folder("talkdeck-check-")
    try:
        output = Path(tmp) / "deck"
        progress("building the deck")
        try:
            deck = Builder(root, output).build().deck
        except DeckError as exc:
            report.findings = [_build_finding(problem, root) for problem in exc.problems]
            report.seconds = time.perf_counter() - started
            return report
        sources = Sources(deck)
        report.slides = len(deck.slides)
        for finding in check_talk(deck, sources):
            found.add(finding)
        check_files(output, sources, found)
        if use_browser:
            if browser is not None:
                check_in_browser(deck, output, sources, browser, found, progress)
            else:
                from talkdeck.browser import launch

                progress("starting Chromium")
                with launch(executable) as launched:
                    check_in_browser(deck, output, sources, launched, found, progress)
    finally:
        remove_folder(tmp)
    report.findings = found.findings
    report.seconds = time.perf_counter() - started
    return report


def _build_finding(problem, root: Path) -> Finding:
    file, line = "deck.toml", problem.line or 0
    if problem.path is not None:
        path = Path(problem.path)
        path = path if path.is_absolute() else Path.cwd() / path
        try:
            file = path.resolve().relative_to(root).as_posix()
        except ValueError:
            file = str(path)
    message = problem.text()
    return Finding(file, line, ERROR, "build", f"the deck does not build: {message}")
