"""`talkdeck serve`: the rebuild loop on its own, the server over raw HTTP, and live reload in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from talkdeck.errors import DeckError
from talkdeck.server import DeckServer, DeckWatcher, RebuildLoop, change_clock

# How long a page may take to show what a save changed before a test fails: it shows in about 0.1 s (see
# bench/serve_latency.py); the margin is for a loaded CI machine, and costs only a failing test's time.
WAIT_MS = 15_000


def save(path: Path, text: str) -> None:
    """Save the way editors do: write a temporary file beside it, then rename it over the old one."""
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_for(condition, timeout: float = WAIT_MS / 1000, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


# -- the rebuild loop, without sockets or files -------------------------------------------------------------
class FakeBuilds:
    """A build function that records its change sets and can be held inside a build."""

    def __init__(self):
        self.changes: list[frozenset] = []
        self.published: list[object] = []
        self.inside = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.fail_next = False

    def build(self, changes):
        self.changes.append(changes)
        self.inside.set()
        assert self.release.wait(5)
        if self.fail_next:
            self.fail_next = False
            return ("error", changes)
        return ("ok", changes)

    def publish(self, result):
        self.published.append(result)


def test_a_burst_of_change_sets_gives_one_build_and_one_publish():
    fake = FakeBuilds()
    loop = RebuildLoop(fake.build, fake.publish)
    for name in ("a.md", "b.md", "c.md", "a.md"):
        loop.changed({Path(name)})
    assert loop.run_pending() == 1
    assert fake.changes == [frozenset({Path("a.md"), Path("b.md"), Path("c.md")})]
    assert fake.published == [("ok", fake.changes[0])]
    assert loop.run_pending() == 0  # nothing pending: no build


def test_changes_during_a_build_give_exactly_one_more_build_and_one_publish():
    fake = FakeBuilds()
    fake.release.clear()
    loop = RebuildLoop(fake.build, fake.publish)
    loop.start()
    try:
        loop.changed({Path("first.md")})
        assert fake.inside.wait(5)
        for i in range(5):  # five saves while the first build runs
            loop.changed({Path(f"during-{i}.md")})
        fake.release.set()
        assert loop.wait_idle(5)
    finally:
        loop.stop()
    assert len(fake.changes) == 2
    assert fake.changes[1] == frozenset(Path(f"during-{i}.md") for i in range(5))
    # the first build's output was stale before it was done: only the second one is announced
    assert fake.published == [("ok", fake.changes[1])]


def test_the_loop_recovers_from_a_failed_build_and_from_a_bug():
    fake = FakeBuilds()
    bugs: list[BaseException] = []
    calls = {"n": 0}

    def build(changes):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("bug in a build step")
        return fake.build(changes)

    loop = RebuildLoop(build, fake.publish, bugs.append)
    fake.fail_next = True
    loop.changed({Path("deck.toml")})
    loop.run_pending()
    loop.changed({Path("deck.toml")})
    loop.run_pending()  # raises inside: reported, the loop survives
    loop.changed({Path("deck.toml")})
    loop.run_pending()
    assert [type(b) for b in bugs] == [RuntimeError]
    assert [r[0] for r in fake.published if r is not None] == ["error", "ok"]
    assert loop.builds == 3


def test_change_sets_that_come_close_together_give_one_build():
    # the watches report their folders apart: one save of two files arrives as two sets, a moment apart
    fake = FakeBuilds()
    loop = RebuildLoop(fake.build, fake.publish, settle=0.5)
    loop.start()
    try:
        loop.changed({Path("slides/01-intro.md")})
        threading.Timer(0.05, loop.changed, [{Path("code/app.py")}]).start()
        assert loop.wait_idle(5)
    finally:
        loop.stop()
    assert fake.changes == [frozenset({Path("slides/01-intro.md"), Path("code/app.py")})]
    assert len(fake.published) == 1


# -- the server over HTTP, no browser ----------------------------------------------------------------------
@dataclass
class Served:
    server: DeckServer
    deck: Path
    lines: list[str]

    @property
    def url(self) -> str:
        return self.server.url

    def build_id(self) -> str:
        return self.server.state["build"]

    def wait_build(self, old: str, timeout: float = 5.0) -> str:
        return wait_for(lambda: self.build_id() != old and self.build_id(), timeout, "a new build")


@pytest.fixture
def served(deck_copy):
    deck = deck_copy("basic")
    lines: list[str] = []
    server = DeckServer(deck, port=0, echo=lines.append)
    server.start()
    server.start_thread()
    try:
        yield Served(server, deck, lines)
    finally:
        server.stop()
    assert not server.base.exists()  # the build folders are gone


def raw_get(port: int, target: str, host: str = "127.0.0.1", headers: str = "") -> tuple[int, bytes]:
    """A request sent byte for byte, so no client library normalises `..` away."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n{headers}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_serves_only_the_build_folder(served):
    port = served.server.port
    status, body = raw_get(port, "/")
    assert status == 200 and b"window.TALKDECK_LIVE" in body and b"</html>" in body
    assert raw_get(port, "/reveal/reveal.js")[0] == 200
    (served.deck / "secret.txt").write_text("not for the browser")
    for probe in ("/../", "/../deck.toml", "/%2e%2e/", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd",
                  "/%2E%2E%2Fsecret.txt", "/reveal/../../secret.txt", "//etc/passwd", "/.talkdeck-output",
                  "/slides/01-intro.md", "/deck.toml", "/%00", "/a%00b.js", "/%00.html"):
        status, body = raw_get(port, probe)
        assert status == 404, probe
        assert b"not for the browser" not in body and b"root:" not in body


def test_only_pages_of_this_server_may_read_the_deck_or_open_the_socket(served):
    port = served.server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST", f"localhost.:{port}",
                 f"{socket.gethostname()}:{port}"):
        assert raw_get(port, "/", host=host)[0] == 200, host
    # a page on another site that points its own name at 127.0.0.1 (DNS rebinding) reads nothing
    for target in ("/", "/reveal/reveal.js", "/_talkdeck/state", "/livereload"):
        status, body = raw_get(port, target, host=f"rebound.example:{port}")
        assert status == 403, target
        assert b"--host rebound.example" in body and b"Fixture deck" not in body and b"build" not in body
    assert raw_get(port, "/", host="rebound.example.")[0] == 403
    assert raw_get(port, "/", host="[oops")[0] in (400, 403)
    upgrade = ("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")

    def handshake(origin: str) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
                         f"{upgrade}\r\n".encode())
            return conn.recv(65536).split(b"\r\n", 1)[0]

    assert b" 101 " in handshake(f"http://127.0.0.1:{port}")
    assert b" 403 " in handshake("http://elsewhere.example")  # livereload itself lets any origin in
    assert b" 403 " in handshake(f"http://localhost:{port}")


def test_a_socket_message_that_is_not_livereload_s_is_ignored(served, caplog):
    import asyncio

    from tornado.websocket import websocket_connect

    async def talk() -> dict:
        ws = await websocket_connect(f"ws://127.0.0.1:{served.server.port}/livereload")
        for junk in ("not json", "[1, 2]", "null", '"hello"', '{"command": 5}', "{}"):
            await ws.write_message(junk)
        await ws.write_message('{"command": "hello"}')
        reply = await asyncio.wait_for(ws.read_message(), 5)
        ws.close()  # starts the closing handshake: the socket closes once the server answers
        while await asyncio.wait_for(ws.read_message(), 5) is not None:
            pass  # else asyncio.run ends first, and the unclosed socket warns whenever it is collected
        return json.loads(reply)

    replies: list[dict] = []  # in a thread of its own: Playwright keeps an event loop in this one
    client = threading.Thread(target=lambda: replies.append(asyncio.run(talk())))
    client.start()
    client.join(10)
    assert replies and replies[0]["command"] == "hello"  # still connected, and still answering
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]


