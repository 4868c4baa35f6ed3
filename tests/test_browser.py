"""The built deck in headless Chromium: reveal.js runs it, offline, with notes and code panes."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from conftest import open_deck

from talkdeck.cli import main

pytestmark = pytest.mark.browser


def with_slides(deck_copy, text: str):
    """A copy of the fixture deck with `text` added to its section 02-code.md (slides code-4 on), built."""
    deck = deck_copy()
    with (deck / "slides" / "02-code.md").open("a") as slides:
        slides.write(text)
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    return deck


@pytest.fixture
def built(deck_copy):
    deck = deck_copy()
    result = CliRunner().invoke(main, ["build", str(deck)])
    assert result.exit_code == 0, result.output
    return deck / "dist" / "index.html"


def test_deck_runs_offline_with_notes_and_no_console_error(page, built):
    open_deck(page, built)
    assert page.evaluate("Reveal.getTotalSlides()") == 6
    assert page.evaluate("document.querySelectorAll('aside.notes').length") == 3
    assert "Notes of the vertical slide." in page.evaluate(
        "document.querySelector('#intro-2-2 aside.notes').textContent"
    )
    assert page.evaluate("Reveal.hasPlugin('notes') && Reveal.hasPlugin('highlight')")
    config = page.evaluate("Reveal.getConfig()")
    assert (config["width"], config["height"], config["margin"]) == (1280, 720, 0)
    assert config["progress"] and config["slideNumber"] == "c/t"
    assert page.is_visible(".reveal .progress") and page.is_visible(".reveal .slide-number")
    assert page.watch.errors == [] and page.watch.remote == [] and page.watch.failed == []


def test_slide_urls_use_stable_ids_and_fragments_step(page, built):
    open_deck(page, built, "#/intro-2")
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-2"
    assert page.evaluate("Reveal.getCurrentSlide().getAttribute('data-background-color')") == "#eeeeee"
    visible = "Reveal.getCurrentSlide().querySelectorAll('.fragment.visible').length"
    assert page.evaluate(visible) == 0
    page.evaluate("Reveal.nextFragment()")
    page.evaluate("Reveal.nextFragment()")
    assert page.evaluate(visible) == 2
    page.evaluate("Reveal.nextFragment()")
    assert page.evaluate(visible) == 3
    page.evaluate("Reveal.down()")
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-2-2"


def test_overview_opens(page, built):
    open_deck(page, built)
    page.keyboard.press("Escape")
    assert page.evaluate("Reveal.isOverview()")


def test_pane_shows_file_line_numbers_and_steps_highlight_the_right_lines(page, built):
    open_deck(page, built, "#/code-2")
    numbers = page.evaluate(
        "[...Reveal.getCurrentSlide().querySelector('pre code').querySelectorAll('.hljs-ln-n')]"
        ".map(e => e.getAttribute('data-line-number'))"
    )
    assert numbers == ["4", "6", "8"]
    highlighted = """() => {
        const codes = [...Reveal.getCurrentSlide().querySelectorAll('pre code')];
        const shown = codes.filter(c => !c.classList.contains('fragment') || c.classList.contains('current-fragment'));
        const code = shown[shown.length - 1];
        return [...code.querySelectorAll('tr.highlight-line .hljs-ln-code')].map(td => td.textContent.trim());
    }"""
    assert page.evaluate(highlighted) == ["def main():"]
    page.evaluate("Reveal.nextFragment()")
    assert page.evaluate(highlighted) == ['print("<b>&</b>")']
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('figcaption').textContent") == (
        "code/sample.py · body"
    )


def test_fenced_code_escapes_and_highlights(page, built):
    open_deck(page, built, "#/code-1")
    rows = page.evaluate(
        "[...Reveal.getCurrentSlide().querySelector('pre code').querySelectorAll("
        "'.hljs-ln-code')].map(td => td.textContent)"
    )
    assert rows == ["def f():", '    return "---"', "--", 'x = "</script>"']
    assert page.watch.errors == []


def test_code_without_a_language_is_highlighted_as_highlight_js_guesses_it_and_panes_name_theirs(page, deck_copy):
    # as reveal.js's Markdown leaves it: no class, so highlight.js guesses; a pane's file names its language
    from talkdeck.panes import _BY_NAME, _BY_SUFFIX

    deck = deck_copy()
    (deck / "code" / "blink.ino").write_text("void setup() {\n  pinMode(13, OUTPUT);\n}\n")
    (deck / "slides" / "03-more.md").write_text(
        "## Guessed\n\n```\nimport os\n\ndef main():\n    return os.getcwd()\n```\n\n---\n\n"
        "## Arduino\n\n<<< code/blink.ino\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    open_deck(page, deck / "dist" / "index.html", "#/more-1")
    code = "Reveal.getCurrentSlide().querySelector('pre code')"
    assert page.evaluate(f"{code}.className.startsWith('hljs language-')")  # guessed in the page (reveal.js's
    assert page.evaluate(f"{code}.querySelectorAll('.hljs-keyword').length") >= 2  # guess may name another one)
    page.evaluate("Reveal.slide(Reveal.getIndices().h + 1)")
    assert page.evaluate(f"{code}.classList.contains('language-arduino')")
    assert page.evaluate(f"{code}.querySelectorAll('.hljs-type, .hljs-built_in, .hljs-keyword').length") >= 1
    # every language a pane's file may name is one reveal.js's highlight.js knows
    unknown = page.evaluate("names => names.filter(n => !Reveal.getPlugin('highlight').hljs.getLanguage(n))",
                            sorted({*_BY_SUFFIX.values(), *_BY_NAME.values()}))
    assert unknown == []
    assert page.watch.errors == []


@pytest.fixture
def http_server(built):
    """The built deck over real HTTP on 127.0.0.1, stopped at the end of the test."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built.parent))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_over_http_with_a_working_speaker_view(page, http_server):
    page.goto(http_server + "#/intro-2-2")
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    with page.context.expect_page() as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.wait_for_function(
        "document.querySelector('.speaker-controls-notes .value') && "
        "document.querySelector('.speaker-controls-notes .value').textContent.length > 0",
        timeout=10000,
    )
    notes = popup.evaluate("document.querySelector('.speaker-controls-notes .value').textContent")
    assert "Notes of the vertical slide." in notes
    assert popup.evaluate("!!document.querySelector('.speaker-controls-time')")
    # Pacing: the third slide of a 2-minute section of three has 2:00 to its end (40 s a slide).
    popup.wait_for_function("getComputedStyle(document.querySelector('.speaker-controls-time .pacing'))"
                            ".display !== 'none'", timeout=10000)
    pacing = popup.evaluate("document.querySelector('.speaker-controls-time .pacing').textContent")
    assert re.fullmatch(r"00:0(2:00|1:5\d)", pacing.strip()), pacing
    assert page.watch.errors == [] and page.watch.remote == [] and page.watch.failed == []


