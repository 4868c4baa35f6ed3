"""`talkdeck build`: the deck into a folder of static files that open from disk or over http."""

from __future__ import annotations

import time
from pathlib import Path

import click

from talkdeck.errors import count, display_path

EXAMPLES = """\b
Examples:
  talkdeck build                    the deck in this folder, into dist/
  talkdeck build mytalk -o site     into site/, a new folder or one talkdeck made
  talkdeck build --single-file      one .html named after the title, to hand out
  talkdeck build --list-panes -q    where each code pane's lines come from
"""


@click.command("build", epilog=EXAMPLES)
@click.argument("deck_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(),  # a str: with --single-file, `dir/` says a folder
    default=None,
    help="Folder to write the deck to.  [default: DECK_DIR/dist]",
)
@click.option("--list-panes", is_flag=True, help="Also print every code pane: slide, file and lines.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--single-file", is_flag=True,
              help="Write one self-contained .html instead (every style, script, font, image and iframe page "
                   "inlined; opens from disk with no network, speaker view included; what would still need a "
                   "file beside it or the network is a warning). -o then names the file, or a folder for it.  "
                   "[default: DECK_DIR/<title as a file name>.html]")
def command(deck_dir: Path, output: str | None, list_panes: bool, quiet: bool, single_file: bool) -> None:
    """Build the deck in DECK_DIR (default: the current folder) into static files.

    The previous output is replaced only once the new build has succeeded; on an error it stays as it was.
    Open OUTPUT/index.html in a browser, from disk or over http.
    """
    from talkdeck.builder import Builder
    from talkdeck.entry import stop_on_signals

    # `kill` or a closed terminal stops a build as Ctrl-C does: the temporary folder goes, and the last good
    # output stays (killed between the swap's two renames, there would be none).
    with stop_on_signals():
        if single_file:
            _single_file(deck_dir, output, quiet, list_panes)
            return
        started = time.perf_counter()
        result = Builder(deck_dir, None if output is None else Path(output)).build()
    if list_panes:
        _list_panes(result.deck)
    if not quiet:
        deck = result.deck
        click.echo(
            f"Built {count(len(deck.slides), 'slide')} in {count(len(deck.sections), 'section')} into "
            f"{display_path(result.output)}/ in {time.perf_counter() - started:.2f} s",
            err=True,
        )


def _list_panes(deck) -> None:
    for slide in deck.slides:
        for pane in slide.panes:
            lines = f"{pane.lines[0]}-{pane.lines[-1]}"
            click.echo(f"{display_path(slide.source)}:{pane.slide_line}\t#{slide.id}\t{pane.path}\t{lines}")


# -- --single-file (issue 7): the logic lives in talkdeck/export.py --------------------------------------------
def _single_file(deck_dir: Path, output: str | None, quiet: bool, list_panes: bool) -> None:
    from talkdeck.export import build_single_file, human_size

    result = build_single_file(deck_dir, output)
    if list_panes:
        _list_panes(result.deck)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(f"Wrote {display_path(result.path)}: {count(result.slides, 'slide')} in one file, "
                   f"{human_size(result.size)}, in {result.seconds:.2f} s", err=True)