def test_ctrl_c_while_the_server_is_made_leaves_no_build_folder(deck_copy, tmp_path, monkeypatch):
    import tempfile

    def ctrl_c(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(DeckWatcher, "__init__", ctrl_c)  # the last part made
    with pytest.raises(KeyboardInterrupt):
        DeckServer(deck_copy("basic"), port=0)
    assert [p.name for p in tmp_path.iterdir()] == ["basic"]  # the deck only


def test_port_in_use_is_a_clear_error(deck_copy):
    deck = deck_copy("basic")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = DeckServer(deck, port=port, echo=lambda _text: None)
        with pytest.raises(DeckError) as info:
            server.start()
    assert f"port {port}" in str(info.value) and "--port" in str(info.value)
    assert not server.base.exists()


def test_errors_are_reported_once_and_fixing_recovers(served):
    config = served.deck / "deck.toml"
    good = config.read_text()
    first = served.build_id()
    save(config, good.replace('author = "Test Author"', 'author = "Test Author'))
    wait_for(lambda: served.server.state["error"], what="the error state")
    error = served.server.state["error"]
    assert error["problems"][0]["file"] == "deck.toml" and error["problems"][0]["line"] == 2
    assert served.build_id() == first  # the last good build stays served
    for _ in range(2):  # the same error again: not printed again
        save(config, good.replace('author = "Test Author"', 'author = "Test Author'))
        time.sleep(0.2)
    save(config, good)
    wait_for(lambda: served.server.state["error"] is None, what="the fix")
    assert served.build_id() != first
    failures = [line for line in served.lines if line.startswith("Build failed")]
    assert len(failures) == 1 and "deck.toml:2: invalid TOML" in failures[0]
    assert not any("Traceback" in line for line in served.lines)
    assert served.lines[-1].startswith("Fixed; rebuilt 6 slides")


def test_a_pane_file_created_after_the_slide_naming_it_fixes_the_build(served):
    code = served.deck / "slides" / "02-code.md"
    save(code, code.read_text() + "\n---\n\n## Later\n\n<<< examples/new/later.py\n")
    wait_for(lambda: served.server.state["error"], what="the error state")
    assert "examples/new/later.py does not exist" in served.server.state["error"]["text"]
    (served.deck / "examples").mkdir()  # neither the file nor its folders existed
    time.sleep(0.3)  # the folder alone is a change: the build fails again, and the new folder is watched
    (served.deck / "examples" / "new").mkdir()
    time.sleep(0.3)
    (served.deck / "examples" / "new" / "later.py").write_text("print('later')\n")
    wait_for(lambda: served.server.state["error"] is None, what="the fix")
    assert b"later" in raw_get(served.server.port, "/")[1]


def test_a_pane_file_a_failed_build_read_is_watched_so_fixing_it_fixes_the_deck(served):
    (served.deck / "lib").mkdir()  # a folder no watch sees yet
    pane = served.deck / "lib" / "x.py"
    pane.write_text("print('no region yet')\n")
    code = served.deck / "slides" / "02-code.md"
    save(code, code.read_text() + "\n---\n\n## Later\n\n<<< lib/x.py#body\n")
    wait_for(lambda: served.server.state["error"], what="the error state")
    assert "body" in served.server.state["error"]["text"]
    pane.write_text("# region body\nprint('fixed region')\n# endregion body\n")  # the fix, in the pane's file
    wait_for(lambda: served.server.state["error"] is None, what="the fix")
    assert b"fixed region" in raw_get(served.server.port, "/")[1]


def test_a_dockerfile_a_failed_build_blames_is_watched_so_fixing_it_fixes_the_deck(deck_copy):
    deck = deck_copy("layers-deck")
    server = DeckServer(deck, port=0, echo=lambda _line: None)
    server.start()
    server.start_thread()
    try:
        other = deck / "other"  # a folder no watch sees yet
        other.mkdir()
        for name in ("app.py", "requirements.txt"):
            (other / name).write_text((deck / "app" / name).read_text())
        good = (deck / "app" / "Dockerfile").read_text()
        (other / "Dockerfile").write_text(good.replace("FROM", "FORM", 1))
        save(deck / "slides" / "02-other.md", "## Another\n\n<<<layers other/Dockerfile changed=app.py\n")
        wait_for(lambda: server.state["error"], what="the error state")
        assert "other/Dockerfile:1: unknown instruction FORM" in server.state["error"]["text"]
        (other / "Dockerfile").write_text(good)  # the fix, in the Dockerfile
        wait_for(lambda: server.state["error"] is None, what="the fix")
    finally:
        server.stop()


def test_two_watches_reporting_one_save_within_the_wait_make_one_build(served):
    # an editor's "Save All": a section (watched with slides/) and a pane's file (watched in its own folder).
    # Each watch reports its file 20 ms after the save; on a busy machine (a test run beside this one) the second
    # report can come later than the 20 ms the loop waits, and the save builds twice: what this test asks is
    # that two reports within the wait make one build, so the wait is made long enough for any machine.
    served.server.loop._settle = 0.5
    served.server.loop.wait_idle(5)
    builds = served.server.loop.builds
    old = served.build_id()
    intro, code = served.deck / "slides" / "01-intro.md", served.deck / "code" / "sample.py"
    save(intro, intro.read_text() + "\nOne more line.\n")
    save(code, code.read_text() + "\n# one more line\n")
    served.wait_build(old)
    assert served.server.loop.wait_idle(5)
    assert served.server.loop.builds == builds + 1


@pytest.mark.parametrize("fix", ["make the file a COPY misses", "make the changed file", "make it in a subfolder"])
def test_files_made_or_removed_in_a_layers_build_context_rebuild_the_deck(deck_copy, fix):
    deck = deck_copy("layers-deck")
    (deck / "app" / "src").mkdir()
    server = DeckServer(deck, port=0, echo=lambda _line: None)
    server.start()
    server.start_thread()
    try:
        app = deck / "app"
        slide = deck / "slides" / "01-cache.md"
        if fix == "make it in a subfolder":  # a folder the flat watch of the context does not see into
            dockerfile = app / "Dockerfile"
            save(dockerfile, dockerfile.read_text().replace("COPY requirements.txt", "COPY requirements.txt "
                                                            "src/constraints.txt", 1))
            wait_for(lambda: server.state["error"], what="the error state")
            (app / "src" / "constraints.txt").write_text("flask<4\n")
            wait_for(lambda: server.state["error"] is None, what="the fix")
            (app / "src" / "constraints.txt").unlink()
            wait_for(lambda: server.state["error"], what="the error state again")
            assert "COPY source src/constraints.txt matches no file" in server.state["error"]["text"]
            return
        if fix == "make the file a COPY misses":
            dockerfile = app / "Dockerfile"
            save(dockerfile, dockerfile.read_text().replace("COPY requirements.txt", "COPY requirements.txt "
                                                            "constraints.txt", 1))
            wait_for(lambda: server.state["error"], what="the error state")
            assert "COPY source constraints.txt matches no file" in server.state["error"]["text"]
            (app / "constraints.txt").write_text("flask<4\n")
        else:
            save(slide, slide.read_text().replace("changed=app.py", "changed=helper.py"))
            wait_for(lambda: server.state["error"], what="the error state")
            assert "changed file helper.py does not exist" in server.state["error"]["text"]
            (app / "helper.py").write_text("x = 1\n")
        wait_for(lambda: server.state["error"] is None, what="the fix")
        (app / "requirements.txt").unlink()  # and a file a COPY needs, removed: the build fails again
        wait_for(lambda: server.state["error"], what="the error state")
        assert "COPY source requirements.txt matches no file" in server.state["error"]["text"]
    finally:
        server.stop()


def test_a_changed_file_a_layers_slide_names_from_the_start_is_awaited(deck_copy):
    # no good build ever read the slide's build context: the file to wait for comes with the error
    deck = deck_copy("layers-deck")
    other = deck / "other"
    other.mkdir()
    for name in ("Dockerfile", "app.py", "requirements.txt"):
        (other / name).write_text((deck / "app" / name).read_text())
    (deck / "slides" / "02-other.md").write_text("## Another\n\n<<<layers other/Dockerfile changed=helper.py\n")
    server = DeckServer(deck, port=0, echo=lambda _line: None)
    server.start()
    assert "changed file helper.py does not exist" in server.state["error"]["text"]
    server.start_thread()
    try:
        (other / "helper.py").write_text("x = 1\n")
        wait_for(lambda: server.state["error"] is None, what="the fix")
    finally:
        server.stop()


def test_a_copy_source_the_ignore_file_keeps_out_is_an_error_and_not_a_rebuild_loop(deck_copy):
    # the file is there: nothing to wait for, so nothing to rebuild until a file changes
    deck = deck_copy("layers-deck")
    app = deck / "app"
    (app / "secret.txt").write_text("x\n")
    (app / ".dockerignore").write_text("secret.txt\n")
    dockerfile = app / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("COPY app.py .", "COPY app.py secret.txt ./"))
    server = DeckServer(deck, port=0, echo=lambda _line: None)
    server.start()
    assert "every match is excluded by .dockerignore" in server.state["error"]["text"]
    server.start_thread()
    try:
        assert server.loop.wait_idle(5)  # it would never be idle: each build reported the file as arrived
        assert server.loop.builds == 0
    finally:
        server.stop()


