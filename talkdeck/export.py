"""Exports: the deck as one PDF printed by headless Chromium, and as one self-contained HTML file.

Both start from the same :class:`~talkdeck.builder.Builder` as `talkdeck build`; neither touches the deck's
own dist/ folder. The PDF uses reveal.js's print view (`?print-pdf`), switched per run through
`window.TALKDECK_OVERRIDES`, so the deck itself never changes for an export.
"""

from __future__ import annotations

import base64
import html as htmllib
import io
import json
import mimetypes
import os
import posixpath
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from talkdeck import __version__
from talkdeck.browser import NO_START_HINT, checkpoint, no_reveal_error, own_page_template, refuse_websockets
from talkdeck.entry import remove_folder, temporary_folder
from talkdeck.errors import DeckError, Problem, display_path
from talkdeck.paths import BACKGROUND_LISTS, background_list, is_remote, srcset_candidates

if TYPE_CHECKING:
    from talkdeck.model import Deck

Progress = Callable[[str], None]

# Requests a printed deck may make: its own files and inline data. Everything else is blocked and reported.
LOCAL_URL = re.compile(r"^(file|data|blob|about):", re.IGNORECASE)
REMOTE_URL = re.compile(r"^(?!(file|data|blob|about):)", re.IGNORECASE)
LAYOUT_TIMEOUT_MS = 30_000

# Before reveal's print view starts: collect script errors, and keep each slide's padding. reveal's print
# stylesheet sets `padding: 0 !important` on every slide, so without this the PDF's text would touch the page's
# edges where the screen shows a margin; an inline !important declaration outranks it.
INIT_SCRIPT = """
window.__talkdeckErrors = [];
window.addEventListener('error', (e) => window.__talkdeckErrors.push(e.message));
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('.reveal .slides section:not(.stack)').forEach((s) => {
    s.style.setProperty('padding', getComputedStyle(s).padding, 'important');
  });
});
"""

# One round trip once the page has loaded: wait for reveal's print layout (its `.pdf-page` elements are added
# in one go, right before the `pdf-ready` event), then for fonts and images. Then the blank last page that
# `showNotes: 'separate-page'` leaves is removed (the last page must not break after itself), notes pages get
# the slides' size and background, and every slide larger than its page is shrunk to fit and reported.
LAYOUT = """
async ({pageHeight, timeout, NOTES_CSS}) => {
  const deadline = performance.now() + timeout;
  const slides = () => document.querySelector('.reveal .slides');
  if (!window.Reveal) return {noReveal: true};  // the page has loaded: its scripts have run
  while (!document.querySelector('.reveal .slides > .pdf-page')) {
    if (window.__talkdeckErrors.length) return {error: window.__talkdeckErrors.join('; ')};
    if (performance.now() > deadline) return {timeout: true};
    await new Promise((done) => requestAnimationFrame(done));
  }
  await document.fonts.ready;
  const pending = [...document.images].filter((img) => !img.complete);
  await Promise.all(pending.map((img) => new Promise((done) => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  })));
  // With --fragments, reveal puts a slide's notes page after its first step: move it after its last one.
  const shows = (p) => { const s = p.querySelector(':scope > section'); return s ? s.id : null; };
  slides().querySelectorAll(':scope > .speaker-notes-pdf').forEach((notes) => {
    const owner = notes.previousElementSibling && shows(notes.previousElementSibling);
    let last = null;
    for (let next = notes.nextElementSibling; next && next.classList.contains('pdf-page') && owner &&
         shows(next) === owner; next = next.nextElementSibling) last = next;
    if (last) last.after(notes);
  });
  const pages = [...slides().children].filter(
    (e) => e.classList.contains('pdf-page') || e.classList.contains('speaker-notes-pdf'));
  const first = slides().querySelector(':scope > .pdf-page');
  let slide = null;
  pages.forEach((p) => {
    if (!p.classList.contains('speaker-notes-pdf')) { slide = p; return; }
    p.style.minHeight = (pageHeight - 1) + 'px';
    if (first && first.style.background) p.style.background = first.style.background;
    const heading = slide && slide.querySelector('h1, h2, h3');
    p.setAttribute('data-td-title', heading ? heading.textContent.trim() : '');
  });
  const style = document.createElement('style');
  style.textContent = NOTES_CSS;
  document.head.appendChild(style);
  // Notes longer than their page are set smaller until they fit, down to half size. Longer ones still run
  // onto a page of their own (nothing is cut), which breaks the alternation of slides and notes: reported.
  const longNotes = [];
  let owner = null;
  pages.forEach((p) => {
    if (!p.classList.contains('speaker-notes-pdf')) { owner = p.querySelector(':scope > section'); return; }
    p.style.height = (pageHeight - 1) + 'px';
    const size = parseFloat(getComputedStyle(p).fontSize);
    for (let scale = 0.95; p.scrollHeight > p.clientHeight + 1 && scale > 0.49; scale -= 0.05) {
      p.style.fontSize = (size * scale) + 'px';
    }
    if (p.scrollHeight > p.clientHeight + 1) {
      p.style.height = '';
      longNotes.push({id: owner ? owner.id : '', source: owner && owner.getAttribute('data-td-source') || ''});
    }
  });
  if (pages.length) {
    const last = pages[pages.length - 1];
    last.style.pageBreakAfter = 'avoid';
    last.style.breakAfter = 'avoid';
  }
  // A slide larger than its page would be clipped (reveal's pages hide their overflow) and Chromium even
  // drops whole images that cross the page's edge: such a slide is zoomed out to fit instead, and reported.
  const centered = Reveal.getConfig().center;
  const scaled = {};
  slides().querySelectorAll(':scope > .pdf-page').forEach((p) => {
    const s = p.querySelector(':scope > section');
    if (!s) return;
    const width = p.clientWidth, height = p.clientHeight;
    const over = Math.max(s.offsetTop + s.scrollHeight - height, s.scrollWidth - s.clientWidth);
    if (over <= 2) return;
    // content wider than the slide runs past its box, and its scroll width leaves out the right padding: the
    // width shown, padded on both sides as the slide is
    const wide = s.scrollWidth > s.clientWidth ? s.scrollWidth + parseFloat(getComputedStyle(s).paddingRight) : 0;
    const shown = Math.max(s.offsetWidth, wide);
    const fit = Math.min(height / s.scrollHeight, s.clientWidth / shown) * 0.99;
    const top = centered || s.classList.contains('center') ? (height - s.scrollHeight * fit) / 2 : 0;
    s.style.zoom = fit;  // zoom scales the element's own left and top as well
    s.style.left = ((width - shown * fit) / 2 / fit) + 'px';  // centred
    s.style.top = (top / fit) + 'px';
    if (wide) {  // what runs past the slide's side (its left one, right to left) is centred as it shows
      const page = p.getBoundingClientRect();
      let left = Infinity, right = -Infinity;
      for (const element of s.querySelectorAll('*')) {  // (a code pane's block runs past its own box too)
        const box = element.getBoundingClientRect();
        if (element.closest('aside.notes') || (!box.width && !box.height)) continue;
        left = Math.min(left, box.left);
        right = Math.max(right, box.right);
      }
      if (left < right) {
        s.style.left = (parseFloat(s.style.left) + (page.left + page.width / 2 - (left + right) / 2) / fit) + 'px';
      }
    }
    scaled[s.id] = {id: s.id, source: s.getAttribute('data-td-source') || '', over: Math.round(over),
                    percent: Math.floor(fit * 100)};
  });
  return {pages: pages.length, scaled: Object.values(scaled), longNotes};
}
"""

