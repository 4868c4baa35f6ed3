"""`talkdeck serve`'s machinery: watch the sources, rebuild once per burst, serve the newest good build.

Three parts, each testable on its own:

- :class:`RebuildLoop` turns change sets into builds: one build at a time, changes that arrive during a build
  give exactly one more build, and the browsers are told only once the last build of a burst is in place.
- :class:`DeckWatcher` reports changed sources through `watchfiles` (file system events, no polling).
- :class:`DeckServer` builds into a folder outside the deck with the builder's incremental mode (the
  first build is swapped in whole, later ones replace each changed file by an atomic rename, index.html
  last), so a request never meets a half-written file. It speaks livereload's WebSocket protocol through
  livereload's own handler; the page's script asks for the newest build whenever it (re)connects and on
  every message, so no reload is ever lost, and shows build errors over the last good deck.

livereload's `Server.serve()` is not used: it owns a global IOLoop and Ctrl-C, and injects livereload.js,
which reloads the page on every message (including after a failed build) and knows nothing of build ids.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from talkdeck.builder import SECTION_SUFFIXES, BuildCancelled, Builder, stamp
from talkdeck.entry import STOP_SIGNALS, ending, handle_signals, let_go, remove_folder, temporary_folder
from talkdeck.errors import DeckError, count, display_path

# Watched recursively below the deck root; deck.toml and the files panes pull from are watched one by one.
TREE_DIRS = ("slides", "templates", "img")
CONFIG_FILE = "deck.toml"
STEP_MS = 20  # watchfiles yields a burst once no new event came for this long
SETTLE_MS = STEP_MS  # and the two watches' bursts of one save come closer together than this
PLAN_ATTEMPTS = 5  # how often the watches are planned again when a folder goes while they start
CLOCK_REALTIME_COARSE = 5  # Linux's clock id; Python's time module has no name for it
CLOCK_TICK_NS = 20_000_000  # more than a clock tick of the kernels that stamp file changes coarsely
STATE_PATH = "/_talkdeck/state"
SOCKET_PATH = "/livereload"


# -- the rebuild loop ---------------------------------------------------------------------------------------
class RebuildLoop:
    """Coalesces change sets into builds.

    `build(changes)` runs in the loop's worker thread (or in the caller's, through `run_pending`), one at a
    time. `publish(result)` is called after a build only when no change arrived meanwhile: a change during a
    build gives exactly one more build, and only its result is published, so a burst ends in one reload.
    Neither callable may block forever; an exception in either is reported through `report` and the loop
    keeps running.
    """

    def __init__(self, build: Callable[[frozenset[Path]], Any], publish: Callable[[Any], None],
                 report: Callable[[BaseException], None] | None = None, settle: float = 0.0):
        self._build = build
        # The worker waits until no change came for this long before it builds: the watches report their
        # folders apart, so one save of files in two of them (an editor's "Save All") arrives as two sets.
        self._settle = settle
        self._last_change = 0.0
        self._publish = publish
        self._report = report or (lambda exc: traceback.print_exception(exc))
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._dirty = False
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.builds = 0

    def changed(self, paths: Iterable[Path]) -> None:
        """Record a change set (from any thread) and wake the worker."""
        with self._cond:
            self._pending.update(paths)
            self._dirty = True
            self._last_change = time.monotonic()
            self._cond.notify_all()

    def run_pending(self) -> int:
        """Build until no change is pending; returns the number of builds run."""
        count = 0
        while True:
            with self._cond:
                if not self._dirty or self._stopping:
                    self._busy = False
                    self._cond.notify_all()
                    return count
                changes, self._pending, self._dirty, self._busy = frozenset(self._pending), set(), False, True
            result = self._call(self._build, changes)
            count += 1
            self.builds += 1
            with self._cond:
                superseded = self._dirty
            if not superseded:
                self._call(self._publish, result)

    def _call(self, function: Callable[[Any], Any], argument: Any) -> Any:
        try:
            return function(argument)
        except Exception as exc:  # a bug, not a deck error: keep serving and say so
            self._report(exc)
            return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="talkdeck-rebuild", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._dirty and not self._stopping:
                    self._cond.wait()
                while not self._stopping and (quiet := self._last_change + self._settle - time.monotonic()) > 0:
                    self._cond.wait(quiet)
                if self._stopping:
                    return
            self.run_pending()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no build runs and none is pending (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._dirty or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)


# -- the watcher --------------------------------------------------------------------------------------------
class _ArmedEvent:
    """A stop event for watchfiles that also tells when its watch loop runs: watchfiles asks `is_set()`
    only from inside that loop, after its file system watches are in place."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.armed = threading.Event()

    def is_set(self) -> bool:
        self.armed.set()
        return self.stop.is_set()


class _Watch:
    """One watchfiles loop over a fixed set of folders, in a thread of its own."""

    def __init__(self, folders: tuple[str, ...], recursive: bool, callback: Callable[[set], None],
                 step_ms: int, report: Callable[[str], None]):
        self.folders = folders
        self.recursive = recursive
        self.event = _ArmedEvent()
        self._callback = callback
        self._step = step_ms
        self._report = report
        self.failed: Exception | None = None  # the watch could not start: a folder went meanwhile
        self._thread = threading.Thread(target=self._run, name="talkdeck-watch", daemon=True)

    def start(self, timeout: float = 5.0) -> bool:
        """Start watching; False when the watch could not start."""
        self._thread.start()
        self.event.armed.wait(timeout)
        return self.failed is None

    def _run(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(*self.folders, recursive=self.recursive, step=self._step,
                                            stop_event=self.event, raise_interrupt=False):
                self._callback(changes)
        except Exception as exc:
            if not self.event.armed.is_set():
                self.failed = exc  # a folder went after it was planned: the plan is made again
            elif not self.event.stop.is_set():
                self._report(f"watching {', '.join(self.folders)} stopped: {exc}")
        finally:
            self.event.armed.set()

    def stop(self) -> None:
        self.event.stop.set()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)


def change_clock() -> int:
    """Now, in the clock the kernel stamps file changes with (ns): on Linux a coarse one, up to a tick behind
    time.time_ns(); elsewhere taken to be as far behind."""
    if sys.platform.startswith("linux"):
        return time.clock_gettime_ns(CLOCK_REALTIME_COARSE)
    return time.time_ns() - CLOCK_TICK_NS


