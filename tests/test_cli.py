import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from talkdeck.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("command", ["build", "check", "pdf", "serve"])
def test_a_deck_folder_that_does_not_exist_is_named_so(tmp_path, command):
    result = run(command, tmp_path / "tlak")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.removeprefix("Error: ").startswith(f"{tmp_path / 'tlak'}: ")  # check: as a finding
    assert "no such folder (give the deck's folder, or run `talkdeck new DIR`" in result.output


def test_check_takes_a_browser_or_none_not_both(deck_copy):
    result = run("check", deck_copy(), "--browser", sys.executable, "--no-browser")
    assert result.exit_code == 2 and "--browser and --no-browser do not go together" in result.output


def test_build_writes_index_and_only_the_assets_the_deck_uses(deck_copy):
    deck = deck_copy()
    result = run("build", deck)
    assert result.exit_code == 0, result.output
    dist = deck / "dist"
    html = (dist / "index.html").read_text()
    assert '<section id="intro-1"' in html and '<aside class="notes">' in html
    files = sorted(p.relative_to(dist).as_posix() for p in dist.rglob("*") if p.is_file())
    assert files == [
        ".talkdeck-output",
        "img/square.svg",
        "index.html",
        "reveal/plugin/highlight.js",
        "reveal/plugin/highlight/monokai.css",
        "reveal/plugin/notes.js",
        "reveal/reset.css",
        "reveal/reveal.css",
        "reveal/reveal.js",
        "reveal/theme/white.css",
        "talkdeck/talkdeck.css",
    ]
    assert "Built 6 slides in 2 sections" in result.output


def test_a_deck_without_code_gets_no_highlight_plugin(tmp_path):
    assert run("new", tmp_path / "talk").exit_code == 0
    assert run("build", tmp_path / "talk").exit_code == 0
    assert not (tmp_path / "talk" / "dist" / "reveal" / "plugin" / "highlight.js").exists()
    assert "highlight" not in (tmp_path / "talk" / "dist" / "index.html").read_text()