def test_watches_pane_files_new_sections_and_nothing_else(served):
    first = served.build_id()
    (served.deck / "dist").mkdir()
    (served.deck / "dist" / "index.html").write_text("elsewhere")
    (served.deck / "notes.txt").write_text("not a source")
    (served.deck / "code" / "unused.py").write_text("print('not shown on a slide')\n")
    time.sleep(0.4)
    assert served.build_id() == first  # none of those is a source of the deck

    sample = served.deck / "code" / "sample.py"
    sample.write_text(sample.read_text().replace("return 0", "return 42"))
    second = served.wait_build(first)
    _, body = raw_get(served.server.port, "/")
    assert b"42" in body

    save(served.deck / "slides" / "03-more.md", "## Added later\n\nA section created while serving\n")
    served.wait_build(second)
    _, body = raw_get(served.server.port, "/")
    assert b"A section created while serving" in body


@pytest.mark.parametrize("folder", ["code", "code/deeper"])
def test_a_pane_folder_replaced_in_one_step_is_watched_anew(served, folder):
    pane = served.deck / "code" / "sample.py"
    if folder != "code":  # a folder the deck root's own watch does not see
        (served.deck / folder).mkdir()
        pane = pane.rename(served.deck / folder / "sample.py")
        slides = served.deck / "slides" / "02-code.md"
        save(slides, slides.read_text().replace("code/sample.py", f"{folder}/sample.py"))
        wait_for(lambda: f"{folder}/sample.py" in str(served.server.watcher._files), what="the moved pane")
        assert served.server.loop.wait_idle(WAIT_MS / 1000)  # that build is published, its watches run
    first = served.build_id()
    copy = served.deck.parent / "copy"
    shutil.copytree(pane.parent, copy)
    (copy / "sample.py").write_text(pane.read_text().replace("return 0", "return 41"))
    shutil.rmtree(pane.parent)  # as `rm -rf code && cp -r ../copy code`, or a git checkout, does
    shutil.copytree(copy, pane.parent)
    second = served.wait_build(first)
    wait_for(lambda: b"41" in raw_get(served.server.port, "/")[1], what="the replaced pane")
    pane.write_text(pane.read_text().replace("return 41", "return 42"))  # the new folder is watched
    served.wait_build(second)
    wait_for(lambda: b"42" in raw_get(served.server.port, "/")[1], what="the edited pane")


def watcher_over(root: Path) -> tuple[DeckWatcher, list[set[Path]]]:
    changes: list[set[Path]] = []
    watcher = DeckWatcher(root, changes.append, report=pytest.fail)
    watcher.start()
    return watcher, changes


def test_a_pane_folder_replaced_before_its_watch_starts_is_reported(tmp_path):
    # A build reads code/deeper/sample.py; the folder is replaced before the watch over it starts.
    pane = tmp_path / "code" / "deeper" / "sample.py"
    pane.parent.mkdir(parents=True)
    pane.write_text("return 0\n")
    unchanged = tmp_path / "code" / "other.py"
    unchanged.write_text("kept\n")
    time.sleep(0.05)  # more than a tick of the clock that stamps file changes
    watcher, changes = watcher_over(tmp_path)
    try:
        since = change_clock()  # the build starts and reads the files
        shutil.rmtree(pane.parent)
        pane.parent.mkdir()
        pane.write_text("return 41\n")
        watcher.update({pane, unchanged}, since)  # the build ends
        assert changes == [{pane}]  # at once: no watch could see it, and nothing else is reported
        assert str(pane.parent) in watcher._watches["flat"].folders
    finally:
        watcher.stop()


def test_a_file_a_build_named_but_that_never_was_there_is_no_change_once_watched(tmp_path):
    # A <<<layers slide reads app/Dockerfile and names app/Dockerfile.dockerignore and app/.dockerignore,
    # which need not exist; the folder app/ is watched only after the build.
    dockerfile = tmp_path / "app" / "Dockerfile"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM scratch\n")
    gone = tmp_path / "other" / "gone.py"
    gone.parent.mkdir()
    gone.write_text("x\n")
    time.sleep(0.05)  # more than a tick of the clock that stamps file changes
    watcher, changes = watcher_over(tmp_path)
    try:
        since = change_clock()
        never = {dockerfile.with_name("Dockerfile.dockerignore"), dockerfile.with_name(".dockerignore")}
        watcher.update({dockerfile} | never, since)
        assert changes == []  # nothing changed: no rebuild
        since = change_clock()
        gone.unlink()  # a file the build read went before the watch over other/ started: a change
        watcher.update({dockerfile, gone} | never, since)
        assert changes == [{gone}]
    finally:
        watcher.stop()


def test_a_file_a_build_calls_missing_but_that_is_there_is_one_change_not_one_a_build(tmp_path):
    # one that came while the build ran is a change; told again unchanged, it is no news (or no end of builds)
    there = tmp_path / "img" / "late.png"
    there.parent.mkdir()
    there.write_bytes(b"x")
    watcher, changes = watcher_over(tmp_path)
    try:
        for _ in range(3):
            watcher.expect({there})
        assert changes == [{there}]
    finally:
        watcher.stop()


def test_a_link_repointed_before_its_watch_starts_is_reported(tmp_path):
    pane = tmp_path / "code" / "deeper" / "sample.py"
    pane.parent.mkdir(parents=True)
    for name in ("a.py", "b.py"):
        (pane.parent / name).write_text(f"{name}\n")
    pane.symlink_to(pane.parent / "a.py")
    time.sleep(0.05)
    watcher, changes = watcher_over(tmp_path)
    try:
        since = change_clock()  # the build reads the link, that is a.py
        temporary = pane.with_name(".sample.py.new")
        temporary.symlink_to(pane.parent / "b.py")
        os.replace(temporary, pane)  # as `ln -sfn` does: the link now shows b.py, older than the build
        watcher.update({pane}, since)
        assert changes == [{pane}]
    finally:
        watcher.stop()


def test_a_folder_on_the_way_to_an_expected_file_that_appears_while_its_watch_starts_is_reported(
        tmp_path, monkeypatch):
    from talkdeck import server

    expected = tmp_path / "examples" / "new" / "later.py"
    expected.parent.parent.mkdir()  # the build found neither examples/new nor later.py
    start = server._Watch.start

    def folder_made_meanwhile(self, timeout=5.0):
        if str(expected.parent.parent) in self.folders:
            expected.parent.mkdir(exist_ok=True)  # after the plan, before the watch is in place
        return start(self, timeout)

    monkeypatch.setattr(server._Watch, "start", folder_made_meanwhile)
    watcher, changes = watcher_over(tmp_path)
    try:
        watcher.expect({expected})
        time.sleep(0.1)
        expected.write_text("print('later')\n")  # in a folder no watch sees
        wait_for(lambda: changes, timeout=2, what="a change")
    finally:
        watcher.stop()