# In the speaker view's upcoming-slide preview only (its address has controls=false), reveal.js starts 1.5 s late
LATE_UPCOMING_PREVIEW = """
if (location.search.includes('controls=false')) {
  let reveal;
  Object.defineProperty(window, 'Reveal', {configurable: true, get() { return reveal; }, set(value) {
    const initialize = value.initialize;
    value.initialize = (config) => new Promise((done) => setTimeout(done, 1500)).then(() => initialize(config));
    reveal = value;
  }});
}
"""


def test_the_speaker_view_s_upcoming_preview_shows_the_next_slide_also_when_it_loads_late(page, http_server):
    page.context.add_init_script(LATE_UPCOMING_PREVIEW)
    page.goto(http_server + "#/intro-2-2")
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    with page.context.expect_page() as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value
    preview = "document.querySelector('#{}-slide iframe')?.contentWindow"
    current, upcoming = preview.format("current"), preview.format("upcoming")
    popup.wait_for_function(f"{current}?.Reveal?.isReady?.() && {upcoming}?.Reveal?.isReady?.()", timeout=10000)
    # the speaker view's state arrives within its 200 ms debounce of the late preview's ready
    popup.wait_for_function(f"{upcoming}.Reveal.getCurrentSlide().id === 'code-1'", timeout=3000)
    assert popup.evaluate(f"{current}.Reveal.getCurrentSlide().id") == "intro-2-2"
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-2-2"
    assert page.watch.errors == [] and page.watch.remote == [] and page.watch.failed == []


@pytest.mark.parametrize("over", ["file", "http"])
def test_opening_the_speaker_view_keeps_the_fragments_shown_and_it_steers_the_deck(page, built, http_server, over):
    if over == "file":
        open_deck(page, built, "#/intro-2/1")
    else:
        page.goto(http_server + "#/intro-2/1")
        page.wait_for_function("window.Reveal && Reveal.isReady()")
    place = "[Reveal.getCurrentSlide().id, Reveal.getIndices().f]"
    assert page.evaluate(place) == ["intro-2", 1]  # the second of three fragments shown
    with page.context.expect_page() as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value

    def preview(upcoming: bool):  # from disk, the previews are other origins: asked through their own frames
        for _ in range(200):
            frames = [f for f in popup.frames[1:] if ("controls=false" in f.url) == upcoming]
            if frames and frames[0].evaluate("!!(window.Reveal && Reveal.isReady())"):
                return frames[0]
            popup.wait_for_timeout(50)
        raise AssertionError(f"no {'upcoming' if upcoming else 'current'} slide preview within 10 s")

    current = preview(upcoming=False)
    current.wait_for_function(f"JSON.stringify({place}) === '[\"intro-2\",1]'", timeout=10000)
    popup.wait_for_timeout(1000)  # the speaker view's own moves reach the deck within 0.5 s
    assert page.evaluate(place) == ["intro-2", 1]
    preview(upcoming=True).wait_for_function(f"JSON.stringify({place}) === '[\"intro-2\",2]'", timeout=10000)
    popup.keyboard.press("ArrowRight")  # the speaker steps on from the speaker view: the deck follows
    page.wait_for_function(f"JSON.stringify({place}) === '[\"intro-2\",2]'", timeout=10000)
    assert page.watch.errors == [] and page.watch.remote == [] and page.watch.failed == []


