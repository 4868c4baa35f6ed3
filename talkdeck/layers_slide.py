"""`<<<layers PATH [changed=FILE[,FILE...]]` on a slide: the layer-cache explainer, computed at build time."""

from __future__ import annotations

import re
from pathlib import Path

from talkdeck.errors import DeckError, Problem
from talkdeck.paths import inside_deck

LAYERS_LINE = re.compile(r"^<<<layers\s+(?P<path>\S+)(?P<options>(?:\s+\S+)*)\s*$")


def render_layers_line(line_text: str, root: Path, slide_path: Path, line: int) -> tuple[str, set[Path]]:
    """The explainer's HTML for one slide line, and the files it read (for the dev server to watch)."""
    from talkdeck.layers import explain, input_files, render_html

    match = LAYERS_LINE.match(line_text.strip())
    if not match:
        raise DeckError.at(
            slide_path,
            line,
            f"cannot read {line_text.strip()!r}",
            "write `<<<layers PATH [changed=FILE[,FILE...]]`",
        )
    rel = match.group("path")
    changed: list[str] = []
    for option in match.group("options").split():
        key, _, value = option.partition("=")
        if key != "changed" or not value:
            raise DeckError.at(
                slide_path,
                line,
                f"unknown option {option!r} for <<<layers",
                "the only option is changed=FILE[,FILE...]",
            )
        changed += [item for item in value.split(",") if item]
    folder = root / rel
    if ".." not in Path(rel).parts and not Path(rel).is_absolute() and folder.is_dir():  # as `talkdeck layers` takes
        rel = f"{rel.rstrip('/')}/Dockerfile"  # a folder: the Dockerfile in it
    dockerfile = inside_deck(root, rel, slide_path, line, "Dockerfile")
    context = dockerfile.parent
    try:
        explanation = explain(dockerfile, changed)
    except DeckError as exc:
        raise DeckError(
            [Problem(slide_path, line, _about(rel, dockerfile, problem), source=Path(problem.path or dockerfile),
                     missing=problem.missing) for problem in exc.problems]
        ) from None
    # the context folder too: which files it holds is what its COPY instructions find, or miss
    deps = set(input_files(dockerfile)) | {context / name for name in changed} | {context}
    deps |= {context / name for name in explanation.named}  # in a subfolder too: its removal breaks the build
    return render_html(explanation), deps


def _about(rel: str, dockerfile: Path, problem: Problem) -> str:
    """A problem of the explainer, told at the slide: at the Dockerfile's line as the slide names it, or at
    another file's (its .dockerignore's)."""
    if problem.path is not None and Path(problem.path) != dockerfile:
        return f"layers of {rel}: {problem}"
    return f"layers of {rel}{f':{problem.line}' if problem.line else ''}: {problem.text()}"
