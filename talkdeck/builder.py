"""The build pipeline: load deck -> read sections -> render slides -> render page -> write atomically.

Every step is a function of its own; the dev server and the exporters call this same pipeline. A `Builder`
keeps per-section results between builds so that a rebuild after one edit re-renders one section only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from talkdeck import __version__
from talkdeck.assets import PACKAGE_DIR, copy_file, require_reveal, reveal_files
from talkdeck.config import DeckConfig, load_config
from talkdeck.entry import hold_signals, remove_folder
from talkdeck.errors import DeckError, Problems
from talkdeck.model import Deck, Section
from talkdeck.panes import PaneResolver
from talkdeck.paths import (
    BACKGROUND_LISTS,
    background_list,
    css_urls,
    deck_file,
    decoded,
    read_text,
    sheet_files,
)
from talkdeck.patterns import LazyPattern
from talkdeck.render import SectionRenderer
from talkdeck.source import parse_section

MARKER = ".talkdeck-output"
SOURCE_DIRS = ("slides", "templates", "img", "examples")
PREFIX = re.compile(r"^(\d+)")


class BuildResult:
    """What a build made: the deck, where it went and how many files it wrote."""

    __slots__ = ("deck", "output", "files")

    def __init__(self, deck: Deck, output: Path, files: int):
        self.deck, self.output, self.files = deck, output, files


SECTION_SUFFIXES = (".md", ".markdown")


def section_files(root: Path) -> list[Path]:
    """`slides/*.md` (`.MD` and `.markdown` too) in the order of their numeric prefix (files without one come
    last, by name)."""
    folder = root / "slides"
    if folder.exists() and not folder.is_dir():
        raise DeckError.at(folder, None, "slides is a file, not a folder",
                           "make slides/ a folder with one Markdown file per section, e.g. slides/01-intro.md")
    if not folder.is_dir():
        raise DeckError.at(
            folder,
            None,
            "the deck has no slides/ folder",
            "create slides/01-intro.md, or run `talkdeck new DIR`",
        )
    files = []
    for path in folder.iterdir():
        # not Markdown, or hidden: an editor's lock or backup file, or a draft kept aside
        if path.suffix.lower() not in SECTION_SUFFIXES or path.name.startswith("."):
            continue
        if path.is_file():
            files.append(path)
        elif path.is_symlink():  # to nothing, or to itself
            raise DeckError.at(path, None, "the section is a link to a file that does not exist",
                               "fix the link or remove it")
    if not files:
        raise DeckError.at(folder, None, "no sections: slides/ holds no .md file", "add slides/01-intro.md")

    def key(path: Path) -> tuple[int, str]:
        match = PREFIX.match(path.name)
        return (int(match.group(1)) if match else 1 << 30, path.name)

    return sorted(files, key=key)


def section_names(paths: list[Path]) -> dict[Path, str]:
    """Slide-id prefixes: the file name without its number, so renumbering sections keeps slide URLs.

    Ids are ASCII, accents dropped (`02-café.md` gives `cafe`), and start with a letter to be usable as CSS
    selectors; a clash falls back to the full name.
    """
    names: dict[Path, str] = {}
    shorts = {}
    for path in paths:
        full = re.sub(r"[^a-z0-9]+", "-", ascii_letters(path.stem).lower()).strip("-")
        short = PREFIX.sub("", full).strip("-")
        shorts[path] = (short if short and short[0].isalpha() else "", full)
    taken = {short for short, _ in shorts.values() if short}

    def clashes(name: str) -> bool:
        # slide ids are NAME-H and NAME-H-V: `demo-1` would share ids with `demo`'s slides
        stem = re.sub(r"(-\d+)+$", "", name)
        return name in names.values() or (stem != name and stem in taken)

    for path, (short, full) in shorts.items():
        name = short if short and not clashes(short) else f"s-{full}"
        n = 2
        while clashes(name):
            name, n = f"s-{full}-x{n}", n + 1
        names[path] = name
    return names


# Latin letters that Unicode does not split into an ASCII letter and an accent, as they are commonly spelt
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                          "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th",
                          "ı": "i", "ħ": "h", "Ħ": "H"})


def ascii_letters(text: str) -> str:
    """`text` without accents: é is e, ø is o, ß is ss; a letter with no ASCII form (日) is left for the
    caller to drop."""
    if text.isascii():
        return text
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stamp(path: Path) -> tuple[int, int] | None:
    """A file's modification time and size, which change when it is written; None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class BuildCancelled(Exception):
    """The build stopped writing because its `cancelled` event was set: the dev server is closing."""


