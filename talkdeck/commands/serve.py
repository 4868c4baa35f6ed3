"""`talkdeck serve`: build the deck, serve it on loopback, rebuild and reload the browser on every save."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from talkdeck.entry import long_running, stop_if_asked, stop_on_signals
from talkdeck.errors import display_path

EXAMPLES = """\b
Examples:
  talkdeck serve --open             the deck in this folder, opened in your browser
  talkdeck serve mytalk -p 8001     another deck, on another port
"""


@click.command("serve", epilog=EXAMPLES)
@click.argument("deck_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback shows the deck to your network.")
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True,
              help="Open the deck in the default web browser.")
def command(deck_dir: Path, host: str, port: int, open_browser: bool) -> None:
    """Serve the deck in DECK_DIR (default: the current folder) and reload the browser on every save.

    Watches deck.toml, slides/, templates/, img/, every file a slide or template loads or links to, every file
    a code pane shows and a layers slide's build context. The browser stays on the
    same slide and fragment; a build error shows over the last good deck until a save fixes it. The deck is
    built into a temporary folder: DECK_DIR/dist is left alone. Ctrl-C stops.
    """
    from talkdeck.assets import require_reveal
    from talkdeck.config import CONFIG_NAME, no_deck_error
    long_running()

    root = deck_dir.resolve()
    if not (root / CONFIG_NAME).is_file():
        raise no_deck_error(root)
    require_reveal(root)
    with stop_on_signals(last=True):  # a second Ctrl-C while it stops changes nothing
        _serve(root, host, port, open_browser)


def _serve(root: Path, host: str, port: int, open_browser: bool) -> None:
    from talkdeck.server import DeckServer

    server = None
    try:
        server = DeckServer(root, host=host, port=port, echo=lambda text: click.echo(text, err=True))
        server.start()
        click.echo(f"Serving {display_path(root) if root != Path.cwd() else 'the deck'} at {server.url}"
                   " (Ctrl-C stops)", err=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"Note: listening on {host}, so other machines can see the deck.", err=True)
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        stop_if_asked()  # a Ctrl-C during the start that did not stop it
        server.serve_forever()
    except KeyboardInterrupt:
        if server is not None:
            server.close()
        click.echo("Stopped.", err=True)
    finally:
        if server is not None:
            server.close()