# Notes pages: readable at the slides' size, headed by the title of the slide they belong to.
NOTES_CSS = """
html.reveal-print .reveal .speaker-notes-pdf[data-layout=separate-page] {
  box-sizing: border-box; padding: 48px 72px; font-size: 30px; line-height: 1.45;
}
html.reveal-print .reveal .speaker-notes-pdf[data-layout=separate-page]::before {
  content: "Speaker notes: " attr(data-td-title); font-size: 0.75em; margin-bottom: 0.8em;
}
"""


@dataclass
class ExportResult:
    path: Path
    size: int
    slides: int
    pages: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    deck: Deck | None = None  # the deck model, for `build --single-file --list-panes`


def human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(round(size / 1000), 1)} KB"


# -- names ------------------------------------------------------------------------------------------------
def slugify(title: str, fallback: str = "talk") -> str:
    """A file name from the deck's title: lower-case ASCII words (accents dropped) joined by dashes.

    At most 60 characters, cut at a dash; "talk" when nothing is left.
    """
    from talkdeck.builder import ascii_letters

    text = ascii_letters(title).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] or slug[:60]
    return slug or fallback


def output_path(root: Path, output: Path | str | None, suffix: str) -> Path:
    """The file to write: `output` (a file, or a folder to put the default name in), else DECK_DIR/<slug><suffix>.
    As given on the command line, `output` may end in `/`: a folder, then, which must exist.

    The suffix is required so that a typo in -o can never overwrite a source such as deck.toml.
    """
    from talkdeck.config import load_config

    folder = isinstance(output, str) and output.endswith(("/", os.sep))
    output = None if output is None else Path(output)
    if output is None or output.is_dir():
        target = ((output or root) / (slugify(load_config(root).title) + suffix)).resolve()
        _refuse_build_output(root, target, suffix)
        return target
    target = output.resolve()
    _refuse_build_output(root, target, suffix)  # first: creating a missing folder in dist/ would not help
    if folder and target.exists():
        raise DeckError.at(target, None, "this is a file, not a folder",
                           f"name a folder, or a file ending in {suffix} without the / at the end")
    if folder:
        raise DeckError.at(target, None, "the output folder does not exist", "create it first")
    if target.suffix.lower() not in {suffix, ".htm" if suffix == ".html" else suffix}:
        raise DeckError.at(target, None, f"the output file must end in {suffix}", f"e.g. -o talk{suffix}")
    if not target.parent.is_dir():
        raise DeckError.at(target.parent, None, "the output folder does not exist", "create it first")
    return target