def test_a_deck_with_a_layers_slide_is_not_rebuilt_for_nothing(deck_copy):
    deck = deck_copy("layers-deck")
    lines: list[str] = []
    server = DeckServer(deck, port=0, echo=lines.append)
    try:
        server.start()
        server.start_thread()
        time.sleep(0.5)
        assert server.loop.wait_idle(WAIT_MS / 1000)
        assert server.loop.builds == 0 and len(lines) == 1, lines  # not "Rebuilt ... after app/Dockerfile.dockerignore"
    finally:
        server.stop()


def test_a_folder_that_goes_while_its_watch_starts_leaves_the_other_watches_running(tmp_path, monkeypatch):
    (tmp_path / "deck.toml").write_text("")
    gone = tmp_path / "gone"
    folders = DeckWatcher._folders
    calls = []

    def planned_then_removed(self):  # the folder existed when planned and went before its watch started
        trees, flat = folders(self)
        calls.append(flat)
        return trees, (flat + (str(gone),) if len(calls) == 1 else flat)

    monkeypatch.setattr(DeckWatcher, "_folders", planned_then_removed)
    watcher, changes = watcher_over(tmp_path)
    try:
        assert len(calls) == 2 and watcher._watches["flat"].folders == (str(tmp_path),)
        (tmp_path / "deck.toml").write_text('title = "Seen"\n')
        wait_for(lambda: changes, what="the change to deck.toml")
        assert changes[0] == {tmp_path / "deck.toml"}
    finally:
        watcher.stop()


def test_a_section_that_is_a_link_rebuilds_when_its_target_changes(served, tmp_path):
    shared = tmp_path / "shared" / "common.md"  # kept outside the deck, say for several talks
    shared.parent.mkdir()
    shared.write_text("## Shared slide\n\nFirst version\n")
    first = served.build_id()
    (served.deck / "slides" / "03-shared.md").symlink_to(shared)
    second = served.wait_build(first)
    assert b"First version" in raw_get(served.server.port, "/")[1]
    save(shared, "## Shared slide\n\nSecond version\n")
    served.wait_build(second)
    assert b"Second version" in raw_get(served.server.port, "/")[1]
    assert any("after slides/03-shared.md" in line for line in served.lines)


@pytest.mark.parametrize("name", ["05-loud.MD", "05-long.markdown"])
def test_a_section_named_md_in_capitals_or_markdown_is_built_and_watched(served, name):
    first = served.build_id()
    path = served.deck / "slides" / name
    save(path, "## Loud slide\n\nFirst version\n")
    second = served.wait_build(first)
    assert b"First version" in raw_get(served.server.port, "/")[1]
    save(path, "## Loud slide\n\nSecond version\n")
    served.wait_build(second)
    assert b"Second version" in raw_get(served.server.port, "/")[1]


def test_files_the_builder_does_not_read_in_slides_rebuild_nothing(served):
    first = served.build_id()
    slides = served.deck / "slides"
    for name in ("#01-intro.md#", "4913", "01-intro.md.orig", "01-intro.md~", ".01-intro.md.swp"):
        (slides / name).write_text("an editor's file\n")
    (slides / "drafts").mkdir()
    (slides / "drafts" / "later.md").write_text("## Not a section\n")
    time.sleep(0.4)
    assert served.build_id() == first and served.server.loop.builds == 0  # not one rebuild


def add_extra_head(served, text: str):
    """Make the deck's templates/ folder, which it lacked, with an extra_head.html.j2; the build that follows."""
    first = served.build_id()
    (served.deck / "templates").mkdir()
    save(served.deck / "templates" / "extra_head.html.j2", text)
    return served.wait_build(first)


def test_templates_folder_added_later_is_watched(served):
    second = add_extra_head(served, '<meta name="td-test" content="one">\n')
    assert b'content="one"' in raw_get(served.server.port, "/")[1]
    save(served.deck / "templates" / "extra_head.html.j2", '<meta name="td-test" content="two">\n')
    served.wait_build(second)
    assert b'content="two"' in raw_get(served.server.port, "/")[1]


def test_a_stylesheet_a_template_names_is_taken_when_it_is_made_and_each_time_it_changes(served):
    add_extra_head(served, '<link rel="stylesheet" href="css/theme.css">\n')
    assert raw_get(served.server.port, "/css/theme.css")[0] == 404
    (served.deck / "css").mkdir()  # a folder no watch sees yet
    time.sleep(0.3)
    save(served.deck / "css" / "theme.css", "h1 { color: red; }\n")
    wait_for(lambda: raw_get(served.server.port, "/css/theme.css")[1] == b"h1 { color: red; }\n",
             what="the stylesheet, once made")
    save(served.deck / "css" / "theme.css", "h1 { color: blue; }\n")
    wait_for(lambda: raw_get(served.server.port, "/css/theme.css")[1] == b"h1 { color: blue; }\n",
             what="the stylesheet, once changed")


def test_a_file_replaced_while_it_is_served_is_sent_whole(served, monkeypatch):
    # a rebuild renames a new file over one a request has just looked up: the response is one file or the other,
    # whole, with its own length (tornado read the size of the one and the bytes of the other, and sent nothing)
    from tornado import web

    add_extra_head(served, '<link rel="stylesheet" href="css/theme.css">\n')
    (served.deck / "css").mkdir()
    save(served.deck / "css" / "theme.css", "h1 { color: red; }\n")
    wait_for(lambda: raw_get(served.server.port, "/css/theme.css")[0] == 200, what="the stylesheet")
    looked_up = web.StaticFileHandler.validate_absolute_path
    replaced = []

    def replace_after_lookup(self, root, absolute_path):
        found = looked_up(self, root, absolute_path)
        if found is not None and found.endswith("theme.css") and not replaced:
            replaced.append(found)
            save(Path(found), "h1 { color: darkblue; }\n")  # as the builder writes: a new file renamed over it
        return found

    monkeypatch.setattr(web.StaticFileHandler, "validate_absolute_path", replace_after_lookup)
    status, body = raw_get(served.server.port, "/css/theme.css")
    assert replaced and status == 200
    assert body in (b"h1 { color: red; }\n", b"h1 { color: darkblue; }\n")

