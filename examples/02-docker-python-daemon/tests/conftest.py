from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from app import create_app
from flask import Flask
from flask.testing import FlaskClient

PROJECT = Path(__file__).parent.parent


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    for name in ("FLASK_GREETING", "FLASK_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode} before it served {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving app:app on 127.0.0.1, the way the image's CMD runs it; yields its base URL."""
    port = free_port()
    run_dir = tmp_path_factory.mktemp("gunicorn")
    log = run_dir / "gunicorn.log"
    env = {
        **os.environ,
        # gunicorn puts its control socket here rather than in ~/.gunicorn.
        "XDG_RUNTIME_DIR": str(run_dir),
        "FLASK_GREETING": "Hi",
        "FLASK_SERVICE_NAME": "greeter",
        "WEB_CONCURRENCY": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=PROJECT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(f"{base_url}/health", proc)
        except RuntimeError as error:
            pytest.fail(f"{error}\n--- gunicorn log ---\n{log.read_text()}")
        yield base_url
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
