"""The command line: a thin click layer.

Each command lives in its own module under :mod:`talkdeck.commands` and is imported only when it runs, so
``talkdeck --help`` stays instant and a command's heavy imports (Playwright, tornado) cost nothing elsewhere.
"""

from __future__ import annotations

import importlib

import click

from talkdeck import __version__

# name -> (module, one-line help shown by `talkdeck --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("talkdeck.commands.build", "Build the deck into a folder of static files."),
    "serve": ("talkdeck.commands.serve", "Serve the deck and reload the browser on every save."),
    "pdf": ("talkdeck.commands.pdf", "Export the deck to PDF through headless Chromium."),
    "check": ("talkdeck.commands.check", "Find overflowing slides, missing assets and network requests."),
    "layers": ("talkdeck.commands.layers", "Show which Dockerfile steps a change rebuilds."),
    "new": ("talkdeck.commands.new", "Create a new deck with one section to start from."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        return module.command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:
            # A path the file system refuses outright (a name too long, a loop of links), wherever a command
            # first looks at it, is the user's input to fix, not a talkdeck bug to show as a traceback.
            import errno

            if exc.errno not in (errno.ENAMETOOLONG, errno.ELOOP) or exc.filename is None:
                raise
            from pathlib import Path

            from talkdeck.errors import DeckError

            raise DeckError.at(Path(exc.filename), None, f"cannot use this path: {exc.strerror}",
                               "check the path: each name in it may be at most 255 bytes long") from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _version_message() -> str:
    from talkdeck.assets import reveal_version

    return f"talkdeck {__version__}, reveal.js {reveal_version() or 'not found (talkdeck build says where to put it)'}"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version_message())
        ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show talkdeck's and reveal.js's versions and exit.",
)
def main() -> None:
    """Turn per-section Markdown into an offline reveal.js deck.

    A deck is a folder with a deck.toml, one Markdown file per section in slides/, and optionally
    templates/ and img/. Run `talkdeck new DIR` to start one, `talkdeck build DIR` to build it.
    """
