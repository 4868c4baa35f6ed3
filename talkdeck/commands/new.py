"""`talkdeck new`: a minimal deck of one's own, ready to build."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import click

from talkdeck.errors import DeckError, display_path

DECK_TOML = """\
# The deck's settings. Every key is optional; the README explains them all.
title = {title}
author = ""
event = ""
date = {date}
theme = "white"          # or black, white-contrast, black-contrast, serif, dracula: the themes that work offline
transition = "slide"
lang = "en"              # the language of the slides, for the browser (hyphens, voices, spell checks)
minutes = 20             # the talk's length; the speaker view (press s) paces against it

[size]
width = 1280
height = 720
margin = 0

[reveal]                 # any other reveal.js option, passed through as is
controls = true
"""

FIRST_SECTION = """\
+++
title = "Introduction"
minutes = 2
+++

<!-- .slide: class="center title" -->

# {{ deck.title }}

A talk made with talkdeck

Note:
Speaker notes start with a line `Note:` and run to the end of the slide. Press `s` to see them.

---

## One idea per slide

- A line `---` starts a new slide, a line `--` a slide below it
- Items can appear one by one
  {.fragment}

Note:
Each file in slides/ is a section; their numeric prefixes give the order.
"""


def _fresh_repository_file(name: str) -> bool:
    """Whether a folder's entry is one a freshly made repository holds: hidden (.git, .gitignore), a README
    or a LICENSE. talkdeck new goes into a folder that holds only such files."""
    return name.startswith(".") or name.upper().split(".")[0] in ("README", "LICENSE", "LICENCE", "COPYING")


EXAMPLES = """\b
Examples:
  talkdeck new my-talk              titled "My talk", after the folder's name
  talkdeck new pycon --title "Working with Docker containers"
"""


@click.command("new", epilog=EXAMPLES)
@click.argument("deck_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="The talk's title.  [default: from DECK_DIR's name]")
def command(deck_dir: Path, title: str | None) -> None:
    """Create a new deck in DECK_DIR with a deck.toml and one section to start from.

    Then run `talkdeck build DECK_DIR` (or `talkdeck serve DECK_DIR`).
    """
    import datetime as dt

    if title is not None and not title.strip():
        raise click.BadParameter("a title cannot be blank: give one, or leave --title out to take the folder's "
                                 "name", param_hint="'--title'")
    title = title.strip() if title else title
    if deck_dir.exists() and not all(_fresh_repository_file(entry.name) for entry in deck_dir.iterdir()):
        raise DeckError.at(
            deck_dir,
            None,
            "the folder exists and is not empty",
            "choose a new folder name: talkdeck new never overwrites files, and goes into an existing folder "
            "only when it holds nothing but a fresh repository's .git, README and LICENSE",
        )
    if not title:
        # a name that is not UTF-8 (caf\xe9 made on a Latin-1 system) still makes a title, with a stand-in
        name = deck_dir.resolve().name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        title = " ".join(name.replace("-", " ").replace("_", " ").split()) or "My talk"
        title = title[0].upper() + title[1:]  # the rest as written: "Café Über" stays so
    # A JSON string is a TOML basic string, escapes and all, once DEL (which JSON leaves) is escaped too.
    quoted = json.dumps(title, ensure_ascii=False).replace("\x7f", "\\u007f")
    existed = deck_dir.exists()
    made: list[Path] = []  # what this command made, removed again if it fails halfway
    try:
        (deck_dir / "slides").mkdir(parents=True)
        made.append(deck_dir / "slides")
        (deck_dir / "img").mkdir()
        made.append(deck_dir / "img")
        made.append(deck_dir / "deck.toml")
        (deck_dir / "deck.toml").write_text(
            DECK_TOML.format(title=quoted, date=dt.date.today().isoformat()), encoding="utf-8"
        )
        (deck_dir / "slides" / "01-intro.md").write_text(FIRST_SECTION, encoding="utf-8")
        ignore = deck_dir / ".gitignore"
        if not ignore.exists():
            made.append(ignore)
            ignore.write_text("/dist/\n", encoding="utf-8")
        else:  # a repository's own: the build's output goes on its list, if it is not there yet
            listed = ignore.read_text("utf-8", "replace")
            if not any(line.strip().strip("/") == "dist" for line in listed.splitlines()):
                with ignore.open("a", encoding="utf-8") as file:
                    file.write(("" if listed.endswith("\n") or not listed else "\n") + "/dist/\n")
    except (OSError, UnicodeError) as exc:  # UnicodeError: a name the file system's encoding cannot hold
        if not existed:  # leave no half-made deck behind
            shutil.rmtree(deck_dir, ignore_errors=True)
        for path in made:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or "its name cannot be written on this system"
        raise DeckError.at(
            deck_dir,
            None,
            f"cannot create the deck: {reason}",
            "choose a folder you may write to",
        ) from None
    where = display_path(deck_dir)
    typed = shlex.quote(f"./{where}" if where.startswith("-") else where)  # as the next command takes it
    message = f"Created a deck in {where}/. Next: talkdeck build {typed}  (or: talkdeck serve {typed})"
    click.echo(message.encode("utf-8", "surrogateescape"))  # the name's own bytes, whatever their encoding
