from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
import whereami

PROGRAM = Path(__file__).parent.parent / "whereami.py"


def run_program() -> tuple[int, dict[str, str], str]:
    """Run the program like `docker run` would; return its pid, its table as a dict, stderr."""
    env = {"PATH": os.environ.get("PATH", ""), "COLUMNS": "120", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, str(PROGRAM)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Where am I running?" in out, out
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) == 2 and cells[0] != "What":
            rows[cells[0]] = cells[1]
    return proc.pid, rows, err


def test_program_prints_a_table_of_facts() -> None:
    _, rows, err = run_program()

    assert err == ""
    assert list(rows) == [
        "Python",
        "Operating system",
        "Host name",
        "Process id",
        "User id",
        "Working directory",
        "Memory limit",
        "Docker container",
    ]
    assert rows["Python"] == platform.python_version()
    assert rows["User id"] == str(os.getuid())
    assert rows["Docker container"] in {"yes", "no"}
    assert rows["Memory limit"] == whereami.memory_limit()


def test_program_reports_its_own_process_id() -> None:
    pid, rows, _ = run_program()

    assert rows["Process id"] == str(pid)


@pytest.mark.parametrize(
    ("content", "expected"),
    [("max\n", "no limit"), ("268435456\n", "256 MiB"), ("1073741824", "1024 MiB")],
)
def test_memory_limit_reads_the_cgroup_file(tmp_path: Path, content: str, expected: str) -> None:
    limit_file = tmp_path / "memory.max"
    limit_file.write_text(content)

    assert whereami.memory_limit(limit_file) == expected


def test_memory_limit_without_a_cgroup_file(tmp_path: Path) -> None:
    assert whereami.memory_limit(tmp_path / "missing") == "unknown"
