"""`talkdeck check`: one fixture deck per finding (tests/fixtures/check/NAME), found at its source line.

The fixtures are otherwise clean: each test asserts the one finding its deck was made for, and nothing else.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import chromium_path

from talkdeck.builder import Builder
from talkdeck.check import Finding, Sources, locate_request, run_check, scan_page, viewport
from talkdeck.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "check"

# fixture -> (kind, level, file, line, words the message must contain)
EXPECTED = {
    "overflow-text": ("overflow", "error", "slides/01-text.md", 9,
                      ["slide 2 (#text-2) overflows the slide by", "px at the bottom", "Point number 20"]),
    "overflow-code": ("code-width", "error", "slides/01-code.md", 13,
                      ["slide 2 (#code-2): code is", "line 2 of the code block", "this line is very long"]),
    "overflow-fragment": ("overflow", "error", "slides/01-fragment.md", 9,
                          ["slide 2 (#fragment-2) overflows", "at the bottom once fragment 1 of 1 is shown",
                           "A block that only appears later"]),
    "missing-image": ("missing", "error", "slides/01-image.md", 11, ["img/missing.png does not exist"]),
    "remote-script": ("network", "error", "slides/01-script.md", 11,
                      ["<script src> https://cdn.example.com/chart.js would be loaded from the network"]),
    "broken-anchor": ("link", "error", "slides/01-links.md", 12,
                      ["link #/link-9 names no slide", "did you mean 'links-2'?"]),
    "missing-alt": ("alt", "warning", "slides/01-image.md", 11, ["image img/box.svg has no alt text"]),
    "missing-notes": ("notes", "warning", "slides/01-notes.md", 17,
                      ["slide 3 (#notes-3) has no speaker notes"]),
    "minutes-over": ("minutes", "warning", "deck.toml", 2, ["add up to 8, 3 over the talk's 5"]),
}
BROWSER_ONLY = {"overflow-text", "overflow-code", "overflow-fragment"}


def assert_only(findings: list[Finding], kind: str, level: str, file: str, line: int,
                words: list[str]) -> Finding:
    assert len(findings) == 1, [f.format() for f in findings]
    finding = findings[0]
    assert (finding.kind, finding.level, finding.file, finding.line) == (kind, level, file, line), finding
    for word in words:
        assert word in finding.message, (word, finding.message)
    return finding


def pixels(message: str) -> int:
    return int(re.search(r"by (\d+) px", message).group(1))


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def add_slide(deck: Path, text: str) -> None:
    (deck / "slides" / "09-extra.md").write_text(f"+++\nminutes = 0\n+++\n\n{text}\n\nNote: Extra notes.\n")


def test_a_missing_file_a_template_names_is_found_in_the_template_though_a_slide_mentions_it(tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "extra_head.html.j2").write_text('<meta name=x>\n<link rel="icon" href="img/x.png">\n')
    add_slide(deck, "## Logo\n\nSave the logo as `img/x.png`.\n\n<!-- ![old](img/x.png) -->")
    findings = run_check(deck, use_browser=False).findings
    assert [(f.file, f.line, f.message) for f in findings] == [
        ("templates/extra_head.html.j2", 2, "the page: <link href> img/x.png does not exist (save the file there, "
                                                 "or correct the path)")]


def test_an_id_given_on_a_slide_that_a_slide_or_an_element_has_already_is_found(tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Lead\n\nSee the part {#intro-1}\n\n<div data-id="box">moves</div>\n\n````markdown\n'
                    '```html\n<div id="box">shown as code</div>\n```\n````\n\nWrite `<p id="box">` and\n\n'
                    '<!-- <div id="box">old</div> -->\n\n<div id="box">one</div>\n\nThe box:\n\nTwo {#box}')
    findings = run_check(deck, use_browser=False).findings
    assert [(f.kind, f.level, f.file, f.line, f.slide) for f in findings] == [
        ("id", "error", "slides/09-extra.md", 7, 6), ("id", "warning", "slides/09-extra.md", 25, 6)], findings
    assert findings[0].message == ("slide 6 (#extra-1): the id intro-1 is also the id of slide 1 (#intro-1), so "
                                   "#/intro-1 may open this one (give it another id)")
    assert "the id box is also on slide 6 (#extra-1): a link to #box opens the first one" in findings[1].message


def test_with_json_output_a_check_that_cannot_run_says_so_in_json(tmp_path, monkeypatch):
    monkeypatch.setenv("TALKDECK_CHROMIUM", str(tmp_path / "no-chromium"))
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "clean"), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output) == [{
        "file": None, "line": None, "level": "error", "kind": "setup", "slide": None,
        "message": f"TALKDECK_CHROMIUM names no file: {tmp_path / 'no-chromium'} (fix or unset the variable)"}]


def test_a_request_is_the_one_a_slide_writes_when_it_only_adds_to_its_query(tmp_path):
    # reveal.js asks for a YouTube embed with ?enablejsapi=1 added; another query is another request
    from talkdeck.builder import Builder

    deck = copy("clean", tmp_path)
    add_slide(deck, "## Chart\n\nFrom https://api.example.com/chart?city=paris")
    sources = Sources(Builder(deck).load())
    written = {"https://api.example.com/chart?city=paris": ("https://api.example.com/chart?city=paris", "extra-1")}
    assert locate_request("https://api.example.com/chart?city=paris&embed=1", sources, written)[:2] == (
        "https://api.example.com/chart?city=paris", "extra-1")
    for other in ("https://api.example.com/chart?city=berlin", "https://api.example.com/chart?city=parisian"):
        assert locate_request(other, sources, written)[0] == other


# -- in a real browser ---------------------------------------------------------------------------------------
@pytest.mark.browser
def test_a_clean_deck_gives_no_finding(browser):
    report = run_check(FIXTURES / "clean", browser=browser)
    assert report.findings == []
    assert report.slides == 5
    assert not report.failed(strict=True)
    assert report.text() == "0 errors, 0 warnings"


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_gives_its_one_finding_at_its_line(browser, name):
    report = run_check(FIXTURES / name, browser=browser)
    assert_only(report.findings, *EXPECTED[name])


@pytest.mark.browser
def test_a_script_error_is_found_at_the_line_of_the_slide_or_template_that_has_the_script(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, "## Chart\n\n<script>\nvar ready = true;\ndrawChart(ready);\n</script>")
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "extra_head.html.j2").write_text("<meta name=x>\n<script>trackVisit();</script>\n")
    findings = sorted(run_check(deck, browser=browser).findings, key=lambda f: f.file)
    assert [(f.kind, f.file, f.line, f.slide) for f in findings] == [
        ("script", "slides/09-extra.md", 9, 6), ("script", "templates/extra_head.html.j2", 2, None)], findings
    assert findings[0].message == "slide 6 (#extra-1): its script raised a JavaScript error: drawChart is not defined"
    assert findings[1].message == "the page raised a JavaScript error: trackVisit is not defined"


@pytest.mark.browser
def test_a_youtube_iframe_is_one_finding_at_its_slide(browser, tmp_path):
    # reveal.js asks for it with ?enablejsapi=1 added: a request the slide's source does not write as such
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Video\n\n<iframe src="https://www.youtube.com/embed/abc123" width="560"></iframe>')
    assert_only(run_check(deck, browser=browser).findings, "network", "error", "slides/09-extra.md", 7,
                ["<iframe src> https://www.youtube.com/embed/abc123 would be loaded from the network"])


@pytest.mark.browser
def test_overflow_says_by_how_much(browser):
    # 520 px block + 200 px fragment + the heading and the slide's 24 px padding: about 125 px too tall.
    fragment = run_check(FIXTURES / "overflow-fragment", browser=browser).findings[0]
    assert 110 <= pixels(fragment.message) <= 140
    # Twenty list items of about 56 px each cannot fit 720 px: several hundred pixels.
    text = run_check(FIXTURES / "overflow-text", browser=browser).findings[0]
    assert 300 <= pixels(text.message) <= 700
    assert text.slide == 2


@pytest.mark.browser
def test_overflow_is_measured_in_slide_pixels_whatever_the_margin(browser, tmp_path):
    deck = copy("overflow-fragment", tmp_path)
    toml = deck / "deck.toml"
    toml.write_text(toml.read_text() + "margin = 0.1\n")
    assert viewport(1280, 720, 0.1) == {"width": 1423, "height": 800}
    finding = assert_only(run_check(deck, browser=browser).findings, *EXPECTED["overflow-fragment"])
    assert 110 <= pixels(finding.message) <= 140


@pytest.mark.browser
def test_content_wider_than_the_slide_is_an_overflow_on_the_right(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Wide\n\n<div style="width: 1500px">A box wider than the slide</div>')
    finding = assert_only(run_check(deck, browser=browser).findings, "overflow", "error",
                          "slides/09-extra.md", 5, ["slide 6 (#extra-1) overflows", "on the right"])
    # 56 px of padding + 1500 px box - 1280 px frame
    assert 270 <= pixels(finding.message) <= 280


@pytest.mark.browser
def test_content_in_the_slide_s_padding_is_a_margin_warning_as_the_pdf_export_would_shrink_it(browser, tmp_path):
    deck = copy("clean", tmp_path)
    # heading + a 580 px box: taller than the 672 px inside the 24 px padding, within the 720 px frame
    add_slide(deck, '## Tall\n\n<div style="height: 580px">A tall box</div>')
    finding = assert_only(run_check(deck, browser=browser).findings, "margin", "warning", "slides/09-extra.md", 5,
                          ["slide 6 (#extra-1) reaches into its margin by", "px at the bottom", "A tall box",
                           "the PDF export shrinks the slide"])
    assert 3 <= pixels(finding.message) <= 20
    # The claim holds: the PDF export (in its own process: this one already drives Chromium) shrinks it.
    pdf = subprocess.run([sys.executable, "-m", "talkdeck", "pdf", str(deck), "-o", str(tmp_path / "deck.pdf"),
                          "--browser", chromium_path()], capture_output=True, text=True)
    assert pdf.returncode == 0, pdf.stderr
    assert "slides/09-extra.md:5: slide #extra-1 is" in pdf.stderr and "shrunk to" in pdf.stderr


@pytest.mark.browser
def test_content_in_the_side_padding_is_a_margin_warning_without_the_pdf(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Wide\n\n<div style="width: 1200px">A wide box</div>')
    finding = assert_only(run_check(deck, browser=browser).findings, "margin", "warning", "slides/09-extra.md", 5,
                          ["slide 6 (#extra-1) reaches into its margin by 32 px on the right", "A wide box"])
    assert "PDF" not in finding.message


@pytest.mark.browser
def test_fitted_text_fills_its_slide_without_a_margin_warning(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '<h2 class="r-fit-text">Nobody had a smartphone?</h2>')
    assert run_check(deck, browser=browser).findings == []


@pytest.mark.browser
def test_headings_at_the_top_of_uncentred_slides_are_not_in_the_margin(browser, tmp_path):
    # A text's box is its font's height, taller than its line: it pokes a few px above a heading at the top.
    deck = copy("clean", tmp_path)
    toml = deck / "deck.toml"
    toml.write_text(toml.read_text() + "\n[reveal]\ncenter = false\n")
    assert run_check(deck, browser=browser).findings == []


@pytest.mark.browser
def test_a_remote_picture_source_is_one_network_error_not_also_a_broken_image(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Picture\n\n<picture><source srcset="https://example.com/a.webp">'
                    '<img src="img/box.svg" alt="Box"></picture>')
    assert_only(run_check(deck, browser=browser).findings, "network", "error", "slides/09-extra.md", 7,
                ["<source srcset> https://example.com/a.webp would be loaded from the network"])


@pytest.mark.browser
def test_a_pane_line_wider_than_the_pane_names_the_file_line(browser, tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "code" / "wide.py").write_text("def main():\n    print('" + "far too long " * 12 + "')\n")
    add_slide(deck, "## Wide pane\n\n<<< code/wide.py python")
    assert_only(run_check(deck, browser=browser).findings, "code-width", "error", "slides/09-extra.md", 7,
                ["slide 6 (#extra-1): code is", "line 2 of code/wide.py is", "far too long"])


@pytest.mark.browser
def test_code_taller_than_its_pane_is_a_warning(browser, tmp_path):
    deck = copy("clean", tmp_path)
    body = "\n".join(f"value_{i} = {i}" for i in range(60))
    add_slide(deck, f"## Tall\n\n```python\n{body}\n```")
    assert_only(run_check(deck, browser=browser).findings, "code-height", "warning", "slides/09-extra.md", 8,
                ["slide 6 (#extra-1): a code block scrolls:", "of its 60 lines are hidden"])


@pytest.mark.browser
def test_a_request_only_a_script_makes_is_caught_by_routing(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Tracker\n\n<script>new Image().src = "https://pixel.example.org/p.gif";</script>')
    finding = assert_only(run_check(deck, browser=browser).findings, "network", "error",
                          "slides/09-extra.md", 7,
                          ["slide 6 (#extra-1): the page requested https://pixel.example.org/p.gif"])
    assert finding.slide == 6


# A media file and a script's request for a URL without slashes, then without a scheme: each is one network
# finding at its line. From disk, Chromium asks //example.org/bg.png of file://example.org/bg.png, which fails:
# not also a missing file.
ODD_REMOTE_URLS = {
    "without slashes": (
        '<video src="http:media.example.org/clip.mp4" muted></video>\n\n'
        '<script>new Image().src = "https:pixel.example.org/p.gif";</script>',
        ["http:media.example.org/clip.mp4 would be loaded from the network",
         "requested https://pixel.example.org/p.gif"]),
    "without a scheme": (
        '<div style="background: url(//example.org/bg.png)">x</div>\n\n'
        '<script>new Image().src = "//pixel.example.org/p.gif";</script>',
        ["CSS url() //example.org/bg.png would be loaded from the network",
         "requested //pixel.example.org/p.gif from the network"]),
}


@pytest.mark.browser
@pytest.mark.parametrize(("html", "messages"), ODD_REMOTE_URLS.values(), ids=ODD_REMOTE_URLS.keys())
def test_a_remote_url_written_oddly_is_one_network_finding_at_its_line(browser, tmp_path, html, messages):
    deck = copy("clean", tmp_path)
    add_slide(deck, f"## Odd\n\n{html}")
    findings = run_check(deck, browser=browser).findings
    assert sorted((f.kind, f.file, f.line) for f in findings) == [
        ("network", "slides/09-extra.md", 7), ("network", "slides/09-extra.md", 9)], [f.format() for f in findings]
    for message in messages:
        assert any(message in f.message for f in findings), (message, [f.format() for f in findings])


@pytest.mark.browser
def test_a_long_url_breaks_instead_of_running_off_the_slide(browser, tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, f"## Long\n\nSee https://docs.example.org/{'a' * 150} and {'x' * 120}.\n\nNote: A long link.")
    assert [f.format() for f in run_check(deck, browser=browser).findings] == []


@pytest.mark.browser
def test_a_remote_url_the_browser_rewrites_is_one_finding_at_its_line(browser, tmp_path):
    # Chromium requests https://cdn.example.org/x.js, /y.js and /z.js, https://frame.example.org/ and
    # https://media.example.org/clip.mp4: each request is the finding of the URL as written, at its line
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Remote\n\n<script src="https:cdn.example.org/x.js"></script>\n\n'
                    '<script src="HTTPS:CDN.Example.org/y.js"></script>\n\n'
                    '<script src="https:\\\\cdn.example.org\\z.js"></script>\n\n'
                    '<iframe src="https://frame.example.org"></iframe>\n\n'
                    '<video src="https://media.example.org/clip.mp4#t=5" muted></video>')
    findings = run_check(deck, browser=browser).findings
    assert sorted((f.kind, f.file, f.line) for f in findings) == [
        ("network", "slides/09-extra.md", line) for line in (7, 9, 11, 13, 15)], [f.format() for f in findings]
    assert all("would be loaded from the network" in f.message for f in findings)


@pytest.mark.browser
def test_a_websocket_a_script_opens_is_caught_and_never_connects(browser, tmp_path):
    import socket

    with socket.socket() as listener:  # a server the page would reach, were it let through
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        url = f"ws://127.0.0.1:{listener.getsockname()[1]}/live"
        deck = copy("clean", tmp_path)
        add_slide(deck, f'## Live\n\n<script>new WebSocket("{url}");</script>')
        assert_only(run_check(deck, browser=browser).findings, "network", "error", "slides/09-extra.md", 7,
                    [f"the page requested {url}"])
        with pytest.raises(TimeoutError):
            listener.accept()


@pytest.mark.browser
def test_a_broken_image_file_as_a_background_or_in_a_style(browser, tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "img" / "photo.jpg").write_text("<html>404</html>")  # what a download that went wrong leaves
    add_slide(deck, '<!-- .slide: data-background-image="img/photo.jpg" -->\n\n## Team\n\nNote: n\n\n---\n\n'
                    '## Styled\n\n<div style="background: url(img/photo.jpg); height: 9em"></div>')
    findings = run_check(deck, browser=browser).findings
    assert [(f.kind, f.file, f.line) for f in findings] == [("image", "slides/09-extra.md", 5),
                                                          ("image", "slides/09-extra.md", 15)], findings
    assert all("image img/photo.jpg exists but the browser cannot show it" in f.message for f in findings)

@pytest.mark.browser
def test_a_file_a_page_in_an_iframe_cannot_load_is_found_at_the_iframe(browser, tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "demo").mkdir()
    (deck / "demo" / "page.html").write_text('<p>demo</p><img src="gone.png" alt=""><iframe src="inner.html">'
                                             '</iframe><script src="https://cdn.example.com/x.js"></script>')
    (deck / "demo" / "inner.html").write_text('<img src="lost.png" alt="">')  # a page the page shows
    add_slide(deck, '## Demo\n\n<iframe src="demo/page.html"></iframe>')
    findings = sorted(run_check(deck, browser=browser).findings, key=lambda f: f.message)
    assert [(f.file, f.line, f.message) for f in findings] == [
        ("slides/09-extra.md", 7, "slide 6 (#extra-1): demo/gone.png, which demo/page.html asks for, could not be "
                                  "loaded: no such file in the built deck"),
        ("slides/09-extra.md", 7, "slide 6 (#extra-1): demo/lost.png, which demo/inner.html, shown by "
                                  "demo/page.html, asks for, could not be loaded: no such file in the built deck"),
        ("slides/09-extra.md", 7, "slide 6 (#extra-1): demo/page.html requested https://cdn.example.com/x.js from "
                                  "the network (a deck must work offline)")]

@pytest.mark.browser
def test_a_background_iframe_that_reveal_unloads_on_the_next_slide_is_no_missing_file(browser, tmp_path):
    # reveal.js drops a slide's background iframe when the walk moves on: Chromium reports its load as aborted
    deck = copy("clean", tmp_path)
    (deck / "media").mkdir()
    (deck / "media" / "page.html").write_text("<p>a page behind the slide</p>")
    add_slide(deck, '<!-- .slide: data-background-iframe="media/page.html" -->\n## Behind\n\nNote: n\n\n---\n\n'
                    "## After")
    assert [f.format() for f in run_check(deck, browser=browser).findings] == []


@pytest.mark.browser
def test_a_script_error_and_a_broken_image_file(browser, tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "img" / "box.svg").write_text("this is not an SVG")
    add_slide(deck, "## Broken\n\n<script>throw new Error('boom on stage')</script>")
    findings = sorted(run_check(deck, browser=browser).findings, key=lambda f: f.kind)
    assert [(f.kind, f.file, f.line) for f in findings] == [("image", "slides/01-intro.md", 27),
                                                          ("script", "slides/09-extra.md", 7)]
    assert "image img/box.svg exists but the browser cannot show it" in findings[0].message
    assert "boom on stage" in findings[1].message


@pytest.mark.browser
def test_a_page_template_without_reveal_is_named_at_once(browser, tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "deck.html.j2").write_text("<!doctype html><title>{{ config.title }}</title>\n")
    report = run_check(deck, browser=browser)
    # said once the page has loaded; after the wait for reveal.js to start, the finding would say it did not
    finding = [f for f in report.findings if f.kind == "script"]
    assert [(f.file, f.line, f.level) for f in finding] == [("templates/deck.html.j2", 0, "error")]
    assert "does not load reveal.js" in finding[0].message and "Reveal.initialize" in finding[0].message


@pytest.mark.browser
def test_a_page_template_that_never_starts_reveal_is_named(browser, tmp_path, monkeypatch):
    import talkdeck.check

    monkeypatch.setattr(talkdeck.check, "LOAD_TIMEOUT_MS", 2000)
    deck = copy("clean", tmp_path)
    (deck / "templates").mkdir(exist_ok=True)
    (deck / "templates" / "deck.html.j2").write_text('<!doctype html><script src="reveal/reveal.js"></script>\n')
    finding = [f for f in run_check(deck, browser=browser).findings if f.kind == "script"]
    assert [(f.file, f.line) for f in finding] == [("templates/deck.html.j2", 0)]
    assert "reveal.js did not start within 2 s" in finding[0].message
    assert "does this template call Reveal.initialize" in finding[0].message


# -- without a browser: the built files and the talk ---------------------------------------------------------
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - BROWSER_ONLY))
def test_the_static_checks_find_the_same_without_a_browser(name):
    assert_only(run_check(FIXTURES / name, use_browser=False).findings, *EXPECTED[name])


def test_sections_half_a_minute_over_the_talk_are_over_and_exactly_its_minutes_are_not(tmp_path):
    deck = copy("minutes-over", tmp_path)
    part = deck / "slides" / "01-part.md"
    part.write_text(part.read_text().replace("minutes = 4", "minutes = 1.5"))  # 1.5 + 4 = 5.5 against 5
    assert_only(run_check(deck, use_browser=False).findings, "minutes", "warning", "deck.toml", 2,
                ["the sections' minutes add up to 5.5, 0.5 over the talk's 5"])
    part.write_text(part.read_text().replace("minutes = 1.5", "minutes = 1"))  # exactly 5
    assert run_check(deck, use_browser=False).findings == []


def test_a_link_to_a_slide_id_without_its_section_s_prefix_suggests_the_id(tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "slides" / "05-example-django.md").write_text("+++\nminutes = 0\n+++\n\n## Django\n\nNote: n\n")
    add_slide(deck, "## Links\n\n[the Django slide](#/django-1)")
    messages = [f.message for f in run_check(deck, use_browser=False).findings]
    assert any("link #/django-1 names no slide (did you mean 'example-django-1'?" in m for m in messages), messages


def test_links_and_anchors(tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "notes.txt").write_text("a file of the deck: a link to it copies it into the build")
    (deck / "img" / "grid.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    add_slide(deck, "\n".join([
        "## Links", "",
        "- [by index](#/1/1) [past the end](#/9)",  # line 7
        "- [to an element](#box-id) [to nothing](#nowhere)",  # line 8
        '- <span id="box-id">target</span> [a file of the deck](notes.txt)',  # line 9
        "- [remote links are fine](https://docs.example.org/) [mail](mailto:a@example.org)",
        "",
        "<style>.grid { background: url(img/grid.svg); }</style>",  # line 12: a file talkdeck does not read
    ]))
    findings = run_check(deck, use_browser=False).findings
    got = sorted((f.line, f.kind, f.message.split(": ", 1)[1]) for f in findings)
    assert got == [
        (7, "link", "link #/9 points past the last slide (there are 5 horizontal slides shown, counted from 0)"),
        (8, "link", "link #nowhere names no element of the deck"),
        (12, "missing", "CSS url() img/grid.svg is in the deck folder but not in the built deck (talkdeck copies "
                        "the files that slides name in Markdown and in HTML attributes, not those a <style> "
                        'block or a script names: name it in an attribute, such as style="...url(...)", or a '
                        "link)"),
    ]


def test_sections_that_share_a_number_are_a_warning(tmp_path):
    deck = copy("clean", tmp_path)
    first = sorted((deck / "slides").glob("*.md"))[0]
    number = first.name.split("-")[0]
    (deck / "slides" / f"{number}-demo.md").write_text("## Demo\n\nNote: The demo.\n")
    (deck / "slides" / f"{int(number)}-more.md").write_text("## More\n\nNote: More.\n")
    findings = [f for f in run_check(deck, use_browser=False).findings if f.kind == "order"]
    assert [(f.file, f.line, f.level, f.kind) for f in findings] == [
        (f"slides/{first.name}", 1, "warning", "order"), (f"slides/{int(number)}-more.md", 1, "warning", "order")]
    assert findings[0].message == (f"{first.name} has the number {int(number)}, as {number}-demo.md has: the talk "
                                   "runs them in the order of their names (give each section a number of its own)")


def test_a_section_without_a_number_among_numbered_ones_is_a_warning(tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "slides" / "README.md").write_text("# What this folder holds\n\nNote: Not a part of the talk.\n")
    findings = [f for f in run_check(deck, use_browser=False).findings if f.kind == "order"]
    assert [(f.file, f.line, f.level, f.message) for f in findings] == [
        ("slides/README.md", 1, "warning", "README.md has no number, so it is the talk's last section (number it, "
         "e.g. 99-end.md, or move it out of slides/)")]


def test_a_deck_value_with_a_filter_outside_code_is_a_warning(tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '<!-- .slide: data-state="{{ deck.title | lower }}" -->\n\n## {{ deck.title ~ " & co" }}\n\n'
                    "`{{ deck.title | e }}` and\n\n    {{ deck.author | e }}\n\nNote: Say {{ deck.title | upper }}.")
    findings = [f for f in run_check(deck, use_browser=False).findings if f.kind == "value"]
    assert [(f.file, f.line, f.level, f.slide) for f in findings] == [
        ("slides/09-extra.md", 7, "warning", 6), ("slides/09-extra.md", 13, "warning", 6),
        ("slides/09-extra.md", 5, "warning", 6)], findings  # in the slide, its notes, its attributes
    assert findings[0].message.startswith('slide 6 (#extra-1) shows {{ deck.title ~ " & co" }} as written: a '
                                          "slide fills in {{ deck.NAME }} only")


def test_several_background_images_of_a_slide_are_each_a_file(tmp_path):
    # reveal.js 6 takes a list; the build copies each: no finding for "img/box.svg, img/box.svg" as one file
    deck = copy("clean", tmp_path)
    add_slide(deck, '<!-- .slide: data-background-image="img/box.svg, img/box.svg" -->\n\n## Two backgrounds')
    assert [f.format() for f in run_check(deck, use_browser=False).findings] == []


def test_the_notes_rule_skips_the_first_slide_and_title_or_no_notes_slides(tmp_path):
    deck = copy("missing-notes", tmp_path)
    path = deck / "slides" / "01-notes.md"
    path.write_text(path.read_text().replace("## Has none", '<!-- .slide: class="no-notes" -->\n## Has none'))
    assert run_check(deck, use_browser=False).findings == []
    path.write_text(path.read_text().replace("no-notes", "title"))
    assert run_check(deck, use_browser=False).findings == []
    # notes in a data-notes attribute, which reveal.js shows in the speaker view
    path.write_text(path.read_text().replace('class="title"', 'data-notes="Say hello."'))
    assert run_check(deck, use_browser=False).findings == []
    path.write_text(path.read_text().replace('data-notes="Say hello."', 'data-notes=" "'))
    assert [f.kind for f in run_check(deck, use_browser=False).findings] == ["notes"]


def test_a_link_to_a_hidden_slide_or_past_the_slides_shown_goes_nowhere(tmp_path):
    deck = copy("clean", tmp_path)
    shown = sum(len(section.stacks) for section in Builder(deck).load().sections) + 1  # with the agenda
    add_slide(deck, f"## Agenda\n\n[Backup](#/extra-2), [last](#/{shown - 1}), [after it](#/{shown}), "
                    "[also](#extra-2)\n\nNote: n\n\n"
                    '---\n\n<!-- .slide: data-visibility="hidden" -->\n\n## Backup')
    messages = sorted(f.message for f in run_check(deck, use_browser=False).findings)
    number = len(Builder(deck).load().slides) - 1  # the agenda's
    hidden = ('names a hidden slide (data-visibility="hidden"), which reveal.js takes out of the deck: the link '
              "goes nowhere (or set showHiddenSlides = true under [reveal])")
    assert messages == [
        f"slide {number} (#extra-1): link #/{shown} points past the last slide (there are {shown} horizontal slides "
        "shown, counted from 0)",
        f"slide {number} (#extra-1): link #/extra-2 {hidden}",
        f"slide {number} (#extra-1): link #extra-2 {hidden}"], messages
    # an element of the hidden slide goes with it
    add_slide(deck, "## Agenda\n\n[part](#part), [also](#/part)\n\nNote: n\n\n---\n\n"
                    '<!-- .slide: data-visibility="hidden" -->\n\n## Backup\n\n<h3 id="part">Part</h3>')
    messages = sorted(f.message for f in run_check(deck, use_browser=False).findings)
    assert messages == [f"slide {number} (#extra-1): link {link} names an element of a hidden slide "
                        '(data-visibility="hidden"), which reveal.js takes out of the deck: the link goes nowhere '
                        "(or set showHiddenSlides = true under [reveal])" for link in ("#/part", "#part")], messages
    # shown after all: every link holds
    (deck / "deck.toml").write_text((deck / "deck.toml").read_text() + "\n[reveal]\nshowHiddenSlides = true\n")
    assert run_check(deck, use_browser=False).findings == []

def test_minutes_within_the_talk_give_no_warning(tmp_path):
    deck = copy("minutes-over", tmp_path)
    (deck / "deck.toml").write_text((deck / "deck.toml").read_text().replace("minutes = 5", "minutes = 8"))
    assert run_check(deck, use_browser=False).findings == []


def test_decorative_images_and_notes_are_not_asked_for_alt_text():
    html = ('<section id="a-1" data-td-source="slides/a.md:1"><img src="x.svg" role="presentation">'
            '<img src="y.svg" alt=" "><aside class="notes"><img src="z.svg"></aside></section>')
    assert [ref.value for ref in scan_page(html).no_alt] == ["y.svg"]


def test_remote_css_in_a_style_attribute_is_found(tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, '## Font\n\n<div style="background: url(//fonts.example.net/bg.png)">x</div>')
    assert_only(run_check(deck, use_browser=False).findings, "network", "error", "slides/09-extra.md", 7,
                ["CSS url() //fonts.example.net/bg.png would be loaded from the network"])


def test_a_deck_that_does_not_build_reports_its_build_errors(tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, "## Nope\n\n![A missing image](img/nope.png)")
    report = run_check(deck, use_browser=False)
    assert_only(report.findings, "build", "error", "slides/09-extra.md", 7,
                ["the deck does not build: image img/nope.png does not exist"])
    assert report.failed()


# -- the command ---------------------------------------------------------------------------------------------
def run(*args: object):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_text_output_one_line_per_finding_errors_first_then_the_count(tmp_path):
    deck = copy("missing-notes", tmp_path)
    add_slide(deck, "## Link\n\n[gone](#/gone)")
    result = run(deck, "--no-browser")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r".*slides/09-extra\.md:7: error: slide 4 \(#extra-1\): link #/gone names no slide "
                        r".*", lines[0])
    assert re.fullmatch(r".*slides/01-notes\.md:17: warning: slide 3 \(#notes-3\) has no speaker notes .*",
                        lines[1])
    assert lines[2] == "1 error, 1 warning"


def test_warnings_fail_only_with_strict():
    name = "missing-notes"
    relaxed = run(FIXTURES / name, "--no-browser")
    assert relaxed.exit_code == 0, relaxed.output
    assert relaxed.output.endswith("0 errors, 1 warning\n")
    strict = run(FIXTURES / name, "--no-browser", "--strict")
    assert strict.exit_code == 1
    assert strict.output == relaxed.output


def test_json_output_for_tools():
    result = run(FIXTURES / "broken-anchor", "--no-browser", "--format", "json")
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert len(items) == 1
    item = items[0]
    assert set(item) == {"file", "line", "level", "kind", "message", "slide"}
    assert item["file"].endswith("broken-anchor/slides/01-links.md")
    assert (item["line"], item["level"], item["kind"], item["slide"]) == (12, "error", "link", 2)


def test_json_of_a_clean_deck_is_an_empty_list():
    result = run(FIXTURES / "clean", "--no-browser", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == []


@pytest.mark.browser
def test_the_installed_command_in_chromium(browser):
    """The console script end to end, in its own process (the session's Playwright runs in this one)."""
    import subprocess
    import sys

    from conftest import chromium_path

    def check(*args: object) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "talkdeck", "check", *map(str, args), "--browser",
                               chromium_path()], capture_output=True, text=True, timeout=120)

    result = check(FIXTURES / "overflow-code")
    assert result.returncode == 1, result.stderr
    assert re.search(r"overflow-code/slides/01-code\.md:13: error: slide 2 \(#code-2\): code is \d+ px wider",
                     result.stdout)
    assert result.stdout.endswith("1 error, 0 warnings\n")
    assert result.stderr == ""  # no progress line when stderr is not a terminal
    clean = check(FIXTURES / "clean", "--strict")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == "0 errors, 0 warnings\n"


