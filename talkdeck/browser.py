"""Finding and launching Chromium for the PDF export and the checks, offline and as root."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from talkdeck.entry import hold_signals, interrupt, remove_folder, temporary_folder
from talkdeck.errors import DeckError, display_path

ENV_VAR = "TALKDECK_CHROMIUM"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
]
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Chromium's headless shell (Debian package chromium-headless-shell) starts and lays out faster than the full
# browser in headless mode: a PDF of the talk takes 0.5 s less.
HEADLESS_SHELL = "chromium-headless-shell"
CLEAN_UP_TRIES = 40  # looks, 50 ms apart, for a Chromium still using its temporary folder


def find_chromium(explicit: str | os.PathLike[str] | None = None, headless_shell: bool = False) -> str | None:
    """`explicit` (--browser), then $TALKDECK_CHROMIUM, then, with `headless_shell`, Chromium's headless
    shell, then a system Chromium or Chrome.

    None means: let Playwright use its own installed browser, if it has one.
    """
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise DeckError.at(
                None, None, f"no browser at {explicit}", "give the path of a Chromium or Chrome"
            )
        if not os.access(path, os.X_OK):
            raise DeckError.at(None, None, f"{explicit} is not a program one may run",
                               "give the path of a Chromium or Chrome")
        return str(path)
    env = os.environ.get(ENV_VAR)
    if env:
        if not Path(env).is_file():
            raise DeckError.at(None, None, f"{ENV_VAR} names no file: {env}", "fix or unset the variable")
        if not os.access(env, os.X_OK):
            raise DeckError.at(None, None, f"{ENV_VAR} names a file that is not a program one may run: {env}",
                               "fix or unset the variable")
        return env
    for name in (HEADLESS_SHELL, *SYSTEM_BROWSERS) if headless_shell else SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def node_compile_cache() -> None:
    """Let Playwright's Node.js driver keep its compiled code between runs: its start is 0.1 s faster.

    Node ignores the variable where it does not support it; an existing setting is kept.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "talkdeck", "node-compile-cache")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    os.environ.setdefault("NODE_COMPILE_CACHE", folder)


@contextmanager
def launch(explicit: str | None = None):
    """A headless Chromium through Playwright (the headless shell when installed and no browser was named);
    a clear error when none can be found."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise DeckError.at(
            None, None, "Playwright is not installed", "run `pip install playwright`"
        ) from None
    executable = find_chromium(explicit, headless_shell=True)
    node_compile_cache()
    with _own_temporary_folder(), _HeldInterrupts() as held:
        try:
            with sync_playwright() as playwright:
                try:
                    browser = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
                except PlaywrightError as exc:
                    held.check()
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unknown error"
                    if executable is None:
                        raise DeckError.at(
                            None,
                            None,
                            f"cannot start Chromium: {first}",
                            f"install one (apt-get install chromium), pass --browser PATH, or set {ENV_VAR}",
                        ) from None
                    raise DeckError.at(None, None, f"cannot start {executable} as a headless Chromium: {first}",
                                       f"is it a Chromium or Chrome? Pass another with --browser PATH or set "
                                       f"{ENV_VAR}") from None
                try:
                    held.check()
                    yield browser
                    held.check()
                except BaseException:
                    _close_quietly(browser)
                    raise
                browser.close()
        except BaseException:
            held.check()  # an interrupt's consequences (a driver gone, a browser closed) are the interrupt
            raise
        held.check()


@contextmanager
def _own_temporary_folder():
    """Playwright's driver and Chromium keep a profile and downloads in the temporary folder, and delete them
    when they close. A second Ctrl-C or `kill` reaches the driver too, which then dies first: here they are
    in a folder of talkdeck's, deleted in any case."""
    folder = temporary_folder("talkdeck-chromium-")
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = folder  # the driver started inside this block inherits it
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        for _ in range(CLEAN_UP_TRIES):  # a Chromium left without its driver writes there until it notices
            if not _users(folder):
                break
            time.sleep(0.05)
        remove_folder(folder)


def _users(folder: str) -> bool:
    """Whether a process runs with `folder` in its command line (Linux; elsewhere none is found)."""
    needle = folder.encode()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if needle in handle.read():
                        return True
            except OSError:  # gone meanwhile, or not ours to read
                continue
    return False


class _HeldInterrupts(hold_signals):
    """Ctrl-C, `kill` and a closed terminal while Chromium is driven: raised as KeyboardInterrupt between
    Playwright's calls, not inside one.

    An interrupt raised inside a call lands in Playwright's event loop: the call may swallow it (the command
    then went on and wrote its PDF) or never return. Held until the call returns, it is raised by
    :func:`checkpoint` or when the session ends. A terminal's Ctrl-C also reaches Playwright's driver, which
    closes the browser and exits: the call under way then fails, and that failure is reported as the interrupt
    it is. A second signal is raised at once, for a call that does not return.
    """

    def __enter__(self) -> _HeldInterrupts:
        global _held
        super().__enter__()
        self.outer = _held
        _held = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _held
        _held = self.outer
        super().__exit__(*exc)

    def _hold(self, signum, frame) -> None:
        if self.hit:
            interrupt(signum, frame)
            return
        self.hit = True
        # the driver's pipe, closed under it, leaves asyncio futures with errors nobody will read: not news
        import logging

        logging.getLogger("asyncio").setLevel(logging.CRITICAL)


_held: _HeldInterrupts | None = None


def checkpoint() -> None:
    """Raise an interrupt held back while Chromium is driven: call it between steps that take a while."""
    if _held is not None:
        _held.check()


def _close_quietly(browser) -> None:
    """Close the browser on the way out of an error, which matters more than a failure to close."""
    try:
        browser.close()
    except Exception:  # noqa: BLE001 - the driver may be gone already (a Ctrl-C reaches it too)
        pass


def own_page_template(root: Path) -> Path | None:
    """The deck's own templates/deck.html.j2, which replaces talkdeck's page, if it has one."""
    template = root / "templates" / "deck.html.j2"
    return template if template.is_file() else None


NO_START_HINT = "does this template call Reveal.initialize, as talkdeck's own deck.html.j2 does?"


def no_reveal_error(root: Path) -> DeckError:
    """The page loaded without reveal.js: the deck's own page template, when it has one, left it out."""
    template = own_page_template(root)
    if template is not None:
        own = Path(__file__).resolve().parent / "templates" / "deck.html.j2"
        return DeckError.at(template, None, "the page this template makes does not load reveal.js",
                            "keep the `{% block scripts %}` of talkdeck's own deck.html.j2, which loads "
                            f"reveal/reveal.js and calls Reveal.initialize: start from a copy of {display_path(own)}")
    return DeckError.at(None, None, "the built page does not load reveal.js", "please report this as a bug")


def refuse_websockets(page, refused: list[str]) -> None:
    """Record and close every WebSocket the page opens, before it reaches its server: `page.route` never
    sees one, and a deck must work offline (from disk it has no server of its own to talk to)."""
    import re

    page.route_web_socket(re.compile(r""), lambda socket: (refused.append(socket.url), socket.close()))
