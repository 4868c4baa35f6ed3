"""`talkdeck pdf`: the deck printed to PDF by headless Chromium, one page per slide."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from talkdeck.entry import long_running, stop_on_signals
from talkdeck.errors import count, display_path

STEPS = ("build", "layout", "print", "metadata")
LABELS = {"build": "building the deck, starting Chromium", "layout": "loading, laying out the pages",
          "print": "printing", "metadata": "writing"}


EXAMPLES = """\b
Examples:
  talkdeck pdf                      a PDF named after the title, in the deck's folder
  talkdeck pdf -o handout.pdf       named as you like
  talkdeck pdf --notes              each slide followed by its speaker notes
  talkdeck pdf --fragments          a page per step, as presented
"""


@click.command("pdf", epilog=EXAMPLES)
@click.argument("deck_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(), default=None,  # a str: `dir/` says a folder
              help="PDF file to write, or a folder to write it in.  "
                   "[default: DECK_DIR/<title as a file name>.pdf, e.g. my-talk.pdf]")
@click.option("--browser", metavar="PATH", default=None,
              help="Chromium or Chrome to print with.  [default: $TALKDECK_CHROMIUM, then "
                   "chromium-headless-shell (the fastest), then a system Chromium/Chrome, then Playwright's own]")
@click.option("--fragments", is_flag=True, help="One page per fragment step instead of one per slide.")
@click.option("--notes", is_flag=True, help="Add each slide's speaker notes on a page of their own after it.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success but warnings.")
def command(deck_dir: Path, output: str | None, browser: str | None, fragments: bool, notes: bool,
            quiet: bool) -> None:
    """Export the deck in DECK_DIR (default: the current folder) to PDF.

    The deck is built into a temporary folder (DECK_DIR/dist is left alone) and printed through reveal.js's
    print view: one page per slide shown (a hidden slide only with [reveal] showHiddenSlides), sized to the
    deck (a 1280x720 deck gives 960x540 pt pages), fragments
    shown in their final state, code walked through in steps shown whole with no line highlighted, text kept
    as text. Title, author and event come from deck.toml.
    Works offline: any request for a network resource is blocked and fails the export.
    """
    long_running()
    with stop_on_signals():
        _export(deck_dir, output, browser, fragments, notes, quiet)


def _export(deck_dir: Path, output: str | None, browser: str | None, fragments: bool, notes: bool,
            quiet: bool) -> None:
    from talkdeck.config import CONFIG_NAME, no_deck_error
    from talkdeck.export import export_pdf, human_size, output_path

    if not (deck_dir / CONFIG_NAME).is_file():  # no deck, or a wrong -o: said before any progress
        raise no_deck_error(deck_dir)
    target = output_path(deck_dir.resolve(), output, ".pdf")
    with click.progressbar(length=len(STEPS), label="Exporting PDF", file=sys.stderr,
                           item_show_func=lambda step: step, show_eta=False,
                           hidden=quiet) as bar:
        done = [0]

        def progress(step: str) -> None:
            name = step.split()[0]
            step = LABELS.get(name, "") + step[len(name):]
            position = STEPS.index(name) if name in STEPS else done[0]
            if position > done[0]:
                bar.update(position - done[0], step)
                done[0] = position
            else:
                bar.update(0, step)

        result = export_pdf(deck_dir, target, browser=browser, fragments=fragments, notes=notes,
                            progress=progress)
        bar.update(len(STEPS) - done[0], "done")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(f"Wrote {display_path(result.path)}: {count(result.pages, 'page')} "
                   f"({count(result.slides, 'slide')}), "
                   f"{human_size(result.size)}, in {result.seconds:.2f} s", err=True)