def test_vertical_slides_sit_in_the_frame_like_horizontal_ones(page, built):
    page.add_init_script("window.TALKDECK_OVERRIDES = {transition: 'none'}")
    open_deck(page, built, "#/intro-2-2")
    box = page.evaluate(
        "(() => { const r = Reveal.getCurrentSlide().getBoundingClientRect(); return [r.left, r.width]; })()"
    )
    first = page.evaluate(
        "(() => { Reveal.slide(0); const r = Reveal.getCurrentSlide().getBoundingClientRect(); "
        "return [r.left, r.width]; })()"
    )
    assert box == first


def test_fitted_text_fills_the_slide_between_its_paddings_and_no_further(page, deck_copy):
    deck = with_slides(deck_copy,
                       '\n---\n\n<h2 class="r-fit-text">Nobody had a smartphone?</h2>\n\nNote: raw\n'
                       '\n---\n\n## Everyone had one.\n<!-- .element: class="r-fit-text" -->\n\nNote: Markdown\n')
    page.add_init_script("window.TALKDECK_OVERRIDES = {transition: 'none'}")
    measure = """() => { const s = Reveal.getCurrentSlide(), t = s.querySelector('.r-fit-text');
        const text = document.createRange(); text.selectNodeContents(t);
        const a = s.getBoundingClientRect(), b = text.getBoundingClientRect(), k = Reveal.getScale();
        return [(b.left - a.left) / k, (a.right - b.right) / k, b.width / k, parseFloat(t.style.fontSize)]; }"""
    for slide in ("code-4", "code-5"):
        open_deck(page, deck / "dist" / "index.html", f"#/{slide}")
        page.wait_for_function("document.querySelector('.present .r-fit-text').style.fontSize !== ''")
        left, right, width, size = page.evaluate(measure)
        assert left >= 55 and right >= 55, (slide, left, right)  # inside the slide's side paddings (56 px)
        assert width > 900 and size > 60, (slide, left, right, width, size)  # and it is fitted, large
    assert page.watch.errors == []


def test_a_template_script_may_use_reveal_js_at_once_also_with_fitted_text(page, deck_copy):
    # the fitted text is fitted again when the fonts are in, not by starting reveal.js later than the page's scripts
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "deck.html.j2").write_text(
        '{% extends "talkdeck/deck.html.j2" %}{% block scripts %}{{ super() }}<script>'
        "Reveal.addKeyBinding({keyCode: 84, key: 'T', description: 'a key of the deck'}, function () {});"
        "</script>{% endblock %}\n")
    deck = with_slides(lambda: deck, '\n---\n\n<h2 class="r-fit-text">Big</h2>\n\nNote: fitted\n')
    open_deck(page, deck / "dist" / "index.html", "#/code-4")
    assert page.watch.errors == []  # not "Reveal.addKeyBinding is not a function"

def test_code_indented_four_spaces_looks_like_fenced_code(page, deck_copy):
    deck = with_slides(deck_copy,
                       "\n---\n\n## Both\n\n```python\nx = 1\n```\n\nIndented:\n\n    y = 2\n\nNote: two kinds\n")
    open_deck(page, deck / "dist" / "index.html", "#/code-4")
    looks = page.evaluate("""() => [...Reveal.getCurrentSlide().querySelectorAll('pre')].map(p => {
        const c = getComputedStyle(p); return [c.width, c.fontSize, c.boxShadow]; })""")
    assert len(looks) == 2 and looks[0] == looks[1], looks


