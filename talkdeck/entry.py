"""Where a talkdeck process starts: the console script, ``python -m talkdeck`` and ``python build.py``.

A build is a short process that creates tens of thousands of objects while importing click, Jinja2 and
Python-Markdown and frees almost none of them. Python's cyclic garbage collector still walks them dozens of
times: about 10 ms of a 30-slide build, for nothing collected. So the collector is off while a command starts,
and stays off for the one-shot commands (build, new, layers). Commands that run for seconds or longer (serve,
check, pdf) call :func:`long_running` to turn it back on, with everything made at start-up left out of its passes.

Tests and other callers that import :mod:`talkdeck.cli` directly are not affected.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from talkdeck.cli import main as cli

    cli()


def long_running() -> None:
    """Turn the garbage collector back on if :func:`main` turned it off."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
