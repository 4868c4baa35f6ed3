"""Exports: `talkdeck pdf` read back with pypdf, and `talkdeck build --single-file` run in headless Chromium.

The PDF tests run `talkdeck pdf` as a real process (as a speaker would), each mode once per module.
"""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, chromium_path, open_deck

from talkdeck.cli import main
from talkdeck.config import DeckConfig
from talkdeck.export import _set_metadata, build_single_file, slugify

ROOT = Path(__file__).resolve().parent.parent


def talkdeck(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "talkdeck", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def chromium() -> None:
    """Chromium must be there for the PDF tests: skipped locally without one, a failure in CI."""
    if chromium_path() is None:
        message = "no Chromium found: install it (apt-get install chromium) or set TALKDECK_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def exported(chromium, tmp_path_factory) -> dict[str, tuple[pypdf.PdfReader, str, Path]]:
    """The basic fixture exported in each mode: mode -> (reader, stderr, deck folder)."""
    import shutil

    results = {}
    for mode, flags in {"default": [], "fragments": ["--fragments"], "notes": ["--notes"]}.items():
        deck = tmp_path_factory.mktemp(mode) / "basic"
        shutil.copytree(FIXTURES / "basic", deck)
        out = deck.parent / f"{mode}.pdf"
        done = talkdeck("pdf", deck, "-o", out, *flags)
        assert done.returncode == 0, done.stderr
        results[mode] = (pypdf.PdfReader(out), done.stderr, deck)
    return results


def page_text(reader, index: int) -> str:
    return reader.pages[index].extract_text()


# -- PDF ---------------------------------------------------------------------------------------------------
def test_one_page_per_slide_sized_to_the_deck_with_fragments_shown(exported):
    reader, stderr, deck = exported["default"]
    assert len(reader.pages) == 6
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (960, 540)
    # fragments in their final state: the title slide's fragment paragraph and every list item are printed
    assert "First paragraph" in page_text(reader, 0)
    assert all(item in page_text(reader, 1) for item in ("one", "two", "three"))
    assert "6 pages (6 slides)" in stderr and "KB" in stderr
    assert "slide #intro-2-2 is" in stderr  # the fixture's table + image slide is taller than the page
    assert not (deck / "dist").exists(), "the export must not build into the deck's dist/"


def test_metadata_comes_from_deck_toml(exported):
    reader, _, _ = exported["default"]
    assert reader.metadata.title == "Fixture deck"
    assert reader.metadata.author == "Test Author"
    assert reader.metadata.creator.startswith("talkdeck ")
    assert reader.metadata.producer.startswith("Skia/PDF")  # Chromium's own entries are kept


def test_code_stays_text_in_the_pdf(exported):
    reader, _, _ = exported["default"]
    text = page_text(reader, 3)
    assert "Fenced code" in text.replace("FENCED CODE", "Fenced code")
    assert 'return "---"' in text
    assert 'x = "</script>"' in text  # the last line of the block: not clipped
    assert "Notes about code" not in text  # speaker notes stay out of the default export
    # the slide keeps its on-screen padding (56 px = 42 pt at the sides), which reveal's print CSS removes
    code_x = [x for text, x, _ in text_positions(reader.pages[3]) if text.startswith(("def", "x ="))]
    assert code_x and min(code_x) >= 42


def test_fragments_flag_prints_one_page_per_fragment_step(exported):
    reader, stderr, _ = exported["fragments"]
    # intro-1: 1 fragment -> 2 pages; intro-2: 3 fragments -> 4; intro-2-2: 1;
    # code-1: highlight steps 1-2|3 -> 2; code-2: {1|2} -> 2; code-3: 1.
    assert len(reader.pages) == 12
    assert "First paragraph" not in page_text(reader, 0)
    assert "First paragraph" in page_text(reader, 1)
    list_pages = [page_text(reader, i) for i in range(2, 6)]
    assert ["three" in text for text in list_pages] == [False, False, False, True]
    assert f"{len(reader.pages)} pages (6 slides)" in stderr


def test_notes_flag_adds_a_notes_page_after_each_slide_with_notes(exported):
    reader, _, _ = exported["notes"]
    texts = [page_text(reader, i) for i in range(len(reader.pages))]
    assert len(texts) == 9  # 6 slides + 3 with notes
    assert "Notes of the title slide." in texts[1]
    assert "Notes of the vertical slide." in texts[4]
    assert "Notes about code." in texts[6]
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (960, 540)


def test_notes_on_the_last_slide_leave_no_blank_page(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    code = deck / "slides" / "02-code.md"
    code.write_text(code.read_text() + "\nNote: The closing words.\n")
    out = tmp_path / "notes.pdf"
    done = talkdeck("pdf", deck, "--notes", "-o", out)
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 10
    assert "The closing words." in page_text(reader, 9)
    assert "10 pages" in done.stderr


def test_long_notes_are_set_smaller_to_fit_their_page_and_longer_ones_are_reported(chromium, deck_copy, tmp_path):
    # a notes page that ran onto the next one put every later slide on the back of its sheet
    deck = deck_copy()
    code = deck / "slides" / "02-code.md"
    fits = " ".join(f"Sentence {n} of notes that fit once they are set smaller." for n in range(1, 25))
    too_long = " ".join(f"Sentence {n} of notes longer than a page." for n in range(1, 201))
    code.write_text(code.read_text().replace("Notes about code.", fits + " Last words that fit.")
                    + f"\nNote: {too_long} Last words that run over.\n")
    out = tmp_path / "notes.pdf"
    done = talkdeck("pdf", deck, "--notes", "-o", out)
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(out)
    texts = [page_text(reader, i) for i in range(len(reader.pages))]
    assert "Last words that fit." in texts[6] and "a pane" in texts[7].lower()  # the next slide, no more notes
    assert not any("\ufb01" in text for text in texts)  # "fi" as two letters, not its ligature: search finds it
    # 6 slides, 4 notes pages, and the page that the notes of the last slide run onto: counted as printed
    assert len(texts) == 11 and "11 pages (6 slides)" in done.stderr
    assert "Last words that run over." in texts[10]
    assert ("slides/02-code.md:25: the notes of slide #code-3 do not fit on a page even at half size: they take "
            "2 pages of the PDF (shorten them)") in done.stderr


def text_positions(page) -> list[tuple[str, float, float]]:
    """Every piece of text on a PDF page with its position in points (origin at the bottom left)."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return found


def test_a_hidden_slide_is_neither_printed_nor_counted(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "slides" / "03-backup.md").write_text('<!-- .slide: data-visibility="hidden" -->\n\n## Backup\n')
    done = talkdeck("pdf", deck, "-o", tmp_path / "out.pdf")
    assert done.returncode == 0, done.stderr
    assert "6 pages (6 slides)" in done.stderr
    assert "Backup" not in "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "out.pdf").pages)

def test_a_slide_taller_than_the_page_is_shrunk_to_fit_not_clipped(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    items = "\n".join(f"- item number {n}" for n in range(1, 31))
    (deck / "slides" / "03-long.md").write_text(f"## A long list\n\n{items}\n")
    out = tmp_path / "long.pdf"
    done = talkdeck("pdf", deck, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "slides/03-long.md:1: slide #long-1 is" in done.stderr and "shrunk to" in done.stderr
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 7
    positions = text_positions(reader.pages[6])
    shown = {text for text, _, _ in positions}
    assert {f"item number {n}" for n in range(1, 31)} <= shown
    for text, x, y in positions:
        assert 0 <= x <= 960 and 0 <= y <= 540, (text, x, y)


def test_content_wider_than_the_page_is_shrunk_to_fit_not_clipped(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    header = " | ".join(f"column{n:02d}" for n in range(1, 15))
    row = " | ".join(f"value{n:02d}" for n in range(1, 15))
    line = "print('" + " ".join(f"word{n:02d}" for n in range(1, 41)) + "')"
    (deck / "slides" / "03-wide.md").write_text(
        f"## A wide table\n\n| {header} |\n|{'---|' * 14}\n| {row} |\n\n---\n\n"
        f"## A wide line of code\n\n```python\n{line}\n```\n\n---\n\n"
        '## A wide box\n\n<div style="width: 1500px">START of a box wider than the slide, END_MARK</div>\n')
    out = tmp_path / "wide.pdf"
    done = talkdeck("pdf", deck, "-o", out)
    assert done.returncode == 0, done.stderr
    for slide in ("wide-1", "wide-2", "wide-3"):  # each reported, the code line too (reveal's print CSS hid it)
        assert f"slide #{slide} is" in done.stderr
    reader = pypdf.PdfReader(out)
    table, code, box = (page_text(reader, i).replace("\n", " ") for i in (6, 7, 8))
    assert "column14" in table and "value14" in table
    assert "word01word02" in code.replace(" ", "") and "word40')" in code.replace(" ", "")  # the whole line
    assert "END_MARK" in box
    for index in (6, 7, 8):
        for text, x, y in text_positions(reader.pages[index]):
            assert 0 <= x <= 960 and 0 <= y <= 540, (text, x, y)


@pytest.mark.parametrize(("pane", "rtl"), [(False, False), (False, True), (True, False), (True, True)],
                         ids=["fenced", "fenced, right to left", "pane", "pane, right to left"])
def test_a_code_line_wider_than_the_slide_stays_on_its_background_and_the_slide_is_centred(page, deck_copy, pane,
                                                                                          rtl):
    # right to left, what is too wide runs past the slide's left side; a pane's block, past the pane's own box
    from talkdeck.export import INIT_SCRIPT, LAYOUT, NOTES_CSS

    deck = deck_copy()
    line = "print('" + " ".join(f"word{n:02d}" for n in range(1, 31 if not pane else 61)) + "')"
    code = f"```python\n{line}\n```"
    if pane:
        (deck / "code" / "long.py").write_text(line + "\n")
        code = "<<< code/long.py"
    (deck / "slides" / "03-wide.md").write_text(f"## A wide line of code\n\n{code}\n")
    if rtl:
        (deck / "deck.toml").write_text((deck / "deck.toml").read_text() + "\n[reveal]\nrtl = true\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    page.add_init_script("window.TALKDECK_OVERRIDES = {talkdeckExport: true};" + INIT_SCRIPT)
    page.goto((deck / "dist" / "index.html").as_uri() + "?print-pdf")
    layout = page.evaluate(LAYOUT, {"pageHeight": 720, "timeout": 10000, "NOTES_CSS": NOTES_CSS})
    assert [slide["id"] for slide in layout["scaled"]] == ["wide-1"]
    box, text, width = page.evaluate("""() => {
        const pre = document.querySelector('#wide-1 pre'), sheet = pre.closest('.pdf-page').getBoundingClientRect();
        const range = document.createRange(); range.selectNodeContents(pre.querySelector('code'));
        const b = pre.getBoundingClientRect(), t = range.getBoundingClientRect();
        return [[b.left - sheet.left, b.right - sheet.left], [t.left - sheet.left, t.right - sheet.left], sheet.width];
    }""")
    assert box[0] <= text[0] and text[1] <= box[1], (box, text)  # the line on the code's dark background
    assert abs(box[0] - (width - box[1])) < 4, (box, width)  # as far from the left edge as from the right
    assert page.watch.errors == []


def test_the_handout_prints_code_walked_through_in_steps_with_every_line_legible(page, deck_copy):
    deck = deck_copy()
    (deck / "slides" / "03-steps.md").write_text("## Steps\n\n```python [1|2]\na = 1\nb = 2\n```\n\n"
                                                 "```python [2]\nc = 3\nd = 4\n```\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    page.add_init_script("window.TALKDECK_OVERRIDES = {talkdeckExport: true, talkdeckPlainCodeSteps: true};")
    page.goto((deck / "dist" / "index.html").as_uri() + "?print-pdf")
    # the print view lays the slides out onto pages after reveal.js is ready: wait for both blocks, numbered
    page.wait_for_function("document.querySelectorAll('.pdf-page #steps-1 pre code table.hljs-ln').length === 2")
    codes = page.evaluate("""() => [...document.querySelectorAll('#steps-1 pre code')].map(code => [
        code.querySelectorAll('tr').length, code.querySelectorAll('tr.highlight-line').length,
        [...code.querySelectorAll('tr')].map(row => getComputedStyle(row).opacity)])""")
    # the stepped block once, whole and undimmed; a block with one highlight keeps it, as on screen
    assert codes == [[2, 0, ["1", "1"]], [2, 1, ["0.4", "1"]]], codes
    assert page.watch.errors == []


def test_with_fragments_a_slide_s_notes_follow_its_last_step(exported, chromium, tmp_path):
    _, _, deck = exported["default"]
    out = tmp_path / "steps-notes.pdf"
    done = talkdeck("pdf", deck, "--fragments", "--notes", "-o", out)
    assert done.returncode == 0, done.stderr
    reader = pypdf.PdfReader(out)
    texts = [page_text(reader, i) for i in range(len(reader.pages))]
    assert len(texts) == 15  # the 12 step pages and 3 notes pages
    where = {words: [i for i, text in enumerate(texts) if words in text]
             for words in ("Notes of the title slide.", "Notes of the vertical slide.", "Notes about code.")}
    assert list(where.values()) == [[2], [8], [11]]
    assert "First paragraph" in texts[1]  # the title's last step comes before its notes
    assert "Notes" not in texts[9] + texts[10]  # both steps of the stepped code slide come before its notes


def test_default_output_is_named_after_the_title(chromium, deck_copy):
    deck = deck_copy()
    done = talkdeck("pdf", cwd=deck)
    assert done.returncode == 0, done.stderr
    assert (deck / "fixture-deck.pdf").is_file()
    assert "fixture-deck.pdf" in done.stderr


def export_with_head(deck_copy, out: Path, head: str) -> subprocess.CompletedProcess:
    """`talkdeck pdf` of the basic deck with `head` added to its page's <head> (templates/extra_head.html.j2)."""
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "extra_head.html.j2").write_text(head + "\n")
    return talkdeck("pdf", deck, "-o", out)


def test_a_deck_that_asks_for_the_network_fails_loudly(chromium, deck_copy, tmp_path):
    out = tmp_path / "out.pdf"
    done = export_with_head(deck_copy, out, '<script src="https://example.com/x.js"></script>')
    assert done.returncode == 1
    assert "templates/extra_head.html.j2:1: the deck asked for https://example.com/x.js from the network" in \
        done.stderr and "offline" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_blocked_request_is_named_at_the_slide_line_that_asks_for_it(chromium, deck_copy, tmp_path):
    # Chromium requests these as https://frame.example.org/ and https://cdn.example.org/x.js
    deck = deck_copy()
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + '\n---\n\n## Remote\n\n<iframe src="HTTPS://Frame.Example.org"></iframe>\n'
                                         '\n<script src="https:cdn.example.org/x.js"></script>\n')
    lines = len(intro.read_text().splitlines())
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF- the last good one")
    done = subprocess.run([sys.executable, "-m", "talkdeck", "pdf", deck, "-o", out], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"slides/01-intro.md:{lines - 2}: the deck asked for https://frame.example.org/ from the network" in \
        done.stderr, done.stderr
    assert f"slides/01-intro.md:{lines}: the deck asked for https://cdn.example.org/x.js from the network" in \
        done.stderr, done.stderr
    assert out.read_bytes() == b"%PDF- the last good one"


def test_a_file_the_page_cannot_load_is_named_at_the_line_that_asks_for_it(chromium, deck_copy, tmp_path):
    out = tmp_path / "out.pdf"
    done = export_with_head(deck_copy, out, '<script src="reveal/plugin/nope.js"></script>')
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "templates/extra_head.html.j2:1: the page asks for reveal/plugin/nope.js, which is not in the built " \
        "deck" in done.stderr
    assert "talkdeck-pdf-" not in done.stderr  # not the temporary build folder's path
    assert not out.exists()


def test_a_script_error_is_named_at_its_line(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + '\n---\n\n## Chart\n\n<div id="c"></div>\n<script>\n'
                     '  document.getElementById("c").textContent = data.x;\n</script>\n')
    done = talkdeck("pdf", deck, "-o", tmp_path / "out.pdf")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    line = len(intro.read_text().splitlines()) - 1
    assert f"slides/01-intro.md:{line}: a script of the deck failed while printing: data is not defined (fix the " \
           "script; `talkdeck check` runs every slide's scripts and reports each)" in done.stderr, done.stderr


def test_a_file_a_page_in_an_iframe_cannot_load_is_named_at_the_iframe(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "frames").mkdir()
    (deck / "frames" / "p.html").write_text('<p>a page</p><link rel="stylesheet" href="gone.css">')
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + '\n---\n\n## Framed\n\n<iframe src="frames/p.html"></iframe>\n')
    done = talkdeck("pdf", deck, "-o", tmp_path / "out.pdf")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    line = len(intro.read_text().splitlines())
    assert f"slides/01-intro.md:{line}: frames/p.html asks for frames/gone.css, which is not in the built deck" in \
        done.stderr, done.stderr