def _refuse_build_output(root: Path, target: Path, suffix: str) -> None:
    """A file written into a build's output folder (the deck's dist/) is deleted by the next build, and one in
    the deck's own folders of sources would be mistaken for one of them, or overwrite it."""
    from talkdeck.builder import MARKER, SOURCE_DIRS
    from talkdeck.config import load_config

    def default() -> str:
        return (f"write it elsewhere, e.g. leave out -o to write "
                f"{display_path(root / (slugify(load_config(root).title) + suffix))}, named after the deck's title")

    for folder in target.parents:
        if folder == root / "dist" or (folder / MARKER).is_file():
            raise DeckError.at(target, None, f"this is inside {folder.name}/, which every `talkdeck build` "
                               "replaces whole: the file would be deleted by the next build", default())
    for name in SOURCE_DIRS:
        if target.is_relative_to(root / name):
            raise DeckError.at(target, None, f"this is inside the deck's {name}/ folder, which holds its sources",
                               default())


def _refuse_deck_file(target: Path, deck) -> None:
    """Refuse to write over a file the deck itself uses (one that a slide shows or links, or a template names)
    unless talkdeck made it: a deck may well link the handout that `talkdeck pdf` writes."""
    if target in {path.resolve() for path in deck.dependencies} and not _made_by_talkdeck(target, deck.config.title):
        raise DeckError.at(target, None, "this is a file the deck uses (a slide shows it or links to it, or a "
                           "template names it), and not this deck's own PDF or single file: it would be overwritten",
                           "choose another file with -o")


def _made_by_talkdeck(path: Path, title: str) -> bool:
    """Whether `path` is a PDF or single-file HTML that talkdeck wrote of a deck with this title (not another
    talk's handout): its Creator and Title, or its generator tag and title."""
    try:
        with path.open("rb") as file:
            if path.suffix.lower() != ".pdf":
                from markupsafe import escape  # as the page's template wrote the title

                head = file.read(16384).decode("utf-8", "replace")
                return '<meta name="generator" content="talkdeck' in head and f"<title>{escape(title)}</title>" in head
            file.seek(max(path.stat().st_size - 8192, 0))  # the information talkdeck appends comes last
            tail = file.read()
    except OSError:
        return False
    if b"/Creator " + _pdf_text("talkdeck")[:-1] in tail:  # as _set_metadata writes them: hex UTF-16
        return b"/Title " + _pdf_text(title) in tail if title else b"/Title " not in tail
    if b"/Creator (talkdeck" not in tail:
        return False
    try:  # pypdf wrote them (a PDF of another shape), in its own way: read them back with it
        import pypdf

        info = pypdf.PdfReader(path).metadata or {}
    except Exception:  # noqa: BLE001 - no pypdf, or a PDF it cannot read: not known to be ours
        return False
    return (info.get("/Title") or "") == title