class Builder:
    """Builds one deck; keeps each section's rendering until its file or a file it pulled from changes."""

    # Set by the dev server: once it is set, a build still writing stops before its next file (and removes
    # its temporary folder), so it cannot put back the folder the server deletes as it closes.
    cancelled: Any = None  # a threading.Event

    def __init__(self, root: Path, output: Path | None = None, incremental: bool = False):
        self.root = root.resolve()
        self.output = (output or self.root / "dist").resolve()
        # incremental: after a first full build, later builds rewrite only changed files (the dev server).
        self.incremental = incremental
        self._written: dict[str, object] | None = None
        self._unused: set[str] = set()  # files of the last output that this one no longer uses
        self.renderer = SectionRenderer(self.root)
        self._cache: dict[Path, tuple[Any, Section]] = {}
        self._env = None

    # -- load -----------------------------------------------------------------------------------------
    def load(self, reveal_dist: Path | None = None) -> Deck:
        """Read and render the deck; with reveal.js's dist folder, deck.toml's theme is checked too."""
        config = load_config(self.root, reveal_dist)
        self.renderer.panes = PaneResolver(self.root, self.output)
        self.renderer.values = deck_values(config)
        names = section_names(section_files(self.root))
        sections: list[Section] = []
        problems = Problems()
        for path, name in names.items():  # every section's problems, not only the first section's
            with problems:
                sections.append(self._section(path, name))
        problems.raise_any()
        if not any(section.stacks for section in sections):
            first = sections[0].path
            raise DeckError.at(first, None, "the deck has no slide: every section in slides/ is empty",
                               f"write a first slide in {first.name}, such as a line '# {config.title}'")
        paths = {s.path for s in sections}
        self._cache = {k: v for k, v in self._cache.items() if k in paths}
        named, awaited = template_files(self.root)
        return Deck(root=self.root, config=config, sections=sections,
                    template_files=named | _option_files(self.root, config), awaited=awaited)

    def _section(self, path: Path, name: str) -> Section:
        cached = self._cache.get(path)
        if cached is not None and cached[1].name == name and cached[0] == self._key(path, cached[1]):
            return cached[1]
        source = parse_section(read_text(path), path)
        section = self.renderer.render(source, name)
        _apply_timing(section)
        self._cache[path] = (self._key(path, section), section)
        return section

    def files_read(self) -> set[Path]:
        """The code pane files the last build read, also when it failed: editing one may be the fix."""
        return self.renderer.panes.read()

    def forget(self, paths: Iterable[Path]) -> None:
        """Drop what was kept for these files, so the next build reads them again.

        The cache compares modification time and size, and two saves within one tick of the file system's
        clock with the same size look unchanged; a watcher that saw the change knows better.
        """
        paths = {Path(p) for p in paths}
        paths |= {p.parent for p in paths}  # a file made or removed in a folder a section read whole
        for source, (_, section) in list(self._cache.items()):
            if source in paths or section.dependencies & paths:
                del self._cache[source]
        if self._written is not None:
            named = {str(p) for p in paths}
            self._written = {rel: key for rel, key in self._written.items()
                             if not (isinstance(key, tuple) and key[0] in named)}
        if any(p.is_relative_to(self.root / "templates") for p in paths):
            self._env = None

    def _key(self, path: Path, section: Section) -> tuple:
        values = tuple(sorted(self.renderer.values.items()))
        return (stamp(path), values, tuple(sorted((str(d), stamp(d)) for d in section.dependencies)))

    # -- render ---------------------------------------------------------------------------------------
    def render_page(self, deck: Deck, extra: dict[str, Any] | None = None) -> str:
        env = self._environment()
        import jinja2

        try:
            template = env.get_template("deck.html.j2")
            return template.render(
                deck=deck,
                config=deck.config,
                reveal_config=reveal_config(deck),
                version=__version__,
                **(extra or {}),
            )
        except jinja2.TemplateSyntaxError as exc:
            path = exc.filename or exc.name
            raise DeckError.at(
                path, exc.lineno, f"template error: {exc.message}", _template_hint(path, self.root)
            ) from None
        except jinja2.TemplateNotFound as exc:
            path, line = _template_location(exc)
            raise DeckError.at(
                path,
                line,
                f"template error: no template named {exc.name!r}",
                "create it in the deck's templates/ folder, or include one that is there or among "
                "talkdeck's own: deck.html.j2, slide.html.j2",
            ) from None
        except jinja2.TemplateError as exc:
            path, line = _template_location(exc)
            macro = MISSING_MACRO.search(str(exc))
            own_slide = self.root / "templates" / "slide.html.j2"
            if macro and path and Path(path).is_relative_to(PACKAGE_DIR) and own_slide.is_file():
                raise DeckError.at(
                    own_slide, None,
                    f"template error: the deck's slide.html.j2 defines no macro {macro.group(1)}, which talkdeck's "
                    f"{Path(path).name} calls", "define {% macro render_slide(slide) %}...{% endmacro %} in it (as "
                    "talkdeck's own slide.html.j2 does), or delete it to use talkdeck's own") from None
            raise DeckError.at(path, line, f"template error: {exc}", _template_hint(path, self.root)) from None
        except DeckError:
            raise
        except Exception as exc:  # a deck's template fails as its expressions can: 1/0, recursion, bad bytes
            path, line = _template_location(exc)
            if isinstance(exc, UnicodeDecodeError):  # the loader read a template's bytes, maybe an included one
                bad = next(_undecodable(self.root / "templates"), None)
                if bad is not None:
                    read_text(bad)  # raises the error located at the first line that is not UTF-8
            hint = _template_hint(path, self.root)
            if isinstance(exc, RecursionError):
                hint = ("a template extends or includes itself, maybe through a deck's template of the same "
                        "name as talkdeck's, which hides it: to build on talkdeck's own, write "
                        '{% extends "talkdeck/deck.html.j2" %} (or "talkdeck/slide.html.j2")')
            raise DeckError.at(path, line, f"template error: {type(exc).__name__}: {exc}", hint) from None

    def _environment(self):
        if self._env is None:
            import jinja2

            own = jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates"))
            loaders = [
                jinja2.FileSystemLoader(str(self.root / "templates")),
                own,
                # a deck's template of the same name hides talkdeck's, which it may still extend or include
                # as "talkdeck/deck.html.j2"
                jinja2.PrefixLoader({"talkdeck": own}),
            ]
            self._env = jinja2.Environment(
                loader=jinja2.ChoiceLoader(loaders),
                autoescape=True,
                undefined=jinja2.StrictUndefined,
                auto_reload=True,
                trim_blocks=True,
                lstrip_blocks=True,
                bytecode_cache=_bytecode_cache(jinja2),
            )
        return self._env

    # -- write ----------------------------------------------------------------------------------------
    def build(self) -> BuildResult:
        check_output(self.root, self.output)
        dist = require_reveal(self.root)
        deck = self.load(dist)
        html = self.render_page(deck)
        files = self.write(deck, html, dist)
        return BuildResult(deck=deck, output=self.output, files=files)

    def plan(self, deck: Deck, html: str, dist: Path) -> dict[str, Path | str]:
        """Every file of the output: relative path -> source file to copy, or text to write."""
        files: dict[str, Path | str] = {
            MARKER: f"built by talkdeck {__version__}\n",
            "talkdeck/talkdeck.css": stylesheet(deck),
        }
        files.update(
            {f"reveal/{name}": dist / name for name in reveal_files(deck.config.theme, deck.has_code)}
        )
        for image in sorted(deck.images):
            if not image.startswith("reveal/") or (self.root / image).is_file():
                files[image] = self.root / image
            else:  # a plugin or theme of reveal.js that a deck's template loads
                files.update(_reveal_file(dist, image[7:]))
        for rel in files:
            if ".." in Path(rel).parts or Path(rel).is_absolute():
                raise DeckError.at(None, None, f"refusing to write {rel} outside the output folder")
        files["index.html"] = html  # last: written after everything it refers to
        return files

    def write(self, deck: Deck, html: str, dist: Path) -> int:
        """Write the output: in place when this builder wrote the current one, else into a new folder + swap."""
        files = self.plan(deck, html, dist)
        try:
            if self.incremental and self._written is not None and (self.output / MARKER).is_file():
                self._update(files)
            else:
                self._replace(files)
        except OSError as exc:  # a source we may not read, a folder we may not write to, a full disk
            # the previous output stays either way; the error names the side that failed
            sources = {os.fspath(value): value for value in files.values() if isinstance(value, Path)}
            source = sources.get(os.fspath(exc.filename)) if isinstance(exc.filename, (str, Path)) else None
            if source is not None:
                raise DeckError.at(
                    source, None, f"cannot read this file: {exc.strerror or exc}",
                    "make it readable by your user: the build copies it into the output",
                ) from None
            raise DeckError.at(
                self.output,
                None,
                f"cannot write the output: {exc.strerror}",
                "choose an output folder you may write to, with -o",
            ) from None
        self._written = {rel: _content_key(value) for rel, value in files.items()}
        return len(files)

    def _replace(self, files: dict[str, Path | str]) -> None:
        tmp = self.output.parent / f".{self.output.name}.tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        try:
            tmp.mkdir(parents=True)  # in the block: a Ctrl-C just after it must delete it too
            for rel, value in files.items():
                self._go_on()
                _put(tmp / rel, value, self.output / rel)
            self._go_on()
            swap(tmp, self.output)
        except BaseException:
            remove_folder(tmp)
            raise

    def _update(self, files: dict[str, Path | str]) -> None:
        """Rewrite only what changed, each file by an atomic rename, index.html last.

        Readers see either the old or the new version of every file, never a partial one; this is what keeps
        a rebuild in the dev server within milliseconds.
        """
        assert self._written is not None
        for rel, value in files.items():
            self._go_on()
            if self._written.get(rel) != _content_key(value) or not (self.output / rel).exists():
                target = self.output / rel
                part = target.with_name(f".{target.name}.part-{os.getpid()}")
                _put(part, value, None)
                os.replace(part, target)
        # A file the deck no longer uses goes one build later: a page served just before this build may still
        # ask for it (the theme it showed, an image it had) until its live script reloads it.
        for rel in self._unused - set(files):
            (self.output / rel).unlink(missing_ok=True)
        self._unused = set(self._written) - set(files)

    def _go_on(self) -> None:
        if self.cancelled is not None and self.cancelled.is_set():
            raise BuildCancelled


