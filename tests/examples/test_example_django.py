"""Example 3 against a real PostgreSQL: the build step, Django's tests, the deploy checks, gunicorn."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from example_tools import DJANGO, clean_env, run
from pg import PostgresServer, free_port, postgres_fixture  # noqa: F401 (the `postgres` fixture)

pytestmark = pytest.mark.postgres

HOST = "books.example.com"


def manage(env: dict[str, str], *args: str) -> str:
    # -W error: a warning from Django or the project fails the run, as in the root suite.
    return run([sys.executable, "-W", "error", "manage.py", *args], cwd=DJANGO, env=env)


@pytest.fixture(scope="module")
def production_env(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Settings as in production: a strong key, DEBUG unset, HTTPS on, a real host name, a real database.

    Static files are collected into a temporary folder, as `docker build` does into the image.
    """
    postgres.create_database("books")
    env = clean_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_STATIC_ROOT=str(tmp_path_factory.mktemp("staticfiles")),
        **postgres.env("books"),
    )
    manage(env, "collectstatic", "--noinput")
    return env


def test_static_files_are_collected_with_a_manifest(production_env: dict[str, str]) -> None:
    static_root = Path(production_env["DJANGO_STATIC_ROOT"])

    assert (static_root / "staticfiles.json").is_file()
    assert list(static_root.glob("books/style.*.css"))
    assert list(static_root.glob("admin/css/base.*.css.gz"))


def test_debug_is_off_unless_asked_for(production_env: dict[str, str]) -> None:
    show = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"

    assert manage(production_env, "shell", "-v", "0", "-c", show).split() == ["False", "True"]
    debug_env = {**production_env, "DJANGO_DEBUG": "true", "DJANGO_HTTPS": "false"}
    assert manage(debug_env, "shell", "-v", "0", "-c", show).split() == ["True", "False"]


def test_settings_refuse_to_load_without_a_secret_key(production_env: dict[str, str]) -> None:
    env = {key: value for key, value in production_env.items() if key != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=DJANGO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "Set the DJANGO_SECRET_KEY environment variable." in result.stderr


def test_migrations_are_up_to_date(production_env: dict[str, str]) -> None:
    output = manage(production_env, "makemigrations", "--check", "--dry-run")

    assert "No changes detected" in output


def test_deploy_checks_pass(production_env: dict[str, str]) -> None:
    output = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert "System check identified no issues" in output


def test_django_test_suite_passes(production_env: dict[str, str]) -> None:
    output = manage(production_env, "test", "--noinput", "-v", "2")

    ran = re.search(r"Ran (\d+) tests?", output)
    assert ran and int(ran.group(1)) > 0, output
    assert re.search(r"^OK$", output, re.MULTILINE), output


def get(url: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture(scope="module")
def site(production_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The container's start-up, without the container: entrypoint.sh migrates, then execs gunicorn."""
    port = free_port()
    run_dir = tmp_path_factory.mktemp("django-gunicorn")
    log = run_dir / "server.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                "./entrypoint.sh",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "config.wsgi",
            ],
            cwd=DJANGO,
            # gunicorn puts its control socket here rather than in ~/.gunicorn.
            env={**production_env, "XDG_RUNTIME_DIR": str(run_dir)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the entrypoint exited with {proc.returncode}:\n{log.read_text()}")
            try:
                urllib.request.urlopen(base, timeout=1).close()
            except urllib.error.HTTPError:
                break  # gunicorn answers (400: no allowed Host header given)
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")
                time.sleep(0.2)
        yield base
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
    assert "Applying books.0001_initial... OK" in log.read_text()


BEHIND_PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}


def test_site_lists_books_over_http(site: str, production_env: dict[str, str]) -> None:
    manage(
        production_env,
        "shell",
        "-v",
        "0",
        "-c",
        "from books.models import Book; Book.objects.create("
        "title='Python Crash Course', author='Eric Matthes', year=2023)",
    )

    status, page, _ = get(f"{site}/", BEHIND_PROXY)

    assert status == 200, page
    assert "<td>Python Crash Course</td>" in page


def test_whitenoise_serves_the_collected_stylesheet(site: str) -> None:
    _, page, _ = get(f"{site}/", BEHIND_PROXY)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', page).group(1)

    status, css, headers = get(f"{site}{href}", BEHIND_PROXY)

    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "border-collapse" in css


def test_plain_http_is_redirected_to_https(site: str) -> None:
    status, _, headers = get(f"{site}/", {"Host": HOST})

    assert status == 301
    assert headers["Location"] == f"https://{HOST}/"


def test_unknown_host_is_refused(site: str) -> None:
    status, _, _ = get(f"{site}/", {"Host": "evil.example.org", "X-Forwarded-Proto": "https"})

    assert status == 400
