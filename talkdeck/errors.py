"""Errors a user can act on.

Every problem with the user's input is a :class:`DeckError`: click prints its message and exits 1, with no
traceback. Tracebacks are kept for bugs in talkdeck itself.
"""

from __future__ import annotations

from pathlib import Path

import click


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the current folder when it lies below it."""
    p = Path(path)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            return str(p)
    return str(p)


def count(n: int, noun: str) -> str:
    """`1 slide`, `2 slides`: a number with its noun, for messages."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Problem:
    """One thing wrong with the input, located as precisely as we can.

    `missing` is a file the deck names that does not exist: the dev server watches for it. (This record and
    the other internal ones are plain classes: a dataclass costs a process 0.5 ms to define.)
    """

    __slots__ = ("path", "line", "message", "hint", "missing", "source")

    def __init__(self, path: Path | str | None, line: int | None, message: str, hint: str = "",
                 missing: Path | None = None, source: Path | None = None):
        self.path, self.line, self.message, self.hint, self.missing = path, line, message, hint, missing
        self.source = source  # the file that is wrong, when the problem is told at the line that reads it

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.line!r}, {self.message!r}, {self.hint!r}, {self.missing!r})"

    def location(self) -> str:
        if self.path is None:
            return ""
        where = display_path(self.path)
        if self.line:
            where += f":{self.line}"
        return where

    def text(self) -> str:
        """What is wrong, and the hint in brackets: the problem without its location."""
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.text()}" if where else self.text()


class DeckError(click.ClickException):
    """One or more problems with the deck's input; the CLI exits 1 and prints each on its own line."""

    exit_code = 1

    def __init__(self, problems: Problem | list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(None, None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: Path | str | None, line: int | None, message: str, hint: str = "",
           missing: Path | None = None) -> DeckError:
        return cls(Problem(path, line, message, hint, missing))

    def format_message(self) -> str:
        return self.message


class Problems:
    """The problems of independent steps, gathered so that one step's problem does not hide the next one's.

        problems = Problems()
        for item in items:
            with problems:  # a DeckError inside is kept, and the loop goes on
                check(item)
        problems.raise_any()

    A context manager of its own rather than a generator one: it wraps every line of every slide.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def __enter__(self) -> Problems:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> bool:
        if isinstance(exc, DeckError):
            self.problems += exc.problems
            return True
        return False

    def raise_any(self) -> None:
        if self.problems:
            raise DeckError(self.problems)