def _changed_since(path: Path, since: int) -> bool:
    """Whether `path` went, or its inode changed (written, replaced, renamed), at `since` (change_clock())
    or later.

    A link is judged by its own inode (repointing it changes that, not its target's); its target is a file
    of its own. A file that is not there went only if the folder it was in changed then: one that never
    was there (a Dockerfile's optional .dockerignore) changed nothing.
    """
    try:
        return os.lstat(path).st_ctime_ns >= since
    except (FileNotFoundError, NotADirectoryError):
        return path.parent != path and _changed_since(path.parent, since)
    except OSError:
        return True


class DeckWatcher:
    """Reports changes to the deck's sources: deck.toml, slides/, templates/, img/ and pane files.

    Two watchfiles loops: a recursive one over slides/, templates/ and img/, and a flat one over the deck
    root, each folder holding a file a pane pulled from, and each folder the build read whole (a layers
    slide's build context); never the whole tree: a deck folder may hold a virtualenv or node_modules.
    They are re-planned when those folders appear or the pane files change.
    """

    def __init__(self, root: Path, on_change: Callable[[set[Path]], None], step_ms: int = STEP_MS,
                 report: Callable[[str], None] = print):
        self.root = root.resolve()
        self.on_change = on_change
        self.step_ms = step_ms
        self.report = report
        self.filepath: str | None = None  # livereload's handler logs the last changed path
        self._lock = threading.RLock()
        self._files: frozenset[Path] = frozenset()
        self._links: dict[Path, Path] = {}  # the target of each watched file that is a link -> the link
        self._missing: frozenset[Path] = frozenset()
        self._arrived: dict[Path, tuple[int, int] | None] = {}  # expected files reported as there, and when
        self._watches: dict[str, _Watch | None] = {"flat": None, "tree": None}
        self._stopped = False

    def start(self) -> None:
        self._plan()

    def update(self, files: Iterable[Path], since: int | None = None) -> None:
        """The files the last good build read (sections, code panes, images), from a build that started at
        `since` (change_clock()).

        A file that is a symbolic link is watched at its target too, since an edit there changes nothing
        at the link; a change to the target is reported as a change to the link. A file in a folder watched
        from now on that changed (or went) after the build started is reported at once: its watch came too
        late to see that.
        """
        files = {Path(f) for f in files}
        links: dict[Path, Path] = {}
        for link in files:
            try:
                if link.is_symlink():
                    links[link.resolve()] = link
            except (OSError, RuntimeError):  # a link loop or an unreadable folder: the build said so
                pass
        with self._lock:
            before = {name: watch.folders if watch else () for name, watch in self._watches.items()}
            self._files = frozenset(files | set(links))
            self._links = links
        self._plan()
        if since is not None:
            late = {f for f in self._files
                    if str(f.parent) not in before["flat"] and not any(f.is_relative_to(t) for t in before["tree"])
                    and _changed_since(f, since)}
            if late:
                self.on_change({self._links.get(f, f) for f in late})

    def expect(self, missing: Iterable[Path]) -> None:
        """Files the last build named but could not find: their creation (or their folder's) is a change.

        Each is watched through its nearest folder that exists; one that appeared before its watch started
        is reported at once.
        """
        missing = frozenset(Path(f) for f in missing if Path(f).is_relative_to(self.root))
        with self._lock:
            if not missing and not self._missing:
                return  # every good build says so: update() has just planned the watches
            self._missing = missing
        self._plan()  # also when only a folder on the way appeared: it is watched from now on
        # A file the build called missing that is there came while it built: a change, once. Told so again
        # unchanged, the build misread it (it is there, but not usable): one more build would change nothing.
        stamps = {f: stamp(f) for f in missing if f.is_file()}
        arrived = {f for f, when in stamps.items() if self._arrived.get(f) != when}
        self._arrived = stamps
        with self._lock:
            flat = self._watches["flat"]
            watched = set(flat.folders) if flat is not None else None
        if watched is not None:  # a folder on the way that appeared while its watch started went unseen
            trees = self._trees()
            arrived |= {folder for f in missing if (folder := self._nearest(f, trees)) is not None
                        and str(folder) not in watched}
        if arrived:
            self.on_change(arrived)

    def relevant(self, path: Path) -> bool:
        """deck.toml, a pane's file, an expected file or its folder, a file in a folder the build read whole
        (a build context), or anything in slides/, templates/, img/ but editors' hidden files."""
        if path == self.root / CONFIG_FILE or path in self._files:
            return True
        if path.parent in self._files and not path.name.startswith("."):
            return True  # a file made or removed in a build context: a COPY may now find it, or miss it
        if path != self.root and any(f.is_relative_to(path) for f in self._files):
            return True  # a folder on the way to a pane's file went or came back (rm -rf, git checkout)
        if any(m == path or m.is_relative_to(path) for m in self._missing):
            return True
        for name in TREE_DIRS:
            if path == self.root / name:
                return True
            if path.is_relative_to(self.root / name):
                parts = path.relative_to(self.root / name).parts
                if name == "slides" and not (len(parts) == 1 and path.name.lower().endswith(SECTION_SUFFIXES)):
                    return False  # the builder reads nothing else there: not vim's 4913, not #autosaves#
                return not any(part.startswith(".") for part in parts)
        return False

    def _plan(self, renew_tree: bool = False, renew_flat: bool = False) -> None:
        with self._lock:
            for attempt in range(PLAN_ATTEMPTS):  # a folder went while its watch started: plan again
                if self._stopped:
                    return
                trees, flat = self._folders()
                last = attempt == PLAN_ATTEMPTS - 1
                if (self._ensure("tree", trees, True, renew_tree, last)
                        and self._ensure("flat", flat, False, renew_flat, last)):
                    return

    def _trees(self) -> list[Path]:
        """The folders watched recursively, those of them that exist."""
        return [self.root / name for name in TREE_DIRS if (self.root / name).is_dir()]

    def _folders(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The folders to watch now: recursively, and each on its own."""
        trees = self._trees()
        flat = {self.root} | {folder for f in self._files for folder in ((f, f.parent) if f.is_dir() else (f.parent,))
                              if folder.is_dir() and not any(f.is_relative_to(t) for t in trees)}
        flat |= {folder for f in self._missing if (folder := self._nearest(f, trees)) is not None}
        return tuple(str(t) for t in trees), tuple(sorted(str(f) for f in flat))

    def _nearest(self, missing: Path, trees: list[Path]) -> Path | None:
        """The folder through which the flat watch waits for `missing`; None when a tree watch does."""
        if any(missing.is_relative_to(t) for t in trees):
            return None
        folder = missing.parent
        while not folder.is_dir() and folder != self.root and folder.is_relative_to(self.root):
            folder = folder.parent
        return folder

    def _ensure(self, name: str, folders: tuple[str, ...], recursive: bool, renew: bool = False,
                last: bool = True) -> bool:
        """Watch `folders` from now on; False when a folder went before its watch started."""
        current = self._watches[name]
        if current is not None and current.folders == folders and not renew:
            return True
        new = _Watch(folders, recursive, self._received, self.step_ms, self.report) if folders else None
        started = new is None or new.start()  # the new watch runs before the old one stops: no change
        if current is not None:                # falls in between
            current.stop()
        if not started and last:
            self.report(f"watching {', '.join(folders)} failed: {new.failed}")
        self._watches[name] = new if started else None
        return started

    def _received(self, changes: set) -> None:
        from watchfiles import Change  # imported by the watch that calls this

        paths = {Path(path) for _change, path in changes}
        removed = {Path(path) for change, path in changes if change == Change.deleted}
        renew_tree = any(p.parent == self.root and p.name in TREE_DIRS for p in paths)
        # A watch follows the folder it was given, not its name: when a watched folder (or one above it)
        # is replaced, or a pane's file removed, possibly with its folder, watch what is there now.
        flat = self._watches["flat"]
        renew_flat = flat is not None and (
            any(p in self._files and str(p.parent) in flat.folders for p in removed)
            or any(p != self.root and Path(f).is_relative_to(p) for p in paths for f in flat.folders))
        if renew_tree or renew_flat:
            self._plan(renew_tree=renew_tree, renew_flat=renew_flat)
        relevant = {self._links.get(p, p) for p in paths if self.relevant(p)}
        if relevant:
            self.filepath = str(sorted(relevant)[0])
            self.on_change(relevant)

    def stop(self) -> None:
        """Stop both loops and wait for them (a step each): a watch thread still inside watchfiles when
        the interpreter exits holds up the exit by a second or more."""
        with self._lock:
            self._stopped = True
            watches = [w for w in self._watches.values() if w is not None]
            self._watches = {name: None for name in self._watches}
        for watch in watches:
            watch.stop()
        for watch in watches:
            watch.join(2.0)


# -- builds -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Build:
    """A finished build: the page asks for this id, the server serves this folder.

    `assets` changes when any file but the page changed (a stylesheet, an image): the page then reloads
    instead of patching its slides in place.
    """

    id: str
    folder: Path
    assets: str = ""


@dataclass
class Outcome:
    build: Build | None = None
    error: BaseException | None = None
    trace: str = ""
    slides: int = 0
    sections: int = 0
    seconds: float = 0.0
    changes: frozenset[Path] = field(default_factory=frozenset)


WAITING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>talkdeck</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; padding: 2em">
<p>talkdeck: no good build yet. Fix the error shown above and save; this page reloads by itself.</p>
</body></html>
"""


# -- the server ---------------------------------------------------------------------------------------------
class DeckServer:
    """Builds, watches and serves one deck on one port until `stop()` (or Ctrl-C in `serve_forever`)."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000,
                 echo: Callable[[str], None] = print, step_ms: int = STEP_MS):
        self.root = Path(root).resolve()
        self.host = host
        self.requested_port = port
        self.echo = echo
        self.base = Path(temporary_folder("talkdeck-serve-"))
        try:
            waiting = self.base / "waiting"
            waiting.mkdir()
            (waiting / "index.html").write_text(WAITING_PAGE, encoding="utf-8")
            self.builder = Builder(self.root, self.base / "deck", incremental=True)
            self.closing = self.builder.cancelled = threading.Event()
            self._token = secrets.token_hex(4)
            self._serial = 0
            self.current = Build(f"{self._token}.0", waiting)
            self.state: dict[str, Any] = {"build": self.current.id, "error": None}
            self._last_error = ""
            self.loop = RebuildLoop(self._build, self._publish, self._bug, settle=SETTLE_MS / 1000)
            self.watcher = DeckWatcher(self.root, self.loop.changed, step_ms, self._warn)
            self.sockets: list = []
            self.ioloop = None
            self._thread: threading.Thread | None = None
            self._ready = threading.Event()
            self._stop: asyncio.Event | None = None
            self._signalled = False  # Ctrl-C, kill or a closed terminal asked serve_forever to stop
            self._depends: set[Path] = set()  # the files the last good build read
            self._closed = False
        except BaseException:  # Ctrl-C, or a full disk, right at the start: the caller has no server to close
            remove_folder(self.base)
            raise

    # -- set-up ---------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.sockets[0].getsockname()[1] if self.sockets else self.requested_port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self) -> Outcome:
        """Bind the port, run the first build, start watching. Raises DeckError if the port is taken."""
        self._bind()
        self.watcher.start()  # before the first build, so no save during it goes unseen
        outcome = self._build(frozenset())
        self._publish(outcome, first=True)
        self.loop.start()
        return outcome

    def _bind(self) -> None:
        try:
            self.sockets = listen(self.host, self.requested_port)
        except OSError as exc:
            self.close()
            if exc.errno == errno.EADDRINUSE:
                raise DeckError.at(None, None, f"port {self.requested_port} on {self.host} is already in use",
                                   "stop the other server, or choose another port with --port") from None
            if exc.errno == errno.EACCES:
                raise DeckError.at(None, None, f"no permission to listen on port {self.requested_port}",
                                   "choose a port above 1023 with --port") from None
            raise DeckError.at(None, None, f"cannot listen on {self.host}:{self.requested_port}: "
                                           f"{exc.strerror or exc}", "check --host and --port") from None

    # -- building -------------------------------------------------------------------------------------------
    def _build(self, changes: frozenset[Path]) -> Outcome:
        started = time.perf_counter()
        since = change_clock()
        try:
            self.builder.forget(changes)
            result = self.builder.build()
        except BuildCancelled:  # the server is closing
            return None
        except DeckError as exc:
            # Watch the files the failed build read or blames (a pane's file without the region a slide
            # asks for, a Dockerfile that does not parse) and those it names but that do not exist yet:
            # editing or creating one is the fix.
            named = {Path(f) for p in exc.problems for f in (p.path, p.source) if f is not None}
            self.watcher.update(self._depends | self.builder.files_read()
                                | {f for f in named if f.is_absolute() and f.is_file()}, since)
            self.watcher.expect(p.missing for p in exc.problems if p.missing is not None)
            return Outcome(error=exc, changes=changes, seconds=time.perf_counter() - started)
        except Exception as exc:
            return Outcome(error=exc, trace=traceback.format_exc(), changes=changes,
                           seconds=time.perf_counter() - started)
        self._serial += 1
        build = Build(f"{self._token}.{self._serial}", result.output, assets_signature(result.output))
        self.current = build  # one assignment: pages served after this carry the new id
        self._depends = result.deck.dependencies | {section.path for section in result.deck.sections}
        self.watcher.update(self._depends, since)
        self.watcher.expect(result.deck.awaited)  # a file a template names, made later: the build takes it
        return Outcome(build=build, slides=len(result.deck.slides), sections=len(result.deck.sections),
                       changes=changes, seconds=time.perf_counter() - started)

    def _publish(self, outcome: Outcome | None, first: bool = False) -> None:
        if outcome is None:
            return
        if outcome.error is not None:
            state_error = self._describe(outcome.error)
            text = state_error["text"]
            if text != self._last_error:
                self.echo(f"Build failed: {text}" if "\n" not in text else f"Build failed:\n{text}")
                if outcome.trace:
                    self.echo(outcome.trace.rstrip())
            self._last_error = text
            self.state = {"build": self.current.id, "error": state_error}
        else:
            what = "Built" if first else ("Fixed; rebuilt" if self._last_error else "Rebuilt")
            cause = "" if first else f" after {self._changed_text(outcome.changes)}"
            self.echo(f"{what} {count(outcome.slides, 'slide')} in {count(outcome.sections, 'section')} in "
                      f"{outcome.seconds:.2f} s{cause}")
            self._last_error = ""
            self.state = {"build": self.current.id, "error": None}
        self._notify()

    def _changed_text(self, changes: frozenset[Path]) -> str:
        names = sorted(self._relative(p) for p in changes)
        if not names:
            return "a change"
        return names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")

    def _relative(self, path: Path | str) -> str:
        p = Path(path)
        if p.is_absolute() and p.is_relative_to(self.root):
            return p.relative_to(self.root).as_posix()
        return display_path(p)

    def _describe(self, error: BaseException) -> dict[str, Any]:
        if isinstance(error, DeckError):
            problems = [{"file": self._relative(p.path) if p.path is not None else None, "line": p.line,
                         "message": p.text()} for p in error.problems]
            text = "\n".join(str(p) for p in error.problems)
        else:
            message = f"internal error in talkdeck: {type(error).__name__}: {error}"
            problems = [{"file": None, "line": None, "message": message}]
            text = message
        return {"text": text, "problems": problems}

    def _notify(self) -> None:
        """Tell connected pages (from any thread); they fetch the state and reload or show the error."""
        ioloop = self.ioloop
        if ioloop is None:
            return
        from livereload.handlers import LiveReloadHandler

        try:
            ioloop.add_callback(LiveReloadHandler.reload_waiters, self.state["build"])
        except RuntimeError:  # the loop closed during shutdown
            pass

    def _bug(self, exc: BaseException) -> None:
        self.echo("talkdeck bug while rebuilding (the server keeps running):")
        self.echo("".join(traceback.format_exception(exc)).rstrip())

    def _warn(self, text: str) -> None:
        self.echo(f"Warning: {text}")

    # -- serving --------------------------------------------------------------------------------------------
    def application(self):
        from tornado import web

        socket, state, files = _handlers()
        return web.Application(
            [(SOCKET_PATH, socket, {"server": self}),
             (STATE_PATH, state, {"server": self}),
             (r"/(.*)", files, {"server": self})],
            log_function=_log_errors_only,
            websocket_ping_interval=None,
        )

    async def _serve(self) -> None:
        from livereload.handlers import LiveReloadHandler
        from tornado.httpserver import HTTPServer
        from tornado.ioloop import IOLoop

        LiveReloadHandler.watcher = self.watcher
        self._stop = asyncio.Event()
        http = HTTPServer(self.application())
        http.add_sockets(self.sockets)
        self.ioloop = IOLoop.current()
        woken = _SignalWakeUp(asyncio.get_running_loop())
        self._ready.set()
        try:
            if not self._signalled:  # else a signal came while the loop started
                await self._stop.wait()
        finally:
            woken.close()
            self.ioloop = None
            http.stop()
            for waiter in list(LiveReloadHandler.waiters):
                if getattr(waiter, "server", None) is self:
                    LiveReloadHandler.waiters.discard(waiter)
                    waiter.close()
            await http.close_all_connections()

    def serve_forever(self) -> None:
        """Serve in this thread until `stop()`, or Ctrl-C, `kill` or a closed terminal: then the server closes
        and KeyboardInterrupt is raised.

        While the loop runs, a signal only asks it to stop, and it stops from inside. Raised as it arrives,
        KeyboardInterrupt could land in asyncio's own start or shutdown and leave it half done (a loop
        without its pipe, a coroutine never awaited, each printed at exit)."""
        try:
            with handle_signals(self._on_signal, STOP_SIGNALS):
                asyncio.run(self._serve())
        finally:
            self.close()
        if self._signalled:
            raise KeyboardInterrupt

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._signalled = True
        ending()  # the server stops: another Ctrl-C would only cut its clean-up short
        self._ask_stop()

    def _ask_stop(self) -> None:
        """Ask the loop to stop, from any thread or a signal handler; nothing when it does not run."""
        ioloop, stop = self.ioloop, self._stop
        if ioloop is not None and stop is not None:
            try:  # this one wakes the loop also when a signal handler calls it: tornado's add_callback
                ioloop.asyncio_loop.call_soon_threadsafe(stop.set)  # would not, from the loop's thread
            except RuntimeError:  # the loop closed meanwhile
                pass

    def start_thread(self) -> None:
        """Serve from a background thread (tests, benchmarks); `stop()` ends it."""
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), name="talkdeck-serve",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the server thread did not start")

    def stop(self) -> None:
        self._ask_stop()
        if self._thread is not None:
            self._thread.join(10)
        self.close()

    def close(self) -> None:
        """Stop watching and building, release the port, delete the build folders.

        It takes a moment, bounded (a build under way stops before its next file), and a Ctrl-C, `kill` or
        closed terminal meanwhile is let go: the server is stopping already, and cut short, the deletion
        would leave half a build folder behind.
        """
        if self._closed:
            return
        self._closed = True
        self.closing.set()
        with handle_signals(let_go, STOP_SIGNALS):
            try:
                self.watcher.stop()
                self.loop.stop()
            finally:
                for sock in self.sockets:
                    sock.close()
                shutil.rmtree(self.base, ignore_errors=True)
                if self.loop.running():  # the wait was cut short: the build stops within a file
                    self.loop.stop(timeout=2.0)
                    shutil.rmtree(self.base, ignore_errors=True)


class _SignalWakeUp:
    """Wake `loop` whenever a signal arrives, so that its Python handler runs at once.

    Python runs a signal's handler in the main thread, between two bytecodes. A signal that arrives just
    before the loop's thread goes to sleep on its sockets would otherwise wait for the next request or file
    change: Ctrl-C would not stop an idle server. With a wake-up socket, the signal itself wakes the loop
    (asyncio does the same for its own signal handlers). Only the main thread can set it; elsewhere nothing
    changes, and no Python handler would run there anyway."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        try:
            self.previous = signal.set_wakeup_fd(self.writer.fileno(), warn_on_full_buffer=False)
        except ValueError:  # not the main thread
            self.previous = None
            self.reader.close()
            self.writer.close()
            return
        loop.add_reader(self.reader.fileno(), self._drain)

    def _drain(self) -> None:
        try:
            self.reader.recv(4096)
        except OSError:  # nothing left to read
            pass

    def close(self) -> None:
        if self.previous is None:
            return
        signal.set_wakeup_fd(self.previous)
        self.loop.remove_reader(self.reader.fileno())
        self.reader.close()
        self.writer.close()
        self.previous = None


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address of `host` (all on one port, also when `port` is 0).

    Like tornado's `bind_sockets`, but closes what it opened when a bind fails.
    """
    sockets: list[socket.socket] = []
    try:
        seen = set()
        for family, kind, proto, _name, address in socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE):
            if (family, address) in seen:
                continue
            seen.add((family, address))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sock.bind(address)
            sock.setblocking(False)
            sock.listen(128)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def host_name(header: str) -> str | None:
    """The name in a Host header, without port or brackets, in lower case; None if it is not one."""
    try:
        return urlsplit("//" + header).hostname
    except ValueError:
        return None


def allowed_host(header: str | None, served_as: str) -> bool:
    """Whether a request's Host names this server: an IP address, localhost, this machine's name, or the
    name given with --host. Any other name is a page elsewhere that made its own name point here (DNS
    rebinding) to read the deck and its notes through the visitor's browser."""
    if not header:
        return True  # HTTP/1.0 without a Host: no browser sends that
    name = host_name(header)
    if not name:
        return False
    name = name.removesuffix(".")  # `localhost.`: the same name, written fully qualified
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    machine = socket.gethostname().lower()
    return (name == "localhost" or name.endswith(".localhost") or name == served_as.lower().strip("[]").rstrip(".")
            or name in (machine, machine + ".local"))


