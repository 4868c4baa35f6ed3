"""The talk itself: its sections, their order and timing, notes on every content slide, and that it builds."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from talkdeck.builder import Builder

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    "title",
    "history",
    "isolation",
    "virtualization",
    "docker",
    "layers",
    "images",
    "example-python",
    "example-flask",
    "example-django",
    "questions",
]
# A comfortable speaking pace: the spoken part of the notes must fit in the minutes it is given.
WORDS_PER_MINUTE = 140
# A note's spoken part ends where its sources begin: at the first line starting with `Source:` or `Sources:`.
SOURCES_LINE = re.compile(r"^\s*Sources?:", re.MULTILINE)
OUTLINE_TYPOS = ["Moris", "Alphine", "Kubernates", "teraform", "flash serice", "app visualization"]


@pytest.fixture(scope="module")
def deck():
    return Builder(ROOT).load()


def test_sections_in_order(deck):
    assert [s.name for s in deck.sections] == SECTIONS


def test_minutes_add_up_to_the_talks_length(deck):
    assert deck.config.minutes == 30
    assert sum(s.minutes for s in deck.sections) == 30
    assert all(s.minutes is not None for s in deck.sections)


def test_about_35_to_50_slides(deck):
    assert 35 <= len(deck.slides) <= 50


def test_every_content_slide_has_notes(deck):
    content = [slide for section in deck.sections[1:] for slide in section.slides]
    missing = [f"{slide.source_rel}:{slide.line}" for slide in content if not slide.notes.strip()]
    assert missing == []


def spoken_words(notes: str) -> int:
    """How many words of a slide's notes (HTML) are said aloud: those before its sources."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", notes))
    sources = SOURCES_LINE.search(text)
    return len(text[: sources.start() if sources else len(text)].split())


def test_spoken_words_stop_at_the_sources():
    notes = "<p>We say <code>docker run</code> here.\nSources: a book, p. 12.\nMore reference.</p>"

    assert spoken_words(notes) == 5
    assert spoken_words("<p>One two three.</p>") == 3
    assert spoken_words("<p>It cites no Source: inline, only at the start of a line.</p>") == 12


def test_notes_can_be_said_in_their_sections_minutes(deck):
    """At 140 words a minute, each timed section's notes fit its minutes, and all the notes together (the
    untimed questions' too) fit the talk's 30 minutes: at most 4,200 words."""
    words = {section.name: sum(spoken_words(slide.notes) for slide in section.slides) for section in deck.sections}
    too_long = [
        f"{section.name}: {words[section.name]} words, more than {WORDS_PER_MINUTE} x {section.minutes} minutes"
        for section in deck.sections
        if section.minutes and words[section.name] > WORDS_PER_MINUTE * section.minutes
    ]

    assert too_long == []
    assert sum(words.values()) <= WORDS_PER_MINUTE * deck.config.minutes, words


def test_every_image_is_local_and_has_alt_text(deck):
    assert deck.images, "the talk shows its diagrams"
    for image in deck.images:
        assert (ROOT / image).is_file()
        assert image.startswith("img/") and image.endswith(".svg")
    for slide in deck.slides:
        for tag in re.findall(r"<img\b[^>]*>", slide.html):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and len(alt.group(1)) > 10, f"{slide.source_rel}:{slide.line} {tag}"


def test_code_comes_from_the_examples_through_panes(deck):
    panes = [pane for slide in deck.slides for pane in slide.panes]
    shown = {pane.path.split("/")[1] for pane in panes}
    assert shown == {"01-docker-python", "02-docker-python-daemon", "03-docker-django"}
    assert all((ROOT / pane.path).is_file() for pane in panes)
    assert any("Dockerfile" in p.path and p.steps for p in panes if p.path.startswith("examples/01"))


def test_the_outlines_typos_are_gone():
    text = "\n".join(p.read_text() for p in (ROOT / "slides").glob("*.md"))
    for typo in OUTLINE_TYPOS:
        assert typo not in text


def test_the_talk_builds(tmp_path):
    result = Builder(ROOT, tmp_path / "dist").build()
    assert len(result.deck.slides) >= 35
    html = (tmp_path / "dist" / "index.html").read_text()
    assert "Working with Docker containers for Python applications" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)


@pytest.mark.browser
def test_the_talk_passes_talkdeck_check_strict():
    """CI's guard: no slide of the talk overflows, reaches the network or lacks notes."""
    import os
    import subprocess
    import sys

    from conftest import chromium_path

    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium found")
        pytest.skip("no Chromium found: install it (apt-get install chromium)")
    result = subprocess.run(
        [sys.executable, "-m", "talkdeck", "check", str(ROOT), "--strict", "--browser", chromium_path()],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout + result.stderr
