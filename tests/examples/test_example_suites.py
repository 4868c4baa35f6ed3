"""Run the own test suites of examples 1 and 2 (pytest, in a child process with this Python)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from example_tools import DAEMON, PROGRAM, run


@pytest.mark.parametrize("project", [PROGRAM, DAEMON], ids=lambda path: path.name)
def test_example_suite_passes(project: Path) -> None:
    output = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=project)

    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 0, output
    assert not re.search(r"\d+ (skipped|xfailed|xpassed|deselected)", output), output


def test_daemon_suite_covers_test_client_and_gunicorn() -> None:
    output = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--co"], cwd=DAEMON)

    assert "tests/test_app.py::" in output
    assert "tests/test_gunicorn.py::" in output
