"""The Docker files of the examples, checked without a Docker engine.

hadolint lints the Dockerfiles, the Compose specification's schema validates the compose files, and the tests
below check what neither can: that the files refer to each other correctly.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from dockerfile_parse import DockerfileParser
from example_tools import ALL, DAEMON, DJANGO, PROGRAM, REPO, clean_env, run, venv_tool
from ruamel.yaml import YAML

WITH_COMPOSE = [DAEMON, DJANGO]
ids = lambda path: path.name  # noqa: E731


# --- reading the files --------------------------------------------------------------------------------------


@cache
def instructions(project: Path) -> tuple[tuple[str, str], ...]:
    """(INSTRUCTION, value) for each instruction of the project's Dockerfile, comments left out."""
    parser = DockerfileParser(fileobj=io.BytesIO((project / "Dockerfile").read_bytes()))
    return tuple(
        (item["instruction"], item["value"]) for item in parser.structure if item["instruction"] != "COMMENT"
    )


def values(project: Path, instruction: str) -> list[str]:
    return [value for name, value in instructions(project) if name == instruction]


def exec_form(project: Path, instruction: str) -> list[str]:
    """The last CMD or ENTRYPOINT, which must use the exec (JSON) form."""
    found = values(project, instruction)
    assert found, f"{project.name}/Dockerfile has no {instruction}"
    command = json.loads(found[-1])
    assert isinstance(command, list) and all(isinstance(part, str) for part in command)
    return command


@cache
def compose(project: Path) -> dict[str, Any]:
    return YAML(typ="safe").load((project / "docker-compose.yml").read_text())


def built_service(project: Path) -> dict[str, Any]:
    """The compose service built from the project's own Dockerfile."""
    services = [
        service
        for service in compose(project)["services"].values()
        if service.get("build") in (".", "./")
        or (isinstance(service.get("build"), dict) and service["build"].get("context") in (".", "./"))
    ]
    assert len(services) == 1, f"{project.name}: expected one service with `build: .`"
    return services[0]


def dockerignore_rules(project: Path) -> list[tuple[bool, re.Pattern[str]]]:
    """(excludes, pattern) per line of .dockerignore, translated the way Docker reads them."""
    rules = []
    for line in (project / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((not include, re.compile(regex + r"\Z")))
    return rules


def ignored(project: Path, relative: str) -> bool:
    """Whether .dockerignore keeps a path out of the build context (it or one of its parents matches)."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for excludes, regex in dockerignore_rules(project):
        if any(regex.match(candidate) for candidate in candidates):
            result = excludes
    return result


def copy_sources(project: Path) -> list[str]:
    sources = []
    for value in values(project, "COPY") + values(project, "ADD"):
        parts = json.loads(value) if value.startswith("[") else shlex.split(value)
        parts = [part for part in parts if not part.startswith("--")]
        assert parts[-1] in (".", "./"), f"{project.name}: copy into the WORKDIR (`.`), not {parts[-1]!r}"
        sources += parts[:-1]
    return sources


def image_files(project: Path) -> set[str]:
    """The files the image gets in its WORKDIR: what COPY names, minus what .dockerignore leaves out."""
    files = set()
    for source in copy_sources(project):
        for path in [project] if source in (".", "./") else project.glob(source):
            found = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            files |= {p.relative_to(project).as_posix() for p in found}
    return {file for file in files if not ignored(project, file)}


def listening_port(project: Path) -> int | None:
    """The port gunicorn binds in the image's CMD (None for a program that does not listen)."""
    command = exec_form(project, "CMD")
    for flag in ("--bind", "-b"):
        if flag in command:
            return int(command[command.index(flag) + 1].rsplit(":", 1)[1])
    return None


def pinned_requirements(project: Path) -> dict[str, str]:
    pins = {}
    for line in (project / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9._-]+)(\[[a-z0-9,_-]+\])?==([0-9][0-9A-Za-z.+-]*)", line)
            assert match, f"{project.name}/requirements.txt: {line!r} is not pinned as NAME==VERSION"
            pins[match.group(1).lower().replace("_", "-")] = line.lower()
    return pins


# --- linters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_hadolint_passes(project: Path) -> None:
    run([venv_tool("hadolint"), "Dockerfile"], cwd=project)