def _log_errors_only(handler) -> None:
    if handler.get_status() >= 500:
        from tornado.log import access_log

        access_log.error("%d %s", handler.get_status(), handler._request_summary())


# -- request handlers (tornado is imported only when a server runs) -----------------------------------------
@cache
def _handlers():
    from livereload.handlers import LiveReloadHandler
    from tornado import web
    from tornado.websocket import WebSocketHandler

    class OwnHost:
        """Every handler: requests that name another host are refused before they are handled."""

        server: DeckServer

        def prepare(self) -> None:
            host = self.request.headers.get("Host")
            if allowed_host(host, self.server.host):
                return
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=UTF-8")
            self.finish(f"talkdeck serve answers to localhost and IP addresses, not to {host!r}: a page "
                        f"that points its own name at this machine may not read the deck. To serve under "
                        f"that name, start talkdeck serve with --host {host_name(host) or 'NAME'}\n")

    class Socket(OwnHost, LiveReloadHandler):
        """livereload's WebSocket handshake; a page that registers is told at once to check the build.

        Only pages of this server may connect (livereload lets any page in), and a message that is not
        livereload's JSON is ignored instead of ending in a traceback.
        """

        def initialize(self, server: DeckServer) -> None:
            self.server = server

        def check_origin(self, origin: str) -> bool:
            return WebSocketHandler.check_origin(self, origin)

        def on_message(self, message) -> None:
            try:
                data = json.loads(message)
            except ValueError:
                return
            if not isinstance(data, dict) or not isinstance(data.get("command"), str):
                return
            super().on_message(message)
            command = data["command"]
            if command == "info":
                self.send_message({"command": "reload", "path": self.server.state["build"],
                                   "liveCSS": False, "liveImg": False})

    class StateHandler(OwnHost, web.RequestHandler):
        def initialize(self, server: DeckServer) -> None:
            self.server = server

        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            self.write(json.dumps(self.server.state))

    class DeckFiles(OwnHost, web.StaticFileHandler):
        """Static files of the newest good build only; pages get the live script."""

        def initialize(self, server: DeckServer) -> None:  # type: ignore[override]
            self.server = server
            self.build = server.current  # read once: this whole request uses one build folder
            self._is_page = False
            self._file = None  # the file served, open from the start: a build may put a new one in its place
            super().initialize(path=str(self.build.folder), default_filename="index.html")

        def set_extra_headers(self, path: str) -> None:
            self.set_header("Cache-Control", "no-cache")

        def _confine(self, path: str) -> None:
            """404, not tornado's 403, for anything outside the build folder or hidden in it (or not a path)."""
            if "\0" in path:
                raise web.HTTPError(404)
            root = os.path.abspath(self.root)
            absolute = os.path.abspath(os.path.join(root, self.parse_url_path(path)))
            if absolute != root and not absolute.startswith(root + os.sep):
                raise web.HTTPError(404)
            if any(part.startswith(".") for part in Path(os.path.relpath(absolute, root)).parts):
                raise web.HTTPError(404)

        async def get(self, path: str, include_body: bool = True) -> None:
            self._confine(path)
            if path == "" or path.endswith("/") or path.endswith(".html"):
                self._page(path + "index.html" if path == "" or path.endswith("/") else path, include_body)
                return
            await super().get(path, include_body)

        def compute_etag(self) -> str | None:
            """From the file's identity, not a cached hash: builds replace files in place under one path."""
            if self._is_page or getattr(self, "absolute_path", None) is None:
                return None
            st = self._stat()
            return f'"{st.st_ino:x}-{st.st_mtime_ns:x}-{st.st_size:x}"'

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            """The file is opened here, and its size and time read from the open file: a rebuild that replaces it
            meanwhile (a new file renamed over it) changes neither what is sent nor the length announced."""
            absolute = super().validate_absolute_path(root, absolute_path)
            if absolute is not None and not self._is_page:
                try:
                    self._file = open(absolute, "rb")  # noqa: SIM115 - closed in on_finish
                except OSError:
                    raise web.HTTPError(404) from None
                self._stat_result = os.fstat(self._file.fileno())  # what tornado's _stat() gives
            return absolute

        def get_content(self, abspath: str, start: int | None = None, end: int | None = None):  # type: ignore[override]
            """The bytes of the file opened by validate_absolute_path (tornado's reads the path anew). An instance
            method where tornado has a class method: nothing here calls it on the class (get_content_version
            would, for static_url and tornado's own ETag, neither of which the deck uses)."""
            file = self._file
            if file is None:
                yield from web.StaticFileHandler.get_content(abspath, start, end)
                return
            remaining = None if end is None else end - (start or 0)
            try:
                file.seek(start or 0)
                while remaining is None or remaining > 0:
                    chunk = file.read(65536 if remaining is None else min(65536, remaining))
                    if not chunk:
                        return
                    if remaining is not None:
                        remaining -= len(chunk)
                    yield chunk
            except ValueError:  # closed: the browser went away in the middle (on_connection_close)
                return

        def on_finish(self) -> None:
            if self._file is not None:
                self._file.close()
                self._file = None

        def on_connection_close(self) -> None:  # the browser went away in the middle
            super().on_connection_close()
            self.on_finish()

        def _page(self, path: str, include_body: bool) -> None:
            self._is_page = True
            self.path = self.parse_url_path(path)
            absolute = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, path))
            if absolute is None:
                return
            body = inject(Path(absolute).read_bytes(), self.build)
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-store")
            self.set_header("X-Talkdeck-Build", self.build.id)
            self.set_header("X-Talkdeck-Assets", self.build.assets)
            if include_body:
                self.write(body)
            else:
                self.set_header("Content-Length", str(len(body)))

    return Socket, StateHandler, DeckFiles


