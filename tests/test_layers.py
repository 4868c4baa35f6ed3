"""The layer-cache explainer: Docker's cache rules on fixture Dockerfiles, its renderings and its command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from talkdeck.cli import main
from talkdeck.errors import DeckError
from talkdeck.layers import (
    LAYERS_CSS,
    Explanation,
    IgnoreFile,
    Source,
    explain,
    first_build,
    input_files,
    parse_ignore_line,
    render_html,
    render_text,
    unchanged,
)

FIXTURES = Path(__file__).parent / "fixtures" / "layers"
REPO = Path(__file__).parent.parent


def states(explanation: Explanation) -> dict[int, str]:
    return {step.line: step.state for step in explanation.steps}


def miss_lines(explanation: Explanation) -> list[int]:
    return [step.line for step in explanation.misses]


def problems_of(excinfo: pytest.ExceptionInfo[DeckError]) -> list[tuple[int | None, str]]:
    return [(problem.line, problem.message) for problem in excinfo.value.problems]


# ---------------------------------------------------------------------------------------- single stage


def test_program_change_rebuilds_from_the_copy_of_the_program() -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"])
    assert states(result) == {
        2: "base",
        3: "config",
        4: "config",
        5: "cached",
        6: "cached",
        7: "rebuilt",
        8: "config",
        9: "config",
        10: "config",
    }
    assert result.first_miss is not None
    assert result.first_miss.describe() == "COPY . . : app.py changed"


def test_requirements_change_reinstalls_dependencies_and_everything_after() -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile", ["requirements.txt"])
    assert [states(result)[line] for line in (5, 6, 7)] == ["rebuilt", "rebuilt", "rebuilt"]
    assert miss_lines(result) == [5]
    assert result.steps[3].reason == "requirements.txt changed"


@pytest.mark.parametrize(
    "path",
    ["secrets.env", "NOTES.md", "pkg/logs/debug.log", "docs/guide.txt"],
    ids=["plain name", "*.md", "**/*.log", "/docs/ with slashes"],
)
def test_a_changed_file_the_ignore_file_excludes_invalidates_nothing(path: str) -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile", [path])
    assert result.misses == ()
    assert result.ignored == (path,) and result.changed == ()
    assert set(states(result).values()) == {"base", "config", "cached"}
    assert f".dockerignore keeps {path} out of the build context" in render_text(result)


def test_an_exception_in_the_ignore_file_lets_the_file_back_in() -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile", ["README.md", "NOTES.md"])
    assert miss_lines(result) == [7]
    assert result.first_miss is not None and result.first_miss.reason == "README.md changed"
    assert result.ignored == ("NOTES.md",)


def test_wildcard_copy_matches_like_go_filepath_match() -> None:
    dockerfile = FIXTURES / "wildcard" / "Dockerfile"
    assert miss_lines(explain(dockerfile, ["requirements-dev.txt"])) == [2]
    assert miss_lines(explain(dockerfile, ["src/util.py"])) == [4]
    untouched = explain(dockerfile, ["src/data.json"])
    assert untouched.misses == ()
    assert "no step uses src/data.json: every step is cached" in render_text(untouched)


def test_directory_copy_covers_files_at_any_depth() -> None:
    dockerfile = FIXTURES / "wildcard" / "Dockerfile"
    result = explain(dockerfile, ["static/css/site.css"])
    assert miss_lines(result) == [6]
    assert states(result)[5] == "cached" and states(result)[7] == "rebuilt"
    folder = explain(dockerfile, ["static"])
    assert folder.changed == ("static/css/site.css", "static/index.html")
    assert folder.first_miss is not None
    assert folder.first_miss.reason == "static/css/site.css and static/index.html changed"


def test_json_form_copy_with_a_space_in_the_source() -> None:
    result = explain(FIXTURES / "wildcard" / "Dockerfile", ["config dir/app.toml"])
    assert miss_lines(result) == [5]


@pytest.mark.parametrize(
    ("pattern", "path", "covered"),
    [
        ("src/*.py", "src/main.py", True),
        ("src/*.py", "src/pkg/main.py", False),
        ("*", "src/pkg/main.py", True),
        ("app", "app/deep/x.py", True),
        ("app", "application.py", False),
        ("req?.txt", "req1.txt", True),
        ("[a-c].txt", "b.txt", True),
        ("[a-c].txt", "d.txt", False),
        (".", "anything/at/all", True),
    ],
)
def test_copy_source_patterns(pattern: str, path: str, covered: bool) -> None:
    assert Source(pattern).covers(path) is covered


# ------------------------------------------------------------------------------------------ multi-stage


def test_multi_stage_copy_from_a_rebuilt_stage_misses() -> None:
    result = explain(FIXTURES / "multistage" / "Dockerfile", ["app/main.py"])
    lines = states(result)
    assert [lines[n] for n in (3, 4, 5, 6)] == ["cached", "cached", "rebuilt", "rebuilt"]
    assert lines[9] == "cached", "the docs stage does not use app/"
    assert lines[11] == lines[12] == "skipped", "the last stage needs nothing from the test stage"
    # the RUN on line 6 ran again: what it wrote, and so what /wheels holds, is not known
    assert miss_lines(result) == [5, 15]
    assert [step.reason for step in result.misses] == ["app/main.py changed", "stage build was rebuilt"]
    assert [step.stage for step in result.misses] == ["build", "3"]
    assert "stage test is not built: the last stage needs nothing from it" in render_text(result)


def test_multi_stage_stages_are_computed_separately() -> None:
    result = explain(FIXTURES / "multistage" / "Dockerfile", ["docs/index.md"])
    lines = states(result)
    assert [lines[n] for n in (3, 4, 5, 6)] == ["cached"] * 4
    assert [lines[n] for n in (15, 16, 17)] == ["cached", "cached", "cached"], "--from=0 is the build stage"
    assert lines[18] == "rebuilt" and lines[19] == "rebuilt"
    assert miss_lines(result) == [9, 18]
    assert result.misses[1].describe() == (
        "COPY --from=docs /docs /usr/share/doc/app : /docs/index.md changed in stage docs")
    text = render_text(result)
    assert "first cache miss: line 9, COPY docs/ /docs/ : docs/index.md changed" in text
    assert "in stage 3: first cache miss at line 18" in text


# ------------------------------------------------------------------------------------- config, ARG, ENV


def test_config_instructions_are_config_even_after_a_miss() -> None:
    result = explain(FIXTURES / "twelve" / "Dockerfile", ["requirements.txt"])
    kinds = {step.instruction: step.kind for step in result.steps}
    config = ("LABEL", "ENV", "WORKDIR", "USER", "EXPOSE", "HEALTHCHECK", "CMD")
    assert {kinds[name] for name in config} == {"config"}
    assert kinds["FROM"] == "base" and kinds["RUN"] == kinds["COPY"] == "layer"
    after_miss = [step for step in result.steps if step.line > 6]
    assert {step.state for step in after_miss if step.kind == "config"} == {"config"}
    assert {step.state for step in after_miss if step.kind == "layer"} == {"rebuilt"}


def test_an_arg_changes_the_first_run_after_it_not_its_declaration() -> None:
    result = explain(FIXTURES / "args" / "Dockerfile", [], {"PIP_VERSION": "24.2"})
    assert states(result)[3] == "config"
    assert miss_lines(result) == [6]
    assert result.misses[0].reason == "build argument PIP_VERSION changed ('24.0' to '24.2')"


def test_an_arg_declared_late_misses_at_its_first_use() -> None:
    result = explain(FIXTURES / "args" / "Dockerfile", [], {"CONF": "dev"})
    assert [states(result)[n] for n in (6, 7, 8)] == ["cached", "cached", "cached"]
    assert miss_lines(result) == [11]


def test_arg_and_env_values_resolve_copy_sources() -> None:
    dockerfile = FIXTURES / "args" / "Dockerfile"
    assert miss_lines(explain(dockerfile, ["conf/prod.toml"])) == [11]
    assert explain(dockerfile, ["conf/dev.toml"]).misses == ()
    with_dev = explain(dockerfile, ["conf/dev.toml"], {"CONF": "dev"})
    assert with_dev.misses[0].reason == "build argument CONF changed ('prod' to 'dev')"


def test_a_global_arg_in_from_changes_the_base_image() -> None:
    result = explain(FIXTURES / "args" / "Dockerfile", [], {"PYTHON_VERSION": "3.13"})
    assert miss_lines(result) == [2]
    assert result.misses[0].reason == "base image changed (python:3.12-slim to python:3.13-slim)"
    assert {step.state for step in result.steps if step.kind == "layer"} == {"rebuilt"}


def test_an_undeclared_build_arg_is_an_error() -> None:
    with pytest.raises(DeckError, match="build argument NOPE is not declared by any ARG"):
        explain(FIXTURES / "args" / "Dockerfile", [], {"NOPE": "1"})


def test_a_dockerfile_specific_ignore_file_takes_precedence() -> None:
    result = explain(FIXTURES / "specific-ignore" / "app.Dockerfile", ["main.py", "notes.txt"])
    assert result.changed == ("main.py",) and result.ignored == ("notes.txt",)
    assert result.ignore_file == "app.Dockerfile.dockerignore"
    assert miss_lines(result) == [2]


# ------------------------------------------------------------------------------------ trivial scenarios


def test_nothing_changed_means_every_layer_is_cached() -> None:
    dockerfile = FIXTURES / "python-app" / "Dockerfile"
    for result in (explain(dockerfile, []), unchanged(dockerfile)):
        assert {s.state for s in result.steps if s.kind == "layer"} == {"cached"}
        assert result.first_miss is None
        assert render_text(result).endswith("\nnothing changed: every step is cached\n")


def test_first_build_runs_every_layer() -> None:
    result = first_build(FIXTURES / "multistage" / "Dockerfile")
    assert result.scenario == "first build"
    assert {s.state for s in result.steps if s.kind == "layer" and s.stage != "test"} == {"run"}
    assert {s.state for s in result.steps if s.kind == "base" and s.stage != "test"} == {"base"}
    assert {s.state for s in result.steps if s.stage == "test"} == {"skipped"}
    assert result.misses == ()
    assert render_text(result).endswith("\nfirst build: every step runs in the stages built\n")
    assert render_text(first_build(FIXTURES / "python-app" / "Dockerfile")).endswith(
        "\nfirst build: every step runs\n")


def test_the_talks_first_example() -> None:
    dockerfile = REPO / "examples" / "01-docker-python" / "Dockerfile"
    result = explain(dockerfile, ["whereami.py"])
    assert result.first_miss is not None
    assert result.first_miss.describe() == "COPY whereami.py . : whereami.py changed"
    dependencies = explain(dockerfile, ["requirements.txt"])
    assert dependencies.first_miss is not None
    assert dependencies.first_miss.text == "COPY requirements.txt ."
    assert explain(dockerfile, ["tests"]).misses == (), "the example's .dockerignore keeps its tests out"


# ------------------------------------------------------------------------------------ what is refused


def test_a_heredoc_is_reported_with_its_line_and_nothing_else() -> None:
    with pytest.raises(DeckError) as excinfo:
        explain(FIXTURES / "bad-heredoc" / "Dockerfile", [])
    assert problems_of(excinfo) == [(3, "RUN with a heredoc (<<EOF) is not supported by the layer explainer")]
    assert "bad-heredoc/Dockerfile:3: " in str(excinfo.value)
    assert "bad-heredoc/Dockerfile:3: " in str(excinfo.value)


def test_several_heredocs_on_one_line_are_one_problem(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine\nRUN <<A cat > /a && <<B cat > /b\nFIRST\nA\nSECOND\nB\n"
                                        "COPY <<EOF /etc/x\nthird\nEOF\nRUN true\n", {})
    with pytest.raises(DeckError) as excinfo:
        explain(dockerfile, [])
    assert problems_of(excinfo) == [(2, "RUN with a heredoc (<<A) is not supported by the layer explainer"),
                                    (7, "COPY with a heredoc (<<EOF) is not supported by the layer explainer")]
    assert excinfo.value.problems[1].hint == "save the text as a file in the build context and COPY it"


def test_run_mount_is_unsupported() -> None:
    with pytest.raises(DeckError) as excinfo:
        explain(FIXTURES / "bad-mount" / "Dockerfile", [])
    [(line, message)] = problems_of(excinfo)
    assert line == 3 and message.startswith("RUN --mount is not supported")


def test_a_misspelt_instruction_is_named_with_a_suggestion() -> None:
    with pytest.raises(DeckError) as excinfo:
        explain(FIXTURES / "bad-misspelt" / "Dockerfile", [])
    assert problems_of(excinfo) == [(4, "unknown instruction RUNN")]
    assert "did you mean RUN?" in str(excinfo.value)


def test_a_misspelt_from_is_one_problem_not_also_an_instruction_before_from(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FRM python:3.12\nCOPY . .\n")
    with pytest.raises(DeckError) as excinfo:
        explain(tmp_path / "Dockerfile", [])
    assert problems_of(excinfo) == [(1, "unknown instruction FRM")]
    assert "did you mean FROM?" in str(excinfo.value)


def test_a_file_that_is_no_dockerfile_is_one_problem_not_one_a_line(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# My app\n\nThis app shows the time.\nInstall it with pip.\nThen open the page.\n"
                      "It shows the time.\nSee the docs.\nRun it with make.\nThe end.\n")  # RUN: an instruction
    with pytest.raises(DeckError) as excinfo:
        explain(readme, [])
    assert problems_of(excinfo) == [(None, "this is not a Dockerfile: 6 of its 7 lines start with no instruction")]


def test_copy_sources_missing_or_ignored_are_reported_together() -> None:
    with pytest.raises(DeckError) as excinfo:
        explain(FIXTURES / "bad-source" / "Dockerfile", [])
    assert problems_of(excinfo) == [
        (2, "COPY source requirements.txt matches no file in the build context"),
        (
            3,
            "COPY source secrets.env matches no file in the build context (every match is excluded by "
            ".dockerignore)",
        ),
    ]
    assert excinfo.value.problems[0].hint == "the sources of COPY are relative to the build context, bad-source/"


def test_a_missing_copy_source_names_the_file_it_may_mean(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "Dockerfile").write_text("FROM python:3.13\nCOPY requirement.txt .\nCOPY srcs/ /app/\n")
    with pytest.raises(DeckError) as excinfo:
        explain(tmp_path / "Dockerfile", [])
    assert problems_of(excinfo) == [
        (2, "COPY source requirement.txt matches no file in the build context (did you mean requirements.txt?)"),
        (3, "COPY source srcs/ matches no file in the build context (did you mean src?)"),
    ]
    monkeypatch.chdir(tmp_path)  # the context named as `.`: the hint names its folder
    with pytest.raises(DeckError) as excinfo:
        explain(Path("Dockerfile"), [])
    assert excinfo.value.problems[0].hint.endswith(f"relative to the build context, {tmp_path.name}/")


@pytest.mark.parametrize("path", ["../args/Dockerfile", "/etc/hostname", "pkg/../../x"])
def test_a_changed_path_outside_the_context_is_an_error(path: str) -> None:
    with pytest.raises(DeckError, match="lies outside the build context"):
        explain(FIXTURES / "python-app" / "Dockerfile", [path])


def test_a_changed_path_that_does_not_exist_gets_a_suggestion() -> None:
    with pytest.raises(DeckError, match=r"changed file ap\.py does not exist .*did you mean app\.py\?"):
        explain(FIXTURES / "python-app" / "Dockerfile", ["ap.py"])


def test_unsupported_lines_written_in_a_temporary_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "ENV X=1\nFROM alpine\nCOPY --exclude=*.md . /app\nCOPY <<-'END' /app/x\nhi\nEND\nRUN echo done\n"
    )
    with pytest.raises(DeckError) as excinfo:
        explain(tmp_path / "Dockerfile", [])
    assert [line for line, _ in problems_of(excinfo)] == [3, 4, 1]
    assert "COPY --exclude is not supported" in str(excinfo.value)
    assert "ENV before the first FROM" in str(excinfo.value)


# ---------------------------------------------------------------------------------- .dockerignore rules


def ignore(text: str) -> IgnoreFile:
    rules = [rule for rule in (parse_ignore_line(line) for line in text.splitlines()) if rule]
    return IgnoreFile(Path(".dockerignore"), tuple(rules))


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ("*/temp*", "somedir/temporary.txt", True),
        ("*/temp*", "somedir/temp/inside.txt", True),
        ("*/temp*", "a/b/temporary.txt", False),
        ("*/*/temp*", "a/b/temporary.txt", True),
        ("temp?", "tempa", True),
        ("temp?", "tempab", False),
        ("**/*.go", "main.go", True),
        ("**/*.go", "a/b/c.go", True),
        ("/foo/bar", "foo/bar", True),
        ("foo/bar/", "foo/bar/baz.txt", True),
        ("./foo//bar", "foo/bar", True),
        ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),
        ("*.md\n!README*.md\nREADME-secret.md", "README.md", False),
        ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
        ("dir\n!dir/keep.txt", "dir/keep.txt", False),
        ("dir\n!dir/keep.txt", "dir/other.txt", True),
        ("# a comment\n\n  *.log  ", "x.log", True),
        ("#*.log", "x.log", False),
        ("docs/**", "docs/a/b.txt", True),
        ("docs/**", "docs", False),  # moby: the folder's contents, not the folder entry itself
    ],
)
def test_dockerignore_semantics(patterns: str, path: str, excluded: bool) -> None:
    assert ignore(patterns).excludes(path) is excluded


def test_a_bare_exclamation_mark_in_the_ignore_file_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    (tmp_path / ".dockerignore").write_text("*.log\n!\n")
    with pytest.raises(DeckError, match=r"\.dockerignore:2: illegal exclusion pattern"):
        explain(tmp_path / "Dockerfile", [])


# ----------------------------------------------------------------------------------------- the terminal


def test_render_text_is_aligned_and_names_the_first_miss() -> None:
    text = render_text(explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"]))
    lines = text.splitlines()
    assert lines[0] == "LINE  STATE    INSTRUCTION"
    rows = lines[1:10]
    assert rows[0] == "   2  base     FROM python:3.12-slim"
    assert rows[5] == "   7  rebuilt  COPY . ."
    assert {row.index(row.split()[2]) for row in rows} == {15}, "instructions start in one column"
    assert lines[10:] == ["", "first cache miss: line 7, COPY . . : app.py changed"]


# -------------------------------------------------------------------------------------------- the slide


class TagCheck(HTMLParser):
    """Collects the classes and fragment indices of an HTML fragment and checks that its tags balance."""

    VOID = {"br", "img", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.fragments: dict[str, int] = {}
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.classes.append(values.get("class") or "")
        index = values.get("data-fragment-index")
        if index is not None:
            assert "fragment" in (values.get("class") or "").split()
            self.fragments[index] = self.fragments.get(index, 0) + 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def parse(html_text: str) -> TagCheck:
    check = TagCheck()
    check.feed(html_text)
    check.close()
    assert check.stack == []
    return check


def test_render_html_has_three_fragment_steps_and_one_row_per_instruction() -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"])
    check = parse(render_html(result))
    rows = len(result.steps)
    assert check.fragments == {"1": rows + 1, "2": rows + 1, "3": rows + 2}
    row_classes = [c for c in check.classes if c.startswith("td-layers-row ") and "td-layers-head" not in c]
    assert row_classes == [f"td-layers-row td-layers-{step.kind}" for step in result.steps]
    badges = [c.split()[-1] for c in check.classes if c.startswith("td-layers-badge")]
    assert (
        badges[0::3]
        == ["td-layers-" + s for s in ("base", "config", "config", "run", "run", "run")]
        + ["td-layers-config"] * 3
    )
    assert badges[1::3].count("td-layers-cached") == 3
    assert badges[2::3] == [
        "td-layers-" + s
        for s in ("base", "config", "config", "cached", "cached", "miss", "config", "config", "config")
    ]


def test_render_html_names_the_changes_and_the_reason() -> None:
    html_text = render_html(explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"]))
    assert "rebuild after app.py changed" in html_text
    assert "Line 7: <code>COPY . .</code> misses the cache: app.py changed" in html_text
    assert 'title="app.py changed">invalidated<' in html_text


def test_render_html_escapes_dockerfile_text() -> None:
    html_text = render_html(explain(FIXTURES / "wildcard" / "Dockerfile", ["static/index.html"]))
    assert "<b>" not in html_text
    assert "RUN echo &quot;&lt;b&gt;&amp;&lt;/b&gt;&quot; &gt; /app/static/banner.html" in html_text
    assert "COPY [&quot;config dir/&quot;, &quot;/etc/app/&quot;]" in html_text
    parse(html_text)


def test_render_html_fragment_indices_can_start_later() -> None:
    check = parse(render_html(explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"]), fragment_start=4))
    assert set(check.fragments) == {"4", "5", "6"}


def test_render_html_with_nothing_changed_has_no_third_column_repeating_the_second() -> None:
    result = explain(FIXTURES / "python-app" / "Dockerfile")
    html_text = render_html(result)
    assert set(parse(html_text).fragments) == {"1", "2"} and "td-layers-two" in html_text
    assert html_text.count("rebuild, nothing changed") == 1
    assert "nothing changed: every step is cached" in html_text
    assert ".td-layers-two .td-layers-row { grid-template-columns: 2em minmax(0, 1fr) repeat(2, 7.4em); }" \
        in LAYERS_CSS


def test_layers_css_classes_are_prefixed() -> None:
    classes = set(re.findall(r"\.([A-Za-z_][\w-]*)", LAYERS_CSS))
    assert classes - {"reveal"}, "the stylesheet styles something"
    assert {name for name in classes - {"reveal"} if not name.startswith("td-layers")} == set()
    html_classes = {
        name
        for value in parse(render_html(explain(FIXTURES / "twelve" / "Dockerfile"))).classes
        for name in value.split()
    }
    assert html_classes - {"fragment"} <= classes, "every class the HTML uses is styled"


# ---------------------------------------------------------------------------------------------- the CLI


def run(*args: str) -> object:
    return CliRunner().invoke(main, ["layers", *args])


def test_cli_prints_the_explanation() -> None:
    result = run(str(FIXTURES / "python-app" / "Dockerfile"), "--changed", "requirements.txt")
    assert result.exit_code == 0, result.output
    assert "   5  rebuilt  COPY requirements.txt ." in result.output
    assert result.output.endswith(
        "first cache miss: line 5, COPY requirements.txt . : requirements.txt changed\n"
    )


def test_cli_takes_changed_files_from_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES)
    relative = run("python-app", "--changed", "python-app/app.py", "--changed", "python-app/NOTES.md")
    assert relative.exit_code == 0, relative.output
    assert "first cache miss: line 7, COPY . . : app.py changed" in relative.output
    assert ".dockerignore keeps NOTES.md out of the build context" in relative.output
    absolute = run("python-app/Dockerfile", "--changed", str(FIXTURES / "python-app" / "requirements.txt"))
    assert absolute.exit_code == 0, absolute.output
    assert "first cache miss: line 5" in absolute.output


def test_cli_first_build_and_build_args() -> None:
    dockerfile = str(FIXTURES / "args" / "Dockerfile")
    first = run(dockerfile, "--first-build")
    assert first.exit_code == 0 and first.output.endswith("first build: every step runs\n")
    assert "   6  run     RUN pip install" in first.output
    args = run(dockerfile, "--build-arg", "PIP_VERSION=25.0")
    assert args.exit_code == 0, args.output
    assert "build argument PIP_VERSION changed ('24.0' to '25.0')" in args.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bad-heredoc/Dockerfile"], "bad-heredoc/Dockerfile:3: RUN with a heredoc"),
        (["bad-misspelt"], "bad-misspelt/Dockerfile:4: unknown instruction RUNN"),
        (["python-app", "--changed", "../args/Dockerfile"], "lies outside the build context"),
        (["python-app", "--changed", "nope.py"], "changed file nope.py does not exist"),
        (["bad-source"], "this folder has no Dockerfile"),
        (["python-app", "--changed", ""], "--changed '': an empty name; give a file or a folder"),
    ],
)
def test_cli_bad_input_exits_1_with_a_clean_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str], message: str
) -> None:
    monkeypatch.chdir(FIXTURES)
    if args == ["bad-source"]:
        (tmp_path / "empty").mkdir()
        monkeypatch.chdir(tmp_path)
        args = ["empty"]
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")


@pytest.mark.parametrize("value", ["PIP_VERSION", "=25.0"])
def test_cli_a_build_arg_without_name_and_value_is_a_usage_error_exiting_2(value: str) -> None:
    result = run(str(FIXTURES / "args"), "--build-arg", "PIP_VERSION=25.0", "--build-arg", value)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Usage: ")
    assert result.output.endswith(
        f"Error: Invalid value for '--build-arg': '{value}': expected NAME=VALUE, "
        "e.g. --build-arg PYTHON_VERSION=3.13\n"
    )
    assert "Traceback" not in result.output


def test_cli_refuses_a_missing_dockerfile_with_a_clean_error() -> None:
    result = run("no/such/Dockerfile")
    assert result.exit_code == 1
    assert "no/such/Dockerfile: no such Dockerfile (check the path)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("env", ["ENV A", "ENV A=1 B"])
def test_an_env_without_a_value_is_refused_as_docker_does(tmp_path: Path, env: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.12-slim\n{env}\n")
    with pytest.raises(DeckError) as err:
        explain(tmp_path / "Dockerfile", [])
    name = env.split()[-1].split("=")[0]
    assert str(err.value).endswith(f"Dockerfile:2: ENV {name} has no value: write ENV {name}=VALUE")


def test_a_json_form_without_commas_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY ["app.py" "."]\n')
    (tmp_path / "app.py").write_text("print('hi')\n")
    result = run(str(tmp_path / "Dockerfile"))
    assert result.exit_code == 1
    assert result.output.rstrip().endswith(
        "Dockerfile:2: unterminated character class in '[\"app.py\"' "
        '(the JSON form is an array of quoted strings with commas: COPY ["app.py", "."])'
    )


@pytest.mark.parametrize("name", ["Dockerfile", ".dockerignore"])
def test_a_file_that_is_not_utf8_is_a_located_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\n")
    (tmp_path / name).write_bytes(b"# caf\xe9\n" if name == "Dockerfile" else b"*.pyc\n\xff\n")
    result = run(str(tmp_path / "Dockerfile"))
    assert result.exit_code == 1
    line = 1 if name == "Dockerfile" else 2
    assert f"{name}:{line}: the file is not valid UTF-8 (save it with UTF-8 encoding)" in result.output
    assert "Traceback" not in result.output


def test_cli_help_shows_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "--changed FILE" in result.output
    assert "talkdeck layers examples/01-docker-python/Dockerfile --changed whereami.py" in result.output


# -------------------------------------------------------------------------------------------- a browser


def write_page(tmp_path: Path, fragment_html: str) -> Path:
    dist = REPO / "node_modules" / "reveal.js" / "dist"
    assert (dist / "reveal.js").is_file(), "reveal.js is not installed: run make test, which runs npm ci"
    page = tmp_path / "index.html"
    page.write_text(
        f"""<!doctype html><html><head><meta charset="utf-8"><title>layers</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{(dist / "reveal.css").as_uri()}">