@pytest.mark.parametrize("project", WITH_COMPOSE, ids=ids)
def test_compose_file_follows_the_compose_specification(project: Path) -> None:
    output = run(
        [venv_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=project,
    )
    assert "ok -- validation done" in output


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_no_syntax_the_layer_explainer_cannot_model(project: Path) -> None:
    text = (project / "Dockerfile").read_text()

    assert "--mount" not in text
    assert not re.search(r"<<-?\s*['\"]?[A-Z]", text), "no heredocs"


# --- what the schema cannot see -----------------------------------------------------------------------------


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_every_copied_file_exists_in_the_build_context(project: Path) -> None:
    for source in copy_sources(project):
        matches = [project] if source in (".", "./") else list(project.glob(source))
        assert matches, f"{project.name}/Dockerfile copies {source!r}, which does not exist"
        if source not in (".", "./"):
            kept = [m for m in matches if not ignored(project, m.relative_to(project).as_posix())]
            assert kept, f"{project.name}/.dockerignore leaves {source!r} out of the build context"


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_dockerignore_keeps_local_clutter_out(project: Path) -> None:
    for clutter in [".git/config", ".venv/bin/python", "pkg/__pycache__/mod.cpython-313.pyc", "x/y.pyc"]:
        assert ignored(project, clutter), f"{project.name}/.dockerignore lets {clutter} in"
    assert not ignored(project, "requirements.txt")


def test_dockerignore_matching_follows_docker() -> None:
    # Sanity checks of the matcher itself against Docker's documented semantics.
    assert ignored(DJANGO, "staticfiles/admin/css/base.css")  # a folder excludes what is inside it
    assert not ignored(DJANGO, "books/staticfiles")  # patterns are anchored at the context root
    assert ignored(DJANGO, "books/migrations/__pycache__/x.pyc")  # `**/` matches at any depth
    assert not ignored(DJANGO, "books/migrations/0001_initial.py")


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_the_image_command_exists(project: Path) -> None:
    command = exec_form(project, "CMD")
    files = image_files(project)
    env = clean_env(DJANGO_SECRET_KEY="only-for-importing-the-wsgi-module")

    if command[0] == "python":
        assert command[1] in files, f"{project.name}: CMD runs {command[1]}, which the image does not get"
        script = project / command[1]
        compile(script.read_text(), str(script), "exec")  # a SyntaxError fails the test
    else:
        assert command[0] == "gunicorn"
        assert "gunicorn" in pinned_requirements(project)
        module, _, attribute = command[-1].partition(":")
        assert f"{module.replace('.', '/')}.py" in files, f"{project.name}: {module} is not in the image"
        probe = (
            "import importlib; "
            f"app = getattr(importlib.import_module({module!r}), {attribute or 'application'!r}); "
            "assert callable(app); print('wsgi ok')"
        )
        assert "wsgi ok" in run([sys.executable, "-c", probe], cwd=project, env=env)


def test_the_django_entrypoint_script_is_sound() -> None:
    assert not values(PROGRAM, "ENTRYPOINT") and not values(DAEMON, "ENTRYPOINT")
    script = exec_form(DJANGO, "ENTRYPOINT")[0].removeprefix("./")
    path = DJANGO / script

    assert script in image_files(DJANGO)
    assert os.access(path, os.X_OK), f"{script} must be executable"
    data = path.read_bytes()
    assert data.startswith(b"#!/bin/sh\n") and b"\r" not in data
    assert b'exec "$@"' in data, "the entrypoint must hand over to the CMD with exec"
    run(["sh", "-n", script], cwd=DJANGO)


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_listening_port_matches_expose_healthchecks_and_compose(project: Path) -> None:
    port = listening_port(project)
    exposed = {int(port.split("/")[0]) for value in values(project, "EXPOSE") for port in value.split()}

    if port is None:
        assert not exposed and not (project / "docker-compose.yml").exists()
        return
    assert exposed == {port}
    probes = values(project, "HEALTHCHECK")
    if (project / "docker-compose.yml").exists():
        service = built_service(project)
        mapped = {
            str(entry.get("target")) if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
            for entry in service.get("ports", [])
        }
        assert {m.split("/")[0] for m in mapped} == {str(port)}
        probes += [json.dumps(service.get("healthcheck", {}).get("test", ""))]
    for probe in probes:
        for probed in re.findall(r"//(?:127\.0\.0\.1|localhost):(\d+)", probe):
            assert int(probed) == port


def test_the_daemon_healthcheck_path_answers() -> None:
    paths = set(re.findall(r"//127\.0\.0\.1:\d+(/[\w/-]*)", " ".join(values(DAEMON, "HEALTHCHECK"))))
    paths |= set(
        re.findall(r"//127\.0\.0\.1:\d+(/[\w/-]*)", json.dumps(built_service(DAEMON)["healthcheck"]))
    )
    assert paths == {"/health"}
    probe = (
        "from app import app; r = app.test_client().get('/health'); assert r.status_code == 200; print('up')"
    )

    assert "up" in run([sys.executable, "-c", probe], cwd=DAEMON)


@pytest.mark.parametrize("project", WITH_COMPOSE, ids=ids)
def test_compose_references_resolve(project: Path) -> None:
    spec = compose(project)
    services = spec["services"]
    for name, service in services.items():
        depends = service.get("depends_on", {})
        for dependency in depends:
            assert dependency in services, f"{name} depends on {dependency!r}, which is no service"
            if isinstance(depends, dict) and depends[dependency].get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} needs a healthcheck"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source and not source.startswith((".", "/", "~")):
                assert source in (spec.get("volumes") or {}), f"named volume {source!r} is not declared"
        assert service.get("restart") in {"unless-stopped", "always", "on-failure"}


