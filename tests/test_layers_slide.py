"""`<<<layers` on a slide: the explainer computed at build time and stepped through in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import open_deck

from talkdeck.builder import Builder
from talkdeck.cli import main
from talkdeck.errors import DeckError

ROOT = Path(__file__).resolve().parent.parent


def test_the_slide_names_the_first_miss_and_records_what_it_read(deck_copy):
    root = deck_copy("layers-deck")
    deck = Builder(root).load()
    slide = deck.slides[0]
    assert 'class="td-layers"' in slide.html
    assert "COPY app.py ." in slide.html
    assert (root / "app" / "Dockerfile") in deck.dependencies
    assert deck.has_layers


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("<<<layers app/Nope", "01-cache.md:3: Dockerfile app/Nope does not exist"),
        ("<<<layers ../Dockerfile", "01-cache.md:3: Dockerfile path '../Dockerfile' points outside the deck"),
        (
            "<<<layers app/Dockerfile chnged=app.py",
            "01-cache.md:3: unknown option 'chnged=app.py' for <<<layers",
        ),
        ("<<<layers app/Dockerfile changed=nope.py", "01-cache.md:3: layers of app/Dockerfile: changed file nope.py "
         "does not exist in the build context (did you mean app.py?)"),  # the Dockerfile named once
    ],
)
def test_errors_name_the_slide_line(deck_copy, line, message):
    root = deck_copy("layers-deck")
    (root / "slides" / "01-cache.md").write_text(f"## The build cache\n\n{line}\n")
    with pytest.raises(DeckError) as err:
        Builder(root).load()
    assert message in str(err.value)


def test_a_folder_names_the_dockerfile_in_it_as_talkdeck_layers_takes_it(deck_copy):
    root = deck_copy("layers-deck")
    (root / "slides" / "01-cache.md").write_text("## The build cache\n\n<<<layers app/ changed=app.py\n")
    deck = Builder(root).load()
    assert 'data-dockerfile="Dockerfile"' in deck.slides[0].html and (root / "app" / "Dockerfile") in deck.dependencies
    (root / "slides" / "01-cache.md").write_text("## The build cache\n\n<<<layers slides\n")
    with pytest.raises(DeckError, match="01-cache.md:3: Dockerfile slides/Dockerfile does not exist"):
        Builder(root).load()

def test_the_talk_shows_the_explainer_on_example_1():
    text = (ROOT / "slides" / "06-layers.md").read_text()
    assert "<<<layers examples/01-docker-python/Dockerfile" in text


def test_a_long_dockerfile_gets_a_type_small_enough_to_fit(deck_copy):
    root = deck_copy("layers-deck")
    dockerfile = root / "app" / "Dockerfile"
    steps = "".join(f"RUN echo {n} > /tmp/{n}\n" for n in range(30))
    dockerfile.write_text(dockerfile.read_text().replace("COPY app.py .", steps + "COPY app.py ."))
    html = Builder(root).load().slides[0].html
    assert '<div class="td-layers td-layers-dense" style="font-size: 0.140em"' in html  # 36 rows
    dockerfile.write_text(dockerfile.read_text().replace("COPY app.py .", steps * 4 + "COPY app.py ."))
    html = Builder(root).load().slides[0].html
    assert 'style="font-size: 0.120em"' in html  # 126 rows: no smaller


@pytest.mark.browser
def test_a_long_dockerfile_does_not_overflow_its_slide(browser, deck_copy):
    from talkdeck.check import run_check

    root = deck_copy("layers-deck")
    dockerfile = root / "app" / "Dockerfile"
    steps = "".join(f"RUN echo {n} > /tmp/{n}\n" for n in range(22))  # as long as a real one may be
    dockerfile.write_text(dockerfile.read_text().replace("COPY app.py .", steps + "COPY app.py ."))
    findings = run_check(root, browser=browser).findings
    assert [f.format() for f in findings] == []


@pytest.mark.browser
def test_three_fragment_steps_end_on_the_invalidated_step(page, deck_copy):
    root = deck_copy("layers-deck")
    assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    open_deck(page, root / "dist" / "index.html", "#/cache-1")
    assert page.evaluate("Reveal.getCurrentSlide().querySelectorAll('.td-layers .fragment').length") > 0
    steps = page.evaluate(
        "new Set([...Reveal.getCurrentSlide().querySelectorAll('.fragment')]"
        ".map(f => f.getAttribute('data-fragment-index'))).size"
    )
    assert steps == 3
    badge = (
        "getComputedStyle([...Reveal.getCurrentSlide().querySelectorAll('.fragment')].filter(f => "
        "f.textContent.includes('invalidated'))[0]).opacity"
    )
    for _ in range(2):
        page.evaluate("Reveal.nextFragment()")
    assert page.evaluate(badge) == "0"
    page.evaluate("Reveal.nextFragment()")
    page.wait_for_function(f"{badge} === '1'")
    assert page.watch.errors == []


@pytest.mark.browser
def test_fragments_around_an_explainer_appear_in_the_order_written(page, deck_copy):
    # its columns are numbered fragments, which reveal.js shows before every unnumbered one
    root = deck_copy("layers-deck")
    (root / "slides" / "01-cache.md").write_text(
        "## The build cache\n\nFirst, a point made before the table\n{.fragment}\n\n"
        "<<<layers app/Dockerfile changed=app.py\n\n{.incremental}\n- then this\n- and this\n\n"
        "```python [1|2]\na = 1\nb = 2\n```\n\nNote:\nSay it in order.\n")
    assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    open_deck(page, root / "dist" / "index.html", "#/cache-1")
    shown = ("[...Reveal.getCurrentSlide().querySelectorAll('.fragment.current-fragment')].map(f => "
             "f.matches('.td-layers-state') ? 'column ' + (1 + [...f.parentNode.children].indexOf(f) - 2) "
             ": f.matches('.td-layers-why') ? 'why' : f.matches('code') ? 'code ' + f.dataset.lineNumbers "
             ": f.textContent.trim())")
    seen = []
    while page.evaluate("Reveal.nextFragment()"):
        seen.append(sorted(set(page.evaluate(shown))))
    assert seen == [["First, a point made before the table"], ["column 1"], ["column 2"], ["column 3", "why"],
                    ["then this"], ["and this"], ["code 2"]], seen
    assert page.watch.errors == []
    # the explainer itself a fragment too: it appears before its columns
    (root / "slides" / "01-cache.md").write_text(
        "## The build cache\n\nBefore\n{.fragment}\n\n<<<layers app/Dockerfile changed=app.py\n{.fragment}\n")
    assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    page.reload()
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    page.evaluate("Reveal.slide(0, 0, -1)")
    seen = []
    named = shown.replace("f.textContent.trim()", "f.matches('.td-layers') ? 'explainer' : f.textContent.trim()")
    while page.evaluate("Reveal.nextFragment()"):
        seen.append(sorted(set(page.evaluate(named))))
    assert seen == [["Before"], ["explainer"], ["column 1"], ["column 2"], ["column 3", "why"]], seen


@pytest.mark.browser
def test_the_explainer_prints_one_page_per_step_with_fragments(deck_copy, tmp_path):
    """In the PDF, --fragments gives the slide once per build scenario; by default only the final state."""
    import os
    import subprocess
    import sys

    import pypdf
    from conftest import chromium_path

    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium found")
        pytest.skip("no Chromium found")
    root = deck_copy("layers-deck")
    pages = {}
    for flags in ([], ["--fragments"]):
        out = tmp_path / f"layers{len(flags)}.pdf"
        done = subprocess.run([sys.executable, "-m", "talkdeck", "pdf", str(root), "-o", str(out), "-q", *flags],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        pages[len(flags)] = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    assert len(pages[0]) == 1 and "invalidated" in pages[0][0]
    assert len(pages[1]) == 4
    assert "invalidated" not in pages[1][2] and "invalidated" in pages[1][3]
