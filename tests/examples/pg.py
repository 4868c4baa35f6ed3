"""A throwaway PostgreSQL cluster on 127.0.0.1 for the example projects' tests.

Uses the server programs of Debian's `postgresql` package (or any on PATH). When the tests run as root, the
server runs as the `postgres` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER_USER = "postgres"


class PostgresUnavailable(Exception):
    """PostgreSQL's server programs (or the user to run them as) are not on this machine."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    data_dir: Path
    bin_dir: Path

    def create_database(self, name: str) -> None:
        command = [
            str(self.bin_dir / "createdb"),
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            name,
        ]
        _run(command, cwd=self.data_dir.parent)

    def env(self, database: str) -> dict[str, str]:
        """The environment variables the Django example reads its database settings from."""
        return {
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": "",
            "POSTGRES_DB": database,
        }


def find_bin_dir() -> Path:
    """The folder holding initdb and pg_ctl: Debian keeps them off PATH, one folder per major version."""
    on_path = shutil.which("pg_ctl")
    if on_path and (Path(on_path).resolve().parent / "initdb").exists():
        return Path(on_path).resolve().parent  # a symlink to the real folder, on some machines

    def major(path: Path) -> int:
        match = re.search(r"/(\d+)/bin$", path.as_posix())
        return int(match.group(1)) if match else 0

    candidates = [
        path
        for path in Path("/usr/lib/postgresql").glob("*/bin")
        if (path / "pg_ctl").exists() and (path / "initdb").exists()
    ]
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL's server programs (initdb, pg_ctl) are neither on PATH nor in"
            " /usr/lib/postgresql/*/bin; install them with `apt-get install postgresql`"
        )
    return max(candidates, key=major)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


def _run(command: list[str], cwd: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    result = subprocess.run(
        _as_server_user(command), cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed with status {result.returncode}:\n{result.stdout}{result.stderr}"
        )


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a fresh cluster (trust authentication, superuser `postgres`); stop and delete it afterwards."""
    bin_dir = find_bin_dir()
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and there is no {SERVER_USER!r} user to run the server as"
            ) from None
    base = Path(tempfile.mkdtemp(prefix="examples-pg-"))
    try:
        if os.geteuid() == 0:
            os.chown(base, owner.pw_uid, owner.pw_gid)
        data_dir = base / "data"
        port = free_port()
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            cwd=base,
        )
        options = f"-F -h 127.0.0.1 -p {port} -k {base}"
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-o",
                options,
                "-l",
                str(base / "server.log"),
                "-w",
                "start",
            ],
            cwd=base,
        )
        try:
            yield PostgresServer(
                host="127.0.0.1", port=port, user="postgres", data_dir=data_dir, bin_dir=bin_dir
            )
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"], cwd=base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session", name="postgres")
def postgres_fixture() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server; skipped where PostgreSQL is not installed, except in CI (CI=...).

    Import it into a test module to use it (this folder has no conftest.py: `tests/conftest.py` is
    imported by name elsewhere, and a second conftest module would shadow it).
    """
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL is not available: {error}")