def test_django_compose_waits_for_a_healthy_pinned_postgres() -> None:
    services = compose(DJANGO)["services"]
    db, web = services["db"], services["web"]

    image, _, tag = db["image"].partition(":")
    assert image == "postgres" and re.fullmatch(r"\d+", tag), "pin the official image to a major version"
    assert "pg_isready" in json.dumps(db["healthcheck"]["test"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    # From 18 on, the image keeps data in /var/lib/postgresql/<major>/docker and refuses a volume at .../data.
    target = db["volumes"][0].split(":")[1]
    assert target == ("/var/lib/postgresql" if int(tag) >= 18 else "/var/lib/postgresql/data")
    for name in ["POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"]:
        assert web["environment"][name] == db["environment"][name]
    assert web["environment"]["POSTGRES_HOST"] == "db"


@pytest.mark.parametrize("project", [DAEMON, DJANGO], ids=ids)
def test_services_run_as_an_unprivileged_user(project: Path) -> None:
    users = values(project, "USER")

    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert re.fullmatch(r"\d+(:\d+)?", users[-1]), "a numeric user, so the host can check it is not root"


@pytest.mark.parametrize("project", ALL, ids=ids)
def test_base_image_is_a_pinned_slim_python(project: Path) -> None:
    base = values(project, "FROM")[0]

    assert re.fullmatch(r"python:3\.\d+-slim-[a-z]+", base), base


def test_program_dockerfile_follows_the_build_cache_lesson() -> None:
    steps = instructions(PROGRAM)

    assert [name for name, _ in steps] == ["FROM", "WORKDIR", "COPY", "RUN", "COPY", "CMD"]
    assert steps[2][1] == "requirements.txt ."
    assert steps[3][1] == "pip install --no-cache-dir -r requirements.txt"
    assert steps[4][1] == "whereami.py ."


# --- pins and regions ---------------------------------------------------------------------------------------


def test_pyproject_examples_extra_matches_the_requirements() -> None:
    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"][
        "examples"
    ]
    extra = {item.lower() for item in extra}

    for project in ALL:
        for line in pinned_requirements(project).values():
            assert line in extra, (
                f"{project.name}/requirements.txt pins {line}; the `examples` extra must too"
            )


REGION = re.compile(r"^\s*(?:#|//|--|<!--)\s*(end)?region\s+(\S+)")


def region_files() -> list[Path]:
    """The example files with region markers in them."""
    return [
        path
        for path in sorted(REPO.joinpath("examples").rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in {".py", ".yml", ".txt", ".sh", ".html", ".css"} or path.name == "Dockerfile")
        and any(REGION.match(line) for line in path.read_text().splitlines())
    ]


@pytest.mark.parametrize(
    "path", region_files(), ids=lambda path: path.relative_to(REPO / "examples").as_posix()
)
def test_region_markers_are_balanced(path: Path) -> None:
    open_regions: list[str] = []
    seen: set[str] = set()
    previous = ""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = REGION.match(line)
        if match:
            end, name = match.groups()
            where = f"{path.name}:{number}"
            assert re.fullmatch(r"[a-z][a-z0-9-]*", name), f"{where}: region names are short and lowercase"
            assert not previous.rstrip().endswith("\\"), f"{where}: marker inside a multi-line instruction"
            if end:
                assert open_regions and open_regions[-1] == name, f"{where}: endregion {name} closes nothing"
                open_regions.pop()
            else:
                assert name not in seen, f"{where}: region {name} appears twice"
                seen.add(name)
                open_regions.append(name)
        previous = line
    assert not open_regions, f"{path.name}: unclosed regions {open_regions}"