def test_a_browser_path_that_does_not_exist_is_a_clean_error(tmp_path):
    result = run(FIXTURES / "clean", "--browser", tmp_path / "no-chromium")
    assert isinstance(result.exception, SystemExit), result.exception  # the runner keeps a crash's exception
    assert result.exit_code == 1
    assert result.output == f"Error: no browser at {tmp_path / 'no-chromium'} (give the path of a Chromium or Chrome)\n"


def test_an_empty_section_is_checked_like_the_build_accepts_it(tmp_path):
    deck = copy("clean", tmp_path)
    (deck / "slides" / "09-empty.md").write_text('+++\ntitle = "Later"\n+++\n')
    assert run_check(deck, use_browser=False).findings == []


def test_slide_timings_that_leave_the_other_slides_no_time_are_a_warning(tmp_path):
    deck = copy("missing-notes", tmp_path)
    path = deck / "slides" / "01-notes.md"
    path.write_text("+++\nminutes = 1\n+++\n# A\nNote: a\n---\n"
                    '<!-- .slide: data-timing="60" -->\n## B\nNote: b\n---\n## C\nNote: c\n')
    assert_only(run_check(deck, use_browser=False).findings, "minutes", "warning", "slides/01-notes.md", 7,
                ["data-timing values of 01-notes.md's slides add up to 60 s, all of its minutes = 1 (60 s); "
                 "the other 2 slides get 0 s: raise its minutes or lower the timings"])
    path.write_text(path.read_text().replace('"60"', '"90"').replace("---\n## C\nNote: c\n", ""))
    assert_only(run_check(deck, use_browser=False).findings, "minutes", "warning", "slides/01-notes.md", 7,
                ["add up to 90 s, over its minutes = 1 (60 s); the other slide gets 0 s"])
    path.write_text(path.read_text().replace('"90"', '"50"'))
    assert run_check(deck, use_browser=False).findings == []