def test_output_option(deck_copy, tmp_path):
    result = run("build", deck_copy(), "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert (tmp_path / "out" / "index.html").is_file()


def test_a_pane_may_not_show_the_build_s_own_output(deck_copy):
    deck = deck_copy()
    assert run("build", deck).exit_code == 0
    (deck / "slides" / "01-intro.md").write_text("## Last build\n\n<<< dist/index.html\n")
    result = run("build", deck)
    assert result.exit_code == 1
    assert "01-intro.md:3: code pane file dist/index.html is in the build's output folder (show a file of the " \
           "deck's sources: the output is written from them)" in result.output


def test_an_output_that_cannot_be_written_is_a_clear_error(deck_copy, tmp_path):
    (tmp_path / "a-file").write_text("not a folder\n")
    result = run("build", deck_copy(), "-o", tmp_path / "a-file" / "out")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.rstrip().endswith(
        "a-file/out: cannot write the output: Not a directory (choose an output folder you may write to, with -o)"
    )


def test_an_image_that_cannot_be_read_is_named_as_such(deck_copy, monkeypatch):
    import shutil

    deck = deck_copy()
    assert run("build", deck).exit_code == 0
    good = (deck / "dist" / "index.html").read_text()
    copy2 = shutil.copy2

    def unreadable(source, target, **kwargs):  # as another user's file (chmod has no hold on root)
        if Path(source).name == "square.svg":
            raise PermissionError(13, "Permission denied", str(source))
        return copy2(source, target, **kwargs)

    monkeypatch.setattr(shutil, "copy2", unreadable)
    (deck / "img" / "square.svg").touch()  # no longer the file the last build linked
    result = run("build", deck)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.rstrip().endswith("img/square.svg: cannot read this file: Permission denied (make it "
                                           "readable by your user: the build copies it into the output)")
    assert (deck / "dist" / "index.html").read_text() == good


def test_a_failed_build_exits_1_without_traceback_and_keeps_the_last_good_deck(deck_copy):
    deck = deck_copy()
    assert run("build", deck).exit_code == 0
    good = (deck / "dist" / "index.html").read_text()
    (deck / "slides" / "02-code.md").write_text("## Broken\n\n<<< code/sample.py#nope\n")
    result = run("build", deck)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert result.output.endswith(
        "slides/02-code.md:3: region 'nope' not found in code/sample.py (regions: body, inner)\n"
    )
    assert "Traceback" not in result.output
    assert (deck / "dist" / "index.html").read_text() == good
    assert not list(deck.glob(".dist.*"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("deck.toml", 'title = "T"\nthem = "black"\n'), "deck.toml:2: unknown key 'them'"),
        (("deck.toml", 'theme = "moon"\n'), "deck.toml:1: theme 'moon' loads its fonts from the network"),
        (
            ("slides/01-intro.md", "+++\nminuts = 1\n+++\n"),
            "01-intro.md:2: unknown front matter key 'minuts'",
        ),
        (("slides/01-intro.md", "## A\n\n```\nunclosed\n"), "01-intro.md:3: code fence is never closed"),
        (("slides/01-intro.md", "## A\n![x](img/none.png)\n"), "01-intro.md:2: image img/none.png does not exist"),
        (("slides/01-intro.md", b"## caf\xe9\n"), "01-intro.md:1: the file is not valid UTF-8"),
        (("templates/slide.html.j2", "{% if %}"), "slide.html.j2:1: template error"),
        (("templates/slide.html.j2", "{{ slide.nope.deeper }}"), "slide.html.j2:1: template error"),
        (
            ("templates/deck.html.j2", "<p>\n{% include 'parts/head.j2' %}\n"),
            "deck.html.j2:2: template error: no template named 'parts/head.j2'",
        ),
        (("deck.toml", 'title = "T"\nminutes = thirty\n'), "deck.toml:2: invalid TOML"),
        (("deck.toml", '[reveal]\nloop = true\n[reveal]\nhash = true\n'),
         "deck.toml:3: invalid TOML: Cannot declare ('reveal',) twice (a table comes once: put all its keys under"),
        (("deck.toml", 'minutes = 5\nminutes = 10\n'),
         "deck.toml:2: invalid TOML: Cannot overwrite a value (a key comes once: keep one of its lines)"),
        (("slides/01-intro.md", "+++\nminutes = inf\n+++\n"), "01-intro.md:2: minutes must be a number of minutes"),
        (("slides/01-intro.md", "+++\nminutes = 1e308\n+++\n"), "01-intro.md:2: minutes must be a number of"),
        (("deck.toml", 'title = "T"\n[size]\nmargin = nan\n'), "deck.toml:3: size.margin must be from 0 to less"),
        (("deck.toml", 'title = "T"\n[size]\nmargin = 5\n'), "deck.toml:3: size.margin must be from 0 to less"),
        (("deck.toml", 'title = "T"\n[reveal]\nstart = 2020-01-01\n'),
         'deck.toml:3: reveal.start holds a date or a time, which a reveal.js option cannot (write it in quotes'),
        (("templates/deck.html.j2", "<p>\n{{ 1 / 0 }}\n"), "deck.html.j2:2: template error: ZeroDivisionError"),
        (("templates/deck.html.j2", b"<p>\n\xff{{ title }}\n"), "deck.html.j2:2: the file is not valid UTF-8"),
        (("templates/extra_head.html.j2", b"\xff\xfe bad"), "extra_head.html.j2:1: the file is not valid UTF-8"),
        (
            ("templates/slide.html.j2", "{% macro other(slide) %}x{% endmacro %}\n"),
            "slide.html.j2: template error: the deck's slide.html.j2 defines no macro render_slide, which "
            "talkdeck's deck.html.j2 calls (define {% macro render_slide(slide) %}...{% endmacro %} in it",
        ),
        (
            ("templates/deck.html.j2", '{% extends "deck.html.j2" %}\n'),
            "deck.html.j2:1: template error: RecursionError: maximum recursion depth exceeded in comparison (a "
            "template extends or includes itself, maybe through a deck's template of the same name as "
            'talkdeck\'s, which hides it: to build on talkdeck\'s own, write {% extends "talkdeck/deck.html.j2" %}',
        ),
        (("slides/01-intro.md", "+++\ntitle = Intro\n+++\n"), "01-intro.md:2: invalid TOML"),
    ],
)
def test_each_input_error_names_file_and_line_and_the_fix(deck_copy, change, message):
    deck = deck_copy()
    name, content = change
    target = deck / name
    target.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content)
    result = run("build", deck)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert result.output.rstrip().endswith(")"), result.output  # every message ends with its fix, in brackets
    assert "Traceback" not in result.output


def test_a_deck_template_builds_on_talkdeck_s_own_of_the_same_name(deck_copy):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "deck.html.j2").write_text(
        '{% extends "talkdeck/deck.html.j2" %}\n'
        "{% block styles %}{{ super() }}<style>.reveal h1 { color: #c00; }</style>{% endblock %}\n")
    assert run("build", deck).exit_code == 0
    page = (deck / "dist" / "index.html").read_text()
    assert "<style>.reveal h1 { color: #c00; }</style>" in page and "Reveal.initialize(" in page