def write_atomically(path: Path, data: bytes) -> None:
    # a short name of its own beside the file: the file's name may already be as long as names may be
    part = path.with_name(f".talkdeck-{os.getpid()}.part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except OSError as exc:
        try:
            part.unlink(missing_ok=True)
        except OSError:  # a folder we may not write to has no part file to remove
            pass
        raise DeckError.at(path, None, f"cannot write the file: {exc.strerror}",
                           "choose a path you may write to, with -o") from None


# -- PDF --------------------------------------------------------------------------------------------------
def export_pdf(root: Path, output: Path | None = None, browser: str | None = None, fragments: bool = False,
               notes: bool = False, progress: Progress | None = None) -> ExportResult:
    """Build the deck into a temporary folder and print it to `output` through reveal's print view.

    The build runs in a worker thread while Chromium starts: both take a few hundred milliseconds, and the
    launch mostly waits on other processes.
    """
    from talkdeck.browser import launch
    from talkdeck.builder import Builder

    step = progress or (lambda _name: None)
    started = time.perf_counter()
    root = root.resolve()
    target = output_path(root, output, ".pdf")
    tmp = Path(temporary_folder("talkdeck-pdf-"))
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            step("build")
            building = pool.submit(Builder(root, tmp / "dist").build)
            with launch(browser) as chromium:
                built = building.result()
                _refuse_deck_file(target, built.deck)  # before the printing, which takes a while
                step("layout")
                data, pages, warnings = _print(chromium, built, fragments=fragments, notes=notes, step=step)
        step("metadata")
        data, more = _set_metadata(data, built.deck.config)
        warnings += more
        write_atomically(target, data)
    finally:
        remove_folder(tmp)
    shown = [slide for slide in built.deck.slides if not built.deck.taken_out(slide)]
    return ExportResult(path=target, size=len(data), slides=len(shown), pages=pages,
                        seconds=time.perf_counter() - started, warnings=warnings)


def _print(chromium, built, fragments: bool, notes: bool, step: Progress) -> tuple[bytes, int, list[str]]:
    from playwright.sync_api import Error as PlaywrightError

    from talkdeck.check import asking_page

    config = built.deck.config
    overrides = {"pdfSeparateFragments": bool(fragments), "pdfMaxPagesPerSlide": 1,
                 "showNotes": "separate-page" if notes else False,
                 # Pages show fragments in their final state, and code walked through in steps once, with no
                 # line highlighted: a reader wants every line legible, not the last step's few (the highlight
                 # plugin's copies for the steps also cost a third of the print time of the talk).
                 "talkdeckPlainCodeSteps": not fragments,
                 # talkdeck.css wraps long code lines when printing from the browser, not here: they stay whole
                 # and the slide is shrunk to fit
                 "talkdeckExport": True}
    context = chromium.new_context(viewport={"width": config.width, "height": config.height})
    try:
        page = context.new_page()
        remote: list[str] = []
        errors: list = []  # Playwright's errors, each with its stack
        page.on("pageerror", lambda error: errors.append(error))  # (a function Playwright may mark)
        # (URL, why, the page an iframe of a slide shows that asked for it, if one did)
        failed: list[tuple[str, str, tuple[str, str]]] = []
        page.on("requestfailed", lambda req: req.url not in remote and failed.append(
            (req.url, req.failure or "failed", asking_page(req) or ("", ""))))

        def block(route) -> None:
            remote.append(route.request.url)
            route.abort()

        # Only non-local URLs reach Python: file requests are matched out in the driver, which keeps them fast.
        page.route(REMOTE_URL, block)
        refuse_websockets(page, remote)
        page.add_init_script(f"window.TALKDECK_OVERRIDES = Object.assign(window.TALKDECK_OVERRIDES || {{}}, "
                             f"{_json(overrides)});" + INIT_SCRIPT)
        index = built.output / "index.html"
        try:
            page.goto(index.as_uri() + "?print-pdf")
            layout = page.evaluate(LAYOUT, {"pageHeight": _page_size(config)[1], "timeout": LAYOUT_TIMEOUT_MS,
                                            "NOTES_CSS": NOTES_CSS})
        except PlaywrightError as exc:
            checkpoint()
            layout = {"error": _first_line(exc)}
        checkpoint()
        if layout.get("noReveal"):
            _check_requests(remote, failed, errors, built, page)
            raise no_reveal_error(built.deck.root)
        if "pages" not in layout:
            _check_requests(remote, failed, errors, built, page)
            detail = layout.get("error") or f"no print layout after {LAYOUT_TIMEOUT_MS // 1000} s"
            template = own_page_template(built.deck.root)
            raise DeckError.at(template, None, f"reveal.js did not lay out the deck for printing: {detail}",
                               NO_START_HINT if template is not None else "")
        _check_requests(remote, failed, errors, built, page)
        step(f"print {layout['pages']} pages")
        try:
            data = page.pdf(print_background=True, prefer_css_page_size=True)
        except PlaywrightError as exc:
            checkpoint()
            raise DeckError.at(None, None, f"Chromium could not print the deck: {_first_line(exc)}") from None
        checkpoint()
        _check_requests(remote, failed, errors, built, page)
    finally:
        context.close()
    warnings = [f"{c['source'] or c['id']}: slide #{c['id']} is {c['over']} px larger than its page: shrunk "
                f"to {c['percent']}% to fit in the PDF (shorten or split it)" for c in layout["scaled"]]
    pages = len(PAGE_OBJECT.findall(data)) or int(layout["pages"])
    more = pages - int(layout["pages"])  # the pages long notes ran onto: their share, when one slide has them
    taken = f"take {more + 1} pages" if len(layout["longNotes"]) == 1 and more > 0 else "run over several pages"
    warnings += [f"{n['source'] or n['id']}: the notes of slide #{n['id']} do not fit on a page even at half "
                 f"size: they {taken} of the PDF (shorten them)" for n in layout["longNotes"]]
    return data, pages, warnings


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_requests(remote: list[str], failed: list[tuple[str, str, tuple[str, str]]], errors: list, built,
                    page) -> None:
    if remote or failed:
        _raise_at_sources(remote, failed, built, page)
    if errors:
        raise DeckError(_script_problems(errors, built))


def _script_problems(errors: list, built) -> list[Problem]:
    """The scripts that raised an error, each at the line of the slide or template it comes from, found as
    `talkdeck check` finds it."""
    from talkdeck.check import Sources, page_error, script_source

    first: dict[str, tuple[int, int] | None] = {}  # each message once, with where the first error that gave it was
    for error in errors:
        message, where = page_error(error)
        first.setdefault(message, where)
    sources, lines, problems = Sources(built.deck), None, []
    for message, where in list(first.items())[:MAX_LISTED]:
        path, line = None, None
        if where:
            if lines is None:
                lines = (built.output / "index.html").read_text("utf-8", "replace").splitlines()
            _slide, file, found = script_source(where, lines, sources)
            path, line = (built.deck.root / file, found) if found else (None, None)
        problems.append(Problem(path, line, f"a script of the deck failed while printing: {message}",
                                "fix the script; `talkdeck check` runs every slide's scripts and reports each"))
    return problems + _more(len(first), "script errors")


MAX_LISTED = 5  # problems of one kind listed; the rest are counted


def _more(count: int, what: str) -> list[Problem]:
    return [Problem(None, None, f"and {count - MAX_LISTED} more {what}", "`talkdeck check` lists them all")] \
        if count > MAX_LISTED else []


def _raise_at_sources(remote: list[str], failed: list[tuple[str, str, tuple[str, str]]], built, page) -> None:
    """The blocked requests, else the files that failed, each at the line of the slide (or template) that asks
    for it, found as `check` finds it."""
    from talkdeck.check import (
        Sources,
        as_written,
        file_url_path,
        iframe_source,
        locate_request,
        network_address,
        remote_references,
    )

    deck = built.deck
    sources = Sources(deck)
    problems = []
    written: list[dict] = []  # the remote URLs as the built files write them, read once if needed

    def network(url: str, message: str) -> Problem:
        if not written:
            written.append(as_written(page, remote_references(built.output)))
        _source, _slide, file, line = locate_request(url, sources, written[0])
        return Problem(deck.root / file if line else None, line or None, message,
                       "a deck must work offline: put the file in the deck and refer to it by its path")

    if remote:
        for url in sorted(set(remote))[:MAX_LISTED]:
            problems.append(network(url, f"the deck asked for {url} from the network, which was blocked"))
        raise DeckError(problems + _more(len(set(remote)), "requests to the network"))
    output = built.output.resolve()
    for url, failure, asker in sorted(set(failed))[:MAX_LISTED]:
        if remote_url := network_address(url):
            problems.append(network(remote_url, f"the deck asks for {remote_url}, an address on the network (opened "
                                                f"from disk, the browser looks for {url}, which fails)"))
            continue
        path = file_url_path(url).resolve()
        if not url.startswith("file:") or not path.is_relative_to(output):
            problems.append(Problem(None, None, f"the deck refers to {url}, which could not be loaded ({failure})"))
            continue
        rel = path.relative_to(output).as_posix()
        file, line = sources.locate(None, rel)
        page_rel = ""
        if not line and asker[0]:  # a page an iframe of a slide shows asked for it: the slide with the iframe
            _slide, file, line, page_rel = iframe_source(asker, output, sources)
        problems.append(Problem(deck.root / file if line else None, line or None,
                                f"{page_rel or 'the page'} asks for {rel}, which is not in the built deck",
                                "check the path against the files `talkdeck build` puts in dist/"))
    raise DeckError(problems + _more(len(set(failed)), "files that could not be loaded"))


def _page_size(config) -> tuple[int, int]:
    """The printed page in CSS pixels, as reveal.js computes it for `@page`."""
    return int(config.width * (1 + config.margin)), int(config.height * (1 + config.margin))


def _json(value) -> str:
    return json.dumps(value).replace("</", "<\\/")


def _set_metadata(data: bytes, config) -> tuple[bytes, list[str]]:
    """Title, author, subject (the event) and creator from deck.toml, as an incremental update of the PDF.

    Chromium takes only the title (from `<title>`) and has no way to set the author. Its PDFs end in a classic
    xref table and trailer, so a new document-information object, a one-entry xref section and a trailer
    pointing back at the old one are appended: nothing Chromium wrote is rewritten, and it takes microseconds.
    pypdf is used instead for a PDF of another shape, when it is installed.
    """
    info = {"Title": config.title, "Author": config.author, "Subject": config.event,
            "Creator": f"talkdeck {__version__}"}
    info = {k: v for k, v in info.items() if v}
    tail = data[-2048:]
    trailer = TRAILER.search(tail)
    startxref = STARTXREF.search(tail)
    if trailer is None or startxref is None:
        return _set_metadata_pypdf(data, info)
    fields = dict(TRAILER_ENTRY.findall(trailer.group(1)))
    if not {b"Size", b"Root"} <= fields.keys():
        return _set_metadata_pypdf(data, info)
    size = int(fields[b"Size"].split()[0])
    kept = b""
    if b"Info" in fields:  # keep what Chromium recorded besides the title: producer and dates
        number = fields[b"Info"].split()[0]
        old = re.search(rb"(?:^|\s)" + number + rb" 0 obj\s*<<(.*?)>>\s*endobj", data, re.DOTALL)
        if old is not None:
            kept = b"".join(b"/" + m.group(1) + b" " + m.group(2) + b"\n"
                            for m in INFO_ENTRY.finditer(old.group(1)))
    entries = b"".join(b"/" + key.encode("ascii") + b" " + _pdf_text(value) + b"\n" for key, value in info.items())
    body = data if data.endswith(b"\n") else data + b"\n"
    offset = len(body)
    update = b"%d 0 obj\n<<" % size + entries + kept + b">>\nendobj\n"
    xref = offset + len(update)
    update += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (size, offset)
    update += (b"trailer\n<</Size %d /Root %s /Info %d 0 R /Prev %s>>\nstartxref\n%d\n%%%%EOF\n"
               % (size + 1, fields[b"Root"], size, startxref.group(1), xref))
    return body + update, []


PAGE_OBJECT = re.compile(rb"/Type\s*/Page\b(?!s)")  # each page of the PDF (not /Pages, the tree's nodes)
TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.DOTALL)
TRAILER_ENTRY = re.compile(rb"/(Size|Root|Info)\s+(\d+(?:\s+\d+\s+R)?)")
STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
INFO_ENTRY = re.compile(rb"/(Producer|CreationDate|ModDate)\s*(\((?:\\.|[^\\)])*\))")