def template_files(root: Path) -> tuple[set[str], set[Path]]:
    """The files of the deck that its own templates name as written (`<img src="img/logo.svg">`, a stylesheet
    `<link href=...>` with what its `url()`s and `@import`s name, a script, `url()` in a style): they go into
    the output. `reveal/...` names one of reveal.js's own files, unless the deck has it.

    What a template names that is not there is given apart, for serve to wait for; reporting it is left to
    `talkdeck check`, which loads the page the templates make: a template may name a file in a comment, in a
    branch never taken, or in a value Jinja computes, which only the page shows."""
    folder = root / "templates"
    if not folder.is_dir():
        return set(), set()
    from talkdeck.render import ANY_TAG, ATTR, _attr_value

    found: set[str] = set()
    missing: set[Path] = set()
    sheets: list[str] = []

    def take(url: str, loaded: bool = True) -> None:
        named = _named_file(root, url.strip())
        if named is None:
            return
        rel, there = named
        if there:
            found.add(rel)
            if rel.lower().endswith(".css") and rel not in sheets and (root / rel).is_file():  # (not reveal.js's)
                sheets.append(rel)
        elif loaded:
            missing.add(root / rel)

    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in TEMPLATE_SUFFIXES or path.name[:1] in ".#" or not path.is_file():
            continue  # an editor's backup (~, #name#), a hidden file, an image beside the templates
        try:
            text = TEMPLATE_COMMENT.sub(_uncommented, path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError):  # the template loader reports it, if a template is used
            continue
        for tag in ANY_TAG.finditer(text):  # a tag may run over several lines
            for attr in ATTR.finditer(tag.group(2)):
                name = attr.group(1).lower()
                if name in BACKGROUND_LISTS:
                    for url in background_list(name, decoded(_attr_value(attr))):
                        take(url)
                elif name in TEMPLATE_URL_ATTRS:
                    take(decoded(_attr_value(attr)), loaded=tag.group(1).lower() not in ("a", "area"))
        for url in css_urls(text):
            take(url)
    named, lost = sheet_files(root, sheets)  # what a stylesheet names is relative to it: fonts, images, sheets
    return found | set(named), missing | set(lost)