def test_every_content_problem_is_reported_at_once(deck_copy):
    deck = deck_copy()
    assert run("build", deck).exit_code == 0
    good = (deck / "dist" / "index.html").read_text()
    (deck / "slides" / "03-extra.md").write_text(
        "## One\n\n![remote](https://example.com/logo.png)\n![missing](img/nope.png)\n\n---\n\n"
        "## Two\n\n![also missing](img/nope2.png)\n<<< code/none.py\n")
    (deck / "slides" / "04-more.md").write_text("## Four\n\n```\nnever closed\n")
    result = run("build", deck)
    assert result.exit_code == 1
    lines = result.output.removeprefix("Error: ").splitlines()
    assert [line.split(": ")[0].removeprefix(f"{deck}/") for line in lines] == [
        "slides/03-extra.md:3", "slides/03-extra.md:4", "slides/03-extra.md:10", "slides/03-extra.md:11",
        "slides/04-more.md:3",
    ]
    assert "would be loaded from the network" in lines[0] and "code/none.py does not exist" in lines[3]
    assert (deck / "dist" / "index.html").read_text() == good


@pytest.mark.parametrize("installed", ["in a checkout", "as a package"])
def test_missing_reveal_says_which_command_installs_it(deck_copy, monkeypatch, tmp_path, installed):
    import talkdeck.assets

    (tmp_path / "nowhere").mkdir()
    if installed == "in a checkout":  # talkdeck's own package.json names reveal.js
        (tmp_path / "nowhere" / "package.json").write_text("{}")
    monkeypatch.setattr(talkdeck.assets, "PACKAGE_DIR", tmp_path / "nowhere" / "talkdeck")
    monkeypatch.delenv("TALKDECK_REVEAL_DIR", raising=False)
    deck = deck_copy()
    result = run("build", deck)
    assert result.exit_code == 1
    assert "reveal.js is not installed: node_modules/reveal.js is missing (run " in result.output
    if installed == "in a checkout":
        assert f"`npm ci` in {tmp_path / 'nowhere'} (or `make build`)" in result.output
    else:  # a pip-installed talkdeck has no package.json: reveal.js goes in the deck
        assert f"`npm install reveal.js@6` in {deck}, which puts it in the deck's node_modules/" in result.output


def test_a_reveal_dir_that_is_not_reveal_is_said_so(deck_copy, monkeypatch, tmp_path):
    (tmp_path / "half" / "dist").mkdir(parents=True)
    (tmp_path / "half" / "dist" / "reveal.js").write_text("// no themes beside it\n")
    monkeypatch.setenv("TALKDECK_REVEAL_DIR", str(tmp_path / "half" / "dist"))
    deck = deck_copy()
    result = run("build", deck)
    assert result.exit_code == 1
    assert "half/dist, which is not reveal.js's dist folder (no reveal.js and theme/ in it) " \
           "(point it at node_modules/reveal.js/dist, or unset it)" in result.output
    (deck / "node_modules" / "reveal.js" / "dist").mkdir(parents=True)  # half installed: skipped for ours
    (deck / "node_modules" / "reveal.js" / "dist" / "reveal.js").write_text("//\n")
    monkeypatch.delenv("TALKDECK_REVEAL_DIR")
    assert run("build", deck).exit_code == 0


@pytest.mark.parametrize("where", [".", "slides/out", "img"])
def test_output_folders_that_hold_sources_are_refused(deck_copy, where):
    deck = deck_copy()
    result = run("build", deck, "-o", deck / where)
    assert result.exit_code == 1
    assert "choose another folder" in result.output
    assert (deck / "slides" / "01-intro.md").is_file()