def _pdf_text(value: str) -> bytes:
    """A PDF text string that holds any Unicode: UTF-16BE with its byte-order mark, hex-encoded."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _set_metadata_pypdf(data: bytes, info: dict[str, str]) -> tuple[bytes, list[str]]:
    try:
        from pypdf import PdfWriter
    except ImportError:
        return data, ["the PDF's author and subject are not set: Chromium wrote a PDF of an unexpected shape "
                      "(pip install pypdf to set them anyway)"]
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_metadata({f"/{key}": value for key, value in info.items()})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), []


# -- single file ------------------------------------------------------------------------------------------
MIME = {".svg": "image/svg+xml", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
        ".otf": "font/otf", ".webp": "image/webp", ".avif": "image/avif", ".css": "text/css",
        ".js": "text/javascript", ".mp4": "video/mp4", ".webm": "video/webm"}
TAG = re.compile(r"<(link|img|image|video|audio|source|section|div|object|embed|track|iframe|a)\b([^>]*)>",
                 re.IGNORECASE)
ATTR = re.compile(r"""(\s)([\w:-]+)(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""")
URL_ATTRS = {"src", "href", "data-src", "data-background", "data-background-image", "data-background-video",
             "data-background-iframe", "poster", "data", "xlink:href"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)["']?\s*\)?\s*;""", re.IGNORECASE)
