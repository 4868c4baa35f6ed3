"""`talkdeck layers`: print which steps of a Dockerfile a change makes Docker rebuild."""

from __future__ import annotations

import os
from pathlib import Path

import click

from talkdeck.errors import DeckError

EPILOG = """\b
Examples (from the root of talkdeck's repository):
  talkdeck layers examples/01-docker-python/Dockerfile --changed whereami.py
  talkdeck layers examples/01-docker-python --changed requirements.txt
  talkdeck layers examples/02-docker-python-daemon --first-build
With a Dockerfile that declares ARG PYTHON_VERSION:
  talkdeck layers Dockerfile --build-arg PYTHON_VERSION=3.13

\b
States: base (the FROM image), cached (taken from the build cache), rebuilt
(runs again), run (first build), config (changes only the image's settings,
such as ENV, WORKDIR or CMD; it makes no filesystem layer), skipped (in a stage
the last one does not need: BuildKit does not build it).
"""


def find_dockerfile(path: Path) -> Path:
    """The Dockerfile itself, or the one inside a folder."""
    if not path.exists():
        raise DeckError.at(path, None, "no such Dockerfile", "check the path")
    if not path.is_dir():
        return path
    candidate = path / "Dockerfile"
    if not candidate.exists():  # one that is no regular file is refused, and named, when it is read
        raise DeckError.at(path, None, "this folder has no Dockerfile", "name the Dockerfile itself")
    return candidate


def context_relative(context: Path, value: str) -> str:
    """A --changed path as the build context names it.

    Accepted: relative to the Dockerfile's folder (what the slide syntax uses), absolute, or relative to the
    current folder, as long as it lies inside the build context. Anything else is passed on unchanged and
    reported by the explainer, which knows the context's files.
    """
    given = Path(value)
    if not given.is_absolute() and os.path.lexists(context / given):
        return given.as_posix()
    candidate = given if given.is_absolute() else Path.cwd() / given
    if not given.is_absolute() and not os.path.lexists(candidate):
        return value
    real = real_path(candidate)
    try:
        return real.relative_to(context.resolve()).as_posix()
    except ValueError:
        return str(real)


def real_path(path: Path) -> Path:
    """``path`` with the links on the way to it resolved, but not a link it ends in.

    The build context holds a symbolic link itself, not what it points to: a changed link is that path (the
    explainer adds the file it leads to, which an edit through the link changed).
    """
    if path.is_symlink():
        return path.parent.resolve() / path.name
    return path.resolve()


def parse_build_args(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    """The --build-arg values by name; one without `NAME=` is a mistyped command line, which exits 2."""
    args: dict[str, str] = {}
    for value in values:
        name, equals, assigned = value.partition("=")
        if not equals or not name:
            raise click.BadParameter(f"{value!r}: expected NAME=VALUE, e.g. --build-arg PYTHON_VERSION=3.13")
        args[name] = assigned
    return args


@click.command(
    "layers",
    epilog=EPILOG,
    short_help="Show which Dockerfile steps a change rebuilds.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("dockerfile", type=click.Path(path_type=Path))
@click.option(
    "--changed",
    "changed",
    multiple=True,
    metavar="FILE",
    help="A file that changed since the last build (repeatable). Relative to the Dockerfile's folder, "
    "or a path from the current folder into it. A folder stands for every file in it; a symbolic link, "
    "for itself and what it leads to in the folder.",
)
@click.option(
    "--build-arg",
    "build_args",
    multiple=True,
    metavar="NAME=VALUE",
    callback=parse_build_args,
    help="A build argument the rebuild passes with a new value (repeatable); the previous build used the "
    "Dockerfile's defaults.",
)
@click.option("--first-build", is_flag=True, help="Show the first build, with an empty cache, instead.")
def layers(
    dockerfile: Path, changed: tuple[str, ...], build_args: dict[str, str], first_build: bool
) -> None:
    """Show which steps of DOCKERFILE a rebuild takes from the cache and which it runs again.

    DOCKERFILE is the Dockerfile or its folder; that folder is the build context, and its .dockerignore
    (or DOCKERFILE.dockerignore) applies. Prints one line per instruction with its state, then the
    instruction that first missed the cache and why. No Docker is needed: the rules of Docker's build cache
    are applied to the files.
    """
    from talkdeck.layers import explain, render_text

    if any(not value.strip() for value in changed):
        raise DeckError("--changed '': an empty name; give a file or a folder, `.` for the whole build context")
    path = find_dockerfile(dockerfile)
    paths = [context_relative(path.parent, value) for value in changed]
    explanation = explain(path, paths, build_args)
    if first_build:
        explanation = explanation.as_first_build()
    click.echo(render_text(explanation), nl=False)


command = layers