def test_a_foreign_non_empty_output_folder_is_not_replaced(deck_copy, tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    result = run("build", deck_copy(), "-o", mine)
    assert result.exit_code == 1
    assert "was not made by talkdeck" in result.output
    assert (mine / "thesis.txt").read_text() == "precious"


def test_the_readme_s_authoring_example_builds_as_it_says(tmp_path):
    # the README shows slide Markdown between ```` lines: a speaker copies it as is
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    examples = re.findall(r"^````\n(.*?)^````$", readme, flags=re.MULTILINE | re.DOTALL)
    assert examples
    deck = tmp_path / "deck"
    assert run("new", deck).exit_code == 0
    (deck / "slides" / "02-readme.md").write_text("\n---\n\n".join(examples))
    result = run("build", deck, "-q")
    assert result.exit_code == 0, result.output
    html = (deck / "dist" / "index.html").read_text("utf-8")
    assert 'data-line-numbers="1-2|4"' in html


@pytest.mark.parametrize("single_file", [[], ["--single-file"]])
def test_list_panes(deck_copy, single_file):
    result = run("build", deck_copy(), "--list-panes", "-q", *single_file)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("02-code.md:21\t#code-2\tcode/sample.py\t4-8")


def test_new_makes_a_deck_that_builds_as_is_and_never_overwrites(tmp_path):
    result = run("new", tmp_path / "my-talk")
    assert result.exit_code == 0
    assert (tmp_path / "my-talk" / "deck.toml").read_text().startswith("# The deck's settings")
    assert run("build", tmp_path / "my-talk").exit_code == 0
    html = (tmp_path / "my-talk" / "dist" / "index.html").read_text()
    assert "<title>My talk</title>" in html
    assert 'class="center title" data-td-source="slides/01-intro.md:6"' in html  # a title slide, centred
    again = run("new", tmp_path / "my-talk")
    assert again.exit_code == 1 and "not empty" in again.output


@pytest.mark.parametrize(("folder", "title"), [("Über Bienen 2026", "Über Bienen 2026"),
                                               ("docker_for-PyCon  talk", "Docker for PyCon talk")])
def test_new_takes_the_title_from_the_folder_s_name_as_written(tmp_path, folder, title):
    assert run("new", tmp_path / folder).exit_code == 0
    assert f'title = "{title}"' in (tmp_path / folder / "deck.toml").read_text("utf-8")


@pytest.mark.parametrize("blank", ["", "  "])
def test_new_refuses_a_blank_title_as_click_refuses_a_bad_value(tmp_path, blank):
    result = run("new", tmp_path / "talk", "--title", blank)
    assert result.exit_code == 2 and not (tmp_path / "talk").exists()
    assert "Invalid value for '--title': a title cannot be blank: give one, or leave --title out" in result.output
    assert run("new", tmp_path / "spaced", "--title", "  Spaced  ").exit_code == 0
    assert 'title = "Spaced"' in (tmp_path / "spaced" / "deck.toml").read_text()


def test_new_goes_into_a_freshly_cloned_repository_and_keeps_its_files(tmp_path):
    repo = tmp_path / "talk"
    (repo / ".git").mkdir(parents=True)
    (repo / "README.md").write_text("# My talk\n")
    (repo / ".gitignore").write_text("*.pyc\n")
    assert run("new", repo).exit_code == 0
    assert (repo / "README.md").read_text() == "# My talk\n"
    assert (repo / ".gitignore").read_text() == "*.pyc\n/dist/\n"  # the build's output goes on its list
    assert run("build", repo).exit_code == 0
    (tmp_path / "project" / "src").mkdir(parents=True)  # a folder with anything else in it is refused
    refused = run("new", tmp_path / "project")
    assert refused.exit_code == 1 and "the folder exists and is not empty" in refused.output
    assert sorted(p.name for p in (tmp_path / "project").iterdir()) == ["src"]


def test_new_takes_any_title_and_the_deck_still_builds(tmp_path):
    import tomllib

    title = 'Say "hi" \\ {{ deck.x }} ![x](img/none.png)\ttab\x7fdel\x01'
    assert run("new", tmp_path / "t", "--title", title).exit_code == 0
    assert tomllib.loads((tmp_path / "t" / "deck.toml").read_text())["title"] == title
    result = run("build", tmp_path / "t")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "t" / "dist" / "index.html").read_text()
    assert "Say &quot;hi&quot; \\ {{ deck.x }} ![x](img/none.png)" in html


def test_new_suggests_a_next_command_that_works_as_typed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "--", "-x"])  # a name like an option
    assert result.exit_code == 0 and "Next: talkdeck build ./-x " in result.output
    assert run("build", "./-x").exit_code == 0
    result = run("new", "my talk")
    assert "Next: talkdeck build 'my talk' " in result.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses names that are not UTF-8")