# reveal.js splits these at commas (a list of images, or of video sources), and a data: URI has one: in a single
# file their files become blob: URLs, made by a script in the slide before reveal.js reads them.
BLOB_SCRIPT = """<script>(function (script) {  // talkdeck --single-file: %s as blob: URLs
  function blob(type, data) {
    var text = atob(data), bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return URL.createObjectURL(new Blob([bytes], {type: type}));
  }
  script.parentElement.setAttribute(%s, [%s].join(","));
  script.remove();
})(document.currentScript);</script>"""
# what holds no element: a comment (which may mention a <script>), and a script (its start tag, its JavaScript)
SCRIPT_ELEMENT = re.compile(r"<!--.*?-->|(<script\b[^>]*>)(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# In a <script> element the HTML parser stops at `</script` and changes state at `<!--` and `<script`.
# `\x3C` is `<` inside every JavaScript context these occur in (strings, templates, regular expressions).
SCRIPT_HAZARD = re.compile(r"(\\*)<(?=!--|/?script)", re.IGNORECASE)


def build_single_file(root: Path, output: Path | str | None = None) -> ExportResult:
    """One .html with every stylesheet, script, font and image of the deck inlined; nothing else goes in.

    The files come from the same plan as `talkdeck build` (which already lists only what the deck uses), so
    nothing is written to dist/. A reference the plan does not cover is left as it is and reported.
    """
    from talkdeck.assets import require_reveal
    from talkdeck.builder import Builder
    from talkdeck.render import page_files

    started = time.perf_counter()
    root = root.resolve()
    target = output_path(root, output, ".html")
    builder = Builder(root, root / "dist")
    dist = require_reveal(root)
    deck = builder.load(dist)
    _refuse_deck_file(target, deck)
    page = builder.render_page(deck)
    plan = builder.plan(deck, page, dist)
    inliner = Inliner({rel: value for rel, value in plan.items() if rel != "index.html"}, root)
    parallax = deck.config.reveal.get("parallaxBackgroundImage")
    if isinstance(parallax, str) and (rel := inliner.local(parallax)) is not None:  # in reveal.js's options
        inliner.used.add(rel)
        deck.config.reveal["parallaxBackgroundImage"] = inliner.data_uri(rel)
        page = builder.render_page(deck)
    text = inliner.page(page)
    data = text.encode("utf-8")
    write_atomically(target, data)
    beside = {rel for page in inliner.linked if page.lower().endswith((".html", ".htm"))
              for rel in page_files(root, page)[0]}  # what a linked page loads goes beside the file with it
    unused = sorted(set(inliner.files) - inliner.used - inliner.linked - beside - {".talkdeck-output"})
    warnings = [f"{ref}: not inlined, the single file will not find it" for ref in sorted(inliner.missing)]
    warnings += [f"{url}: loaded from the network, which a file opened offline cannot do (`talkdeck check` says "
                 "where; save it in the deck and name it from there)" for url in sorted(inliner.remote)]
    warnings += [f"{ref}: a link to it stays a link, which works only where that file is beside the single file"
                 for ref in sorted(inliner.linked)]
    warnings += [f"{rel}: part of the build but not referenced by the page" for rel in unused]
    return ExportResult(path=target, size=len(data), slides=len(deck.slides),
                        seconds=time.perf_counter() - started, warnings=warnings, deck=deck)


class Inliner:
    """Turns the built page's references to its own files into inline styles, scripts and data: URIs."""

    def __init__(self, files: dict[str, Path | str], root: Path):
        self.files = files
        self.root = root
        self.used: set[str] = set()
        self.missing: set[str] = set()
        self.linked: set[str] = set()  # files of the deck that links name: they stay links
        self.remote: set[str] = set()  # what the page loads from the network: it stays as it is, and fails offline
        self.base = ""  # the page's own place among the files: "" for the deck's page, else a page it shows
        self.pages: frozenset[str] = frozenset()  # the pages being inlined around this one (a page may show itself)
        self._cache: dict[str, str] = {}
        self._lists: list[tuple[str, str, str]] | None = None  # blob: lists for the tag being read

    # -- the page
    def page(self, html: str) -> str:
        # JavaScript, the page's own or inlined, is never scanned for tags (a tag in a string there is no
        # element, and a script put after it would end the script), nor is a comment. An empty script (its
        # code is in a file) is inlined; one with its code, and a comment, stay as they are.
        out, end = [], 0
        for found in SCRIPT_ELEMENT.finditer(html):
            out.append(TAG.sub(self._tag, html[end:found.start()]))
            empty = found.group(1) is not None and not found.group(2).strip()
            out.append(self._script(found.group(1)) if empty else found.group(0))
            end = found.end()
        return "".join(out) + TAG.sub(self._tag, html[end:])

    def _script(self, tag: str) -> str:
        attrs = _attrs(tag)
        rel = self.local(attrs.get("src", ""))
        if rel is None:
            return tag + "</script>"
        self.used.add(rel)
        code = SCRIPT_HAZARD.sub(_escape_lt, self._text(rel))
        rest = re.sub(r"""\s(src)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", "", tag, count=1, flags=re.IGNORECASE)
        return f"{rest}\n{code}\n</script>"

    def _tag(self, match: re.Match) -> str:
        name, body = match.group(1).lower(), match.group(2)
        if name == "link":
            attrs = _attrs(match.group(0))
            rel = self.local(attrs.get("href", ""))
            if "stylesheet" in attrs.get("rel", "").lower().split() and rel is not None:
                self.used.add(rel)
                css = self._css(rel).replace("</style", "<\\/style")
                keep = "".join(f' {k}="{htmllib.escape(v)}"' for k, v in attrs.items()
                               if k in {"id", "media", "title"})
                return f"<style{keep}>\n{css}\n</style>"
        if name in ("a", "area"):  # a link opens its file, which a data: URI in a link cannot do
            href = _attrs(match.group(0)).get("href", "")
            if (rel := self.local(href, loads=False)) is not None:
                self.linked.add(rel)
            return match.group(0)
        self._lists = [] if name in ("section", "div") else None
        tag = f"<{match.group(1)}{ATTR.sub(self._attr, body)}>"
        return tag + "".join(BLOB_SCRIPT % item for item in self._lists or ())

    def _attr(self, match: re.Match) -> str:
        name, raw = match.group(2).lower(), match.group(4)
        value = htmllib.unescape(raw.strip("\"'"))
        if name == "style":
            return f'{match.group(1)}{match.group(2)}{match.group(3)}"{htmllib.escape(self._css_urls(value, ""))}"'
        if name == "srcset":
            return f'{match.group(1)}{match.group(2)}{match.group(3)}"{htmllib.escape(self._srcset(value))}"'
        if name not in URL_ATTRS:
            return match.group(0)
        start = f"{match.group(1)}{match.group(2)}{match.group(3)}"
        if name == "data-background" and "url(" in value.lower():  # CSS, as reveal.js takes it
            return f'{start}"{htmllib.escape(self._css_urls(value, ""))}"'
        if name in BACKGROUND_LISTS and self._lists is not None and self._as_list(name, value):
            return match.group(0)
        rel = self.local(value)
        if rel is None:
            return match.group(0)
        self.used.add(rel)
        if posixpath.splitext(rel)[1].lower() in (".html", ".htm") and rel not in self.pages:  # an iframe's page
            return f'{start}"{self._page_uri(rel)}"'
        return f'{start}"{self.data_uri(rel)}"'

    def _page_uri(self, rel: str) -> str:
        """A page of the deck as a data: URI, its own stylesheets, scripts and images inlined in it first: from a
        data: URI, the names it gives them relative to itself would find nothing."""
        key = f"page:{rel}"
        if key not in self._cache:
            inner = Inliner(self.files, self.root)
            inner.base, inner.pages = rel, self.pages | {rel}
            text = inner.page(self._text(rel))
            for found in ("used", "missing", "linked", "remote"):
                getattr(self, found).update(getattr(inner, found))
            self._cache[key] = f"data:text/html;base64,{base64.b64encode(text.encode('utf-8')).decode('ascii')}"
        return self._cache[key]

    def _srcset(self, value: str) -> str:
        """A srcset with its files as data: URIs; as it was when it names none."""
        candidates, inlined = [], False
        for url, descriptors in srcset_candidates(value):
            rel = self.local(url) if not url.lower().startswith("data:") else None
            if rel is not None:
                self.used.add(rel)
                url, inlined = self.data_uri(rel), True
            candidates.append(f"{url} {descriptors}".rstrip())
        return ", ".join(candidates) if inlined else value

    def _as_list(self, name: str, value: str) -> bool:
        """Whether a script after the tag makes the files of `value` blob: URLs (queued in self._lists): for
        every video, and for several images; one image is a data: URI, which reveal.js takes as it is."""
        urls = background_list(name, value)
        if name == "data-background-image" and len(urls) < 2:
            return False
        items, inlined = [], False
        for url in urls:
            rel = self.local(url)
            if rel is None:
                items.append(_json(url))
                continue
            self.used.add(rel)
            mime, data = self.data_uri(rel)[len("data:"):].split(";base64,", 1)
            items.append(f'blob("{mime}", "{data}")')
            inlined = True
        if inlined:
            self._lists.append((name, _json(name), ", ".join(items)))
        return inlined

    # -- files
    def local(self, url: str, base: str = "", loads: bool = True) -> str | None:
        """The plan's key for a relative URL of the page (or of a stylesheet at `base`); None for others. What
        the page `loads` from the network is noted."""
        url = url.strip()
        if not url or url.startswith("#") or urlsplit(url).scheme or url.startswith("//"):
            if loads and is_remote(url):
                self.remote.add(url)
            return None
        path = unquote(urlsplit(url).path)
        if not path or path.startswith("/"):
            return None
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(base or self.base), path))
        if rel in self.files:
            return rel
        self.missing.add(rel)
        return None

    def _bytes(self, rel: str) -> bytes:
        value = self.files[rel]
        return value.encode("utf-8") if isinstance(value, str) else Path(value).read_bytes()

    def _text(self, rel: str) -> str:
        return self._bytes(rel).decode("utf-8")

    def data_uri(self, rel: str) -> str:
        if rel not in self._cache:
            suffix = posixpath.splitext(rel)[1].lower()
            mime = MIME.get(suffix) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
            self._cache[rel] = f"data:{mime};base64,{base64.b64encode(self._bytes(rel)).decode('ascii')}"
        return self._cache[rel]

    def _css(self, rel: str, seen: frozenset[str] = frozenset()) -> str:
        css = self._text(rel)

        def imported(match: re.Match) -> str:
            target = self.local(match.group(1), rel)
            if target is None or target in seen:
                return match.group(0)
            self.used.add(target)
            return self._css(target, seen | {rel})

        return self._css_urls(CSS_IMPORT.sub(imported, css), rel)

    def _css_urls(self, css: str, base: str) -> str:
        def replace(match: re.Match) -> str:
            url = next(g for g in match.groups() if g is not None)
            if url.startswith("data:"):
                return match.group(0)
            rel = self.local(url, base)
            if rel is None:
                return match.group(0)
            self.used.add(rel)
            return f'url("{self.data_uri(rel)}")'

        return CSS_URL.sub(replace, css)


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(2).lower(): htmllib.unescape(m.group(4).strip("\"'")) for m in ATTR.finditer(tag)}


def _escape_lt(match: re.Match) -> str:
    slashes = match.group(1)
    # An odd number of backslashes escaped the `<` itself: `\<` becomes `\x3C`, not `\\x3C`.
    if len(slashes) % 2:
        slashes = slashes[:-1]
    return slashes + "\\x3C"
