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

It also decides what Ctrl-C, `kill` (SIGTERM) and a closed terminal (SIGHUP) do:

- before a command takes them over, Ctrl-C stops the process at once with "Aborted!" (:func:`_abort`);
- inside a command, :func:`stop_on_signals` turns them into KeyboardInterrupt so its clean-up runs, and
  :func:`hold_signals` puts them off over steps that must not stop halfway;
- once the process is on its way out, they are let go (:func:`ending`).

Callers that import :mod:`talkdeck.cli` directly (the tests) get none of this.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

_long_running = False
_entered = False  # this process started at main(), not in a caller such as the tests
_ending = False  # a stop signal was acted on, or the command is done: later ones are let go
_stop_asked = False  # a stop signal reached interrupt(): the command is to stop, if the interrupt was lost
_interrupting = False  # interrupt() runs
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")  # Ctrl-C, `kill`, a closed terminal
RETRY_SECONDS = 0.002  # how soon a signal that landed in the import system is raised again


def main() -> None:
    global _entered
    _entered = True
    gc.disable()
    handle_signals(_abort, ("SIGINT",)).__enter__()  # until a command says how it stops
    try:
        from talkdeck.cli import main as cli
    except KeyboardInterrupt:  # Ctrl-C while Python loads click and the rest: stopped, as click says it
        _leave("Aborted!")
    except ModuleNotFoundError as exc:  # `python build.py` with a Python that lacks talkdeck's packages
        _lacking(exc)

    status: object = 1  # what a Ctrl-C that lands in click's own ending leaves
    try:
        try:
            cli()  # click ends every run, success or not, with SystemExit
            status = 0
        except SystemExit as done:
            status = done.code
        except ModuleNotFoundError as exc:  # imported when a command needs it: Jinja2, Markdown, Playwright
            _lacking(exc)
        ending()
    except KeyboardInterrupt:  # a second Ctrl-C, kill... that landed as click ended the command: it has ended
        ending()
    if _long_running:
        _done()
        sys.exit(status)
    _leave(status)


# The modules talkdeck imports from its dependencies (pyproject.toml), Jinja2's markupsafe and livereload's
# tornado among them: another module missing is a bug, raised with its traceback.
DEPENDENCIES = frozenset({"click", "jinja2", "markupsafe", "markdown", "livereload", "tornado", "watchfiles",
                          "playwright", "dockerfile_parse", "pypdf"})


def _lacking(exc: ModuleNotFoundError) -> None:
    """Leave saying which package this Python lacks, when it is one talkdeck needs."""
    if exc.name is None or exc.name.split(".")[0] not in DEPENDENCIES:
        raise exc
    _leave(f"Error: talkdeck needs the Python package {exc.name}, which this Python ({sys.executable}) lacks "
           "(run `make build` in talkdeck's folder and use .venv/bin/talkdeck, or pip install -e .)")


def _done() -> None:
    """A long-running command has finished, clean-up and all: a Ctrl-C, `kill` or closed terminal from now on
    would only cut the interpreter's own exit short, with a traceback or a death by signal.

    Ignored by the system rather than by :func:`let_go`: when the interpreter shuts down, it puts the system's
    default back for every signal with a Python handler, and a signal then would kill the process."""
    import _signal as signal

    ending()
    handle_signals(signal.SIG_IGN, STOP_SIGNALS).__enter__()  # runs a signal already under way first


def ending() -> None:
    """The process is on its way out: Ctrl-C, `kill` or a closed terminal is let go from now on, and no
    `with` block below puts its handler back.

    Called once the command is over, and by `serve` on the first signal that stops it: its clean-up is
    bounded, and a second Ctrl-C meanwhile would cut it, or its "Stopped.", short. Only in a process that
    started at :func:`main`; in any other caller (the tests) nothing changes."""
    global _ending
    if not _entered or _ending:
        return
    _ending = True
    handle_signals(let_go, STOP_SIGNALS).__enter__()  # for the rest of the process


