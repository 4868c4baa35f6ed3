from pathlib import Path

import pytest

from talkdeck.errors import DeckError
from talkdeck.source import parse_section

P = Path("slides/01-x.md")


def texts(source):
    return [("v" if s.vertical else "h", s.line, "\n".join(s.lines).strip()) for s in source.slides]


def test_separators_split_horizontal_and_vertical_slides_with_line_numbers():
    source = parse_section("# A\n\n---\n## B\n--\n## C\n---\n## D\n", P)
    assert texts(source) == [("h", 1, "# A"), ("h", 4, "## B"), ("v", 6, "## C"), ("h", 8, "## D")]


def test_separators_inside_code_fences_do_not_split():
    text = "## A\n\n```yaml\n---\nkey: 1\n--\n```\n\n~~~~\n---\n~~~~\n---\n## B\n"
    source = parse_section(text, P)
    assert len(source.slides) == 2
    assert "key: 1" in "\n".join(source.slides[0].lines)


def test_a_longer_fence_is_not_closed_by_a_shorter_one():
    source = parse_section("````md\n```\n---\n````\n---\nB\n", P)
    assert len(source.slides) == 2


def test_unclosed_fence_names_its_opening_line():
    with pytest.raises(DeckError) as err:
        parse_section("## A\n\n---\n\n```python\nx = 1\n", P)
    assert (
        str(err.value.problems[0]) == "slides/01-x.md:5: code fence is never closed (add a closing ``` line)"
    )


def test_notes_run_to_the_end_of_the_slide():
    source = parse_section("## A\ntext\nNote: first\nsecond\n---\n## B\nNotes:\nthird\n", P)
    first, second = source.slides
    assert first.lines == ["## A", "text"]
    assert first.notes == ["first", "second"]
    assert first.notes_line == 3
    assert second.notes == ["", "third", ""]


def test_note_inside_a_fence_is_code_not_notes():
    source = parse_section("```\nNote: in code\n```\n", P)
    assert source.slides[0].notes == []


def test_front_matter_is_toml_between_plus_lines():
    source = parse_section('+++\ntitle = "History"\nminutes = 3\n+++\n# A\n---\n## B\n', P)
    assert source.meta == {"title": "History", "minutes": 3}
    assert [s.line for s in source.slides] == [5, 7]


def test_front_matter_unknown_key_suggests_the_right_one():
    with pytest.raises(DeckError) as err:
        parse_section('+++\ntitle = "A"\nminuts = 3\n+++\n', P)
    message = str(err.value)
    assert message.startswith("slides/01-x.md:3: unknown front matter key 'minuts'")
    assert "did you mean 'minutes'?" in message


def test_front_matter_bad_toml_names_the_line():
    with pytest.raises(DeckError) as err:
        parse_section('+++\ntitle = "A"\nminutes = \n+++\n', P)
    assert str(err.value).startswith("slides/01-x.md:3: invalid TOML")


def test_front_matter_wrong_type():
    with pytest.raises(DeckError, match=r"01-x.md:2: minutes must be a number"):
        parse_section('+++\nminutes = "3"\n+++\n', P)


def test_unclosed_front_matter():
    with pytest.raises(DeckError, match=r"01-x.md:1: front matter is never closed"):
        parse_section('+++\ntitle = "A"\n# slide\n', P)


def test_yaml_front_matter_is_an_error_that_shows_the_toml_way():
    # Marp's and Jekyll's front matter would show as a slide reading "title: Intro minutes: 5"
    with pytest.raises(DeckError) as err:
        parse_section("\n---\ntitle: Intro\ntags:\n  - docker\n---\n## A\n", P)
    assert str(err.value) == ("slides/01-x.md:2: front matter between --- lines (YAML) would show as a slide "
                              '(talkdeck reads TOML between +++ lines: +++, then title = "Intro" and minutes = 5, '
                              "then +++)")
    # a first slide that is one line with a colon is a slide
    source = parse_section("---\n\nQuestion: why containers?\n\n---\n## A\n", P)
    assert [s.lines for s in source.slides][0] == ["", "Question: why containers?", ""]


def test_crlf_and_bom_are_normalised():
    source = parse_section("\ufeff## A\r\n---\r\n## B\r\n", P)
    assert texts(source) == [("h", 1, "## A"), ("h", 3, "## B")]


