"""The process entry point keeps the garbage collector off for one-shot commands and on for long ones."""

import gc
import subprocess
import sys
from pathlib import Path

from talkdeck.entry import long_running

CHECK_FIXTURE = Path(__file__).parent / "fixtures" / "check" / "clean"


def gc_state_after(*args: str) -> subprocess.CompletedProcess:
    """Run the real entry point with `args`; at exit, print whether the collector is on and what is frozen."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('gc', gc.isenabled(), gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['talkdeck', *{list(args)!r}]\n"
        "from talkdeck.entry import main\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_a_build_runs_with_the_collector_off(deck_copy, tmp_path):
    out = gc_state_after("build", str(deck_copy()), "-o", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    assert "Built 6 slides" in out.stderr
    assert out.stdout.strip() == "gc False False"


def test_a_long_running_command_turns_it_back_on_with_start_up_frozen():
    out = gc_state_after("check", "--no-browser", str(CHECK_FIXTURE))
    assert out.returncode == 0, out.stderr + out.stdout
    assert out.stdout.strip().endswith("gc True True")


def test_long_running_leaves_a_process_that_did_not_start_at_the_entry_alone():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    long_running()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
