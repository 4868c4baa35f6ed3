from pathlib import Path

import pytest

from talkdeck.errors import DeckError
from talkdeck.panes import PaneResolver, guess_language
from talkdeck.render import pane_html

SLIDE = Path("slides/02-code.md")

APP = """\
import os

# region setup
CONFIG = {"debug": False}
# endregion setup

# region routes
def index():
    # region body
    s = "# region not-a-marker"
    return s
    # endregion body


# endregion routes
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "app.py").write_text(APP)
    return tmp_path


def resolve(root: Path, line: str):
    return PaneResolver(root).resolve(line, SLIDE, 7)[0]


def error(root: Path, line: str) -> str:
    with pytest.raises(DeckError) as err:
        PaneResolver(root).resolve(line, SLIDE, 7)
    return str(err.value)


def test_whole_file_hides_every_marker_and_keeps_file_line_numbers(root):
    pane = resolve(root, "<<< ex/app.py")
    assert "region" not in pane.text.replace("# region not-a-marker", "")
    assert pane.lines == [1, 2, 4, 6, 8, 10, 11]
    assert pane.label == "ex/app.py"
    assert pane.language == "python"


def test_region_with_a_nested_region_hides_the_inner_markers(root):
    pane = resolve(root, "<<< ex/app.py#routes")
    assert pane.text == 'def index():\n    s = "# region not-a-marker"\n    return s'
    assert pane.lines == [8, 10, 11]  # trailing blank lines trimmed
    assert pane.label == "ex/app.py · routes"


def test_marker_text_inside_a_string_is_code(root):
    assert resolve(root, "<<< ex/app.py#body").text == '    s = "# region not-a-marker"\n    return s'


def test_line_range_shows_those_lines(root):
    pane = resolve(root, "<<< ex/app.py:8-11")
    assert pane.lines == [8, 10, 11]
    assert pane.label == "ex/app.py:8-11"


def test_language_and_steps(root):
    pane = resolve(root, "<<< ex/app.py#routes text {1|2-3}")
    assert (pane.language, pane.steps) == ("text", "1|2-3")


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("Dockerfile", "dockerfile"),
        ("web.Dockerfile", "dockerfile"),
        ("docker-compose.yml", "yaml"),
        ("compose.yaml", "yaml"),
        ("app.py", "python"),
        ("requirements.txt", "ini"),
        ("dev-requirements.txt", "ini"),
        ("requirements/base.txt", "ini"),
        ("requirements-dev.in", "ini"),
        ("Pipfile", "ini"),
        ("run.sh", "bash"),
        ("pyproject.toml", "ini"),
        ("setup.cfg", "ini"),
        ("Makefile", "makefile"),
        ("index.html", "html"),
        ("data.json", "json"),
        ("schema.sql", "sql"),
        ("notes.txt", "plaintext"),
        ("LICENSE", "plaintext"),
        ("blink.ino", "arduino"),
        ("src/Main.java", "java"),
        ("lib/parse.HPP", "cpp"),
        ("app/models.rb", "ruby"),
    ],
)
def test_language_is_guessed_from_the_file_name(name, language):
    assert guess_language(name) == language


def test_html_is_escaped_and_the_file_numbers_survive_gaps(root):
    (root / "ex" / "t.html").write_text("<script>\n# region x\nif (a < b && c) {}</script>\n# endregion x\n")
    html = pane_html(resolve(root, "<<< ex/t.html#x"))
    assert "if (a &lt; b &amp;&amp; c) {}&lt;/script&gt;" in html
    assert 'data-ln-start-from="3"' in html
    whole = pane_html(resolve(root, "<<< ex/t.html"))
    assert 'data-td-lines="1,3"' in whole


def test_crlf_tabs_and_unicode_are_kept_exactly(root):
    (root / "ex" / "w.py").write_bytes("a\r\n\tb = 'é→'\r\n\r\n\r\n".encode())
    pane = resolve(root, "<<< ex/w.py")
    assert pane.text == "a\n\tb = 'é→'"
    assert pane.lines == [1, 2]


def test_long_lines_and_a_2000_line_file(root):
    lines = [f"line_{n} = {'x' * 300}" for n in range(1, 2001)]
    (root / "ex" / "big.py").write_text("\n".join(lines) + "\n")
    pane = resolve(root, "<<< ex/big.py:1990-2000")
    assert pane.lines == list(range(1990, 2001))
    assert pane.text.splitlines()[0] == lines[1989]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("<<< ex/missing.py", "slides/02-code.md:7: code pane file ex/missing.py does not exist"),
        ("<<< ../etc/passwd", "slides/02-code.md:7: code pane file path '../etc/passwd' points outside the deck"),
        ("<<< /etc/passwd", "slides/02-code.md:7: code pane file path '/etc/passwd' points outside the deck"),
        (
            "<<< ex/app.py#nope",
            "slides/02-code.md:7: region 'nope' not found in ex/app.py (regions: body, routes, setup)",
        ),
        (
            "<<< ex/app.py:10-99",
            "slides/02-code.md:7: line range 10-99 is past the end of ex/app.py (the file has 15 lines)",
        ),
        ("<<< ex/app.py:9-3", "slides/02-code.md:7: line range 9-3 is empty"),
        ("<<< ex/app.py:x", "slides/02-code.md:7: cannot read line range 'x'"),
        ("<<< ex/app.py:5-5", "slides/02-code.md:7: code pane ex/app.py:5-5 selects no lines"),
        (
            "<<< ex/app.py#setup {2}",
            "slides/02-code.md:7: highlight step 2 is outside the code (it has 1 line, counted from 1)",
        ),
        (
            "<<< ex/app.py#routes {2-1}",
            "slides/02-code.md:7: highlight step 2-1 runs backwards (write the smaller line number first: 1-2)",
        ),
        ("<<< ex/app.py#routes {1|a}", "slides/02-code.md:7: cannot read highlight step 'a' in {1|a}"),
        ("<<< ex", "slides/02-code.md:7: code pane file ex is a folder"),
    ],
)
def test_errors_name_the_slide_line_and_the_fix(root, line, expected):
    assert error(root, line).startswith(expected)


def test_links_pointing_outside_the_deck_are_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.py"
    outside.write_text("x = 1\n")
    (root / "ex" / "link.py").symlink_to(outside)
    assert "links to a file outside the deck" in error(root, "<<< ex/link.py")


def test_binary_and_non_utf8_files_are_refused(root):
    (root / "ex" / "b.bin").write_bytes(b"\x00\x01\x02")
    (root / "ex" / "l1.py").write_bytes("café".encode("latin-1"))
    assert "code pane file ex/b.bin is binary" in error(root, "<<< ex/b.bin")
    assert "code pane file ex/l1.py is not valid UTF-8" in error(root, "<<< ex/l1.py")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("# region a\nx\n# region a\n# endregion a\n", "ex/r.py:3: region 'a' is defined twice"),
        ("# region a\nx\n", "ex/r.py:1: region 'a' is never closed"),
        ("x\n# endregion a\n", "ex/r.py:2: endregion 'a' has no matching region"),
        ("# region\nx\n", "ex/r.py:1: region marker without a name"),
    ],
)
def test_broken_regions_are_reported_with_the_file_line(root, content, expected):
    (root / "ex" / "r.py").write_text(content)
    assert expected in error(root, "<<< ex/r.py")


def test_other_comment_styles_mark_regions(root):
    (root / "ex" / "m.sql").write_text("-- region q\nSELECT 1;\n-- endregion q\n")
    (root / "ex" / "m.js").write_text("// region q\nlet a;\n// endregion q\n")
    (root / "ex" / "m.html").write_text("<!-- region q -->\n<p>hi</p>\n<!-- endregion q -->\n")
    assert resolve(root, "<<< ex/m.sql#q").text == "SELECT 1;"
    assert resolve(root, "<<< ex/m.js#q").text == "let a;"
    assert resolve(root, "<<< ex/m.html#q").text == "<p>hi</p>"
    (root / "ex" / "m.css").write_text("/* region q */\nh1 { color: red; }\n/* endregion q */\n")
    (root / "ex" / "m.ini").write_text("; region q\n[app]\n; endregion q\n")
    assert resolve(root, "<<< ex/m.css#q").text == "h1 { color: red; }"
    assert resolve(root, "<<< ex/m.ini#q").text == "[app]"


# ------------------------------------------------------------------------------- paths in double quotes


@pytest.fixture
def spaced(root: Path) -> Path:
    lines = ["import os", "# region deps", "import sys", "# endregion deps", *(f"x{n} = {n}" for n in range(5, 11))]
    (root / "ex" / "with space.py").write_text("\n".join(lines) + "\n")
    (root / "ex" / "c#file.c").write_text("int x;\n")
    return root


@pytest.mark.parametrize(
    ("line", "label", "lines", "language", "steps"),
    [
        ('<<< "ex/with space.py"', "ex/with space.py", [1, 3, 5, 6, 7, 8, 9, 10], "python", ""),
        ('<<< "ex/with space.py"#deps', "ex/with space.py · deps", [3], "python", ""),
        ('<<< "ex/with space.py":3-9 python {1-2|4}', "ex/with space.py:3-9", [3, 5, 6, 7, 8, 9], "python", "1-2|4"),
        ('<<< "ex/c#file.c"', "ex/c#file.c", [1], "c", ""),  # from its suffix
        ('<<<  "ex/c#file.c"  cpp  ', "ex/c#file.c", [1], "cpp", ""),  # as named
    ],
)
def test_a_path_in_double_quotes_may_hold_spaces_and_hashes(spaced, line, label, lines, language, steps):
    pane = resolve(spaced, line)
    assert (pane.label, pane.lines, pane.language, pane.steps) == (label, lines, language, steps)
    path = label.split(" · ")[0].split(":")[0]
    assert pane.path == path
    html = pane_html(pane)
    assert f'data-td-path="{path}"' in html and f"<figcaption>{label}</figcaption>" in html
    assert '"' not in pane.label


def test_a_quoted_path_is_the_file_a_build_depends_on(spaced):
    assert PaneResolver(spaced).resolve('<<< "ex/with space.py"#deps', SLIDE, 7)[1] == spaced / "ex/with space.py"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "<<< ex/with space.py",
            "slides/02-code.md:7: code pane file ex/with does not exist "
            '(put the path in double quotes: `<<< "ex/with space.py"`)',
        ),
        (
            "<<< ex/c#file.c",
            "slides/02-code.md:7: code pane file ex/c does not exist "
            '(put the path in double quotes: `<<< "ex/c#file.c"`)',
        ),
        (
            "<<< ex/with space.py#deps python",
            "slides/02-code.md:7: cannot read code pane '<<< ex/with space.py#deps python' "
            '(put the path in double quotes: `<<< "ex/with space.py"#deps python`)',
        ),
        (
            "<<< ex/with space.py:3-9 python {1}",
            "slides/02-code.md:7: cannot read code pane '<<< ex/with space.py:3-9 python {1}' "
            '(put the path in double quotes: `<<< "ex/with space.py":3-9 python {1}`)',
        ),
        (
            "<<< my dir/app.py",
            "slides/02-code.md:7: cannot read code pane '<<< my dir/app.py' "
            "(write `<<< PATH[#REGION | :FIRST-LAST] [LANGUAGE] [{STEPS}]`; "
            'a PATH with a space goes in double quotes: `<<< "my dir/app.py"`)',
        ),
        (
            '<<< "ex/with space.py#deps python',
            'slides/02-code.md:7: the quote that opens the code pane path "ex/with space.py#deps python is never '
            'closed (write `<<< "ex/with space.py"#deps python`)',
        ),
        (
            '<<< "ex/nope.py',
            'slides/02-code.md:7: the quote that opens the code pane path "ex/nope.py is never closed '
            '(close it right after the path: `<<< "PATH"`)',
        ),
        (
            '<<< "ex/nope #1.py"',
            "slides/02-code.md:7: code pane file ex/nope #1.py does not exist (check the path; it is relative to",
        ),
    ],
)
def test_a_path_that_needs_quotes_gets_a_hint_that_says_so(spaced, line, expected):
    assert error(spaced, line).startswith(expected)



# ------------------------------------------------------------------------------- edges of the checks


def test_a_range_one_line_past_the_end_is_an_error_not_a_crash(root):
    (root / "ex" / "three.py").write_text("a = 1\nb = 2\nc = 3\n")
    assert resolve(root, "<<< ex/three.py:1-3").lines == [1, 2, 3]
    assert error(root, "<<< ex/three.py:1-4") == (
        "slides/02-code.md:7: line range 1-4 is past the end of ex/three.py (the file has 3 lines)")


def test_a_highlight_step_0_is_outside_the_code_on_a_pane_and_a_fenced_block(root):
    from talkdeck.render import SectionRenderer
    from talkdeck.source import parse_section

    assert error(root, "<<< ex/app.py#routes {0|1}").startswith(
        "slides/02-code.md:7: highlight step 0 is outside the code (it has 3 lines, counted from 1)")
    slides = root / "slides" / "01-intro.md"
    with pytest.raises(DeckError) as err:
        SectionRenderer(root).render(parse_section("## Code\n\n```python [0|1]\na = 1\n```\n", slides), "intro")
    assert str(err.value).endswith(
        "01-intro.md:3: highlight step 0 is outside the code (it has 1 line, counted from 1)")


def test_a_region_name_used_again_after_its_region_closed_is_an_error_at_the_second(root):
    (root / "ex" / "r.py").write_text("# region a\nx = 1\n# endregion a\n# region a\ny = 2\n# endregion a\n")
    assert "ex/r.py:4: region 'a' is defined twice (give each region its own name)" in error(root, "<<< ex/r.py#a")