<link rel="stylesheet" href="{(dist / "theme" / "white.css").as_uri()}">
<style>{LAYERS_CSS}</style></head>
<body><div class="reveal"><div class="slides"><section>{fragment_html}</section></div></div>
<script src="{(dist / "reveal.js").as_uri()}"></script>
<script>Reveal.initialize({{width: 1280, height: 720, hash: false, transition: 'none'}});</script>
</body></html>""",
        encoding="utf-8",
    )
    return page


VISIBLE_MISSES = (
    "[...document.querySelectorAll('.td-layers-miss')].filter(b => getComputedStyle(b.parentElement)"
    ".visibility === 'visible' && getComputedStyle(b.parentElement).opacity === '1').length"
)


def wait_for_visible_misses(page, count: int) -> None:
    """Fragments fade in over a CSS transition: wait for it to end, fail after 3 s."""
    page.wait_for_function(f"{VISIBLE_MISSES} === {count}", timeout=3000)


@pytest.mark.browser
def test_a_short_dockerfile_s_badges_are_legible_and_its_instructions_whole(page, tmp_path: Path) -> None:
    explanation = explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"])
    page.goto(write_page(tmp_path, render_html(explanation)).as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    smallest = page.evaluate("Math.min(...[...document.querySelectorAll('.td-layers-badge')]"
                             ".map(e => parseFloat(getComputedStyle(e).fontSize)))")
    assert smallest >= 15, smallest  # at 1280x720, about what a room's back row still reads
    cut = page.evaluate("[...document.querySelectorAll('.td-layers-text')]"
                        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert cut == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("fixture", "changed", "rows"), [("twelve", "whereami.py", 12), ("multistage", "docs", 17)]
)
def test_slide_steps_through_three_fragments_and_fits(
    page, tmp_path: Path, fixture: str, changed: str, rows: int
) -> None:
    explanation = explain(FIXTURES / fixture / "Dockerfile", [changed])
    assert len(explanation.steps) == rows
    page.goto(write_page(tmp_path, render_html(explanation)).as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    steps = 0
    misses = len(explanation.misses)
    assert page.evaluate(VISIBLE_MISSES) == 0
    while page.evaluate("Reveal.availableFragments().next"):
        page.evaluate("Reveal.nextFragment()")
        steps += 1
    assert steps == 3
    wait_for_visible_misses(page, misses)
    size = page.evaluate(
        "(() => { const e = document.querySelector('.td-layers');"
        " return [e.offsetWidth, e.offsetHeight]; })()"
    )
    assert size[0] <= 1280 and size[1] <= 720 * 0.9, f"the stack of {rows} layers overflows: {size}"
    clipped = page.evaluate(
        "[...document.querySelectorAll('.td-layers-badge, .td-layers-head .td-layers-state')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )
    assert clipped == []
    assert page.watch.errors == [] and page.watch.remote == []


@pytest.mark.browser
def test_slide_prints_one_page_per_fragment_step(page, tmp_path: Path) -> None:
    explanation = explain(FIXTURES / "python-app" / "Dockerfile", ["app.py"])
    page.goto(write_page(tmp_path, render_html(explanation)).as_uri() + "?print-pdf")
    page.wait_for_function("document.querySelectorAll('.pdf-page').length > 0")
    pages = page.evaluate(
        "[...document.querySelectorAll('.pdf-page')].map(p => p.querySelectorAll('.td-layers-miss').length"
        " ? getComputedStyle(p.querySelector('.td-layers-miss').parentElement).opacity : 'none')"
    )
    assert pages == ["0", "0", "0", "1"], "the miss shows on the last of 4 pages (slide + 3 steps) only"
    assert page.watch.errors == []


def test_an_arg_default_follows_a_changed_arg(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine\nARG BASE=1.0\nARG FULL=v${BASE}\nENV VERSION=$FULL\nCOPY v*.txt /\n"
    )
    (tmp_path / "v1.0.txt").write_text("one\n")
    (tmp_path / "v2.0.txt").write_text("two\n")
    result = explain(tmp_path / "Dockerfile", [], {"BASE": "2.0"})
    assert miss_lines(result) == [], "COPY v*.txt uses no variable"
    (tmp_path / "Dockerfile").write_text("FROM alpine\nARG BASE=1.0\nARG FULL=v${BASE}\nCOPY ${FULL}.txt /\n")
    result = explain(tmp_path / "Dockerfile", [], {"BASE": "2.0"})
    assert result.misses[0].reason == "build argument FULL changed ('v1.0' to 'v2.0')"


def test_an_ignored_folder_is_not_walked_but_its_files_are_known(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY . /app\n")
    (tmp_path / ".dockerignore").write_text(".venv\n")
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "site.py").write_text("x = 1\n")
    result = explain(tmp_path / "Dockerfile", [".venv/lib/site.py", ".venv"])
    assert result.ignored == (".venv/lib/site.py",) and result.misses == ()


def test_cli_names_a_missing_absolute_path_inside_the_context_relative_to_it() -> None:
    missing = FIXTURES / "python-app" / "ap.py"
    result = run(str(FIXTURES / "python-app"), "--changed", str(missing))
    assert result.exit_code == 1
    assert "changed file ap.py does not exist in the build context (did you mean app.py?)" in result.output


def test_input_files_name_the_dockerfile_and_both_ignore_file_places() -> None:
    dockerfile = FIXTURES / "specific-ignore" / "app.Dockerfile"
    assert input_files(dockerfile) == [
        dockerfile,
        FIXTURES / "specific-ignore" / "app.Dockerfile.dockerignore",
        FIXTURES / "specific-ignore" / ".dockerignore",
    ]


# -- found in review: variables in flags and WORKDIR, COPY --parents, ARGs before FROM, ADD from a URL ------------


def test_a_build_arg_in_a_copy_flag_misses_at_that_copy(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nARG UID=1000\nCOPY --chown=${UID}:${UID} app.py /app/\n"
                                         "RUN true\n")
    result = explain(tmp_path / "Dockerfile", [], {"UID": "0"})
    assert miss_lines(result) == [3]
    assert result.misses[0].reason == "build argument UID changed ('1000' to '0')"


def test_a_workdir_whose_path_changed_misses_and_an_env_change_leaves_copy_cached(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nARG D=/app\nWORKDIR $D\nCOPY app.py .\nRUN true\n")
    result = explain(tmp_path / "Dockerfile", [], {"D": "/srv"})
    assert miss_lines(result) == [3]
    assert [states(result)[n] for n in (3, 4, 5)] == ["config", "rebuilt", "rebuilt"]
    (tmp_path / "Dockerfile").write_text("FROM alpine\nARG V=1\nENV V=$V\nCOPY app.py .\nRUN true\n")
    result = explain(tmp_path / "Dockerfile", [], {"V": "2"})
    assert miss_lines(result) == [5]  # the RUN sees the new environment; the COPY does not


def test_copy_parents_double_star_matches_any_number_of_folders(tmp_path: Path) -> None:
    for rel in ("src/top.py", "src/a/mid.py", "src/a/b/deep.py", "src/readme.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY --parents src/**/*.py /app/\n")
    for rel in ("src/top.py", "src/a/mid.py", "src/a/b/deep.py"):
        assert miss_lines(explain(tmp_path / "Dockerfile", [rel])) == [2], rel
    assert explain(tmp_path / "Dockerfile", ["src/readme.txt"]).misses == ()


def test_args_before_from_are_listed_as_config() -> None:
    result = explain(FIXTURES / "args" / "Dockerfile")
    assert result.steps[0].line == 1 and result.steps[0].state == "config"
    assert not result.multi_stage


def test_an_add_from_a_url_says_it_is_assumed_unchanged_and_the_slide_says_what_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print(1)\n")
    (tmp_path / "notes.md").write_text("notes\n")
    (tmp_path / ".dockerignore").write_text("*.md\n")
    (tmp_path / "Dockerfile").write_text("FROM alpine\nADD https://example.com/tool.tgz /opt/\nCOPY . /app\n")
    result = explain(tmp_path / "Dockerfile", ["notes.md", "app.py"])
    text = render_text(result)
    assert "line 2: ADD fetches its URL again on every build" in text
    slide = render_html(result)
    assert ".dockerignore keeps notes.md out of the build context" in slide
    assert "ADD fetches its URL again" in slide


# -- found by fuzzing: symbolic links, a continuation at the end of the file, named pipes -------------------------


def test_a_symbolic_link_is_one_entry_of_the_context_and_what_it_points_to_is_never_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("x\n")
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM alpine\nCOPY app.py /app/\nCOPY linked /linked\nRUN true\n")
    (context / "app.py").write_text("print(1)\n")
    (context / "linked").symlink_to(outside, target_is_directory=True)
    result = explain(context / "Dockerfile", ["linked"])
    assert (result.changed, result.ignored) == (("linked",), ())
    assert miss_lines(result) == [3] and result.misses[0].reason == "linked changed"
    with pytest.raises(DeckError) as excinfo:
        explain(context / "Dockerfile", ["linked/secret.txt"])
    assert problems_of(excinfo) == [
        (
            None,
            "changed file linked/secret.txt lies behind the symbolic link linked, which leads out of the build "
            "context (or round in circles): the build context holds the link, not what it points to; name the "
            "link linked instead",
        )
    ]
    monkeypatch.chdir(tmp_path)  # the link named from the current folder is the link, not the folder it points to
    cli = run("ctx", "--changed", "ctx/linked")
    assert cli.exit_code == 0, cli.output
    assert cli.output.endswith("first cache miss: line 3, COPY linked /linked : linked changed\n")


def test_a_backslash_at_the_end_of_the_file_ends_the_last_instruction_as_in_docker(tmp_path: Path) -> None:
    for ending in ("", "\n", "\n# a comment\n\n"):
        (tmp_path / "Dockerfile").write_text("FROM alpine\nARG V=1\nRUN pip install \\\n    flask==$V \\" + ending)
        result = explain(tmp_path / "Dockerfile", [], {"V": "2"})
        assert [step.text for step in result.steps][-1] == "RUN pip install flask==$V", repr(ending)
        assert miss_lines(result) == [3], repr(ending)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_as_the_dockerfile_and_is_one_entry_of_the_context(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    try:  # reading a named pipe waits for a writer: a subprocess, so that a regression fails instead of hanging
        result = subprocess.run(
            [sys.executable, "-m", "talkdeck", "layers", str(tmp_path / "pipe"), "--first-build"],
            capture_output=True, text=True, timeout=20, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("talkdeck layers waited for a named pipe given as the Dockerfile")
    assert result.returncode == 1
    assert result.stderr == "Error: pipe: not a regular file but a named pipe (name the Dockerfile itself)\n"
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY . /app\n")
    result = explain(tmp_path / "Dockerfile", ["pipe"])  # the context walk lists the pipe, never opens it
    assert result.changed == ("pipe",) and result.misses[0].reason == "pipe changed"


@pytest.mark.parametrize("text, steps", [
    # an empty line inside a continued instruction is skipped; a comment's backslash continues nothing
    ("FROM alpine\n# a comment ending in \\\n\nRUN apk add \\\n    curl \\\n\n  # git too\n\n    git\n"
     "COPY . /app\n",
     [(1, "FROM alpine"), (4, "RUN apk add curl git"), (10, "COPY . /app")]),
    # `# escape=` makes the backtick continue lines, and a backslash an ordinary character
    ("# syntax=docker/dockerfile:1\n# escape=`\nFROM alpine\nRUN apk add `\n    curl `\n\n    git\n"
     "COPY . C:\\app\\\n",
     [(3, "FROM alpine"), (4, "RUN apk add curl git"), (8, "COPY . C:\\app\\")]),
], ids=["backslash", "backtick"])
def test_continued_instructions_are_joined_as_docker_does(tmp_path: Path, text: str, steps: list) -> None:
    (tmp_path / "Dockerfile").write_text(text)
    result = explain(tmp_path / "Dockerfile", [])
    assert [(step.line, step.text) for step in result.steps] == steps


def test_a_folder_whose_dockerfile_is_a_named_pipe_says_so(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(tmp_path / "Dockerfile")
    result = run(str(tmp_path), "--first-build")
    assert result.exit_code == 1
    assert result.output.strip().endswith("Dockerfile: not a regular file but a named pipe (name the Dockerfile "
                                          "itself)")


# -- found in QA: BuildKit's multi-stage rules, COPY --link, empty wildcards, predefined build arguments ------------


def make_context(folder: Path, dockerfile: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "Dockerfile").write_text(dockerfile)
    return folder / "Dockerfile"


def test_a_stage_the_last_one_does_not_need_is_not_built(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine AS test\nCOPY tests.py .\nRUN python tests.py\n\n"
                                        "FROM alpine AS final\nCOPY app.py .\n",
                              {"tests.py": "", "app.py": ""})
    result = explain(dockerfile, ["tests.py"])
    assert states(result) == {1: "skipped", 2: "skipped", 3: "skipped", 5: "base", 6: "cached"}
    assert result.misses == () and result.skipped_stages == ("test",)
    assert render_text(result).endswith("stage test is not built: the last stage needs nothing from it\n"
                                        "no step of the stages built uses tests.py: every step is cached\n")
    html = render_html(result)
    assert html.count(">not built</span>") == 9 and html.count("td-layers-unbuilt") == 3
    assert "stage test is not built" in html
    # a stage the last one copies from, or is built FROM, through another stage, is built
    (tmp_path / "Dockerfile").write_text("FROM alpine AS a\nCOPY tests.py .\nFROM a AS b\nRUN true\n"
                                         "FROM alpine\nCOPY --from=b /tests.py .\n")
    result = explain(dockerfile, ["tests.py"])
    assert miss_lines(result) == [2, 3, 6] and result.skipped_stages == ()


def test_copy_from_a_rebuilt_stage_is_cached_when_the_paths_it_copies_did_not_change(tmp_path: Path) -> None:
    dockerfile = make_context(
        tmp_path,
        "FROM python:3.13-slim AS build\nWORKDIR /src\nCOPY requirements.txt .\n"
        "RUN pip wheel --wheel-dir /wheels -r requirements.txt\nCOPY . .\n\n"
        "FROM python:3.13-slim\nCOPY --from=build /wheels /wheels\nRUN pip install /wheels/*\n"
        "COPY --from=build /src/app.py .\nCOPY --from=build /src/docs/ docs/\n",
        {"requirements.txt": "", "app.py": "", "README.md": "", "docs/index.md": ""},
    )
    result = explain(dockerfile, ["README.md"])
    assert miss_lines(result) == [5]  # COPY . . copied README.md anew; /wheels, app.py and docs/ are the same
    assert [states(result)[n] for n in (8, 9, 10, 11)] == ["cached"] * 4
    result = explain(dockerfile, ["app.py"])
    assert miss_lines(result) == [5, 10]
    assert result.misses[1].reason == "/src/app.py changed in stage build"
    result = explain(dockerfile, ["docs/index.md"])
    assert miss_lines(result) == [5, 11] and result.misses[1].reason == "/src/docs/index.md changed in stage build"
    # a RUN that ran again may have written anything: whatever is copied from its stage counts as changed
    result = explain(dockerfile, ["requirements.txt"])
    assert miss_lines(result) == [3, 8] and result.misses[1].reason == "stage build was rebuilt"
    # a file copied under a new name, or into a folder, lands where COPY puts it
    (tmp_path / "Dockerfile").write_text("FROM alpine AS build\nCOPY app.py /srv/main.py\nCOPY README.md docs/ /d/\n"
                                         "FROM alpine\nCOPY --from=build /srv/main.py /m.py\n"
                                         "COPY --from=build /d/README.md /r\nCOPY --from=build /d/index.md /i\n")
    assert miss_lines(explain(dockerfile, ["app.py"])) == [2, 5]
    assert miss_lines(explain(dockerfile, ["README.md"])) == [3, 6]
    assert miss_lines(explain(dockerfile, ["docs/index.md"])) == [3, 7]


def test_a_stage_built_from_another_keeps_its_env_args_workdir_and_changes(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine AS base\nRUN echo base\nARG V=1\nENV E=$V\nWORKDIR /app\n"
                                        "COPY app.py .\n\nFROM base\nRUN echo child $E\n",
                              {"app.py": ""})
    result = explain(dockerfile, [], {"V": "2"})
    assert miss_lines(result) == [9]
    assert result.misses[0].reason == "ENV E changed ('1' to '2')"
    result = explain(dockerfile, ["app.py"])
    assert miss_lines(result) == [6, 8] and result.misses[1].reason == "stage base was rebuilt"
    (tmp_path / "Dockerfile").write_text("FROM alpine AS base\nWORKDIR /app\nCOPY app.py .\n"
                                         "FROM base AS more\nRUN true\nFROM alpine\nCOPY --from=more /app/app.py .\n")
    result = explain(dockerfile, ["app.py"])
    assert miss_lines(result) == [3, 4, 7]
    assert result.misses[2].reason == "stage more was rebuilt"  # its RUN ran again


def test_onbuild_in_a_stage_another_is_built_from_is_refused(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine AS base\nONBUILD COPY app.py /app/\nRUN echo base\n"
                                        "FROM base\nRUN echo child\n", {"app.py": ""})
    with pytest.raises(DeckError) as excinfo:
        explain(dockerfile, ["app.py"])
    problem = excinfo.value.problems[0]
    assert problem.line == 4
    assert problem.message.startswith("stage base has an ONBUILD instruction (line 2), which runs here")
    assert problem.hint.startswith("write the instruction in this stage instead")
    # ONBUILD in the last stage runs in images built FROM it, not in this build
    (tmp_path / "Dockerfile").write_text("FROM alpine\nONBUILD COPY app.py /app/\nRUN true\n")
    assert explain(dockerfile, ["app.py"]).misses == ()


def test_copy_link_after_a_miss_is_cached_unless_what_it_copies_changed(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM python:3.13-slim\nCOPY requirements.txt .\nRUN pip install -r "
                                        "requirements.txt\nCOPY --link app.py /app/\nRUN true\n",
                              {"requirements.txt": "", "app.py": ""})
    assert [states(explain(dockerfile, ["requirements.txt"]))[n] for n in (2, 3, 4, 5)] == [
        "rebuilt", "rebuilt", "cached", "rebuilt"]
    assert [states(explain(dockerfile, ["requirements.txt", "app.py"]))[n] for n in (4, 5)] == ["rebuilt"] * 2
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY requirements.txt .\nCOPY --link=false app.py /app/\n")
    assert states(explain(dockerfile, ["requirements.txt"]))[3] == "rebuilt"


def test_a_wildcard_that_matches_nothing_copies_nothing_and_parent_steps_are_dropped(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM node:22\nCOPY package.json yarn.lock* ./\nCOPY ../app.py /app/\n"
                                        "RUN true\n", {"package.json": "{}", "app.py": ""})
    assert miss_lines(explain(dockerfile, ["package.json"])) == [2]
    assert miss_lines(explain(dockerfile, ["app.py"])) == [3]  # BuildKit reads ../app.py as app.py
    (tmp_path / "Dockerfile").write_text("FROM node:22\nCOPY package.json yarn.lock ./\n")
    with pytest.raises(DeckError, match="COPY source yarn.lock matches no file in the build context"):
        explain(dockerfile, [])


def test_predefined_proxy_build_arguments_need_no_arg_and_change_nothing(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine\nRUN true\n", {})
    result = explain(dockerfile, [], {"HTTP_PROXY": "http://proxy:3128", "no_proxy": "localhost"})
    assert result.misses == ()
    with pytest.raises(DeckError, match="build argument VERSION is not declared by any ARG"):
        explain(dockerfile, [], {"VERSION": "2"})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("EXPOSE", "EXPOSE needs at least one argument"),
        ("COPY --from= /a /b", "COPY --from needs a value"),
        ("COPY --chown /a /b", "COPY --chown needs a value"),  # not "COPY source /a matches no file"
    ],
)
def test_an_instruction_docker_refuses_for_a_missing_value_is_an_error(tmp_path: Path, line: str, message: str):
    dockerfile = make_context(tmp_path, f"FROM alpine\n{line}\nCOPY --link . .\n", {"a": ""})
    with pytest.raises(DeckError) as excinfo:
        explain(dockerfile, [])
    assert problems_of(excinfo) == [(2, message)]


def test_copy_from_a_stage_on_a_new_base_image_or_workdir_misses(tmp_path: Path) -> None:
    # everything in such a stage may differ, as after a RUN that ran again
    dockerfile = make_context(tmp_path, "ARG BASE=python:3.12-slim\nFROM ${BASE} AS build\nCOPY app.py /app/app.py\n"
                                        "FROM scratch\nCOPY --from=build / /\n", {"app.py": ""})
    result = explain(dockerfile, [], {"BASE": "python:3.13-slim"})
    assert miss_lines(result) == [2, 5] and result.misses[1].reason == "stage build was rebuilt"
    (tmp_path / "Dockerfile").write_text("FROM alpine AS build\nARG DIR=/app\nWORKDIR $DIR\nCOPY app.py .\n"
                                         "FROM alpine\nCOPY --from=build /srv/app.py /app.py\n")
    result = explain(dockerfile, [], {"DIR": "/srv"})
    assert miss_lines(result) == [3, 6] and result.misses[1].reason == "stage build was rebuilt"


def test_copy_follows_a_symbolic_link_inside_the_context_to_what_it_names(tmp_path: Path) -> None:
    # as BuildKit's COPY does: a change behind the link changes the copy, and a path through the link is there
    dockerfile = make_context(tmp_path, "FROM alpine\nCOPY cfg /etc/cfg\nRUN true\nCOPY cfg/app.ini /app.ini\n",
                              {"real_cfg/app.ini": "a=1\n", "real_cfg/other.ini": ""})
    (tmp_path / "cfg").symlink_to(tmp_path / "real_cfg", target_is_directory=True)
    result = explain(dockerfile, ["real_cfg/app.ini"])
    assert miss_lines(result) == [2] and result.misses[0].reason == "real_cfg/app.ini changed"
    assert miss_lines(explain(dockerfile, ["cfg"])) == [2]  # the link itself, pointed elsewhere
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY cfg/app.ini /app.ini\n")
    assert miss_lines(explain(dockerfile, ["real_cfg/other.ini"])) == []
    assert miss_lines(explain(dockerfile, ["real_cfg/app.ini"])) == [2]


def test_a_file_edited_through_a_symbolic_link_is_the_file_it_reaches(tmp_path: Path) -> None:
    dockerfile = make_context(tmp_path, "FROM alpine\nCOPY real_cfg/ /etc/cfg/\nRUN true\nCOPY main.ini /main.ini\n",
                              {"real_cfg/app.ini": "a=1\n", "real_cfg/other.ini": "", "main.ini": ""})
    (tmp_path / "cfg").symlink_to(tmp_path / "real_cfg", target_is_directory=True)
    (tmp_path / "app.ini").symlink_to(tmp_path / "real_cfg" / "app.ini")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    through_folder = explain(dockerfile, ["cfg/app.ini"])  # edited as cfg/app.ini: real_cfg/app.ini changed
    assert miss_lines(through_folder) == [2] and through_folder.misses[0].reason == "real_cfg/app.ini changed"
    named_link = explain(dockerfile, ["app.ini"])  # the link itself, or the file it points to, changed
    assert named_link.changed == ("app.ini", "real_cfg/app.ini") and miss_lines(named_link) == [2]
    assert miss_lines(explain(dockerfile, ["cfg"])) == [2]  # every file behind the folder's link
    assert explain(dockerfile, ["loop"]).changed == ("loop",)
    with pytest.raises(DeckError) as excinfo:
        explain(dockerfile, ["cfg/nope.ini"])
    assert problems_of(excinfo) == [(None, "changed file cfg/nope.ini does not exist in the build context "
                                           "(did you mean real_cfg/other.ini?)")]
    with pytest.raises(DeckError, match="lies behind the symbolic link loop, which leads out of the build context"):
        explain(dockerfile, ["loop/x"])
    (tmp_path / "Dockerfile").write_text("FROM alpine\nCOPY loop /loop\n")  # a link round in circles: no crash
    assert miss_lines(explain(dockerfile, ["loop"])) == [2]


def test_an_empty_folder_is_a_source_docker_copies(tmp_path: Path) -> None:
    # COPY logs/ makes an empty folder, whether logs/ is empty or .dockerignore keeps all inside it out
    dockerfile = make_context(tmp_path, "FROM alpine\nCOPY logs/ /var/log/app/\nCOPY cache /cache\nRUN true\n",
                              {"logs/old.log": "", ".dockerignore": "logs/*\n"})
    (tmp_path / "cache").mkdir()
    assert explain(dockerfile, []).misses == ()
    (tmp_path / ".dockerignore").write_text("logs\n")  # the folder itself kept out: nothing to copy
    with pytest.raises(DeckError, match="COPY source logs/ matches no file in the build context"):
        explain(dockerfile, [])


def test_a_stage_name_docker_refuses_is_an_error_at_its_line_alone(tmp_path: Path) -> None:
    # BuildKit stops with "invalid name for build stage", and expands no ARG in a name: the lines after the
    # FROM are read in its stage, so they bring no errors of their own
    dockerfile = make_context(tmp_path, "ARG N=web\nFROM alpine AS 2nd\nCOPY app.py .\nFROM alpine AS ${N}\n"
                              "RUN true\n", {"app.py": ""})
    with pytest.raises(DeckError) as excinfo:
        explain(dockerfile, [])
    assert problems_of(excinfo) == [
        (2, 'stage name 2nd is not one Docker accepts (it stops with "invalid name for build stage"): a letter '
            "first, then letters, digits, -, _ or ."),
        (4, 'stage name ${N} is not one Docker accepts (it stops with "invalid name for build stage"): a letter '
            "first, then letters, digits, -, _ or .")]
    assert excinfo.value.problems[0].hint == "name the stage otherwise, such as build or app"


def test_two_stages_of_one_name_build_and_a_reference_takes_the_later_as_buildkit_does(tmp_path: Path) -> None:
    # BuildKit only warns (DuplicateStageName, ReservedStageName); its map of stages by name keeps the last
    dockerfile = make_context(tmp_path, "FROM python:3.12 AS app\nRUN echo one\nFROM python:3.12-slim AS App\n"
                              "COPY app.py .\nFROM alpine AS scratch\nCOPY --from=app /app.py /\n", {"app.py": ""})
    result = explain(dockerfile, ["app.py"])
    assert [step.state for step in result.steps] == ["skipped", "skipped", "base", "rebuilt", "base", "rebuilt"]
    # `COPY app.py .` writes /app.py: "." names a folder, as app/ does
    assert miss_lines(result) == [4, 6] and result.misses[1].reason == "/app.py changed in stage app"