def _option_files(root: Path, config: DeckConfig) -> set[str]:
    """The deck's files that [reveal] options name (parallaxBackgroundImage): they go into the output."""
    image = config.reveal.get("parallaxBackgroundImage")
    named = _named_file(root, image) if isinstance(image, str) else None
    return {named[0]} if named and named[1] else set()


def _named_file(root: Path, url: str) -> tuple[str, bool] | None:
    """The file (relative, with `/`) that a URL in a template or an option names, and whether it is there: in
    the deck, or among reveal.js's own (`reveal/...`). None also for a value Jinja computes, and for what the
    build writes itself."""
    named = deck_file(root, url) if url[:1] != "{" and "{{" not in url and "{%" not in url else None
    if named is None or named[0] == "index.html" or named[0].startswith("talkdeck/"):
        return None
    rel, _path, there = named
    return rel, there or rel.startswith("reveal/")


def _reveal_file(dist: Path, name: str) -> dict[str, Path]:
    """One of reveal.js's files (`plugin/zoom.js`, `theme/black.css`: its fonts are inside it) by its output
    name; nothing for a file reveal.js lacks."""
    try:
        return {f"reveal/{name}": dist / name} if (dist / name).is_file() else {}
    except (OSError, ValueError):  # a name too long for the file system, a null byte
        return {}