def test_code_with_line_numbers_is_as_large_as_code_without(page, deck_copy):
    # highlight.js draws numbered lines in a table: a rule for the slides' tables must not shrink them
    deck = with_slides(deck_copy, "\n---\n\n## Sizes\n\n```python\nx = 1\n```\n\n```python [1]\ny = 2\n```\n\n"
                                  "| a |\n|---|\n| b |\n\nNote: two kinds\n")
    open_deck(page, deck / "dist" / "index.html", "#/code-4")
    sizes = page.evaluate("""() => { const s = Reveal.getCurrentSlide(); const px = e => getComputedStyle(e).fontSize;
        return [[...s.querySelectorAll('pre code')].map(c => px(c.querySelector('td.hljs-ln-code') || c)),
                px(s.querySelector('pre')), px(s.querySelector(':scope > table'))]; }""")
    (plain, numbered), pre, table = sizes
    assert plain == numbered == pre and table != pre, sizes
    # a deck's own rule for its tables still wins over talkdeck's, as a later rule of the same weight does
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "extra_head.html.j2").write_text("<style>.reveal table { font-size: 20px; }</style>\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    page.goto("about:blank")  # the same address again would not load the page anew
    open_deck(page, deck / "dist" / "index.html", "#/code-4")
    assert page.evaluate("getComputedStyle(Reveal.getCurrentSlide().querySelector(':scope > table')).fontSize") \
        == "20px"


def test_what_steps_in_the_speaker_notes_adds_no_step_to_the_slide(page, deck_copy):
    # reveal.js counts fragments and code steps in the notes as the slide's: the audience would wait for nothing
    deck = with_slides(deck_copy,
                       "\n---\n\n## Quiet\n\nOne point.\n\nNote:\nSay it. {.fragment}\n\n- a point {.fragment}\n\n"
                       "```python [1|2]\na = 1\nb = 2\n```\n")
    open_deck(page, deck / "dist" / "index.html", "#/code-4")
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('aside.notes').textContent").count("a = 1") == 1
    assert page.evaluate("Reveal.availableFragments()") == {"prev": False, "next": False}
    assert page.evaluate("Reveal.getCurrentSlide().querySelectorAll('.fragment').length") == 0
    assert page.watch.errors == []

def test_raw_html_a_slide_leaves_open_or_closes_too_often_stays_on_that_slide(page, deck_copy):
    deck = with_slides(deck_copy, "\n---\n\n## Stray\n\ntext\n\n</div>\n\nNote: a stray end tag\n"
                                  "\n---\n\n<section>\n\n## Open\n\n<script>\nvar unclosed = 1;\n\nNote: left open\n"
                                  "\n---\n\n## Last\n\nNote: still in the deck\n")
    open_deck(page, deck / "dist" / "index.html", "#/code-6")
    assert page.evaluate("Reveal.getTotalSlides()") == 9
    assert page.evaluate("Reveal.getCurrentSlide().id") == "code-6"
    assert page.evaluate("document.querySelectorAll('.reveal .slides > section').length") == 8
    assert page.watch.errors == []


def test_a_long_pane_scrolls_on_screen_and_is_never_clipped_in_print(page, deck_copy):
    deck = deck_copy()
    (deck / "code" / "long.py").write_text("".join(f"value_{n} = {n}\n" for n in range(1, 41)))
    with (deck / "slides" / "02-code.md").open("a") as slides:
        slides.write("\n---\n\n## Long\n\n<<< code/long.py\n\nNote: forty lines\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    index = deck / "dist" / "index.html"
    measure = """() => { const c = document.querySelector('#code-4 pre code');
        return [c.scrollHeight, c.clientHeight, c.querySelectorAll('.hljs-ln-code').length]; }"""
    open_deck(page, index, "#/code-4")
    scroll, client, rows = page.evaluate(measure)
    assert rows == 40 and scroll > client  # on screen: a smaller font, and the rest scrolls
    page.goto(index.resolve().as_uri() + "?print-pdf")
    page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
    scroll, client, rows = page.evaluate(measure)
    assert rows == 40 and scroll <= client + 1  # in print: every line shows
    assert page.watch.errors == []


def test_printed_from_the_browser_a_long_or_wide_pane_loses_no_line(page, deck_copy):
    import pypdf
    deck = deck_copy()
    (deck / "code" / "long.py").write_text("".join(f"value_{n:03d} = {n}\n" for n in range(1, 121)))
    wide = "print('" + " ".join(f"word{n:02d}" for n in range(1, 41)) + "')  # LINE_END\n"
    (deck / "code" / "wide.py").write_text(wide)
    with (deck / "slides" / "02-code.md").open("a") as slides:
        slides.write("\n---\n\n## Long\n\n<<< code/long.py\n\n---\n\n## Wide\n\n<<< code/wide.py\n")
    assert CliRunner().invoke(main, ["build", str(deck)]).exit_code == 0
    page.goto((deck / "dist" / "index.html").resolve().as_uri() + "?print-pdf")
    page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
    page.evaluate("document.fonts.ready")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages)
    assert all(f"value_{n:03d}" in text for n in range(1, 121))  # the long slide goes on over more pages
    assert "LINE_END" in text.replace(" ", "").replace("\n", "")  # the wide line wraps
    assert page.watch.errors == []
