"""Where a talkdeck process starts: the console script, ``python -m talkdeck`` and ``python build.py``.

A build is a short process, and two costs of Python's own are a large part of it:

- The cyclic garbage collector walks the tens of thousands of objects that importing click, Jinja2 and
  Python-Markdown creates, dozens of times, and finds nothing to collect. It is off while a command starts
  and stays off for the one-shot commands (build, new, layers, --help); commands that run for seconds or
  longer (serve, check, pdf) call :func:`long_running` to turn it back on, with what start-up made left out.
- At exit, the interpreter tears every module down and frees every object one by one: 10 to 20 ms of a
  30-slide build. A one-shot command has nothing left to release (its files are written and closed, its
  temporary folders removed), so it leaves at once once the exit handlers have run and the output is flushed.

A one-shot command must therefore finish its work before it returns: close what it writes, join any thread
it starts. A command that cannot promise that calls :func:`long_running`.

Callers that import :mod:`talkdeck.cli` directly (the tests) get neither.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

_long_running = False
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # Ctrl-C, `kill`, a closed terminal
RETRY_SECONDS = 0.002  # how soon a signal that landed in the import system is raised again


def main() -> None:
    gc.disable()
    try:
        from talkdeck.cli import main as cli
    except KeyboardInterrupt:  # Ctrl-C while Python loads click and the rest: stopped, as click says it
        _leave("Aborted!")

    try:
        cli()  # click ends every run, success or not, with SystemExit
    except SystemExit as done:
        if _long_running:
            _done()
            raise
        _leave(done.code)
    if _long_running:
        _done()
        return
    _leave(0)


def _done() -> None:
    """A long-running command has finished, clean-up and all: a Ctrl-C, `kill` or closed terminal from now on
    would only cut the interpreter's own exit short, with a traceback or a death by signal."""
    import signal

    handle_signals(signal.SIG_IGN, STOP_SIGNALS).__enter__()  # for the rest of the process


def long_running() -> None:
    """For commands that run long: turn the garbage collector back on and exit the usual way."""
    global _long_running
    _long_running = True
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class handle_signals:  # noqa: N801 - used as a statement: `with handle_signals(...):`
    """`handler` for the signals named (those this system has) while the block runs, then the previous
    handlers again. Only the main thread may set them; elsewhere nothing changes."""

    def __init__(self, handler, names: tuple[str, ...]):
        self.handler, self.names = handler, names

    def __enter__(self) -> handle_signals:
        import signal
        import threading

        self.previous: dict = {}
        if threading.current_thread() is threading.main_thread():
            for name in self.names:
                if hasattr(signal, name):
                    signum = getattr(signal, name)
                    self.previous[signum] = signal.signal(signum, self.handler)
        return self

    def __exit__(self, *_exc: object) -> None:
        import signal

        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


class hold_signals:  # noqa: N801 - used as a statement: `with hold_signals():`
    """Ctrl-C, `kill` or a closed terminal during the block is raised as KeyboardInterrupt once the block is
    done: for steps that must not stop halfway, such as swapping two folders or deleting a temporary one."""

    def __enter__(self) -> hold_signals:
        self.hit = False
        self.handlers = handle_signals(self._hold, STOP_SIGNALS).__enter__()
        return self

    def _hold(self, _signum, _frame) -> None:
        self.hit = True

    def check(self) -> None:
        """Raise a signal held so far."""
        if self.hit:
            raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        self.handlers.__exit__(*exc)
        if exc[0] is None:
            self.check()


def stop_on_signals() -> handle_signals:
    """Ctrl-C, `kill` (SIGTERM) or closing the terminal (SIGHUP) stops the command with KeyboardInterrupt, so
    its clean-up runs: temporary build folders go, a half-written file never replaces the last good one."""
    return handle_signals(interrupt, STOP_SIGNALS)


def interrupt(signum: int, frame) -> None:
    """Raise KeyboardInterrupt where the signal landed, or a moment later when that is the import system.

    Raised inside importlib's own code (say the callback that drops a module's lock), the interrupt is
    swallowed with an "Exception ignored" message and may leave the import lock taken: another thread then
    waits on its next import forever (`pdf` builds in a thread while it starts Chromium)."""
    import signal

    if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib") \
            and hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, lambda _alarm, later: interrupt(signum, later))
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        return
    raise KeyboardInterrupt


def _leave(code: object) -> None:
    """Exit with `code` as SystemExit would, without the interpreter's tear-down."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    # What sys.exit would run: weakref finalizers, logging's flush, any handler. CPython has no public way to
    # run them early; where its private one is missing, exit the usual way.
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:
        sys.exit(status)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`talkdeck build | head`) or stream
            status = status or 1
    os._exit(status)