TEMPLATE_SUFFIXES = frozenset([".j2", ".jinja", ".jinja2", ".html", ".htm"])
# A Jinja comment or an HTML comment: what they hide is not on the page. A script is matched whole and kept,
# so that a `<!--` in its JavaScript starts no comment.
TEMPLATE_COMMENT = LazyPattern(r"\{#.*?#\}|<script\b[^>]*>.*?</script\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
TEMPLATE_URL_ATTRS = frozenset(["src", "href", "poster", "data-src", "data-background-iframe"])  # and the lists


def _uncommented(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0)[:7].lower() == "<script" else " "


def _content_key(value: Path | str) -> object:
    if isinstance(value, str):
        return value
    return (str(value), stamp(value))


def _put(target: Path, value: Path | str, previous: Path | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, str):
        target.write_text(value, encoding="utf-8")
    else:
        copy_file(value, target, previous)


def deck_values(config: DeckConfig) -> dict[str, str]:
    """What `{{ deck.KEY }}` in a section's Markdown stands for."""
    return {
        "title": config.title,
        "author": config.author,
        "event": config.event,
        "date": config.date,
        "minutes": str(config.minutes or ""),
    }


def _bytecode_cache(jinja2):
    """Compiled templates are kept in the user's cache folder, keyed by the template's source."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "talkdeck" / f"jinja-{__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class Cache(jinja2.FileSystemBytecodeCache):
        """Only an optimisation: a cache folder that cannot be read or written (say, left to root by a sudo
        build) costs a template compile, never the build."""

        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except OSError:
                pass

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return Cache(str(folder))


def stylesheet(deck: Deck) -> str:
    """talkdeck's own CSS, with the layer explainer's part only for decks that show one."""
    css = (PACKAGE_DIR / "templates" / "talkdeck.css").read_text("utf-8")
    if deck.has_layers:
        from talkdeck.layers import LAYERS_CSS

        css += "\n" + LAYERS_CSS
    return css


def _apply_timing(section: Section) -> None:
    """The section's minutes shared among its slides in whole seconds (reveal reads data-timing as an
    integer), the first slides taking the odd seconds so that the section adds up exactly. A slide with a
    `data-timing` of its own keeps it, and the others share what is left."""
    slides = [slide for slide in section.slides if slide.timing is None]
    if section.minutes is not None and slides:
        own = sum(slide.timing or 0 for slide in section.slides)
        base, odd = divmod(max(0, round(section.minutes * 60) - own), len(slides))
        for index, slide in enumerate(slides):
            slide.timing = base + (index < odd)


def _total_seconds(deck: Deck) -> int | None:
    """reveal's totalTime: the talk's minutes, or the sections' if it has none; never less than the slides'
    own timings add up to (reveal shares what is left among the slides without one)."""
    timings = sum(s.timing for s in deck.slides if s.timing is not None)
    if deck.config.minutes:
        return max(round(deck.config.minutes * 60), timings)
    if any(s.timing is not None for s in deck.slides):
        return timings
    return None


def reveal_config(deck: Deck) -> str:
    """reveal.js's options as JSON: talkdeck's defaults, the deck's size, then the [reveal] table."""
    config: DeckConfig = deck.config
    options: dict[str, Any] = {
        "hash": True,
        "history": False,
        "controls": True,
        "progress": True,
        "slideNumber": "c/t",
        "center": True,
        "width": config.width,
        "height": config.height,
        "margin": config.margin,
        "transition": config.transition,
        # Printing from the browser (?print-pdf): fragments in their final state, and a slide taller than a page
        # continues on the next (reveal's default) instead of being cut; `talkdeck pdf` shrinks it instead.
        "pdfSeparateFragments": False,
    }
    # The speaker view shows pacing only with totalTime (or defaultTiming) set; each slide's data-timing then
    # counts, and slides without one share what is left of totalTime.
    total = _total_seconds(deck)
    if total is not None:
        options["totalTime"] = total
    options.update(config.reveal)
    return json.dumps(options).replace("</", "<\\/")