def test_new_in_a_folder_whose_name_is_not_utf8_makes_a_deck_that_builds(tmp_path):
    import os

    folder = os.path.join(os.fsencode(tmp_path), b"caf\xe9")  # a Latin-1 name
    result = subprocess.run([sys.executable, "-m", "talkdeck", "new", folder], capture_output=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert result.returncode == 0, result.stderr
    assert b"Created a deck in " + folder + b"/." in result.stdout
    assert 'title = "Caf\ufffd"' in Path(os.fsdecode(folder), "deck.toml").read_text()
    assert run("build", os.fsdecode(folder)).exit_code == 0


def test_new_where_no_folder_can_be_made_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder\n")
    result = run("new", tmp_path / "notes.txt" / "talk")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "notes.txt/talk: cannot create the deck: Not a directory (choose a folder you may write to)" in \
        result.output


def test_version_names_talkdeck_and_reveal(tmp_path, monkeypatch):
    result = run("--version")
    assert result.output.startswith("talkdeck 0.1.0, reveal.js 6.")
    # the reveal.js a build uses: one that $TALKDECK_REVEAL_DIR names wrong is none, as build refuses it
    from talkdeck.assets import reveal_version

    reveal_version.cache_clear()
    monkeypatch.setenv("TALKDECK_REVEAL_DIR", str(tmp_path))
    try:
        assert run("--version").output == "talkdeck 0.1.0, reveal.js not found (talkdeck build says where to put it)\n"
        assert "TALKDECK_REVEAL_DIR is" in run("build", tmp_path).output
    finally:
        reveal_version.cache_clear()


def test_help_lists_every_command_without_importing_them():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from talkdeck.cli import main; "
            "sys.argv=['talkdeck','--help']\ntry: main()\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('talkdeck.commands', 'jinja2', "
            "'markdown', 'playwright'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in ("build", "serve", "pdf", "check", "layers", "new"):
        assert f"  {name} " in result.stdout
    assert result.stdout.strip().endswith("[]")


def test_the_examples_in_layers_help_run_as_written(tmp_path, monkeypatch):
    # from the repository's root, as the help says; its one Dockerfile of another project declares the ARG
    import shutil

    shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "Dockerfile").write_text("ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}-slim\n"
                                         "RUN pip install flask\n")
    monkeypatch.chdir(tmp_path)
    lines = [line.strip() for line in run("layers", "--help").output.splitlines()
             if line.strip().startswith("talkdeck layers ")]
    assert len(lines) == 4
    for line in lines:
        result = run(*line.split()[1:])
        assert result.exit_code == 0, (line, result.output)


def test_every_command_says_a_folder_is_no_deck_the_same_way(tmp_path):
    (tmp_path / "nowhere").mkdir()  # there, but no deck (one that is not there: the test above)
    for command in (["build"], ["serve"], ["pdf"], ["check", "--no-browser"]):
        result = run(*command, tmp_path / "nowhere")
        assert result.exit_code == 1, (command, result.output)
        assert "nowhere/deck.toml" in result.output and "no deck.toml here" in result.output, command


def test_a_folder_inside_a_deck_names_the_deck(deck_copy, tmp_path):
    deck = deck_copy()
    for command in (["build"], ["serve"], ["check", "--no-browser"]):
        result = run(*command, deck / "slides")
        assert result.exit_code == 1, (command, result.output)
        assert (f"no deck.toml here: this folder is inside the deck at {deck.resolve()} (give the command the "
                "deck's folder, or run it there)") in result.output, command
    (tmp_path / "odd" / "deck.toml").mkdir(parents=True)
    assert "deck.toml is a folder (the deck's settings go in a file deck.toml)" in run("build", tmp_path / "odd").output


def test_console_script_and_build_py_are_the_same_cli(deck_copy, tmp_path):
    deck = deck_copy()
    script = Path(sys.executable).parent / "talkdeck"
    for command in ([str(script)], [sys.executable, str(ROOT / "build.py")]):
        out = subprocess.run(
            [*command, "build", str(deck), "-o", str(tmp_path / "o")], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        assert "Built 6 slides" in out.stderr
    bad = subprocess.run([str(script), "build", str(tmp_path / "nope")], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "nope: no such folder" in bad.stderr


@pytest.mark.parametrize("command", [["build"], ["new"], ["check", "--no-browser"], ["pdf"], ["layers"]])
def test_a_name_too_long_for_the_file_system_is_a_clear_error(tmp_path, command):
    too_long = tmp_path / ("a" * 300)
    result = run(*command, too_long)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    # one located line, at the path as given or one the command made from it (DIR/dist, DIR/node_modules/...)
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]  # pdf's progress too
    assert len(errors) == 1 and errors[0].startswith(f"Error: {too_long}") and "Traceback" not in result.output
    assert "File name too long (" in result.output