def test_an_empty_slide_between_separators_is_a_blank_slide_as_in_reveal():
    source = parse_section("## A\n---\n\n---\n## C\n--\n--\n## E\n", P)
    assert [(s.line, s.vertical, "".join(s.lines).strip()) for s in source.slides] == [
        (1, False, "## A"), (3, False, ""), (5, False, "## C"), (7, True, ""), (8, True, "## E"),
    ]


def test_nothing_before_the_first_separator_or_after_the_last_makes_no_slide():
    source = parse_section('+++\ntitle = "A"\n+++\n\n---\n## A\n---\n## B\n\n---\n\n', P)
    assert [s.first_line for s in source.slides] == [6, 8]
    assert len(parse_section("\n\n", P).slides) == 0
    assert len(parse_section("---\n\nNote: only notes\n", P).slides) == 1


def test_front_matter_may_follow_blank_lines():
    source = parse_section('\n  \n+++\ntitle = "History"\nminutes = 2\n+++\n# A\n', P)
    assert source.meta == {"title": "History", "minutes": 2}
    assert [s.first_line for s in source.slides] == [7]
    with pytest.raises(DeckError, match=r"01-x.md:5: unknown front matter key 'minuts'"):
        parse_section('\n\n+++\ntitle = "A"\nminuts = 3\n+++\n', P)
    with pytest.raises(DeckError, match=r"01-x.md:3: front matter is never closed"):
        parse_section('\n\n+++\ntitle = "A"\n', P)


def test_a_commented_out_slide_with_its_separator_stays_hidden():
    source = parse_section("# One\n\n<!--\n---\n\n# Hidden\nNote: hidden notes\n-->\n\n---\n\n# Three\n", P)
    assert texts(source) == [("h", 1, "# One\n\n<!--\n---\n\n# Hidden\nNote: hidden notes\n-->"), ("h", 11, "# Three")]
    assert source.slides[0].notes == []
    # code spans and fences show a comment's marker; they open nothing
    source = parse_section("`<!--` opens one\n\n```html\n<!--\n```\n---\n# B\n", P)
    assert len(source.slides) == 2


def test_an_html_comment_never_closed_is_an_error():
    with pytest.raises(DeckError, match=r"01-x.md:3: HTML comment is never closed: it hides the rest of the file "
                                        r"\(end it with `-->`\)"):
        parse_section("# A\n\n<!-- hidden\n---\n# B\n", P)


def test_toml_front_matter_below_the_top_is_an_error_at_its_line():
    with pytest.raises(DeckError) as err:
        parse_section("# Hi\n\n+++\ntitle = \"x\"\nminutes = 2\n+++\n\nText\n", P)
    assert str(err.value).startswith("slides/01-x.md:3: front matter (TOML between +++ lines) below the top of "
                                     "the file would show on the slide as text (move it to the very top")
    with pytest.raises(DeckError, match="01-x.md:5: front matter"):  # on a later slide too
        parse_section("# Hi\n\n---\n\n+++\nminutes = 2\n+++\n", P)
    with pytest.raises(DeckError, match="01-x.md:5: front matter"):  # after closed raw HTML, with a comment
        parse_section('## Slide\n\nRun <code>pip</code> first, <pre>x</pre>.\n\n+++\n# the intro\ntitle = "I"\n'
                      "+++\n", P)
    # what shows +++ lines as they are, or holds no key of a section's, is no front matter: text, as before
    for text in ("# Hi\n\n+++\n\nplus\n\n```\n+++\ntitle = 1\n+++\n```\n",  # a code block
                 '# Hugo\n\n<pre>\n+++\ntitle = "Post"\n+++\n</pre>\n',  # raw HTML
                 '# Hugo\n\nNote: it looks like this:\n+++\ntitle = "Post"\n+++\n',  # the notes
                 "# A\n\n+++\n\n# Next heading\n\n+++\n",  # Markdown between two +++ lines
                 '# Hugo\n\n+++\ntitle = "Post"\ndraft = false\n+++\n'):  # another tool's keys
        assert len(parse_section(text, P).slides) == 1, text


def test_a_fence_closes_only_on_a_line_of_its_marker_alone_as_in_commonmark():
    # Markdown shown as code: its inner ```python opens nothing and closes nothing, so the --- stays code
    source = parse_section("# A\n\n```md\n```python\n---\n```\n", P)
    assert len(source.slides) == 1 and "---" in source.slides[0].lines
    # ``` followed by a backtick in its info is no fence: a paragraph opening with inline code
    source = parse_section("# A\n\n```echo `date` ``` prints the date\n\n---\n\n# B\n", P)
    assert [s.line for s in source.slides] == [1, 6]