def _abort(_signum: int, _frame) -> None:
    """Ctrl-C while Python loads talkdeck, or outside a command's own handling: nothing to clean up yet, so
    stop at once, as click says it.

    Not with KeyboardInterrupt, Python's own way: raised in the middle of an import, it can be swallowed
    (the command then goes on as if Ctrl-C had never been pressed) or turned into another error."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe, or the signal landed inside this stream's own write
            pass
    try:
        os.write(2, b"Aborted!\n")
    except OSError:
        pass
    os._exit(1)


def let_go(_signum: int, _frame) -> None:
    """A handler that does nothing. Not SIG_IGN: a signal already on its way to a Python handler when the
    handler becomes SIG_IGN is reported on stderr, as "Signal 15 ignored due to race condition" with a
    traceback."""


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
        import _signal as signal  # the C module: `signal` builds its enums at import, 0.4 ms

        self.previous: dict = {}
        for name in self.names:
            if hasattr(signal, name):
                signum = getattr(signal, name)
                try:
                    self.previous[signum] = signal.signal(signum, self.handler)
                except ValueError:  # not the main thread
                    break
        return self

    def __exit__(self, *_exc: object) -> None:
        import _signal as signal

        if _ending:  # the signals stay ignored
            return
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


def temporary_folder(prefix: str) -> str:
    """A new temporary folder, as `tempfile.mkdtemp` makes it, or none at all.

    Ctrl-C, `kill` or a closed terminal while it is made is raised once it is done, and the folder deleted
    first. Raised inside mkdtemp, KeyboardInterrupt would leave behind a folder made but never handed to its
    caller, or the empty file that finding the temporary folder writes to test it."""
    import tempfile

    folder = None
    try:
        with hold_signals():
            folder = tempfile.mkdtemp(prefix=prefix)
    except KeyboardInterrupt:
        if folder is not None:
            remove_folder(folder)
        raise
    return folder


def remove_folder(folder: str | os.PathLike) -> None:
    """Delete `folder` and all in it, whatever cannot be deleted aside; a stop signal meanwhile is raised once
    it is done, not halfway."""
    import shutil

    with hold_signals():
        shutil.rmtree(folder, ignore_errors=True)


def stop_on_signals(last: bool = False) -> handle_signals:
    """Ctrl-C, `kill` (SIGTERM) or closing the terminal (SIGHUP) stops the command with KeyboardInterrupt, so
    its clean-up runs: temporary build folders go, a half-written file never replaces the last good one.

    With `last`, the first signal is the last one heard (see :func:`ending`); without, a second one interrupts
    the clean-up too, for a command whose clean-up may hang (a browser that does not answer)."""
    return handle_signals(_last_interrupt if last else interrupt, STOP_SIGNALS)


def _last_interrupt(signum: int, frame) -> None:
    if _ending:  # a second signal, run while the first one's handler let the signals go
        return
    ending()
    interrupt(signum, frame)


def interrupt(signum: int, frame) -> None:
    """Raise KeyboardInterrupt where the signal landed, or once the import under way there is done.

    Raised during an import, the interrupt can be lost or turned into something else. In importlib's own
    code (say the callback that drops a module's lock) it is swallowed with an "Exception ignored" message,
    and may leave the import lock taken: another thread then waits on its next import forever (`pdf` builds
    in a thread while it starts Chromium). In a module's code, a class statement turns it into a
    RuntimeError ("Error calling __set_name__"), and a finder called from C can drop it: the command then
    goes on as if Ctrl-C had never been pressed."""
    global _interrupting, _stop_asked
    import _signal as signal

    _stop_asked = True
    if _interrupting:  # a second signal, run inside this handler: the first one raises
        return
    _interrupting = True
    try:
        if _importing(frame) and hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, lambda _alarm, later: _again(signum, later))
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            return
    finally:
        _interrupting = False
    raise KeyboardInterrupt


def _again(signum: int, frame) -> None:
    """A signal put off by :func:`interrupt`, handled now: by the handler in force if a block that holds
    signals, or a server that stops on them, began meanwhile; else raised."""
    import _signal as signal

    current = signal.getsignal(signum)
    if callable(current) and current not in (interrupt, _last_interrupt, let_go):
        current(signum, frame)
    else:
        interrupt(signum, frame)


def stop_if_asked() -> None:
    """Raise KeyboardInterrupt if a stop signal came and the command still runs: the interrupt it raised was
    lost (some C code calling back into Python drops exceptions). For a step the command would otherwise
    never leave, such as a server's loop."""
    if _stop_asked:
        raise KeyboardInterrupt


def _importing(frame) -> bool:
    """Whether `frame` runs inside an import: importlib's code is on its stack."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _leave(code: object) -> None:
    """Exit with `code` as SystemExit would, without the interpreter's tear-down (and a Ctrl-C meanwhile let
    go: the command is over)."""
    ending()
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
