"""The process entry point: one-shot commands run without the garbage collector and skip Python's tear-down;
long-running ones turn the collector back on and exit the usual way."""

import gc
import subprocess
import sys
from pathlib import Path

from talkdeck.entry import long_running

CHECK_FIXTURE = Path(__file__).parent / "fixtures" / "check" / "clean"


def run_entry(*args: str) -> subprocess.CompletedProcess:
    """Run the real entry point with `args`, verbose (`-v`): the interpreter then logs its tear-down of each
    module as "# cleanup[...]". An exit handler prints whether the collector is on and anything is frozen."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('gc', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['talkdeck', *{list(args)!r}]\n"
        "from talkdeck.entry import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-v", "-c", code], capture_output=True, text=True)


def test_a_build_runs_without_the_collector_and_skips_the_tear_down(deck_copy, tmp_path):
    out = run_entry("build", str(deck_copy()), "-o", str(tmp_path / "out"), "--list-panes")
    assert out.returncode == 0, out.stderr
    assert "Built 6 slides" in out.stderr  # flushed before leaving
    assert out.stdout.splitlines()[-1] == "gc False False"
    assert "# cleanup[" not in out.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_failing_build_keeps_its_exit_code_and_message(tmp_path):
    out = run_entry("build", str(tmp_path / "nowhere"))
    assert out.returncode == 1
    assert "nowhere: no such folder" in out.stderr and "Traceback" not in out.stderr


def test_usage_errors_keep_click_s_exit_code():
    out = run_entry("build", "--no-such-option")
    assert out.returncode == 2
    assert "No such option '--no-such-option'" in out.stderr


def test_a_long_running_command_turns_the_collector_back_on_and_exits_the_usual_way():
    out = run_entry("check", "--no-browser", str(CHECK_FIXTURE))
    assert out.returncode == 0, out.stderr + out.stdout
    assert out.stdout.splitlines()[-1] == "gc True True"
    assert "# cleanup[" in out.stderr


def test_long_running_leaves_a_process_that_did_not_start_at_the_entry_alone():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    long_running()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_kill_or_a_closed_terminal_stops_a_long_command_as_ctrl_c_does():
    import os
    import signal

    import pytest

    from talkdeck.entry import stop_on_signals

    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    for signum in before:
        cleaned = []
        with pytest.raises(KeyboardInterrupt):
            with stop_on_signals():
                try:
                    os.kill(os.getpid(), signum)
                    for _ in range(1000):  # the handler runs between two bytecodes of this thread
                        pass
                finally:
                    cleaned.append(signum)  # what a command's clean-up would do
        assert cleaned == [signum]
    assert {s: signal.getsignal(s) for s in before} == before  # the handlers are put back


def test_ctrl_c_while_the_libraries_load_stops_as_click_does_without_a_traceback():
    code = (
        "import sys\n"
        "class CtrlC:  # Ctrl-C lands while click is being imported\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        "sys.argv = ['talkdeck', 'build']\n"
        "from talkdeck.entry import main\n"
        "main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (out.returncode, out.stderr) == (1, "Aborted!\n")


def test_a_signal_inside_the_import_system_is_raised_a_moment_later():
    import signal
    import time

    import pytest

    from talkdeck.entry import interrupt

    # A frame of importlib's own code, where a raised interrupt would be swallowed and could keep its lock
    code = compile("import sys\ndef frame():\n    return sys._getframe()\n", "<frozen importlib._bootstrap>", "exec")
    namespace: dict = {}
    exec(code, namespace)
    previous = signal.getsignal(signal.SIGALRM)
    try:
        interrupt(signal.SIGTERM, namespace["frame"]())  # not raised there
        with pytest.raises(KeyboardInterrupt):
            time.sleep(2)  # but here, once the import system's code is left
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with pytest.raises(KeyboardInterrupt):
        interrupt(signal.SIGTERM, sys._getframe())  # anywhere else, at once


def test_a_real_ctrl_c_while_the_libraries_load_stops_at_once_without_a_traceback():
    code = (
        "import os, signal, sys, time\n"
        "class CtrlC:  # the signal arrives while click is being imported, as a real Ctrl-C would\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            try:\n"
        "                os.kill(os.getpid(), signal.SIGINT)\n"
        "                time.sleep(5)\n"
        "            except KeyboardInterrupt:  # dropped, as some of Python's own code drops it\n"
        "                pass\n"
        "sys.meta_path.insert(0, CtrlC())\n"
        "sys.argv = ['talkdeck', 'build']\n"
        "from talkdeck.entry import main\n"
        "main()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert (out.returncode, out.stderr) == (1, "Aborted!\n")


def test_a_temporary_folder_is_made_whole_or_not_at_all(tmp_path, monkeypatch):
    import os
    import signal
    import tempfile

    import pytest

    from talkdeck.entry import stop_on_signals, temporary_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = tempfile.mkdtemp

    def signalled_mkdtemp(*args, **kwargs):  # Ctrl-C lands once the folder is made, before it is handed over
        folder = made(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs between two bytecodes of this thread
            pass
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", signalled_mkdtemp)
    with stop_on_signals(), pytest.raises(KeyboardInterrupt):
        temporary_folder("talkdeck-test-")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(tempfile, "mkdtemp", made)
    folder = Path(temporary_folder("talkdeck-test-"))
    assert folder.parent == tmp_path and folder.name.startswith("talkdeck-test-") and folder.is_dir()


def test_a_signal_put_off_by_an_import_waits_for_a_block_that_holds_signals():
    import signal
    import time

    import pytest

    from talkdeck.entry import hold_signals, interrupt, stop_on_signals

    code = compile("import sys\ndef frame():\n    return sys._getframe()\n", "<frozen importlib._bootstrap>", "exec")
    namespace: dict = {}
    exec(code, namespace)
    previous = signal.getsignal(signal.SIGALRM)
    finished = []
    try:
        with stop_on_signals():
            interrupt(signal.SIGTERM, namespace["frame"]())  # put off until the import is done
            with pytest.raises(KeyboardInterrupt):
                with hold_signals():  # say a swap of two folders, begun meanwhile
                    time.sleep(0.2)  # the signal comes back here, and waits
                    finished.append(True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert finished == [True]


def test_build_py_under_a_python_without_talkdeck_s_packages_says_what_to_do(tmp_path, deck_copy):
    # -S: no site-packages, so no click; talkdeck itself is found beside build.py
    root = Path(__file__).parent.parent
    done = subprocess.run([sys.executable, "-S", str(root / "build.py"), "build", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Error: talkdeck needs the Python package click, which this Python (")
    assert "run `make build` in talkdeck's folder" in done.stderr
    # click there (a system's python3-click), Markdown not: the build imports it later
    import click

    only_click = tmp_path / "site"
    only_click.mkdir()
    (only_click / "click").symlink_to(Path(click.__file__).parent)
    done = subprocess.run([sys.executable, "-S", str(root / "build.py"), "build", str(deck_copy())],
                          capture_output=True, text=True, env={"PYTHONPATH": str(only_click)})
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("Error: talkdeck needs the Python package "), done.stderr


def test_a_module_talkdeck_needs_not_is_a_bug_with_its_traceback():
    code = ("from talkdeck import entry\n"
            "try:\n    import not_a_dependency_of_talkdeck\n"
            "except ModuleNotFoundError as missing:\n    entry._lacking(missing)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "No module named 'not_a_dependency_of_talkdeck'" in done.stderr