def assets_signature(folder: Path) -> str:
    """Names, sizes and times of every output file but the page: the builder rewrites only changed files."""
    digest = hashlib.sha1()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "index.html"):
        st = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def inject(page: bytes, build: Build) -> bytes:
    """The live script, just before `</head>` (or at the start of a page that has none)."""
    config = json.dumps({"build": build.id, "assets": build.assets, "state": STATE_PATH,
                         "socket": SOCKET_PATH}).replace("</", "<\\/")
    script = f'<script id="talkdeck-live">window.TALKDECK_LIVE = {config};\n{LIVE_JS}</script>\n'.encode()
    marker = b"</head>"
    at = page.find(marker)
    if at < 0:
        return script + page
    return page[:at] + script + page[at:]


# The page's half of live reload. It asks for the newest build whenever the socket (re)connects or says
# something. A newer build whose page differs only inside `.reveal .slides`, slide ids unchanged, is patched
# in place: the changed <section>s are swapped, code is highlighted as reveal's plugin does, and reveal.js
# syncs and goes back to the same slide and fragment (no flash; the speaker view is told). Anything else
# reloads, with the position kept in sessionStorage (reveal writes the hash at most once a second) and put
# into the hash before reveal starts. A build error shows over the deck until a good build comes.
LIVE_JS = r"""
(function () {
  var live = window.TALKDECK_LIVE;
  if (!live) return;
  // The speaker view's previews load the deck with ?receiver and are steered by the speaker window: they
  // take patches and reloads like the deck, but tell nobody they moved. Their two frames share the speaker
  // window's sessionStorage, so each keeps its position in its own frame's name, which outlives a reload.
  var receiver = /(^|[?&])receiver/.test(location.search.slice(1));
  var KEY = 'talkdeck-position:' + location.pathname;
  function readPosition() {
    if (!receiver) return sessionStorage.getItem(KEY);
    return window.name.indexOf(KEY) === 0 ? window.name.slice(KEY.length) : null;
  }
  function writePosition(text) {
    if (receiver) window.name = KEY + text; else sessionStorage.setItem(KEY, text);
  }
  var saved = null;
  try { saved = JSON.parse(readPosition() || 'null'); } catch (e) { saved = null; }
  if (receiver && location.hash) {
    // reveal.js wrote where the preview was into its address; started from there after a reload, it would
    // tell the speaker view it moved, and the speaker view would move the deck
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  var nav = (performance.getEntriesByType && performance.getEntriesByType('navigation')[0]) || {};
  var restoring = !!saved && nav.type === 'reload';
  var placedHash = restoring && saved.id && !receiver;
  if (placedHash) {
    var f = typeof saved.f === 'number' && saved.f >= 0 ? '/' + saved.f : '';
    history.replaceState(history.state, '', location.pathname + location.search + '#/' + saved.id + f);
  }
  var leaving = false;
  var source = null;  // the served (not yet reveal-processed) slides and shell of the build on screen

  function ready() { return !!(window.Reveal && Reveal.isReady && Reveal.isReady()); }
  function shown(patched) {
    document.documentElement.setAttribute('data-td-live', live.build);
    var detail = {build: live.build, patched: patched};
    document.dispatchEvent(new CustomEvent('talkdeck:shown', {detail: detail}));
  }
  function headingOf(slide) {
    var heading = slide && slide.querySelector('h1, h2, h3');
    return heading ? heading.textContent.trim() : null;
  }
  // What the slide shows (text, code, pictures), to tell it from slides with the same heading or none.
  function contentOf(slide) {
    if (!slide) return null;
    var copy = slide.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll('aside.notes, .hljs-ln-numbers, section'),
                                 function (el) { el.remove(); });
    var pictures = Array.prototype.map.call(copy.querySelectorAll('img'), function (img) {
      return img.getAttribute('src');
    });
    return (copy.textContent.replace(/\s+/g, ' ').trim() + ' ' + pictures.join(' ')).slice(0, 2000);
  }
  // Until the speaker moves, a page that could not find the saved slide (a section saved half-written, say)
  // keeps the saved position for the next build instead of wherever reveal.js ended up.
  var lost = false;
  // Likewise the fragment step the speaker was on when a save left the slide fewer steps (half-written, or a
  // step deleted and then undone): kept until the speaker moves, and taken again once the slide has it.
  var wantedStep = null;
  function save() {
    if (!ready() || lost) return;
    var slide = Reveal.getCurrentSlide(), at = Reveal.getIndices();
    var slides = Reveal.getSlides(), n = slides.indexOf(slide);
    var position = {id: slide && slide.id || null, h: at.h, v: at.v, f: wantedStep === null ? at.f : wantedStep,
                    title: headingOf(slide), content: contentOf(slide), n: n,
                    before: contentOf(slides[n - 1]), after: contentOf(slides[n + 1]),
                    overview: Reveal.isOverview(), paused: Reveal.isPaused()};
    try { writePosition(JSON.stringify(position)); } catch (e) { /* storage full or off */ }
  }
  function moved(event) {
    if (event && event.origin === 'talkdeck') return;  // a patch telling the speaker view, not a move
    if (placing) return;  // talkdeck putting the page back, not the speaker
    lost = false;
    wantedStep = null;
    save();
  }
  function reload() {
    if (leaving) return;
    leaving = true;
    save();
    location.reload();
  }
  function restore() {
    if (!restoring) return;
    restoring = false;
    if (receiver) {
      // A preview goes back to the place the speaker view last gave it, in the deck's own indices: the slide
      // it showed may have been read off the previous build. It tells nobody, or it would steer the deck.
      var config = Reveal.getConfig(), posting = config.postMessageEvents;
      config.postMessageEvents = false;
      try { go({h: saved.h || 0, v: saved.v || 0}); } finally { config.postMessageEvents = posting; }
      return;
    }
    var el = saved.id && document.getElementById(saved.id);
    var slide = el && el.closest('.slides section');
    // Slide ids count positions, so a slide added or removed before this one shifts them. The slide is the
    // one under the saved id when it still shows the same; else the nearest that does, heading and content;
    // else the nearest with the same heading (its content was edited). An edited heading matches no slide
    // and keeps the id.
    function same(candidate) {
      return headingOf(candidate) === (saved.title || null) && contentOf(candidate) === saved.content;
    }
    // Among equals (a repeated "Demo time" slide), the one between the same slides as before comes first.
    if (!slide || !same(slide)) {
      var best = null, slides = Reveal.getSlides();
      slides.forEach(function (candidate, index) {
        var rank = same(candidate) ? 0 : (saved.title && headingOf(candidate) === saved.title ? 1 : -1);
        if (rank < 0) return;
        var strange = (contentOf(slides[index - 1]) === saved.before ? 0 : 1) +
                      (contentOf(slides[index + 1]) === saved.after ? 0 : 1);
        var distance = Math.abs(index - (saved.n || 0));
        if (!best || rank < best.rank || (rank === best.rank && (strange < best.strange ||
            (strange === best.strange && distance < best.distance)))) {
          best = {slide: candidate, rank: rank, strange: strange, distance: distance};
        }
      });
      if (best) slide = best.slide;
    }
    lost = !slide;
    go(slide ? Reveal.getIndices(slide) : {h: saved.h || 0, v: saved.v || 0});
    // the overview (esc) and the black screen (b) as they were; full screen needs the speaker's own key
    if (saved.overview && !Reveal.isOverview()) Reveal.toggleOverview(true);
    if (saved.paused && !Reveal.isPaused()) Reveal.togglePause(true);
  }
  function go(target) {
    var now = Reveal.getIndices();
    var f = typeof saved.f === 'number' ? saved.f : undefined;
    if (now.h !== target.h || (now.v || 0) !== (target.v || 0) || (f !== undefined && now.f !== f)) {
      place(target.h, target.v, f);
    }
  }
  var placing = false;
  function place(h, v, f) {  // go to a slide and step for the speaker; note a step the slide does not have
    placing = true;
    try { Reveal.slide(h, v, f); } finally { placing = false; }
    var now = Reveal.getIndices();
    wantedStep = typeof f === 'number' && now.h === h && (now.v || 0) === (v || 0) && now.f !== f ? f : null;
  }
  function started() {
    restore();
    var config = Reveal.getConfig();
    if (placedHash && !config.hash && !config.history) {
      // a deck that keeps its place out of the address ([reveal] hash = false) would keep this one forever
      history.replaceState(history.state, '', location.pathname + location.search);
    }
    ['slidechanged', 'fragmentshown', 'fragmenthidden'].forEach(function (name) { Reveal.on(name, moved); });
    ['overviewshown', 'overviewhidden', 'paused', 'resumed'].forEach(function (name) { Reveal.on(name, save); });
    save();
    shown(false);
    fetchPage().then(function (page) {
      if (page.build === live.build) source = snapshot(page.doc);
    }).catch(function () { source = null; });
  }
  document.addEventListener('DOMContentLoaded', function () {
    if (!window.Reveal) { shown(false); return; }
    if (ready()) started(); else Reveal.on('ready', started);
  });
  window.addEventListener('pagehide', save);

  // -- patching slides in place --------------------------------------------------------------------------
  function fetchPage() {
    return fetch(location.pathname + location.search, {cache: 'no-store'}).then(function (r) {
      if (!r.ok) throw new Error('page: ' + r.status);
      return r.text().then(function (html) {
        return {build: r.headers.get('X-Talkdeck-Build'), assets: r.headers.get('X-Talkdeck-Assets'),
                doc: new DOMParser().parseFromString(html, 'text/html')};
      });
    });
  }
  function snapshot(doc) {
    var slides = doc.querySelector('.reveal .slides');
    if (!slides) return null;
    var map = {}, order = [], ok = true;
    function leaf(el) {
      if (!el.id || map[el.id] !== undefined) ok = false;
      map[el.id] = el.outerHTML;
      return el.id;
    }
    Array.prototype.forEach.call(slides.children, function (el) {
      var kids = el.tagName === 'SECTION' ? el.querySelectorAll(':scope > section') : [];
      if (kids.length) {
        order.push(el.cloneNode(false).outerHTML + Array.prototype.map.call(kids, leaf).join(','));
      } else if (el.tagName === 'SECTION') {
        order.push(leaf(el));
      } else {
        order.push(el.outerHTML);
      }
    });
    var shell = doc.documentElement.cloneNode(true);
    shell.querySelector('.reveal .slides').textContent = '';
    var script = shell.querySelector('#talkdeck-live');
    if (script) script.remove();
    return ok ? {map: map, order: order.join('\n'), shell: shell.outerHTML} : null;
  }
  function update() {
    // TALKDECK_NO_PATCH (set before the page loads) always reloads: for comparing the two ways
    if (!source || !ready() || leaving || window.TALKDECK_NO_PATCH) { reload(); return Promise.resolve(); }
    return fetchPage().then(function (page) {
      var next = snapshot(page.doc);
      if (!next || page.assets !== live.assets || next.shell !== source.shell ||
          next.order !== source.order) {
        reload();
        return;
      }
      var changed = Object.keys(next.map).filter(function (id) { return next.map[id] !== source.map[id]; });
      patch(page.doc, changed, movedTo(next, changed));
      source = next;
      live.build = page.build;
      save();  // what the slide shows now
      shown(true);
    }).catch(function (e) {
      if (window.console) console.warn('talkdeck: reloading, the slides could not be patched:', e);
      reload();
    });
  }
  // A slide's served HTML but for what its place gives it: its id, source line and share of the time.
  function unplaced(html) {
    return html.replace(/^<section\b[^>]*>/, function (tag) {
      return tag.replace(/\s(id|data-td-source|data-timing)="[^"]*"/g, '');
    });
  }
  // Slides moved (ids and count the same, as when one is cut and pasted further on): the id the slide on
  // screen went to, the nearest whose content changed to exactly what this one showed. None when it is still
  // there, or was edited: a twin that was there already (a repeated "Demo" slide, a blank one) is no move.
  function movedTo(next, changed) {
    var slide = Reveal.getCurrentSlide(), id = slide && slide.id;
    if (!id || changed.indexOf(id) < 0 || source.map[id] === undefined) return null;
    var was = unplaced(source.map[id]);
    if (unplaced(next.map[id]) === was) return null;
    var ids = Object.keys(next.map), at = ids.indexOf(id), best = null;
    changed.forEach(function (other) {
      if (other === id || unplaced(next.map[other]) !== was || unplaced(source.map[other] || '') === was) return;
      var index = ids.indexOf(other);
      if (best === null || Math.abs(index - at) < Math.abs(ids.indexOf(best) - at)) best = other;
    });
    return best;
  }
  function patch(doc, changed, target) {
    if (!changed.length) return;
    var at = Reveal.getIndices();
    if (wantedStep !== null) at.f = wantedStep;
    changed.forEach(function (id) {
      var old = document.getElementById(id), fresh = doc.getElementById(id);
      if (!old || !fresh) throw new Error('slide ' + id + ' not found');
      // reveal.js reads these when it starts only: it removes hidden slides, and a slide's state becomes a
      // class of the viewport
      ['data-visibility', 'data-state'].forEach(function (name) {
        if (old.getAttribute(name) !== fresh.getAttribute(name)) throw new Error(name + ' of ' + id + ' changed');
      });
      var node = document.importNode(fresh, true);
      ['past', 'present', 'future', 'stack'].forEach(function (name) {
        if (old.classList.contains(name)) node.classList.add(name);
      });
      ['hidden', 'aria-hidden'].forEach(function (name) {
        if (old.hasAttribute(name)) node.setAttribute(name, old.getAttribute(name));
      });
      node.style.display = old.style.display;
      old.parentNode.replaceChild(node, old);
      highlight(node);
    });
    Reveal.sync();
    if (target) {
      var to = Reveal.getIndices(document.getElementById(target));
      at.h = to.h;
      at.v = to.v;
    }
    place(at.h, at.v, at.f);
    if (receiver) return;
    var current = Reveal.getCurrentSlide();
    // reveal's notes plugin re-reads the notes on this event: the speaker view shows the edited ones
    Reveal.dispatchEvent({type: 'slidechanged', data: {indexh: at.h, indexv: at.v, previousSlide: current,
                                                       currentSlide: current, origin: 'talkdeck'}});
  }
  // What reveal's highlight plugin does to each `pre code` when it starts, then the file's line numbers.
  function highlight(root) {
    var blocks = root.querySelectorAll('pre code');
    if (!blocks.length) return;
    var plugin = Reveal.getPlugin && Reveal.getPlugin('highlight');
    if (!plugin || !plugin.highlightBlock) throw new Error('no highlight plugin');
    var options = Reveal.getConfig().highlight || {};
    var escape = typeof options.escapeHTML === 'boolean' ? options.escapeHTML : true;
    Array.prototype.forEach.call(blocks, function (block) {
      if (block.hasAttribute('data-trim') || block.querySelector('script[type="text/template"]')) {
        throw new Error('code needs a full load');
      }
      block.parentNode.classList.add('code-wrapper');
      if (escape && !block.hasAttribute('data-noescape')) {
        block.innerHTML = block.innerHTML.replace(/</g, '&lt;').replace(/>/g, '&gt;');
      }
      if (options.highlightOnLoad !== false) plugin.highlightBlock(block);
    });
    if (window.talkdeckLineNumbers) window.talkdeckLineNumbers(root);  // defined by deck.html.j2
  }

  // -- errors ---------------------------------------------------------------------------------------------
  function overlay(error) {
    if (receiver) return;
    var box = document.getElementById('talkdeck-error');
    if (!error) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement('div');
      box.id = 'talkdeck-error';
      box.setAttribute('role', 'alert');
      box.style.cssText = 'position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:70vh;' +
        'overflow:auto;margin:0;padding:16px 24px;background:rgba(140,0,0,.94);color:#fff;text-align:left;' +
        'font:16px/1.45 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 2px 12px rgba(0,0,0,.5)';
      document.body.appendChild(box);
    }
    box.textContent = '';
    var title = document.createElement('div');
    title.style.cssText = 'font-weight:bold;margin-bottom:8px';
    title.textContent = window.Reveal  // the waiting page, shown until a first good build, has no deck
      ? 'talkdeck: the build failed. Below is the last good build; save a fix to go on.'
      : 'talkdeck: the build failed, and there is no good build yet. Save a fix to go on.';
    box.appendChild(title);
    (error.problems || []).forEach(function (p) {
      var row = document.createElement('div');
      row.className = 'talkdeck-problem';
      var where = document.createElement('b');
      where.className = 'talkdeck-where';
      where.textContent = p.file ? p.file + (p.line ? ':' + p.line : '') + ': ' : '';
      row.appendChild(where);
      row.appendChild(document.createTextNode(p.message));
      box.appendChild(row);
    });
  }

  // -- talking to the server ------------------------------------------------------------------------------
  var checking = false, again = false;
  function check() {
    if (checking) { again = true; return; }
    checking = true;
    fetch(live.state, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (state) {
      if (state.build === live.build) { overlay(state.error); return; }
      return update().then(function () { if (!leaving) overlay(state.error); });
    }).catch(function () { /* the server is away; the socket reconnects */ }).then(function () {
      checking = false;
      if (again && !leaving) { again = false; check(); }
    });
  }

  var delay = 100;
  function connect() {
    var scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var ws = new WebSocket(scheme + location.host + live.socket);
    ws.onopen = function () {
      delay = 100;
      ws.send(JSON.stringify({command: 'hello', protocols: ['http://livereload.com/protocols/official-7']}));
    };
    ws.onmessage = function (event) {
      var message = {};
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.command === 'hello') {
        ws.send(JSON.stringify({command: 'info', url: location.href, plugins: {}}));
      } else if (message.command === 'reload') {
        check();
      }
    };
    ws.onclose = function () {
      if (leaving) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 2000);
    };
  }
  connect();
})();
"""