def test_past_five_blocked_requests_the_rest_are_counted(chromium, deck_copy, tmp_path):
    head = "".join(f'<img src="https://example.com/{n}.png" alt="">' for n in range(7))
    done = export_with_head(deck_copy, tmp_path / "out.pdf", head)
    assert done.stderr.count("from the network, which was blocked") == 5, done.stderr
    assert "and 2 more requests to the network (`talkdeck check` lists them all)" in done.stderr

def test_a_network_address_without_its_scheme_is_named_at_its_line(chromium, deck_copy, tmp_path):
    # `//host/x` from a template: opened from disk, Chromium asks for file://host/x
    done = export_with_head(deck_copy, tmp_path / "out.pdf", '<script src="//cdn.example.com/lib.js"></script>')
    assert "templates/extra_head.html.j2:1: the deck asks for //cdn.example.com/lib.js, an address on the network" \
        in done.stderr, done.stderr

def test_a_websocket_is_blocked_and_fails_the_export(chromium, deck_copy, tmp_path):
    import socket

    with socket.socket() as listener:  # a server the page would reach, were it let through
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}/live"
        deck = deck_copy()
        intro = deck / "slides" / "01-intro.md"
        intro.write_text(intro.read_text() + f'\n---\n\n## Live\n\n<script>new WebSocket("{url}");</script>\n')
        out = tmp_path / "out.pdf"
        done = talkdeck("pdf", deck, "-o", out)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert f"slides/01-intro.md:{len(intro.read_text().splitlines())}: the deck asked for {url}" in done.stderr
        assert not out.exists()
        with pytest.raises(TimeoutError):
            listener.accept()