def _undecodable(folder: Path) -> Iterable[Path]:
    """The files in `folder` (and below) that are not UTF-8."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                yield path


# what Jinja says when a template imported as a module lacks the macro called from it
MISSING_MACRO = LazyPattern(r"TemplateModule object' has no attribute '(\w+)'")


def _template_hint(path: str | None, root: Path) -> str:
    if path and Path(path).is_relative_to(PACKAGE_DIR):
        # talkdeck's template failed: most likely on a deck's template that replaces one it imports
        own = PACKAGE_DIR / "templates"
        replaced = sorted(p.name for p in (root / "templates").glob("*.j2") if (own / p.name).is_file())
        if replaced:
            return (
                f"talkdeck's {Path(path).name} uses the deck's own " + ", ".join(f"templates/{n}" for n in replaced)
                + ": it must define what talkdeck's does (slide.html.j2: the macro render_slide(slide)), "
                "or delete it to use talkdeck's own"
            )
        return "talkdeck's own templates should always work: please report this"
    return "fix the template, or delete it from the deck's templates/ folder to use talkdeck's own"


def _template_location(exc: Exception) -> tuple[str | None, int | None]:
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def check_output(root: Path, output: Path) -> None:
    """Refuse an output folder that would overwrite the deck's sources or someone else's files."""
    root, output = root.resolve(), output.resolve()
    if output == root or root.is_relative_to(output):
        raise DeckError.at(
            output,
            None,
            "the output folder contains the deck's sources",
            "choose another folder, e.g. the default dist/",
        )
    for name in SOURCE_DIRS:
        if output.is_relative_to(root / name):
            raise DeckError.at(
                output,
                None,
                f"the output folder lies inside the deck's {name}/ folder",
                "choose another folder, e.g. the default dist/",
            )
    try:
        foreign = output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file()
    except OSError as exc:
        raise DeckError.at(output, None, f"cannot read the output folder: {exc.strerror}",
                           "choose an output folder you may write to, with -o") from None
    if foreign:
        raise DeckError.at(
            output,
            None,
            "the output folder exists and was not made by talkdeck",
            "choose an empty or new folder; talkdeck replaces its output folder whole",
        )
    if output.exists() and not output.is_dir():
        raise DeckError.at(output, None, "the output path is a file", "choose a folder")


def swap(new: Path, output: Path) -> None:
    """Put `new` in place of `output` with two renames, so readers never see a half-written deck.

    A Ctrl-C or `kill` meanwhile waits until it is done: stopped between the renames, there would be no output,
    and stopped while the old output is deleted, half of it would stay beside the new one."""
    with hold_signals():
        if output.exists():
            old = output.parent / f".{output.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.rename(output, old)
            try:
                os.rename(new, output)
            except BaseException:
                os.rename(old, output)  # the last good output goes back where it was
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, output)


def build(root: Path, output: Path | None = None) -> BuildResult:
    return Builder(root, output).build()
