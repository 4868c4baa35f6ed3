"""`talkdeck check`: find what would go wrong in front of an audience, before it does."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from talkdeck.entry import long_running, stop_on_signals
from talkdeck.errors import DeckError, display_path

EPILOG = """\b
Examples:
  talkdeck check                    everything, in headless Chromium
  talkdeck check --no-browser       what needs no browser, in a moment
  talkdeck check --strict           warnings fail too, as before a talk

\b
What is checked (level in brackets):
  overflow     [error]    content outside the slide frame, at every fragment step
                          of every slide, measured in headless Chromium at the
                          deck's size ([size] in deck.toml)
  margin       [warning]  content inside the frame but in the slide's padding:
                          it crowds the edge, and at the bottom makes
                          `talkdeck pdf` shrink the slide to fit its page
  code-width   [error]    a code line wider than its pane (it would scroll)
  code-height  [warning]  a code pane taller than it may grow (lines hidden)
  missing      [error]    an image, stylesheet, script, background, local link
                          target or file a page in an iframe asks for that is
                          not in the built deck
  link         [error]    an #anchor or reveal.js #/slide-id link naming nothing,
                          or naming a hidden slide (or something on it) that
                          reveal.js takes out (unless [reveal] showHiddenSlides)
  id           [error]    an id given on a slide that a slide has too (#/ID may
                          open the wrong one); [warning] one given twice
  network      [error]    anything the deck would load from the network
  image        [error]    an image file the browser cannot show
  script       [error]    a JavaScript error in the page
  alt          [warning]  an image without alt text (role="presentation" or
                          aria-hidden="true" mark a decorative one)
  language     [warning]  code in a language reveal.js's highlighter does not
                          know (```pyhton): it shows without colours
  minutes      [warning]  the sections' minutes add up to more than the talk's
                          `minutes` in deck.toml, or a section's data-timing
                          values leave its other slides no time
  value        [warning]  {{ deck.title | upper }} or the like outside code:
                          only {{ deck.NAME }} is filled in
  order        [warning]  two sections with the same number, or one without
                          a number among numbered ones (it comes last)
  notes        [warning]  a content slide without speaker notes; every slide is
                          a content slide except the deck's first one and slides
                          with the class `title` or `no-notes`
                          (<!-- .slide: class="no-notes" -->)
  build        [error]    the deck does not build at all
  setup        [error]    the check cannot run (no Chromium): with --format
                          json; as text, it is the command's error

\b
Output: one line per finding, `FILE:LINE: LEVEL: MESSAGE`, errors first, then
warnings, then the count. Exit status: 0 when nothing fails, 1 on any error
(and, with --strict, on any warning).
"""


@click.command("check", epilog=EPILOG)
@click.argument("deck_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True,
              help="json: a list of findings for tools (file, line, level, kind, message, slide).")
@click.option("--browser", "browser_path", type=click.Path(dir_okay=False), default=None,
              help="Chromium or Chrome to use.  [default: $TALKDECK_CHROMIUM, then chromium-headless-shell "
                   "(the fastest), then a system Chromium/Chrome, then Playwright's own]")
@click.option("--no-browser", is_flag=True,
              help="Skip the checks that need Chromium (overflow, code width, requests, images the browser "
                   "cannot show, script errors, files iframe pages miss).")
def command(deck_dir: Path, strict: bool, output_format: str, browser_path: str | None,
            no_browser: bool) -> None:
    """Check the deck in DECK_DIR (default: the current folder) for what would go wrong on stage.

    The deck is built into a temporary folder (its dist/ is left alone), opened in headless Chromium at its
    configured size and walked slide by slide, fragment by fragment.
    """
    from talkdeck.check import run_check
    if browser_path and no_browser:
        raise click.UsageError("--browser and --no-browser do not go together: give one of them")
    long_running()

    progress = Progress(enabled=sys.stderr.isatty())
    try:
        with stop_on_signals():
            report = run_check(deck_dir, executable=browser_path, use_browser=not no_browser,
                               progress=progress)
    except DeckError as exc:  # no check could run (no Chromium): tools reading JSON get it as JSON too
        if output_format != "json":
            raise
        click.echo(json.dumps([{"file": display_path(p.path) if p.path else None, "line": p.line or None,
                                "level": "error", "kind": "setup",
                                "message": p.text(), "slide": None}
                               for p in exc.problems], indent=2, ensure_ascii=False))
        raise SystemExit(1) from None
    finally:
        progress.clear()
    if output_format == "json":
        click.echo(report.json())
    else:
        click.echo(report.text())
    if report.failed(strict):
        raise SystemExit(1)


class Progress:
    """One status line on a terminal's stderr, shown only once the check has taken more than a moment."""

    DELAY = 0.4

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, text: str) -> None:
        if self.enabled and time.perf_counter() - self.started >= self.DELAY:
            click.echo(f"\r\033[Kchecking: {text}", nl=False, err=True)
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)