def test_code_in_a_language_the_highlighter_does_not_know_is_a_warning_at_its_line(tmp_path):
    deck = copy("clean", tmp_path)
    add_slide(deck, "## Code\n\n```pyhton\nprint(1)\n```\n\n```Python\nx = 1\n```\n\n```text\nplain\n```\n\n"
                    "<<< code/sample.py:1-2 klingon\n\n```nohighlight\nas is\n```\n\nThe output:\n\n```output\nok\n```"
                    "\n\n```ino\nvoid setup() {}\n```")
    (deck / "code").mkdir(exist_ok=True)
    (deck / "code" / "sample.py").write_text("a = 1\nb = 2\n")
    findings = run_check(deck, use_browser=False).findings
    assert [(f.kind, f.level, f.file, f.line, f.message) for f in findings] == [
        ("language", "warning", "slides/09-extra.md", 7,
         "slide 6 (#extra-1): code in 'pyhton', a language reveal.js's highlighter does not know, shows without "
         "colours (did you mean 'python'? name one it knows, such as python or bash, or text for plain code)"),
        ("language", "warning", "slides/09-extra.md", 19,
         "slide 6 (#extra-1): code in 'klingon', a language reveal.js's highlighter does not know, shows without "
         "colours (name one it knows, such as python or bash, or text for plain code)"),
        ("language", "warning", "slides/09-extra.md", 27,  # the fence, not the line before that says output
         "slide 6 (#extra-1): code in 'output', a language reveal.js's highlighter does not know, shows without "
         "colours (name one it knows, such as python or bash, or text for plain code)")]  # (ino: arduino's alias)