HOLD_SCRIPT = """
import os, signal, sys, threading
from talkdeck.browser import checkpoint, launch
returned = []
try:
    with launch() as browser:
        page = browser.new_page()
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        returned.append(page.evaluate("new Promise((done) => setTimeout(() => done(42), 1500))"))
        checkpoint()
        returned.append("went on")
except KeyboardInterrupt:
    print("interrupted after", returned, "closed:", not browser.is_connected())
"""


def test_an_interrupt_during_a_browser_call_is_raised_once_the_call_returns(chromium):
    # Raised inside the call, Playwright's event loop could swallow it (the export went on and wrote its PDF)
    done = subprocess.run([sys.executable, "-c", HOLD_SCRIPT], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "interrupted after [42] closed: True"


DRIVER_KILLED_SCRIPT = """
import os, signal, tempfile
from pathlib import Path
from talkdeck.browser import launch

def children(pid):
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                yield int(entry.name)
        except OSError:
            pass

try:
    with launch() as browser:
        killed = list(children(os.getpid()))  # Playwright's driver, which a terminal's second Ctrl-C ends too
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        print("killed", len(killed))
        browser.new_page()
except Exception as exc:
    print("then", type(exc).__name__)
print(sorted(str(p.relative_to(tempfile.gettempdir())) for p in Path(tempfile.gettempdir()).rglob("*")))
"""


def test_a_driver_killed_before_its_clean_up_leaves_no_chromium_profile_behind(chromium, tmp_path):
    done = subprocess.run([sys.executable, "-c", DRIVER_KILLED_SCRIPT], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)})
    # the driver was killed, and the call after it failed as it does then, not at once for another reason
    assert done.stdout.splitlines() == ["killed 1", "then TargetClosedError", "[]"], done.stderr