def test_a_download_the_browser_drops_halfway_ends_quietly(served, caplog):
    # a video the browser stops loading as the speaker moves on: no traceback in the terminal
    (served.deck / "img" / "big.png").write_bytes(b"\0" * 60_000_000)
    first = served.build_id()
    intro = served.deck / "slides" / "01-intro.md"
    save(intro, intro.read_text() + "\n---\n\n![a big picture](img/big.png)\n")
    served.wait_build(first)
    for _ in range(30):
        with socket.create_connection(("127.0.0.1", served.server.port), timeout=5) as conn:
            conn.sendall(b"GET /img/big.png HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            received = 0
            while received < 3_000_000 and (chunk := conn.recv(65536)):
                received += len(chunk)
            assert received >= 3_000_000
    time.sleep(0.3)
    assert raw_get(served.server.port, "/img/a.svg")[0] in (200, 404)  # the server still answers
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []

def test_a_replaced_slides_folder_is_watched_anew(served):
    import shutil

    slides = served.deck / "slides"
    first = served.build_id()
    shutil.copytree(slides, served.deck / "slides.new")
    shutil.rmtree(slides)  # what a branch switch can do to a folder
    os.rename(served.deck / "slides.new", slides)
    second = served.wait_build(first)
    intro = slides / "01-intro.md"
    save(intro, intro.read_text().replace("First paragraph", "Written into the new folder"))
    served.wait_build(second)
    assert b"Written into the new folder" in raw_get(served.server.port, "/")[1]


def test_a_deck_broken_from_the_start_is_served_once_fixed(deck_copy):
    deck = deck_copy("basic")
    config = deck / "deck.toml"
    good = config.read_text()
    config.write_text(good + "minutes = [\n")
    lines: list[str] = []
    server = DeckServer(deck, port=0, echo=lines.append)
    server.start()
    server.start_thread()
    try:
        status, body = raw_get(server.port, "/")
        assert status == 200 and b"no good build yet" in body and b"TALKDECK_LIVE" in body
        assert server.state["error"]["problems"][0]["file"] == "deck.toml"
        first = server.state["build"]
        save(config, good)
        wait_for(lambda: server.state["build"] != first and server.state["error"] is None, what="the fix")
        assert b"Fixture deck" in raw_get(server.port, "/")[1]
    finally:
        server.stop()
    assert lines[0].startswith("Build failed: ") and "deck.toml:4: invalid TOML" in lines[0]


def test_a_running_build_does_not_block_requests(served, monkeypatch):
    original = served.server.builder.build
    entered, release = threading.Event(), threading.Event()

    def held_build():
        entered.set()
        release.wait(10)
        return original()

    monkeypatch.setattr(served.server.builder, "build", held_build)
    first = served.build_id()
    save(served.deck / "slides" / "01-intro.md", "# Changed\n")
    assert entered.wait(5)
    try:
        status, body = raw_get(served.server.port, "/")  # answered while the build is held
    finally:
        release.set()
    assert status == 200 and b"Fixture deck" in body
    served.wait_build(first)


def test_requests_never_meet_a_half_written_deck(served):
    intro = served.deck / "slides" / "01-intro.md"
    text = intro.read_text()
    stop = threading.Event()
    bad: list[str] = []

    def hammer():
        while not stop.is_set():
            for target in ("/", "/talkdeck/talkdeck.css", "/reveal/reveal.js"):
                status, body = raw_get(served.server.port, target)
                if status != 200 or not body or (target == "/" and not body.rstrip().endswith(b"</html>")):
                    bad.append(f"{target}: {status}, {len(body)} bytes")

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        for i in range(15):
            old = served.build_id()
            save(intro, text + f"\n---\n\n## Round {i}\n")
            served.wait_build(old)
    finally:
        stop.set()
        thread.join()
    assert bad == []


def test_a_second_ctrl_c_while_a_build_writes_leaves_no_build_folder(served, monkeypatch):
    import talkdeck.builder

    writing = threading.Event()
    put = talkdeck.builder._put

    def slow_put(*args):  # a big deck's files
        writing.set()
        time.sleep(0.2)
        put(*args)

    monkeypatch.setattr(talkdeck.builder, "_put", slow_put)
    config = served.deck / "deck.toml"
    save(config, 'theme = "black"\n' + config.read_text())  # a new theme file and a new page to write
    assert writing.wait(WAIT_MS / 1000)
    loop, stop = served.server.loop, served.server.loop.stop
    waits = []

    def cut_short(timeout: float = 10.0) -> None:
        waits.append(timeout)
        if len(waits) == 1:
            raise KeyboardInterrupt  # the second Ctrl-C, while close() waits for the build
        stop(timeout)

    monkeypatch.setattr(loop, "stop", cut_short)
    with pytest.raises(KeyboardInterrupt):
        served.server.stop()
    time.sleep(1)  # a build that went on writing would have put the build folder back by now
    assert not served.server.base.exists()


# serve_forever needs a main thread with no event loop: pytest's has Playwright's, so it runs in a child.
SERVE_UNTIL_SIGNALLED = """
import json, os, signal, sys, threading
from talkdeck.server import DeckServer

deck, when = sys.argv[1:]
server = DeckServer(deck, port=0, echo=lambda _line: None)
server.start()
rescued = threading.Event()

def watchdog():  # stops the server if the signal did not
    if not server.closing.wait(10):
        rescued.set()
        server._ask_stop()

def kill_once_serving():
    server._ready.wait(10)  # the loop runs, with talkdeck's handlers in place
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=watchdog, daemon=True).start()
names = ("SIGINT", "SIGTERM", "SIGHUP")
handlers = [signal.getsignal(getattr(signal, name)) for name in names]
if when in ("serving", "elsewhere"):
    threading.Thread(target=kill_once_serving).start()
    if when == "elsewhere":  # the signal reaches another thread, and does not wake the loop's own from its sleep
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
else:  # as if it landed inside asyncio.run, before the loop ran: the handler finds no loop to ask
    server._on_signal(signal.SIGTERM, None)
try:
    server.serve_forever()
    stopped_by = "return"
except KeyboardInterrupt:
    stopped_by = "KeyboardInterrupt"
print(json.dumps({
    "stopped_by": stopped_by, "rescued": rescued.is_set(), "base_left": server.base.exists(),
    "sockets_open": [sock.fileno() != -1 for sock in server.sockets],
    "handlers_back": [signal.getsignal(getattr(signal, name)) for name in names] == handlers}))
"""


@pytest.mark.parametrize("when", ["serving", "elsewhere", "starting"])
def test_a_signal_stops_the_loop_from_inside(deck_copy, when):
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", SERVE_UNTIL_SIGNALLED,
                           str(deck_copy("basic")), when], capture_output=True, text=True, timeout=60)
    assert done.stderr == ""  # no coroutine left never awaited, no loop half made
    assert json.loads(done.stdout) == {"stopped_by": "KeyboardInterrupt", "rescued": False, "base_left": False,
                                       "sockets_open": [False], "handlers_back": True}


# The second Ctrl-C lands while serve says "Stopped.", the last of its clean-up
SECOND_CTRL_C_AS_IT_STOPS = """
import os, signal, sys
import click

echo = click.echo

def echo_and_interrupt(message=None, **options):
    if message == "Stopped.":
        os.kill(os.getpid(), signal.SIGINT)
    echo(message, **options)

click.echo = echo_and_interrupt
sys.argv = ["talkdeck", *sys.argv[1:]]
from talkdeck.entry import main
main()
"""


def serve_and_stop(deck: Path, temp: Path, stop: list[int], program: list[str]):
    """Run `talkdeck serve` on `deck` until it serves, send the `stop` signals, and return its exit status,
    the lines up to "Serving" and the rest of its output."""
    proc = subprocess.Popen([sys.executable, *program, "serve", str(deck), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "TMPDIR": str(temp)})
    # a server that never says it serves is killed, which ends the reading below
    hung = threading.Timer(60, proc.kill)
    with proc:  # on the way out, its pipes are closed and it is waited for, also when the test fails
        try:
            hung.start()
            lines = []
            for line in proc.stdout:
                lines.append(line.rstrip("\n"))
                if line.startswith("Serving"):
                    break
            hung.cancel()
            assert lines and lines[-1].startswith("Serving"), lines
            url = lines[-1].split(" at ")[1].split()[0]
            port = int(url.rsplit(":", 1)[1].strip("/"))
            assert raw_get(port, "/")[0] == 200
            assert [p.name[:15] for p in temp.iterdir()] == ["talkdeck-serve-"]  # built outside the deck
            for signum in stop:
                proc.send_signal(signum)
                time.sleep(0.005)  # the second lands while the server is stopping
            rest, _ = proc.communicate(timeout=10)
        finally:
            hung.cancel()
            if proc.poll() is None:
                proc.kill()
    return proc.returncode, lines, rest


@pytest.mark.parametrize(
    ("stop", "program"),
    [([signal.SIGINT], ["-m", "talkdeck"]), ([signal.SIGTERM], ["-m", "talkdeck"]),
     ([signal.SIGHUP], ["-m", "talkdeck"]), ([signal.SIGINT, signal.SIGINT], ["-m", "talkdeck"]),
     ([signal.SIGINT], ["-c", SECOND_CTRL_C_AS_IT_STOPS])],
    ids=["ctrl-c", "kill", "terminal-closed", "ctrl-c-twice", "ctrl-c-again-as-it-says-stopped"]
)
def test_cli_serves_and_stops_cleanly(deck_copy, tmp_path, stop, program):
    deck = deck_copy("basic")
    temp = tmp_path / "temp"
    temp.mkdir()
    returncode, lines, rest = serve_and_stop(deck, temp, stop, program)
    assert (returncode, rest.strip().splitlines()) == (0, ["Stopped."])
    assert lines[0].startswith("Built 6 slides")
    assert list(temp.iterdir()) == []  # the build folder went with the server
    assert not (deck / "dist").exists()