def descendants(pid: int) -> list[str]:
    """The command names of the processes below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # not a process, or one that just ended
            continue
        name, _, rest = stat.rpartition(")")
        names[int(entry.name)] = name.partition("(")[2]
        children.setdefault(int(rest.split()[1]), []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(names[child])
        todo += children.get(child, [])
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds Chromium's process through /proc")
def test_ctrl_c_while_printing_stops_cleanly_and_keeps_the_last_pdf(chromium, deck_copy, tmp_path):
    import signal
    import time

    deck = deck_copy()
    # a slide whose script keeps the page loading for 4 s: the interrupt lands inside Playwright's `goto`
    busy = "<script>const start = Date.now(); while (Date.now() - start < 4000);</script>"
    (deck / "slides" / "09-busy.md").write_text(f"## Busy\n\n{busy}\n")
    out = tmp_path / "talk.pdf"
    out.write_bytes(b"the last good PDF")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    # start_new_session: a process group of its own, to signal as a terminal's Ctrl-C does, driver included
    process = subprocess.Popen([sys.executable, "-m", "talkdeck", "pdf", str(deck), "-o", str(out)],
                               env={**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(temporary)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    with process:  # on the way out, its pipes are closed and it is waited for, also when the test fails
        try:
            deadline = time.monotonic() + 30
            while not any("chrom" in name for name in descendants(process.pid)):
                assert process.poll() is None and time.monotonic() < deadline, "Chromium never started"
                time.sleep(0.02)
            time.sleep(1)  # Chromium has started and is loading the deck
            os.killpg(process.pid, signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1, stderr
    assert stderr.rstrip().endswith("Aborted!")
    assert "Traceback" not in stderr and "Error" not in stderr and "exception" not in stderr, stderr
    assert out.read_bytes() == b"the last good PDF"
    assert not list(temporary.glob("talkdeck-*"))


def test_a_page_template_without_reveal_fails_at_once_naming_it(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "deck.html.j2").write_text("<html><body>{{ config.title }}</body></html>\n")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF- the last good one")
    done = subprocess.run([sys.executable, "-m", "talkdeck", "pdf", deck, "-o", out], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    # said once the page has loaded: after the wait for reveal.js, the error would say it did not start
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "templates/deck.html.j2: the page this template makes does not load reveal.js" in done.stderr
    assert "keep the `{% block scripts %}` of talkdeck's own deck.html.j2, which loads reveal/reveal.js" in \
        done.stderr and "start from a copy of talkdeck/templates/deck.html.j2" in done.stderr
    assert out.read_bytes() == b"%PDF- the last good one"


def test_a_page_template_that_never_starts_reveal_is_named(chromium, deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "deck.html.j2").write_text('<!doctype html><script src="reveal/reveal.js"></script>\n')
    script = ("import sys, talkdeck.export; talkdeck.export.LAYOUT_TIMEOUT_MS = 2000\n"
              "from talkdeck.cli import main; main(sys.argv[1:])")
    done = subprocess.run([sys.executable, "-c", script, "pdf", deck, "-o", tmp_path / "out.pdf"],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "templates/deck.html.j2: reveal.js did not lay out the deck for printing: no print layout after 2 s " \
        "(does this template call Reveal.initialize" in done.stderr, done.stderr


def test_a_missing_browser_is_a_clear_error(deck_copy, tmp_path):
    done = talkdeck("pdf", deck_copy(), "-o", tmp_path / "x.pdf", "--browser", tmp_path / "no-such-chromium")
    assert done.returncode == 1
    assert "no browser at" in done.stderr and "Traceback" not in done.stderr


def test_a_named_program_that_is_not_chromium_is_named_in_the_error(deck_copy, tmp_path):
    fake = tmp_path / "not-chromium"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    done = talkdeck("pdf", deck_copy(), "-o", tmp_path / "x.pdf", "--browser", fake)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"cannot start {fake} as a headless Chromium" in done.stderr and "is it a Chromium or Chrome?" in \
        done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_a_broken_deck_is_a_deck_error(deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "deck.toml").write_text('title = "unclosed\n')
    done = talkdeck("pdf", deck, "-o", tmp_path / "x.pdf")
    assert done.returncode == 1
    assert "deck.toml:1" in done.stderr and "Traceback" not in done.stderr


def test_output_must_be_a_pdf(deck_copy):
    deck = deck_copy()
    result = CliRunner().invoke(main, ["pdf", str(deck), "-o", str(deck / "deck.toml")])
    assert result.exit_code == 1
    assert "must end in .pdf" in result.output
    assert (deck / "deck.toml").read_text().startswith("title")


@pytest.mark.parametrize("command", [["pdf"], ["build", "--single-file"]])
def test_an_output_ending_in_a_slash_is_a_folder_that_must_exist(deck_copy, tmp_path, command):
    # `-o handouts/` means a folder, whatever the error: not "the output file must end in .pdf"
    deck = deck_copy()
    result = CliRunner().invoke(main, [*command, str(deck), "-o", f"{tmp_path / 'handouts'}/"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'handouts'}: the output folder does not exist (create it first)" in result.output
    assert not (tmp_path / "handouts").exists()
    (tmp_path / "handout.pdf").write_text("a file")
    result = CliRunner().invoke(main, [*command, str(deck), "-o", f"{tmp_path / 'handout.pdf'}/"])
    assert result.exit_code == 1
    suffix = ".pdf" if command == ["pdf"] else ".html"
    assert f"{tmp_path / 'handout.pdf'}: this is a file, not a folder (name a folder, or a file ending in {suffix} " \
           "without the / at the end)" in result.output

@pytest.mark.parametrize("command", [["pdf"], ["build", "--single-file"]])
def test_an_output_inside_a_build_output_folder_is_refused(deck_copy, tmp_path, command):
    # the next `talkdeck build` replaces that folder whole, and the file with it
    deck = deck_copy()
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    assert CliRunner().invoke(main, ["build", str(deck), "-o", str(tmp_path / "site")]).exit_code == 0
    suffix = ".pdf" if command == ["pdf"] else ".html"
    for output in (deck / "dist" / f"talk{suffix}", deck / "dist", tmp_path / "site" / f"talk{suffix}",
                   deck / "dist" / "new" / f"talk{suffix}"):  # refused before "create the folder first"
        result = CliRunner().invoke(main, [*command, str(deck), "-o", str(output)])
        assert result.exit_code == 1, output
        assert "which every `talkdeck build` replaces whole" in result.output and "Traceback" not in result.output
        assert f"leave out -o to write {deck / 'fixture-deck'}{suffix}, named after the deck's title" in \
            result.output, result.output
    written = sorted(p.name for p in (deck / "dist").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "site").iterdir()) and "talk" + suffix not in written


def test_metadata_update_keeps_the_pdf_valid_and_holds_any_text(tmp_path):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(960, 540)
    writer.add_blank_page(960, 540)
    raw = io.BytesIO()
    writer.write(raw)
    config = DeckConfig(title="Café: containers — ü", author="Ada (the speaker)", event="PyCon \\ 2020")
    data, warnings = _set_metadata(raw.getvalue(), config)
    assert warnings == []
    assert data.startswith(raw.getvalue())  # an incremental update: nothing before it is rewritten
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Café: containers — ü"
    assert reader.metadata.author == "Ada (the speaker)"
    assert reader.metadata.subject == "PyCon \\ 2020"


@pytest.mark.parametrize("command", [["pdf"], ["build", "--single-file"]])
def test_an_output_among_the_deck_s_sources_is_refused_before_anything_is_written(deck_copy, command):
    deck = deck_copy()
    suffix = ".pdf" if command == ["pdf"] else ".html"
    (deck / "img" / f"gallery{suffix}").write_text("mine")
    for output in (deck / "img" / f"gallery{suffix}", deck / "slides" / f"talk{suffix}"):
        result = CliRunner().invoke(main, [*command, str(deck), "-o", str(output)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        folder = output.parent.name
        assert f"{output}: this is inside the deck's {folder}/ folder, which holds its sources" in result.output
    assert (deck / "img" / f"gallery{suffix}").read_text() == "mine"
    assert not (deck / "slides" / f"talk{suffix}").exists()


def test_single_file_never_overwrites_a_file_the_deck_shows(deck_copy):
    # a code pane's file outside the deck's usual folders, which `-o` named by mistake
    deck = deck_copy()
    (deck / "web").mkdir()
    (deck / "web" / "page.html").write_text("<p>shown on a slide</p>\n")
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + "\n---\n\n<<< web/page.html\n")
    result = CliRunner().invoke(main, ["build", "--single-file", str(deck), "-o", str(deck / "web" / "page.html")])
    assert result.exit_code == 1, result.output
    assert "page.html: this is a file the deck uses (a slide shows it or links to it, or a template names it)" \
        in result.output
    assert (deck / "web" / "page.html").read_text() == "<p>shown on a slide</p>\n"
    # the offline copy the deck links to, which talkdeck wrote: written again
    intro.write_text(intro.read_text() + "\n---\n\n[An offline copy](fixture-deck.html)\n")
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", "--single-file", str(deck)])
        assert result.exit_code == 0, result.output
    # another talk's, whose title holds this one's: not this deck's to overwrite
    other = deck / "production.html"
    other.write_text('<meta name="generator" content="talkdeck 0.1.0">\n<title>Fixture deck in production</title>\n')
    intro.write_text(intro.read_text() + "\n---\n\n[The other talk](production.html)\n")
    result = CliRunner().invoke(main, ["build", "--single-file", str(deck), "-o", str(other)])
    assert result.exit_code == 1 and "not this deck's own PDF or single file" in result.output, result.output


@pytest.mark.browser
def test_pdf_never_overwrites_a_file_the_deck_links(deck_copy, chromium):
    deck = deck_copy()
    (deck / "docs").mkdir()
    (deck / "docs" / "paper.pdf").write_bytes(b"%PDF-1.4 the paper")
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + "\n---\n\n[The paper](docs/paper.pdf)\n")
    done = talkdeck("pdf", deck, "-o", deck / "docs" / "paper.pdf")  # in a process of its own, as the others
    assert done.returncode == 1 and "this is a file the deck uses" in done.stderr, done.stderr
    assert (deck / "docs" / "paper.pdf").read_bytes() == b"%PDF-1.4 the paper"
    # the handout the deck offers for download, which talkdeck wrote: written again
    intro.write_text(intro.read_text() + "\n---\n\n[Download the slides](fixture-deck.pdf)\n")
    for _ in range(2):
        done = talkdeck("pdf", deck)
        assert done.returncode == 0, done.stderr
    assert (deck / "fixture-deck.pdf").read_bytes().startswith(b"%PDF")
    # another talk's handout, which talkdeck made too: not this deck's to overwrite
    toml = deck / "deck.toml"
    toml.write_text(toml.read_text().replace('title = "', 'title = "Another talk: ', 1))
    done = talkdeck("pdf", deck, "-o", deck / "fixture-deck.pdf")
    assert done.returncode == 1 and "not this deck's own PDF or single file" in done.stderr, done.stderr


def test_a_pdf_whose_information_pypdf_wrote_is_known_as_this_deck_s(tmp_path):
    # a PDF of another shape than Chromium's gets its title and creator through pypdf, in pypdf's own encoding
    from talkdeck.export import _made_by_talkdeck, _set_metadata_pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    raw = io.BytesIO()
    writer.write(raw)
    handout = tmp_path / "talk.pdf"
    handout.write_bytes(_set_metadata_pypdf(raw.getvalue(), {"Title": "Café (2)", "Creator": "talkdeck 1.0"})[0])
    assert _made_by_talkdeck(handout, "Café (2)") and not _made_by_talkdeck(handout, "Another talk")


def test_a_pdf_of_another_talk_is_not_taken_for_that_of_a_deck_without_a_title(tmp_path):
    from talkdeck.export import _made_by_talkdeck, _set_metadata

    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    raw = io.BytesIO()
    writer.write(raw)

    class Config:
        title, author, event = "Another talk", "", ""

    handout = tmp_path / "talk.pdf"
    handout.write_bytes(_set_metadata(raw.getvalue(), Config)[0])
    assert _made_by_talkdeck(handout, "Another talk") and not _made_by_talkdeck(handout, "")


def test_slugify():
    assert slugify("Working with Docker containers for Python applications") == (
        "working-with-docker-containers-for-python-applications")
    assert slugify("Ça & ünïcode!") == "ca-unicode"
    assert slugify("Ünïcødé Straße, Łódź, Æsir") == "unicode-strasse-lodz-aesir"  # letters Unicode keeps whole
    assert slugify("???") == "talk"
    assert len(slugify("word " * 40)) <= 60


# -- single file -------------------------------------------------------------------------------------------
@pytest.fixture
def single(deck_copy, tmp_path) -> Path:
    """The basic deck as one file, alone in a folder of its own."""
    out = tmp_path / "alone" / "deck.html"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["build", "--single-file", str(deck_copy()), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 slides in one file" in result.output and " MB" in result.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.html"]
    return out


def test_single_file_inlines_every_asset(single):
    html = single.read_text("utf-8")
    assert 'src="reveal/' not in html and 'href="reveal/' not in html and 'href="talkdeck/' not in html
    assert '<link rel="stylesheet"' not in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert html.count("</script>") == html.count("<script")  # no script is cut short by its own text


def test_single_file_leaves_out_what_the_deck_does_not_use(deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "slides" / "02-code.md").unlink()
    out = build_single_file(deck, tmp_path / "plain.html")
    html = out.path.read_text("utf-8")
    assert "RevealHighlight" not in html and "registerLanguage" not in html  # no highlight plugin
    assert "data:image/svg+xml" in html  # the image is still used
    assert out.warnings == []


def test_single_file_keeps_a_link_to_a_file_of_the_deck_a_link(deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "docs").mkdir()
    (deck / "docs" / "paper.pdf").write_bytes(b"%PDF-1.4 " + b"x" * 1000)
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + "\n---\n\n## Read more\n\n[The paper](docs/paper.pdf#page=2)\n"
                     '\n---\n\n<!-- .slide: data-background="url(img/square.svg) center / cover" -->\n\n## Sky\n')
    out = build_single_file(deck, tmp_path / "deck.html")
    html = out.path.read_text("utf-8")
    assert 'data-background="url(&quot;data:image/svg+xml;base64,' in html  # a CSS background, inlined
    assert '<a href="docs/paper.pdf#page=2">The paper</a>' in html and "application/pdf" not in html
    assert out.warnings == ["docs/paper.pdf: a link to it stays a link, which works only where that file is beside "
                            "the single file"]
    # a page of the deck a link opens: what it loads goes beside the file with it, and is no "unused" file
    (deck / "docs" / "page.html").write_text('<script src="page.js"></script>')
    (deck / "docs" / "page.js").write_text("1;")
    intro.write_text(intro.read_text() + "\n[The demo](docs/page.html)\n")
    out = build_single_file(deck, tmp_path / "deck.html")
    assert not any("not referenced" in warning for warning in out.warnings), out.warnings


def test_single_file_inlines_an_iframe_page_with_its_files_and_warns_of_what_comes_from_the_network(deck_copy,
                                                                                                   tmp_path):
    deck = deck_copy()
    (deck / "demo").mkdir()
    (deck / "demo" / "style.css").write_text("p { color: red; background: url(dot.svg) }\n")
    (deck / "demo" / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (deck / "demo" / "page.html").write_text('<link rel="stylesheet" href="style.css"><p>demo</p>'
                                             '<iframe src="page.html"></iframe><a href="https://example.org">x</a>'
                                             '<script src="https://cdn.example.org/lib.js"></script>')
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + '\n---\n\n## Demo\n\n<iframe src="demo/page.html"></iframe>\n'
                     '<link rel="stylesheet" href="demo/style.css">\n<video poster="https://example.org/p.jpg">'
                     '</video>\n\n[a site](https://example.org/docs)\n')
    out = build_single_file(deck, tmp_path / "deck.html")
    html = out.path.read_text("utf-8")
    page = base64.b64decode(re.search(r'<iframe src="data:text/html;base64,([^"]+)"', html).group(1)).decode()
    # relative to the page, its stylesheet and what that names; the page showing itself is not followed
    assert page.startswith("<style>\np { color: red; background: url(\"data:image/svg+xml;base64,")
    assert '<iframe src="data:text/html;base64,' in page
    assert out.warnings == [  # links to the network are fine; what is loaded from it is not
        f"{url}: loaded from the network, which a file opened offline cannot do (`talkdeck check` says where; "
        "save it in the deck and name it from there)"
        for url in ("https://cdn.example.org/lib.js", "https://example.org/p.jpg")]

def test_single_file_inlines_the_picture_of_an_svg_image_element(deck_copy, tmp_path):
    deck = deck_copy()
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + '\n---\n\n## Drawn\n\n<svg width="20" height="10">'
                     '<image href="img/square.svg" width="20"/><image xlink:href="img/square.svg"/></svg>\n')
    out = build_single_file(deck, tmp_path / "deck.html")
    html = out.path.read_text("utf-8")
    assert html.count('<image href="data:image/svg+xml;base64,') == 1
    assert html.count('<image xlink:href="data:image/svg+xml;base64,') == 1 and out.warnings == []

def _deck_with_background_lists(deck: Path) -> bytes:
    """Backgrounds that reveal.js reads as lists (split at commas), the parallax image of its options, a srcset,
    and a page of the deck in an iframe and as a background."""
    (deck / "media").mkdir()
    video = bytes(range(256)) * 8
    (deck / "media" / "clip.webm").write_bytes(video)
    (deck / "media" / "clip.mp4").write_bytes(b"mp4")
    for name, colour in (("red", "#f00"), ("blue", "#00f")):
        (deck / "img" / f"{name}.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
                                                  f'<rect width="8" height="8" fill="{colour}"/></svg>')
    intro = deck / "slides" / "01-intro.md"
    (deck / "pages").mkdir()
    (deck / "pages" / "demo.html").write_text("<p>a page of the deck</p>")
    intro.write_text(intro.read_text() + '\n---\n\n<!-- .slide: data-background-video="media/clip.webm, '
                     'media/clip.mp4" -->\n\n## Video\n\n<!-- the player needs its <script> tag -->\n\n---\n\n'
                     '<!-- .slide: '
                     'data-background-image="img/red.svg, img/blue.svg" -->\n\n## Two images\n\n'
                     '<img src="img/square.svg" srcset="img/red.svg 1x, img/blue.svg 2x" alt="sharp">\n\n'
                     '<img src="img/red.svg" srcset="data:image/svg+xml;base64,PHN2Zz4= 1x" alt="inline">\n\n---\n\n'
                     '<!-- .slide: data-background-iframe="pages/demo.html" -->\n\n## Pages\n\n'
                     '<iframe src="pages/demo.html"></iframe>\n')
    (deck / "deck.toml").write_text((deck / "deck.toml").read_text() + '\n[reveal]\n'
                                    'parallaxBackgroundImage = "img/square.svg"\n')
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "extra_head.html.j2").write_text(SCRIPT + "\n")
    return video


SCRIPT = """<!-- <script src="reveal/plugin/notes.js"></script>, commented out -->
<script>var later = '<div data-background-image="img/red.svg, img/blue.svg"></div>', opener = "<!--";</script>
<script src="reveal/plugin/search.js"></script>
<!-- search, for the questions -->"""


def test_single_file_inlines_background_lists_and_the_parallax_image(deck_copy, tmp_path):
    deck = deck_copy()
    _deck_with_background_lists(deck)
    out = build_single_file(deck, tmp_path / "deck.html")
    html = out.path.read_text("utf-8")
    # reveal.js splits these at commas, and a data: URI has one: a script in the slide makes blob: URLs
    assert html.count("talkdeck --single-file: data-background-video as blob: URLs") == 1
    assert html.count("talkdeck --single-file: data-background-image as blob: URLs") == 1
    assert 'blob("video/webm", "AAECAwQF' in html and 'blob("video/mp4", "bXA0")' in html
    assert '"parallaxBackgroundImage": "data:image/svg+xml;base64,' in html
    assert re.search(r'srcset="data:image/svg\+xml;base64,[^ ",]+ 1x, data:image/svg\+xml;base64,[^ ",]+ 2x"', html)
    assert html.count('"data:text/html;base64,') == 2  # the iframe and the background iframe
    assert 'srcset="data:image/svg+xml;base64,PHN2Zz4= 1x"' in html  # a data: URI of the slide's own, as it is
    assert SCRIPT.split("\n<script src")[0] in html  # a template's script is JavaScript: a tag in a string there
    assert 'src="reveal/plugin/search.js"' not in html and "RevealSearch" in html  # after a "<!--" in JavaScript
    assert out.warnings == []  # every file is inlined, none is left over


@pytest.mark.browser
def test_single_file_background_lists_and_parallax_show_offline(page, deck_copy, tmp_path):
    deck = deck_copy()
    video = _deck_with_background_lists(deck)
    (tmp_path / "alone").mkdir()  # no file of the deck beside it
    out = build_single_file(deck, tmp_path / "alone" / "deck.html")
    open_deck(page, out.path)
    go_to = ("title => { const slide = Reveal.getSlides().find(s => s.querySelector('h2')?.textContent === title);"
             " const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); }")
    page.evaluate(go_to, "Video")
    sources = page.evaluate("[...Reveal.getSlideBackground(Reveal.getCurrentSlide()).querySelectorAll('source')]"
                            ".map(source => source.getAttribute('src'))")
    assert [src.split(":")[0] for src in sources] == ["blob", "blob"], sources
    contents = page.evaluate("srcs => Promise.all(srcs.map(src => fetch(src).then(r => r.arrayBuffer())"
                             ".then(b => [...new Uint8Array(b)])))", sources)
    assert contents == [list(video), list(b"mp4")]
    page.evaluate(go_to, "Two images")
    images = page.evaluate("Reveal.getSlideBackground(Reveal.getCurrentSlide())"
                           ".querySelector('.slide-background-content').style.backgroundImage")
    urls = re.findall(r'url\("([^"]+)"\)', images)
    assert [url.split(":")[0] for url in urls] == ["blob", "blob"], images
    fills = page.evaluate("urls => Promise.all(urls.map(u => fetch(u).then(r => r.text())))", urls)
    assert ['fill="#f00"' in fills[0], 'fill="#00f"' in fills[1]] == [True, True]
    assert page.evaluate("urls => Promise.all(urls.map(u => { const img = new Image(); img.src = u; "
                         "return img.decode().then(() => img.naturalWidth); }))", urls) == [8, 8]
    sharp = page.evaluate("document.querySelector('img[alt=sharp]').currentSrc")
    assert sharp.startswith("data:image/svg+xml;base64,") and sharp in page.evaluate(
        "document.querySelector('img[alt=sharp]').getAttribute('srcset')")
    assert page.evaluate("document.querySelector('img[alt=sharp]').naturalWidth") > 0
    page.evaluate(go_to, "Pages")
    page.wait_for_function("Reveal.getSlideBackground(Reveal.getCurrentSlide()).querySelector('iframe[src]')")
    frames = page.evaluate("[Reveal.getSlideBackground(Reveal.getCurrentSlide()).querySelector('iframe'), "
                           "Reveal.getCurrentSlide().querySelector('iframe')].map(f => f.getAttribute('src'))")
    assert [src.split(",")[0] for src in frames] == ["data:text/html;base64"] * 2, frames
    parallax = page.evaluate("getComputedStyle(document.querySelector('.reveal .backgrounds')).backgroundImage")
    assert parallax.startswith('url("data:image/svg+xml;base64,'), parallax[:80]
    assert page.watch.errors == [] and page.watch.remote == []


@pytest.mark.browser
def test_single_file_presents_offline_with_speaker_view(page, single):
    context = page.context
    blocked: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                  else (blocked.append(route.request.url), route.abort()))
    open_deck(page, single)
    assert page.evaluate("Reveal.getTotalSlides()") == 6
    assert page.evaluate("document.querySelectorAll('pre code .hljs-keyword').length") > 0
    assert page.evaluate("[...document.images].every(img => img.complete && img.naturalWidth > 0)")
    rows = page.evaluate("[...document.querySelectorAll('#code-1 pre code')[0].querySelectorAll("
                         "'.hljs-ln-code')].map(td => td.textContent)")
    assert rows[-1] == 'x = "</script>"'
    font = page.evaluate("getComputedStyle(document.querySelector('.reveal h1')).fontFamily")
    assert "Source Sans Pro" in font and page.evaluate("document.fonts.check('1em \"Source Sans Pro\"')")

    with context.expect_page() as popup_info:
        page.keyboard.press("s")
    speaker = popup_info.value
    speaker.wait_for_function(
        "(document.querySelector('.speaker-controls-notes .value') || {}).textContent"
        "?.includes('Notes of the title slide.')", timeout=10000)
    frames = [f for f in speaker.frames if f.url.startswith(single.as_uri())]
    assert len(frames) == 2  # current and upcoming slide: the same single file, loaded again
    frames[0].wait_for_function("window.Reveal && Reveal.isReady() && Reveal.getTotalSlides() === 6")
    page.evaluate("Reveal.slide(1, 1)")
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes .value').textContent"
                              ".includes('Notes of the vertical slide.')", timeout=10000)
    assert page.watch.errors == [] and page.watch.remote == [] and page.watch.failed == []
    assert blocked == []


def test_single_file_output_must_be_html(deck_copy):
    deck = deck_copy()
    result = CliRunner().invoke(main, ["build", "--single-file", str(deck), "-o", str(deck / "deck.toml")])
    assert result.exit_code == 1 and "must end in .html" in result.output


def test_single_file_default_name(deck_copy):
    deck = deck_copy()
    result = CliRunner().invoke(main, ["build", "--single-file", str(deck)])
    assert result.exit_code == 0, result.output
    assert (deck / "fixture-deck.html").is_file() and not (deck / "dist").exists()


def test_stepped_code_is_printed_once_in_its_final_step(exported):
    """The default PDF shows the final state: the code of a stepped block once, not once per step."""
    reader, _, _ = exported["default"]
    code_page = next(page_text(reader, i) for i in range(len(reader.pages)) if "def f():" in page_text(reader, i))
    assert code_page.count("def f():") == 1
    fragments, _, _ = exported["fragments"]
    stepped = [i for i in range(len(fragments.pages)) if "def f():" in page_text(fragments, i)]
    assert len(stepped) >= 2  # with --fragments, one page per highlight step


def test_a_file_that_cannot_be_written_is_a_clear_error_without_a_traceback(tmp_path, monkeypatch):
    from talkdeck.errors import DeckError
    from talkdeck.export import write_atomically

    target = tmp_path / ("b" * 247 + ".pdf")  # as long as names go: the part file's name is shorter
    write_atomically(target, b"%PDF-1.7 first")
    assert target.read_bytes() == b"%PDF-1.7 first" and [p.name for p in tmp_path.iterdir()] == [target.name]

    def read_only(self, *args, **kwargs):  # a read-only file system (chmod has no hold on root)
        raise OSError(30, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "write_bytes", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    with pytest.raises(DeckError) as info:
        write_atomically(target, b"%PDF-1.7 second")
    assert str(info.value).endswith(".pdf: cannot write the file: Read-only file system (choose a path you may "
                                    "write to, with -o)")
    assert target.read_bytes() == b"%PDF-1.7 first"