# Ctrl-C lands while the server starts, and the KeyboardInterrupt it raises is dropped there
CTRL_C_DROPPED_AS_IT_STARTS = """
import os, signal, sys, time
from talkdeck.server import DeckServer

start = DeckServer.start

def start_and_drop_an_interrupt(self):
    start(self)
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except KeyboardInterrupt:  # as code that calls back into Python from C may drop it
        pass

DeckServer.start = start_and_drop_an_interrupt
sys.argv = ["talkdeck", *sys.argv[1:]]
from talkdeck.entry import main
main()
"""


def test_a_ctrl_c_dropped_while_the_server_starts_still_stops_it(deck_copy, tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    done = subprocess.run([sys.executable, "-c", CTRL_C_DROPPED_AS_IT_STARTS, "serve", str(deck_copy("basic")),
                           "--port", "0"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TMPDIR": str(temp)})
    assert (done.returncode, done.stderr.splitlines()[-1]) == (0, "Stopped.")
    assert list(temp.iterdir()) == []


def test_cli_refuses_a_folder_that_is_no_deck(tmp_path):
    from click.testing import CliRunner

    from talkdeck.cli import main

    result = CliRunner().invoke(main, ["serve", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "deck.toml" in result.output and "Traceback" not in result.output


# -- live reload in headless Chromium ----------------------------------------------------------------------
SHOWN = "document.addEventListener('talkdeck:shown', function (e) { window.__lastShown = e.detail; });"


def open_served(page, served: Served, fragment: str = "", patch: bool = True) -> str:
    page.add_init_script(SHOWN)
    if not patch:
        page.add_init_script("window.TALKDECK_NO_PATCH = true;")
    page.goto(served.url + fragment)
    page.wait_for_function("document.documentElement.getAttribute('data-td-live')", timeout=WAIT_MS)
    return page.evaluate("document.documentElement.getAttribute('data-td-live')")


def wait_reloaded(page, old: str) -> str:
    page.wait_for_function(f"(document.documentElement.getAttribute('data-td-live') || {old!r}) !== {old!r}",
                           timeout=WAIT_MS)
    return page.evaluate("document.documentElement.getAttribute('data-td-live')")


def position(page) -> dict:
    return page.evaluate("({id: Reveal.getCurrentSlide().id, at: Reveal.getIndices(),"
                         " shown: Reveal.getCurrentSlide().querySelectorAll('.fragment.visible').length})")


def on_the_lists_step(page, served: Served, patch: bool, steps: int) -> tuple[str, dict, Path]:
    """The fixture's "Lists" slide open with `steps` of its fragments shown: (page id, position, its section)."""
    loaded = open_served(page, served, "#/intro-2", patch=patch)
    page.evaluate("window.__samePage = true;" + " Reveal.nextFragment();" * steps)
    before = position(page)
    assert before["id"] == "intro-2" and before["shown"] == steps
    return loaded, before, served.deck / "slides" / "01-intro.md"


@pytest.mark.browser
@pytest.mark.parametrize("patch", [True, False], ids=["patched", "reloaded"])
def test_editing_a_section_keeps_slide_and_fragment_even_with_a_new_title(page, served, patch):
    loaded, before, intro = on_the_lists_step(page, served, patch, 2)
    save(intro, intro.read_text().replace("## Lists", "## Lists, renamed").replace("- two", "- two, edited"))
    wait_reloaded(page, loaded)
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('h2').textContent") == "Lists, renamed"
    assert "two, edited" in page.evaluate("Reveal.getCurrentSlide().textContent")
    assert position(page) == before
    assert page.evaluate("window.__lastShown.patched") is patch
    assert page.evaluate("window.__samePage === true") is patch  # patched in place, or really reloaded
    assert page.watch.errors == [] and page.watch.remote == []


@pytest.mark.browser
@pytest.mark.parametrize("patch", [True, False], ids=["patched", "reloaded"])
def test_a_step_a_half_written_save_lacked_is_taken_again_once_it_is_back(page, served, patch):
    loaded, before, intro = on_the_lists_step(page, served, patch, 3)
    text = intro.read_text()
    old = served.build_id()
    save(intro, text.replace("- three {.fragment}\n", ""))  # caught midway through writing
    served.wait_build(old)
    loaded = wait_reloaded(page, loaded)
    page.wait_for_function("Reveal.getCurrentSlide().querySelectorAll('.fragment').length === 2",
                           timeout=WAIT_MS)
    assert position(page)["id"] == "intro-2" and position(page)["shown"] == 2
    save(intro, text)
    wait_reloaded(page, loaded)
    page.wait_for_function("Reveal.getCurrentSlide().querySelectorAll('.fragment.visible').length === 3",
                           timeout=WAIT_MS)
    assert position(page) == before


@pytest.mark.browser
def test_a_new_slide_before_the_current_one_reloads_onto_the_same_slide(page, served):
    loaded = open_served(page, served, "#/code-2")
    page.evaluate("window.__samePage = true; Reveal.nextFragment()")
    before = position(page)
    intro = served.deck / "slides" / "01-intro.md"
    head, _, rest = intro.read_text().partition("\n---\n")
    save(intro, head + "\n---\n\n## Inserted while serving\n\n---\n" + rest)
    wait_reloaded(page, loaded)
    after = position(page)
    assert page.evaluate("window.__samePage") is None  # the slide order changed: a reload, not a patch
    assert after["id"] == "code-2" and after["at"]["h"] == before["at"]["h"] + 1
    assert after["at"]["f"] == before["at"]["f"] and after["shown"] == before["shown"]
    assert page.evaluate("Reveal.getTotalSlides()") == 7


@pytest.mark.browser
def test_a_reload_keeps_the_overview_and_the_black_screen(page, served):
    loaded = open_served(page, served, "#/code-2")
    intro = served.deck / "slides" / "01-intro.md"
    for shown, toggle in (("isOverview", "toggleOverview"), ("isPaused", "togglePause")):
        page.evaluate(f"Reveal.{toggle}(true)")
        head, _, rest = intro.read_text().partition("\n---\n")
        save(intro, head + f"\n---\n\n## Inserted before {shown}\n\n---\n" + rest)  # a new slide: a reload
        loaded = wait_reloaded(page, loaded)
        assert page.evaluate(f"Reveal.{shown}()"), shown
        assert position(page)["id"] == "code-2"
        page.evaluate(f"Reveal.{toggle}(false)")


@pytest.mark.browser
def test_a_deck_that_keeps_its_place_out_of_the_address_has_none_after_a_reload(page, served):
    config, first = served.deck / "deck.toml", served.build_id()
    save(config, config.read_text() + "\n[reveal]\nhash = false\n")
    served.wait_build(first)
    loaded = open_served(page, served)
    page.evaluate("Reveal.slide(2)")
    intro = served.deck / "slides" / "01-intro.md"
    head, _, rest = intro.read_text().partition("\n---\n")
    save(intro, head + "\n---\n\n## Inserted while serving\n\n---\n" + rest)  # a new slide: a reload
    wait_reloaded(page, loaded)
    assert position(page)["id"] == "code-1" and page.evaluate("location.hash") == ""
    page.evaluate("Reveal.next()")
    assert page.evaluate("location.hash") == ""


@pytest.mark.browser
def test_hiding_a_slide_or_changing_its_state_reloads_as_reveal_reads_them_at_start(page, served):
    loaded = open_served(page, served, "#/intro-2")
    page.evaluate("window.__samePage = true")
    intro = served.deck / "slides" / "01-intro.md"
    text = intro.read_text()
    text = text.replace('data-background-color="#eeeeee"', 'data-background-color="#eeeeee" data-state="dimmed"')
    save(intro, text)
    loaded = wait_reloaded(page, loaded)
    assert page.evaluate("window.__samePage") is None  # reloaded: patched in place, the state was not applied
    assert page.evaluate("document.querySelector('.reveal-viewport').classList.contains('dimmed')")
    assert position(page)["id"] == "intro-2"
    page.evaluate("window.__samePage = true")
    save(intro, text.replace("## Vertical", '<!-- .slide: data-visibility="hidden" -->\n## Vertical'))
    wait_reloaded(page, loaded)
    assert page.evaluate("window.__samePage") is None
    assert page.evaluate("Reveal.getTotalSlides()") == 5 and not page.evaluate("document.getElementById('intro-2-2')")
    assert position(page)["id"] == "intro-2"


PANE_STATE = """(() => {
  const slide = Reveal.getCurrentSlide();
  return {
    text: slide.querySelector('pre code').textContent,
    numbers: [...slide.querySelectorAll('pre code')].map(code =>
      [...code.querySelectorAll('.hljs-ln-n')].map(cell => cell.getAttribute('data-line-number')).join(',')),
    steps: slide.querySelectorAll('pre code.fragment').length,
    highlighted: slide.querySelectorAll('pre code .hljs-string').length,
    wrapped: slide.querySelectorAll('pre.code-wrapper').length,
  };
})()"""


@pytest.mark.browser
def test_editing_a_file_a_pane_shows_updates_the_pane(page, served):
    loaded = open_served(page, served, "#/code-2")
    page.evaluate("Reveal.nextFragment()")
    before = position(page)
    sample = served.deck / "code" / "sample.py"
    sample.write_text(sample.read_text().replace('print("<b>&</b>")', 'print("pane updated")'))
    wait_reloaded(page, loaded)
    assert position(page) == before
    patched = page.evaluate(PANE_STATE)
    assert "pane updated" in patched["text"] and "<b>" not in patched["text"]
    assert page.evaluate("window.__lastShown.patched") is True
    page.reload()  # a fresh load must look exactly like the patched slide: highlighting, numbers, steps
    page.wait_for_function("window.__lastShown && Reveal.getCurrentSlide().id === 'code-2'", timeout=WAIT_MS)
    fresh = page.evaluate(PANE_STATE)
    assert patched == fresh
    assert fresh["numbers"][0] == "4,6,8" and fresh["steps"] == 1 and fresh["highlighted"] > 0


@pytest.mark.browser
def test_a_broken_config_shows_an_overlay_and_fixing_it_returns_to_the_slide(page, served):
    loaded = open_served(page, served, "#/code-1")
    page.evaluate("Reveal.nextFragment()")
    before = position(page)
    config = served.deck / "deck.toml"
    good = config.read_text()
    save(config, good + "minutes = [\n")
    page.wait_for_selector("#talkdeck-error", timeout=WAIT_MS)
    where = page.text_content("#talkdeck-error .talkdeck-where")
    assert where.startswith("deck.toml:") and int(where.split(":")[1]) >= 4
    assert "invalid TOML" in page.text_content("#talkdeck-error")
    assert "Below is the last good build" in page.text_content("#talkdeck-error")
    assert position(page) == before  # the last good deck stays underneath, on the same slide
    save(config, good)
    wait_reloaded(page, loaded)
    assert page.query_selector("#talkdeck-error") is None
    assert position(page) == before


@pytest.mark.browser
def test_a_slide_added_before_the_current_one_in_its_section_keeps_the_page_on_its_slide(page, served):
    loaded = open_served(page, served, "#/code-3")
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('h2').textContent") == "Whole file"
    code = served.deck / "slides" / "02-code.md"
    save(code, code.read_text().replace("## A pane", "## Inserted\n\nA new slide.\n\n---\n\n## A pane", 1))
    wait_reloaded(page, loaded)
    page.wait_for_function("Reveal.getCurrentSlide().querySelector('h2').textContent === 'Whole file'",
                           timeout=WAIT_MS)
    assert page.evaluate("Reveal.getCurrentSlide().id") == "code-4"  # its id moved with its position


@pytest.mark.browser
def test_a_deck_broken_from_the_start_says_there_is_no_good_build_yet(page, deck_copy):
    deck = deck_copy("basic")
    config = deck / "deck.toml"
    good = config.read_text()
    config.write_text(good + "minutes = [\n")
    server = DeckServer(deck, port=0, echo=lambda _text: None)
    server.start()
    server.start_thread()
    try:
        page.goto(server.url)
        page.wait_for_selector("#talkdeck-error", timeout=WAIT_MS)
        text = page.text_content("#talkdeck-error")
        assert "no good build yet" in text and "last good build" not in text and "invalid TOML" in text
        save(config, good)
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=WAIT_MS)
        assert page.query_selector("#talkdeck-error") is None
    finally:
        server.stop()


@pytest.mark.browser
def test_twenty_saves_within_a_second_end_on_the_final_content(page, served):
    loaded = open_served(page, served, "#/intro-2-2")
    intro = served.deck / "slides" / "01-intro.md"
    text = intro.read_text()
    for i in range(1, 21):
        save(intro, text.replace("## Vertical", f"## Vertical, version {i}"))
        time.sleep(0.045)
    wait_reloaded(page, loaded)
    page.wait_for_function("window.Reveal && Reveal.isReady() && Reveal.getCurrentSlide()"
                           ".querySelector('h2').textContent === 'Vertical, version 20'", timeout=WAIT_MS)
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-2-2"
    status, body = raw_get(served.server.port, "/_talkdeck/state")
    assert status == 200 and served.build_id().encode() in body
    assert served.server.loop.builds <= 20  # never more than one build per save


def open_speaker_view(page):
    with page.expect_popup(timeout=WAIT_MS) as popup_info:
        page.keyboard.press("s")
    return popup_info.value


@pytest.mark.browser
def test_the_speaker_view_s_upcoming_slide_shows_an_edit_of_the_next_slide(page, served):
    loaded = open_served(page, served, "#/intro-2-2")  # no fragments: the upcoming preview is the next slide
    speaker = open_speaker_view(page)
    upcoming = "document.querySelector('#upcoming-slide iframe')"
    speaker.wait_for_function(f"{upcoming} && {upcoming}.contentWindow.Reveal && "
                              f"{upcoming}.contentWindow.Reveal.isReady() && "
                              f"{upcoming}.contentWindow.Reveal.getCurrentSlide().id === 'code-1'",
                              timeout=WAIT_MS)
    code = served.deck / "slides" / "02-code.md"
    save(code, code.read_text().replace("## Fenced code", "## Fenced code, edited"))
    wait_reloaded(page, loaded)
    speaker.wait_for_function(f"{upcoming}.contentDocument.querySelector('#code-1 h2').textContent"
                              " === 'Fenced code, edited'", timeout=WAIT_MS)
    assert speaker.evaluate(f"{upcoming}.contentWindow.Reveal.getCurrentSlide().id") == "code-1"
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-2-2"


@pytest.mark.browser
def test_the_speaker_view_follows_the_reloaded_deck(page, served):
    loaded = open_served(page, served, "#/intro-1")
    speaker = open_speaker_view(page)
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes .value') && "
                              "document.querySelector('.speaker-controls-notes .value').textContent"
                              ".includes('Notes of the title slide.')", timeout=WAIT_MS)
    current = speaker.frame_locator("#current-slide iframe")
    current.locator("#intro-1 h1").wait_for(timeout=WAIT_MS)
    intro = served.deck / "slides" / "01-intro.md"
    save(intro, intro.read_text().replace("Notes of the title slide.", "Notes edited while presenting.")
         .replace("# Fixture deck", "# Fixture deck, edited"))
    wait_reloaded(page, loaded)
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes .value').textContent"
                              ".includes('Notes edited while presenting.')", timeout=WAIT_MS)
    # the preview of the current slide is patched too, and stays on its slide
    speaker.wait_for_function("document.querySelector('#current-slide iframe').contentDocument"
                              ".querySelector('#intro-1 h1').textContent === 'Fixture deck, edited'",
                              timeout=WAIT_MS)
    assert speaker.evaluate("document.querySelector('#current-slide iframe').contentWindow"
                            ".Reveal.getCurrentSlide().id") == "intro-1"
    # and so is the upcoming preview (here the title slide's next fragment step)
    speaker.wait_for_function("document.querySelector('#upcoming-slide iframe').contentDocument"
                              ".querySelector('#intro-1 h1').textContent === 'Fixture deck, edited'",
                              timeout=WAIT_MS)
    assert page.evaluate("Reveal.getCurrentSlide().id") == "intro-1"  # the preview did not steer the deck
    page.evaluate("Reveal.slide(1, 1)")  # the reloaded window still drives the speaker view
    speaker.wait_for_function("document.querySelector('.speaker-controls-notes .value').textContent"
                              ".includes('Notes of the vertical slide.')", timeout=WAIT_MS)


@pytest.mark.browser
@pytest.mark.parametrize("late", [False, True], ids=["together", "current-preview-late"])
def test_the_speaker_view_s_previews_reload_with_the_deck_onto_their_slides(page, served, late):
    loaded = open_served(page, served, "#/code-2")
    speaker = open_speaker_view(page)
    # the current slide, and the upcoming one: here the same slide's first highlight step
    frames = {f"document.querySelector('#{name}-slide iframe')?.contentWindow": place
              for name, place in (("current", ("code-2", -1)), ("upcoming", ("code-2", 0)))}

    def showing(frame: str, place: tuple[str, int], slides: int) -> str:
        """A check that never throws, also while the frame is between two documents."""
        return (f"{frame}?.Reveal?.isReady?.() && {frame}.Reveal.getTotalSlides() === {slides} && "
                f"{frame}.Reveal.getCurrentSlide()?.id === {place[0]!r} && "
                f"{frame}.Reveal.getIndices().f === {place[1]} && "
                f"!!{frame}.document.documentElement.getAttribute('data-td-live')")

    for frame, place in frames.items():
        speaker.wait_for_function(showing(frame, place, 6), timeout=WAIT_MS)
    if late:  # the current preview hears of the new build after the reloaded deck told the speaker view where
        # it is: the deck's new indices reach the old build there, where they point at another slide
        speaker.evaluate(f"""(() => {{
          const frame = {next(iter(frames))}, fetch = frame.fetch;
          frame.fetch = (url, options) => String(url).includes('/_talkdeck/state')
            ? new Promise(done => setTimeout(done, 2500)).then(() => fetch(url, options)) : fetch(url, options);
        }})()""")
    intro = served.deck / "slides" / "01-intro.md"
    head, _, rest = intro.read_text().partition("\n---\n")
    save(intro, head + "\n---\n\n## Inserted while serving\n\n---\n" + rest)  # a reload, not a patch
    wait_reloaded(page, loaded)
    for frame, place in frames.items():  # each preview shows the new build, on the slide and step it showed
        speaker.wait_for_function(showing(frame, place, 7), timeout=WAIT_MS, polling=100)
    assert page.evaluate("Reveal.getCurrentSlide().id") == "code-2"  # the previews did not steer the deck
    page.evaluate("Reveal.next()")  # and the speaker view still follows the reloaded deck
    speaker.wait_for_function(showing(next(iter(frames)), ("code-2", 0), 7), timeout=WAIT_MS)


REPEATS = """+++
minutes = 2
+++

## Demo

First step of the demo

---

## Demo

Second step of the demo

---

Headless slide one

---

Headless slide two
"""


@pytest.mark.browser
@pytest.mark.parametrize(("at", "shows"), [("more-2", "Second step of the demo"),
                                           ("more-4", "Headless slide two")])
def test_slides_with_a_shared_heading_or_none_are_found_again_after_an_insert(page, served, at, shows):
    more = served.deck / "slides" / "03-more.md"
    save(more, REPEATS)
    first = served.wait_build(served.build_id())
    loaded = open_served(page, served, f"#/{at}")
    assert shows in page.evaluate("Reveal.getCurrentSlide().textContent")
    save(more, REPEATS.replace("+++\n\n", "+++\n\n## Inserted\n\n---\n\n", 1))  # before every slide here
    served.wait_build(first)
    wait_reloaded(page, loaded)
    page.wait_for_function(f"Reveal.getCurrentSlide().textContent.includes({shows!r})", timeout=WAIT_MS)
    assert page.evaluate("Reveal.getCurrentSlide().id") == at[:-1] + str(int(at[-1]) + 1)


ORDER = ["## A\n\nFirst", "## B\n\nSecond", "## C\n\nThird, step one\n{.fragment}\n\nstep two\n{.fragment}",
         "## D\n\nFourth"]


@pytest.mark.browser
def test_a_slide_moved_within_its_section_is_followed_where_it_went(page, served):
    # ids and the number of slides stay the same, so the page is patched: it went to whatever came under C's id
    order = served.deck / "slides" / "03-order.md"
    save(order, "\n\n---\n\n".join(ORDER) + "\n")
    first = served.wait_build(served.build_id())
    loaded = open_served(page, served, "#/order-3")
    page.evaluate("window.__samePage = true; Reveal.nextFragment()")
    assert position(page)["shown"] == 1
    save(order, "\n\n---\n\n".join([*ORDER[1:], ORDER[0]]) + "\n")  # A cut and pasted after D
    served.wait_build(first)
    wait_reloaded(page, loaded)
    assert page.evaluate("window.__samePage") is True and page.evaluate("window.__lastShown.patched") is True
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('h2').textContent") == "C"
    assert position(page)["id"] == "order-2" and position(page)["shown"] == 1


@pytest.mark.browser
@pytest.mark.parametrize(("slides", "at", "edited"), [
    (["## Alpha", "## Demo time\n\nSwitch to the terminal", "## Beta", "## Demo time\n\nSwitch to the terminal"],
     "order-2", "## Demo time\n\nSwitch to the terminal\n\nAnd back"),
    (["## Alpha", "", "", "## Gamma"], "order-3", "## Written at last"),  # two blank slides kept for later
])
def test_editing_a_slide_that_has_a_twin_stays_on_it(page, served, slides, at, edited):
    order = served.deck / "slides" / "03-order.md"
    save(order, "\n\n---\n\n".join(slides) + "\n")
    first = served.wait_build(served.build_id())
    loaded = open_served(page, served, f"#/{at}")
    index = int(at[-1]) - 1
    save(order, "\n\n---\n\n".join([*slides[:index], edited, *slides[index + 1:]]) + "\n")
    served.wait_build(first)
    wait_reloaded(page, loaded)
    assert page.evaluate("window.__lastShown.patched") is True
    assert page.evaluate("Reveal.getCurrentSlide().id") == at


@pytest.mark.browser
def test_of_two_identical_slides_the_page_stays_on_the_one_it_showed(page, served):
    # "Demo time" twice: after an insert above, both are as far from where the page was
    demo = "## Demo time\n\nSwitch to the terminal"
    slides = ["## Alpha", demo, "## Beta", demo, "## Gamma"]
    order = served.deck / "slides" / "03-order.md"
    save(order, "\n\n---\n\n".join(slides) + "\n")
    first = served.wait_build(served.build_id())
    loaded = open_served(page, served, "#/order-4")
    save(order, "\n\n---\n\n".join(["## Inserted", *slides]) + "\n")
    served.wait_build(first)
    wait_reloaded(page, loaded)
    assert page.evaluate("Reveal.getCurrentSlide().id") == "order-5"


@pytest.mark.browser
def test_a_section_saved_half_written_does_not_lose_the_slide(page, served):
    loaded = open_served(page, served, "#/code-3")
    code = served.deck / "slides" / "02-code.md"
    whole = code.read_text()
    code.write_text(whole[: whole.index("## A pane")])  # an editor writing in place, caught halfway
    half = wait_reloaded(page, loaded)
    assert page.evaluate("Reveal.getTotalSlides()") == 4  # code-3 is gone for now: the deck shows another
    code.write_text(whole)
    wait_reloaded(page, half)
    page.wait_for_function("Reveal.getCurrentSlide().id === 'code-3'", timeout=WAIT_MS)
    assert page.evaluate("Reveal.getCurrentSlide().querySelector('h2').textContent") == "Whole file"
