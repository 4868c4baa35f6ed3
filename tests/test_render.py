import xml.etree.ElementTree as etree
from html import escape
from pathlib import Path

import pytest
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.util import AtomicString

from talkdeck.errors import DeckError
from talkdeck.render import BUILTIN_INLINE, SectionRenderer, _PlainText, make_markdown
from talkdeck.source import parse_section


@pytest.fixture
def render(tmp_path: Path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    renderer = SectionRenderer(tmp_path)

    def run(text: str, name: str = "intro"):
        path = tmp_path / "slides" / "01-intro.md"
        return renderer.render(parse_section(text, path), name)

    return run


def test_slide_ids_come_from_the_section_and_position_not_titles(render):
    section = render("# A\n---\n## B\n--\n## C\n--\n## D\n---\n## E\n")
    assert [[s.id for s in stack] for stack in section.stacks] == [
        ["intro-1"],
        ["intro-2", "intro-2-2", "intro-2-3"],
        ["intro-3"],
    ]
    assert [s.title for s in section.slides] == ["A", "B", "C", "D", "E"]


def test_titles_read_as_the_heading_does(render):
    # templates escape a title as they show it: one still escaped showed `A &lt; B`
    section = render("# A < B & *C* &copy;\n")
    assert section.title == section.slides[0].title == "A < B & C ©"


def test_fragments_on_paragraphs_and_list_items(render):
    html = render("para\n{.fragment}\n\n- a {.fragment}\n- b\n  {.fragment .fade-up}\n- c\n").slides[0].html
    assert '<p class="fragment">para</p>' in html
    assert '<li class="fragment">a</li>' in html
    assert '<li class="fragment fade-up">b</li>' in html
    assert "<li>c</li>" in html


def test_an_attribute_list_on_an_item_of_a_loose_list_goes_to_the_item(render):
    # on the item's paragraph, the bullet would show before its text
    html = render("- a {.fragment}\n\n- b\n  {.fragment .fade-up}\n\n- c\n\n  more {.fragment}\n").slides[0].html
    assert '<li class="fragment">\n<p>a</p>' in html
    assert '<li class="fragment fade-up">\n<p>b</p>' in html
    assert '<li>\n<p>c</p>\n<p class="fragment">more</p>' in html  # a later paragraph keeps its own


def test_an_attribute_list_after_a_blank_line_is_an_error_not_text_on_the_slide(render):
    with pytest.raises(DeckError) as err:
        render("para\n\n{.fragment}\n\n---\n\n{: .fragment .fade-up}\ntext\n")
    assert [(p.line, p.message) for p in err.value.problems] == [
        (3, "{.fragment} on a line of its own, after a blank line, applies to nothing: the slide would show "
            "it as text"),
        (7, "{: .fragment .fade-up} on a line of its own, after a blank line, applies to nothing: the slide "
            "would show it as text"),
    ]
    assert "no blank line" in err.value.problems[0].hint
    html = render("para\n{.fragment}\n\n```\n\n{.fragment}\n```\n\nNote:\n\n{.fragment}\n").slides[0].html
    assert '<p class="fragment">para</p>' in html and '<code>\n{.fragment}</code>' in html


def test_incremental_list(render):
    html = render("{.incremental}\n- a\n- b {.fragment}\n\ntext\n\n- not\n").slides[0].html
    assert html.count('class="fragment"') == 2
    assert "<li>not</li>" in html
    assert "incremental" not in html
    assert render("{.incremental}\n\n1. a\n2. b\n").slides[0].html.count('class="fragment"') == 2
    with pytest.raises(DeckError) as err:  # no list right below: it would be dropped without a word
        render("{.incremental}\nText\n\n---\n\n{.incremental}\n\n    - code, not a list\n\n---\n\n"
               "{.incremental}\n\nNote:\n{.incremental}\n")
    assert [p.line for p in err.value.problems] == [1, 6, 12]
    assert err.value.problems[0].message == ("{.incremental} makes the items of the list right below it appear "
                                             "one by one, and the next line, 'Text', is not a list item: the "
                                             "slide would ignore it")
    assert err.value.problems[0].hint == ("put it on the line right before a list (- item, at the start of the "
                                          "line), or remove it")
    # shown as code, indented four spaces, it is code: kept, and no error
    html = render("Write this:\n\n    {.incremental}\n    - a\n\n    {.fragment}\n").slides[0].html
    assert "<pre><code>{.incremental}\n- a\n\n{.fragment}" in html
    # in a list item, four spaces are the item's text: the rules stand, and a nested list is named as such
    with pytest.raises(DeckError) as err:
        render("- item\n    {.incremental}\n    - sub a\n\n---\n\n- item\n\n    {.fragment}\n\n- item 2\n")
    assert [p.line for p in err.value.problems] == [2, 9]
    assert "the list below it is indented 4 spaces, a list inside a list item, which it cannot reach (mark " \
           "those items {.fragment})" in err.value.problems[0].message


@pytest.mark.parametrize(("text", "html"), [
    ('<div class="box">\nhtml block\n</div>\n{.fragment .fade-up}',
     '<div class="box fragment fade-up">\nhtml block\n</div>'),
    ('<img src="img/a.svg" alt="a">\n{.fragment}', '<img src="img/a.svg" alt="a" class="fragment">'),
    ("<table><tr><td>1</td></tr></table>\n{.fragment}", '<table class="fragment"><tr><td>1</td></tr></table>'),
    ("<pre>\ncode\n</pre>\n{.fragment}", '<pre class="fragment">\ncode\n</pre>'),
    ('<video src="img/a.svg"></video>\n{.fragment}', '<video src="img/a.svg" class="fragment"></video>'),
    ("- item\n\n  <div>in item</div>\n  {.fragment}\n- next",
     '<ul>\n<li>\n<p>item</p>\n<div class="fragment">in item</div></li>\n<li>\n<p>next</p>\n</li>\n</ul>'),
    ("<span>x</span>\n{.fragment}", '<p class="fragment"><span>x</span></p>'),  # a paragraph: as before
])
def test_an_attribute_list_under_html_goes_to_that_html(render, text, html):
    # it was part of the HTML block, and the audience saw `{.fragment}`
    assert render(text).slides[0].html == html


def test_slide_attributes_comment(render):
    slide = render('<!-- .slide: class="center" data-background-color="#123456" -->\n## A\n').slides[0]
    assert slide.attrs == {"class": "center", "data-background-color": "#123456"}
    assert ".slide" not in slide.html
    assert slide.attr_html == ' class="center" data-background-color="#123456"'


def test_a_slide_comment_in_the_notes_gives_the_slide_its_attributes_as_in_reveal_js(render):
    slide = render('## A\nBody\n\nNote:\nSay this.\n\n<!-- .slide: data-background-color="#400" -->\n').slides[0]
    assert slide.attrs == {"data-background-color": "#400"}
    assert slide.notes == "<p>Say this.</p>"


def test_slide_attributes_that_talkdeck_sets_are_refused(render):
    with pytest.raises(DeckError, match=r"01-intro.md:3: slide attribute id is talkdeck's to set \(this slide's "
                                        r"id is intro-2, from its section file and position"):
        render('## A\n---\n<!-- .slide: id="mine" -->\n## B\n')
    with pytest.raises(DeckError, match=r"01-intro.md:1: slide attribute data-td-source is talkdeck's to set"):
        render('<!-- .slide: data-td-source="x.md:1" -->\n## A\n')


@pytest.mark.parametrize(("text", "line", "message"), [
    ('## A\n\n<!-- .slide: class="a -->\n', 3, """the slide attributes 'class="a': a quote is not closed"""),
    ("## A\n\nText <!-- .element: class='x' -->\n", 3,
     """the element attributes "class='x'": "class='x'" is not name="value" """
     """(write each as name="value", in double quotes"""),
    ('## A\n- one\n- two <!-- .element: class="fragment -->\n', 3, "a quote is not closed"),
    ('## A\n\nText\n\n<!-- .element:\nclass="fragment" -->\n', 5,
     "the .element comment does not end on its line: reveal.js would not read it"),
    ('## A\n\n<!-- .slide:\n  data-background-color="#000" -->\n', 3,
     "the .slide comment does not end on its line: talkdeck would not read it"),
    ('## A\n\nText <!-- .element: class="fragment" --> <!-- .slide:\nclass="center" -->\n', 3,
     "the .slide comment does not end on its line"),  # the second comment of the line
])
def test_slide_and_element_attributes_reveal_js_could_not_read_are_errors(render, text, line, message):
    # reveal.js drops them without a word, and the slide shows without them, or with broken ones
    with pytest.raises(DeckError) as err:
        render(text)
    assert f"01-intro.md:{line}: " in str(err.value) and message in str(err.value)


def test_a_slide_comment_over_lines_shown_as_code_is_no_error(render):
    html = render('## A\n\n    <!-- .slide: data-background-color="#123"\n    class="center" -->\n\n'
                  'Write `<!-- .slide:\nclass="x" -->` and\n').slides[0].html
    assert "&lt;!-- .slide: data-background-color=&quot;#123&quot;" in html or \
        '&lt;!-- .slide: data-background-color="#123"' in html


def test_attributes_reveal_js_reads_in_comments_are_no_error(render):
    section = render('<!-- .slide: data-state=dim class="a b" data-x -->\n## A\n\n'
                     'Text <!-- .element: class="x" data-fragment-index="1" data-id -->\n\n'
                     '`<!-- .element: class="shown as code -->`\n')
    assert section.slides[0].attrs == {"data-state": "dim", "class": "a b", "data-x": ""}
    assert '<p class="x" data-fragment-index="1" data-id="">Text</p>' in section.slides[0].html


def test_fenced_code_keeps_reveal_steps_and_escapes(render):
    section = render("```python [1|2]\nx = '</script>'\n---\n```\n")
    html = section.slides[0].html
    assert '<code class="language-python" data-line-numbers="1|2">' in html
    assert "x = &#x27;&lt;/script&gt;&#x27;\n---</code>" in html
    assert section.has_code


def test_fenced_code_takes_reveal_js_line_number_offset(render):
    html = render("```js [712: 1-2|3]\na\nb\nc\n```\n---\n```js [: 1]\na\n```\n").slides[0].html
    assert '<code class="language-js" data-line-numbers="1-2|3" data-ln-start-from="712">' in html
    with pytest.raises(DeckError, match=r"01-intro.md:1: highlight step 4 is outside the code \(it has 3 lines"):
        render("```js [712: 4]\na\nb\nc\n```\n")
    with pytest.raises(DeckError, match=r"01-intro.md:1: cannot read highlight step 'a-b' in \[12: a-b\] \("):
        render("```js [12: a-b]\na\nb\nc\n```\n")
    with pytest.raises(DeckError, match=r"01-intro.md:1: cannot read highlight step 'x' in \[1\|x\] \("):
        render("```js [1|x]\na\nb\nc\n```\n")


def test_fenced_code_step_outside_the_block_is_an_error(render):
    with pytest.raises(DeckError, match=r"01-intro.md:3: highlight step 5 is outside the code"):
        render("## A\n\n```python [5]\nx = 1\n```\n")


def test_fenced_code_step_backwards_is_an_error(render):
    with pytest.raises(DeckError, match=r"01-intro.md:3: highlight step 3-2 runs backwards"):
        render("## A\n\n```python [3-2]\nx = 1\ny = 2\nz = 3\n```\n")


def test_notes_are_rendered_markdown(render):
    slide = render("## A\nNote: say **this**\n").slides[0]
    assert slide.notes == "<p>say <strong>this</strong></p>"


def test_tables(render):
    assert "<table>" in render("| a | b |\n|---|---|\n| 1 | 2 |\n").slides[0].html


def test_images_are_recorded_and_missing_ones_are_errors(render):
    section = render("![A diagram](img/a.svg)\n")
    assert section.images == {"img/a.svg"}
    with pytest.raises(DeckError) as err:
        render("## A\n\n![Missing](img/nope.png)\n")
    assert str(err.value).endswith(
        "01-intro.md:3: image img/nope.png does not exist (check the path; it is relative to the deck root)"
    )


def test_reference_style_images_are_checked_and_recorded(render):
    section = render("## A\n\n![A diagram][d]\n\n[d]: img/a.svg\n")
    assert section.images == {"img/a.svg"}
    assert '<img alt="A diagram" src="img/a.svg">' in section.slides[0].html
    with pytest.raises(DeckError) as err:
        render("## A\n\n![Missing][m]\n---\n## B\n\n[m]: img/nope.png\n")
    assert str(err.value).endswith("01-intro.md:7: image img/nope.png does not exist (check the path; "
                                   "it is relative to the deck root)")
    with pytest.raises(DeckError, match=r"01-intro.md:3: image https://example.org/x.png would be loaded"):
        render("![x][r]\n\n[r]: https://example.org/x.png\n")


def test_files_that_raw_html_loads_are_checked_and_recorded(render, tmp_path):
    for name in ("talk.mp4", "poster.png", "small.png", "big.png"):
        (tmp_path / "img" / name).write_bytes(b"x")
    section = render(
        '<video src="img/talk.mp4" poster="img/poster.png" controls></video>\n\n'
        "<picture><source srcset='img/small.png 1x, img/big.png 2x'><img src=\"img/a.svg\"></picture>\n\n"
        '<iframe src="about:blank"></iframe> <img data-src="data:image/gif;base64,R0lGOD==">\n\n'
        '<img src="img/a.svg" srcset="data:image/svg+xml;base64,PHN2Zz4= 1x, img/big.png 2x">\n'  # a comma in it
    )
    assert section.images == {"img/talk.mp4", "img/poster.png", "img/small.png", "img/big.png", "img/a.svg"}
    with pytest.raises(DeckError) as err:
        render('## A\n\n<audio data-src="img/talk.ogg"></audio>\n\n<video poster="img/none.png"></video>\n')
    assert [str(p) for p in err.value.problems] == [
        str(tmp_path / "slides" / "01-intro.md") + ":3: audio img/talk.ogg does not exist "
        "(check the path; it is relative to the deck root)",
        str(tmp_path / "slides" / "01-intro.md") + ":5: image img/none.png does not exist "
        "(check the path; it is relative to the deck root)",
    ]


def test_raw_html_attributes_are_read_whole(render):
    # an attribute's quoted value is part of it: neither a '>' nor 'src=' inside one misleads the scan
    section = render('<img class="wide" alt="src=nothing > here" src=img/a.svg>\n')
    assert section.images == {"img/a.svg"}
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/none.png does not exist"):
        render("<img src=img/none.png>\n")
    with pytest.raises(DeckError, match=r"01-intro.md:1: image https://example.org/x.png would be loaded"):
        render('<img alt="a>b" src="https://example.org/x.png">\n')


def test_percent_encoded_image_paths_name_the_file(render, tmp_path):
    (tmp_path / "img" / "a b.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    section = render("![Spaced](img/a%20b.svg)\n")
    assert section.images == {"img/a b.svg"}
    assert 'src="img/a%20b.svg"' in section.slides[0].html


def test_image_paths_with_parentheses_or_too_long_are_read_whole(render, tmp_path):
    (tmp_path / "img" / "chart(1).svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    section = render("![Chart](img/chart(1).svg)\n")
    assert section.images == {"img/chart(1).svg"}
    assert 'src="img/chart(1).svg"' in section.slides[0].html
    with pytest.raises(DeckError, match=r"01-intro.md:3: image img/chart\(2\).svg does not exist"):
        render("## A\n\n![Chart](img/chart(2).svg)\n")
    long = "img/" + "a" * 300 + ".png"
    with pytest.raises(DeckError) as err:
        render(f"## A\n\n![Long]({long})\n")
    assert str(err.value).endswith(f"01-intro.md:3: image path {long!r} cannot be looked up: File name too long "
                                   "(check the path; it is relative to the deck root)")


def test_what_an_html_comment_hides_is_neither_checked_nor_pulled_in(render):
    section = render(
        "## A\n\n<!-- ![Old](img/gone.png) --> ![Kept](img/a.svg)\n\n"
        "<!-- cut for time:\n![Old](img/gone.png)\n<<< code/gone.py\n{{ deck.nothing }}\n```python [9]\nx\n```\n-->\n\n"
        "`<!--` in code opens nothing: ![Shown](img/a.svg)\n"
    )
    assert section.images == {"img/a.svg"} and not section.has_code
    assert {p.name for p in section.dependencies} == {"a.svg"}
    html = section.slides[0].html
    assert "<!-- cut for time:" in html and "<<< code/gone.py" in html and html.count("<img") == 2
    with pytest.raises(DeckError, match=r"01-intro.md:5: image img/gone.png does not exist"):
        render("## A\n\n<!-- a comment\nthat ends here -->\n![After](img/gone.png)\n")
    with pytest.raises(DeckError, match=r"01-intro.md:3: image img/gone.png does not exist"):
        render("## A\n\n<!-- one --> ![Between](img/gone.png) <!-- two -->\n")
    shown = render('## A\n\nWrite `<!-- .slide: class="dark" -->` above a slide\n').slides[0]
    assert "class" not in shown.attrs and "<code>&lt;!-- .slide: class=\"dark\" --&gt;</code>" in shown.html


def test_what_follows_the_end_of_a_comment_on_its_line_shows_and_is_filled_in(render):
    # Markdown makes the rest of the line that closes a comment a paragraph of its own
    section = render('## A\n\n<!-- cut\nfor time --> ![Kept](img/a.svg)\n\n'
                     '--\n\n<!--\nold --> <!-- .slide: class="dark" -->\n\n## B\n')
    assert section.images == {"img/a.svg"}
    assert '<img alt="Kept" src="img/a.svg"' in section.slides[0].html
    assert section.slides[1].attrs.get("class") == "dark"
    with pytest.raises(DeckError, match=r"01-intro.md:4: unknown deck value \{\{ deck.nothing \}\}"):
        render("## A\n\n<!-- cut\n--> {{ deck.nothing }}\n")
    with pytest.raises(DeckError, match=r"01-intro.md:5: image img/gone.png does not exist"):
        render("## A\n\n<!-- cut\n--> <!-- again\n--> ![Gone](img/gone.png)\n")


def test_an_image_in_an_indented_code_block_is_code_and_one_in_a_list_item_is_checked(render):
    section = render("## A\n\nShow this:\n\n    ![Chart](img/not-here.png)\n\n\t![x](img/nor-here.png)\n")
    assert "<code>![Chart](img/not-here.png)" in section.slides[0].html and not section.images
    with pytest.raises(DeckError, match=r"01-intro.md:5: image img/gone.png does not exist"):
        render("## A\n\n- first\n\n    ![Gone](img/gone.png)\n")


def test_a_remote_url_without_slashes_is_remote_too(render):
    # from a page opened from disk, the browser fetches http:example.org/x.png as http://example.org/x.png
    with pytest.raises(DeckError) as err:
        render('![x](https:example.org/y.png)\n\n<img src="http:example.org/x.png" alt="x">\n')
    assert [(p.line, p.message) for p in err.value.problems] == [
        (1, "image https:example.org/y.png would be loaded from the network"),
        (3, "image http:example.org/x.png would be loaded from the network"),
    ]


def test_remote_images_are_refused(render):
    with pytest.raises(DeckError, match=r"01-intro.md:1: image https://example.org/x.png would be loaded"):
        render("![x](https://example.org/x.png)\n")


def test_markdown_does_not_touch_stashed_blocks(render):
    html = render("```md\n*not emphasis*\n```\n").slides[0].html
    assert "*not emphasis*" in html and "<em>" not in html


def test_an_unclosed_html_block_stays_on_its_own_slide(render):
    section = render("## A\n\n<div class='x'>\n\nstill A\n---\n## B\n\ntext of B\nNote: notes of B\n")
    first, second = section.slides
    assert "still A" in first.html and "text of B" not in first.html
    assert "<h2>B</h2>" in second.html and second.notes == "<p>notes of B</p>"


def test_reference_links_and_stash_survive_batching(render):
    section = render("```python [1]\nx = 1\n```\n---\n```bash\necho hi\n```\nNote: `code` in notes\n")
    assert "x = 1" in section.slides[0].html and "echo hi" not in section.slides[0].html
    assert "echo hi" in section.slides[1].html
    assert section.slides[1].notes == "<p><code>code</code> in notes</p>"


def test_deck_values_fill_placeholders_outside_code(tmp_path):
    renderer = SectionRenderer(tmp_path)
    renderer.values = {"title": "A <b> talk", "author": "Ada"}
    path = tmp_path / "slides" / "01-x.md"
    html = (
        renderer.render(
            parse_section("# {{ deck.title }}\n\n*{{deck.author}}*\n\n```\n{{ deck.title }}\n```\n", path),
            "x",
        )
        .slides[0]
        .html
    )
    assert "<h1>A &lt;b&gt; talk</h1>" in html and "<em>Ada</em>" in html
    assert "{{ deck.title }}" in html  # code shows what it says
    with pytest.raises(DeckError, match=r"01-x.md:1: unknown deck value \{\{ deck.speaker \}\}"):
        renderer.render(parse_section("{{ deck.speaker }}\n", path), "x")
    # other braces are text, as in reveal.js (check warns of a deck value with a filter)
    html = renderer.render(parse_section("Django writes {{ variable }} and `{{ deck.title | upper }}`\n\n"
                                         "    {{ deck.title | e }}\n", path), "x").slides[0].html
    assert html.startswith("<p>Django writes {{ variable }} and <code>{{ deck.title | upper }}</code></p>\n<pre")
    assert html.endswith("<code>{{ deck.title | e }}\n</code></pre>")


def test_deck_values_read_as_text_and_inline_code_is_left_alone(tmp_path):
    renderer = SectionRenderer(tmp_path)
    renderer.values = {"title": "*Not* [a](link) | ![x](img/none.png) 1. \\ `x` #1 {.fragment}"}
    path = tmp_path / "slides" / "01-x.md"
    text = "## {{ deck.title }}\n\nWrite `{{ deck.title }}` for the title and `![alt](img/pic.png)` for a picture.\n"
    html = renderer.render(parse_section(text, path), "x").slides[0].html
    assert "<h2>*Not* [a](link) | ![x](img/none.png) 1. \\ `x` #1 {.fragment}</h2>" in html
    assert "<code>{{ deck.title }}</code>" in html and "<code>![alt](img/pic.png)</code>" in html


def test_deck_values_read_as_text_in_raw_html_and_attributes_too(tmp_path):
    renderer = SectionRenderer(tmp_path)
    renderer.values = {"author": "Jean-Luc O. Smith", "event": 'PyCon "DE" (2026) <x> & *y*'}
    path = tmp_path / "slides" / "01-x.md"
    text = (
        '<!-- .slide: data-event="{{ deck.event }}" -->\n<div class="byline" title="{{ deck.event }}">'
        "{{ deck.author }}</div>\n\n<p>{{ deck.event }}</p>\n\nBy {{ deck.author }}, at {{deck.event}}s\n"
    )
    slide = renderer.render(parse_section(text, path), "x").slides[0]
    event = "PyCon &quot;DE&quot; (2026) &lt;x&gt; &amp; *y*"
    assert f'<div class="byline" title="{event}">Jean-Luc O. Smith</div>' in slide.html
    assert f"<p>{event}</p>" in slide.html
    assert f"<p>By Jean-Luc O. Smith, at {event}s</p>" in slide.html
    assert slide.attrs["data-event"] == 'PyCon "DE" (2026) <x> & *y*'  # the template escapes attributes


def test_background_images_are_copied_and_checked(render):
    section = render('<!-- .slide: data-background-image="img/a.svg" -->\n## A\n')
    assert section.images == {"img/a.svg"}
    assert section.slides[0].attrs["data-background-image"] == "img/a.svg"
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/b.png does not exist"):
        render('<!-- .slide: data-background-image="img/b.png" -->\n')
    with pytest.raises(DeckError, match=r"01-intro.md:1: video https://example.org/v.mp4 would be loaded from the "
                                        r"network \(a deck must work offline: save the video in img/"):
        render('<!-- .slide: data-background-video="https://example.org/v.mp4" -->\n')
    with pytest.raises(DeckError, match=r"01-intro.md:1: video img/v.mp4 does not exist"):
        render('<!-- .slide: data-background-video="img/v.mp4" -->\n')


def test_every_background_form_reveal_js_reads_is_copied_and_checked(render, tmp_path):
    for name in ("b.png", "page.html", "v.mp4", "v.webm"):
        (tmp_path / "img" / name).write_bytes(b"x")
    section = render('<!-- .slide: data-background="img/b.png" -->\n## A\n---\n'  # reveal.js's short form
                     '<!-- .slide: data-background="#ff0000" -->\n## Red\n---\n'  # a colour: no file
                     '<!-- .slide: data-background-iframe="img/page.html" -->\n## Page\n---\n'
                     '<!-- .slide: data-background-video="img/v.mp4,img/v.webm" -->\n## Video\n')
    assert section.images == {"img/b.png", "img/page.html", "img/v.mp4", "img/v.webm"}
    (tmp_path / "img" / "a&b.png").write_bytes(b"x")  # an attribute's value is read as HTML reads it
    section = render('<!-- .slide: data-background="url(img/b.png) center / cover" -->\n## CSS\n---\n'
                     '<!-- .slide: data-background-image="img/b.png, img/v.mp4" -->\n## Two\n')
    assert section.images == {"img/b.png", "img/v.mp4"}
    section = render('<!-- .slide: data-background-image="img/a&amp;b.png" class="x&amp;y" -->\n## A\n')
    assert section.images == {"img/a&b.png"}
    assert section.slides[0].attrs == {"data-background-image": "img/a&b.png", "class": "x&y"}
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/none.jpg does not exist"):
        render('<!-- .slide: data-background="img/none.jpg" -->\n')


def test_a_tag_written_over_several_lines_takes_its_files_along(render, tmp_path):
    for name in ("m1.png", "p.jpg", "v.mp4", "s.png"):
        (tmp_path / "img" / name).write_bytes(b"x")
    (tmp_path / "img" / "e.png").write_bytes(b"x")
    section = render('<video\n  src="img/v.mp4"\n  poster="img/p.jpg"\n  controls></video>\n\n'
                     '<img\n  alt="m" src="img/m1.png">\n\n<div\n  style="background-image: url(img/s.png)">x</div>\n\n'
                     '<h3 style="background: url(img/e.png)"\n    class="x">T</h3>\n')
    assert section.images == {"img/v.mp4", "img/p.jpg", "img/m1.png", "img/s.png", "img/e.png"}
    with pytest.raises(DeckError, match=r"01-intro.md:3: image img/none.png does not exist"):
        render("## A\n\n<img alt='x'\n     src='img/none.png'>\n")  # at the line the tag begins
    # a `<` in prose opens no tag: a later error keeps its line
    with pytest.raises(DeckError, match=r"01-intro.md:9: image img/none.png does not exist"):
        render("## t\n\nLoop while i <n holds.\n\n```python\nx = 1\n```\n\n<img src='img/none.png' alt='c'>\n")


def test_a_path_is_read_with_its_character_references_and_escapes(render, tmp_path):
    # as HTML and CommonMark read it: `&amp;`, `&#38;` and `\&` are all `&`
    for name in ("a&b.svg", "café.svg"):
        (tmp_path / "img" / name).write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    section = render('<img src="img/a&amp;b.svg" alt="a"> <img src="img/a&#38;b.svg" alt="b">\n\n'
                     "![c](img/caf&eacute;.svg) ![d](img/a\\&b.svg) ![e](img/a&amp;b.svg)\n")
    assert section.images == {"img/a&b.svg", "img/café.svg"}
    assert 'src="img/a&amp;b.svg"' in section.slides[0].html
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/a&c.svg does not exist"):
        render('<img src="img/a&amp;c.svg" alt="c">\n')
    # HTML has no backslash escapes: a browser reads img/a\&b.svg as img/a/&b.svg
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/a\\&b.svg does not exist"):
        render('<img src="img/a\\&b.svg" alt="d">\n')
    # an image the conversion shows, in an item's second paragraph, is named at its line
    with pytest.raises(DeckError, match=r"01-intro.md:3: image img/no_such.svg does not exist"):
        render("- an item\n\n    ![x](img/no\\_such.svg)\n")


def test_files_that_links_and_style_urls_name_go_into_the_output(render, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "paper.pdf").write_bytes(b"%PDF-")
    (tmp_path / "img" / "bg.png").write_bytes(b"x")
    for name in ("plain.pdf", "ref.pdf", "deep.pdf"):
        (tmp_path / "docs" / name).write_bytes(b"%PDF-")
    section = render('[The paper](docs/paper.pdf) and <a href="docs/paper.pdf#page=2">page 2</a>\n\n'
                     '<div style="background: url(\'img/bg.png\')">x</div>\n\n'
                     "[Next](#/intro-2), [a site](https://example.org), [gone](docs/gone.pdf)\n\n"
                     "A plain line with [a link](docs/plain.pdf) and [a reference][r].\n\n"
                     "- an item\n\n    with [a link](docs/deep.pdf) in its second paragraph\n\n"
                     "[r]: docs/ref.pdf\n[outside](docs/../../x.pdf) [null](docs/a%00.pdf) "
                     f"[long](docs/{'x' * 300}.pdf)\n")
    # a link to a missing file is left to `talkdeck check`; a style's missing image is an error, as an <img>'s
    assert section.images == {"docs/paper.pdf", "img/bg.png", "docs/plain.pdf", "docs/ref.pdf", "docs/deep.pdf"}
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/none.png does not exist"):
        render('<div style="background-image: url(img/none.png)">x</div>\n')



def test_a_script_and_a_stylesheet_a_slide_loads_go_into_the_output_with_what_the_sheet_names(render, tmp_path):
    for folder in ("js", "css/fonts"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "js" / "chart.js").write_text("window.chart = 1;\n")
    (tmp_path / "css" / "extra.css").write_text(
        '@import "more.css";\nh2 { background: url(../img/bg.png) }\n'
        "@font-face { src: url('fonts/a.woff2') format('woff2'), url(fonts/gone.woff) }\n"
        "b { background: url(data:image/png;base64,AAAA) }\n")
    (tmp_path / "css" / "more.css").write_text("i { background: url(../img/dot.svg) }\n")
    (tmp_path / "css" / "fonts" / "a.woff2").write_bytes(b"wOF2")
    for name in ("bg.png", "dot.svg"):
        (tmp_path / "img" / name).write_bytes(b"x")
    section = render('<script src="js/chart.js"></script>\n'
                     '<link rel="stylesheet" href="css/extra.css">\n\nA chart.\n')
    assert section.images == {"js/chart.js", "css/extra.css", "css/more.css", "img/bg.png", "css/fonts/a.woff2",
                              "img/dot.svg"}
    # the sheet's missing font is left to `talkdeck check`, and watched, as a template's is
    assert tmp_path / "css" / "fonts" / "gone.woff" in section.dependencies
    with pytest.raises(DeckError, match=r"01-intro.md:2: script js/none.js does not exist"):
        render('A chart.\n<script src="js/none.js"></script>\n')
    with pytest.raises(DeckError, match=r"01-intro.md:1: stylesheet css/none.css does not exist"):
        render('<link rel="stylesheet" href="css/none.css">\n')



def test_nothing_in_the_notes_steps(render):
    section = render("## A\n\nText.\n\nNote:\nSay it. {.fragment .fade-up}\n\n"
                     "- a point {: .fragment data-fragment-index=2}\n\n"
                     "```python [1-2|3]\na = 1\nb = 2\nc = 3\n```\n\n<p class=\"fragment\">raw</p>\n\n"
                     "Reading |pipes| and the word fragment stay.\n")
    notes = section.slides[0].notes
    assert 'class="fade-up"' in notes and "<li>a point</li>" in notes and "<p>raw</p>" in notes
    assert 'data-line-numbers="1-2"' in notes and "|pipes| and the word fragment stay" in notes
    assert "fragment" not in notes.replace("word fragment", "")



def test_a_page_an_iframe_shows_goes_into_the_output_with_what_it_loads(render, tmp_path):
    (tmp_path / "demo" / "sub").mkdir(parents=True)
    files = {"demo/style.css": "p { background: url(sub/dot.svg) }", "demo/sub/dot.svg": "<svg/>",
             "demo/app.js": "1;", "demo/sub/inner.html": '<img src="../sub/dot.svg">', "demo/pic.png": "x",
             "demo/page.html": '<link rel="stylesheet" href="style.css"><script src="app.js?v=2"></script>'
                               '<iframe src="sub/inner.html"></iframe><img src="gone.png" srcset="pic.png 2x">'
                               '<!-- <img src="commented.png"> --><a href="other.html">a link, not loaded</a>'
                               '<img src="https://example.org/x.png"><div style="background: url(\'pic.png\')">'}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    section = render('<iframe src="demo/page.html"></iframe>\n')
    assert section.images == set(files)
    section = render('[Open the demo](demo/page.html)\n')  # a page a link opens: the same files
    assert section.images == set(files)
    assert tmp_path / "demo" / "gone.png" in section.dependencies  # missing: left to check, and watched
    assert tmp_path / "demo" / "commented.png" not in section.dependencies



def test_the_picture_of_an_svg_image_element_goes_into_the_output(render, tmp_path):
    (tmp_path / "img" / "photo.png").write_bytes(b"png")
    section = render('<svg width="20" height="10"><image href="img/photo.png"/>'
                     '<image xlink:href="img/a.svg" width="5"/></svg>\n')
    assert section.images == {"img/photo.png", "img/a.svg"}
    with pytest.raises(DeckError, match=r"01-intro.md:1: image img/none.png does not exist"):
        render('<svg><image href="img/none.png"/></svg>\n')


# Text that inline patterns would change, next to text they would not: the plain-text shortcut must give
# exactly what Python-Markdown gives without it.
INLINE_SAMPLES = [
    "plain words, only: (punctuation) - and 100% numbers / slashes?",
    "two spaces at the end  \nmake a line break, one space \ndoes not",
    "an entity &copy; and a bare & sign",
    "escaped \\*stars\\* and `code` and \\\\",
    "*em* and _em_ and **strong** and __strong__ and snake_case_name and a * lone star",
    "a [link](#/x), ![an image](img/a.svg), <https://example.org>, <a@b.org> and [ref][r]\n\n[r]: #/y",
    "<b>raw</b> html and a plain tail",
    "| a | b |\n|---|---|\n| `x` | plain |",
    "# Heading *em*\n\n## Plain heading\n\n> a quote, plain\n\n1. one\n2. two _x_\n\n- plain\n\n    nested plain",
    "para\n{.fragment}\n\n- item {.fragment}\n- plain item",
    # one pattern's character in a section's text, and nothing else
    "only an image: ![alt](img/a.svg)",
    "only a link: [x](#/y)",
    "only html: <b>bold</b>",
    "only an autolink: <https://example.org>",
    "only an entity: &copy;",
    "only an escape: \\*",
    "only code: `x`",
    "only a star: *x*",
    "only an underscore: _x_",
]


@pytest.mark.parametrize("text", INLINE_SAMPLES)
def test_skipping_plain_text_changes_no_output(tmp_path, text):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    path = tmp_path / "slides" / "01-intro.md"
    fast, plain = SectionRenderer(tmp_path), SectionRenderer(tmp_path)
    plain.md.treeprocessors.deregister("talkdeck_plain")
    source = f"{text}\n\nNote:\n{text}\n"
    expected = plain.render(parse_section(source, path), "intro").slides[0]
    got = fast.render(parse_section(source, path), "intro").slides[0]
    assert (got.html, got.notes) == (expected.html, expected.notes)


def test_plain_text_is_marked_for_the_inline_patterns_to_skip(tmp_path):
    md = make_markdown({})

    def run() -> list[bool]:
        root = etree.Element("div")
        for text in ("plain text", "has *em*", "has `code`", "line  \nbreak", "x &amp; y"):
            etree.SubElement(root, "p").text = text
        _PlainText(md).run(root)
        return [isinstance(p.text, AtomicString) for p in root]

    assert run() == [True, False, False, False, False]
    # The inline processor gets only the patterns that can match the rest: no link, image, HTML or escape.
    assert [name for name in BUILTIN_INLINE if name in md.treeprocessors["inline"].inlinePatterns] == [
        name for name in BUILTIN_INLINE if name in {"backtick", "linebreak", "entity", "em_strong"}
    ]
    # A pattern of an extension we do not know could match anywhere: then nothing is skipped.
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()==(.+?)==", "mark"), "mark", 65)
    assert run() == [False] * 5
    assert md.treeprocessors["inline"].inlinePatterns is md.inlinePatterns


def test_attribute_lists_and_tables_load_with_the_first_brace_and_bar(tmp_path):
    renderer = SectionRenderer(tmp_path)
    path = tmp_path / "slides" / "01-intro.md"
    renderer.render(parse_section("## Plain\n\ntext\n", path), "intro")
    assert "attr_list" not in renderer.md.treeprocessors
    assert "table" not in renderer.md.parser.blockprocessors
    html = renderer.render(parse_section("## A\n\ntext\n{.fragment}\n", path), "intro").slides[0].html
    assert "attr_list" in renderer.md.treeprocessors
    assert '<p class="fragment">text</p>' in html
    html = renderer.render(parse_section("## A\n\n| a |\n|---|\n| b |\n", path), "intro").slides[0].html
    assert "table" in renderer.md.parser.blockprocessors
    assert "<td>b</td>" in html


@pytest.mark.parametrize(("line", "heading"), [
    ("# Why C#", "<h1>Why C#</h1>"),
    ("## F# and C#", "<h2>F# and C#</h2>"),
    ("## Closed ##", "<h2>Closed</h2>"),
    ("### Closed #  ", "<h3>Closed</h3>"),
    ("# Escaped \\#", "<h1>Escaped #</h1>"),
    ("   ## Indented", "<h2>Indented</h2>"),
    ("## Fragment {.fragment}", '<h2 class="fragment">Fragment</h2>'),
])
def test_closing_hashes_of_a_heading_need_a_space_before_them(render, line, heading):
    assert render(f"{line}\ntext\n").slides[0].html == f"{heading}\n<p>text</p>"


@pytest.mark.parametrize("line", ["#1 priority: tests", "#python #docker", "#!/bin/sh & more"])
def test_hashes_without_a_space_after_them_are_text_not_a_heading(render, line):
    assert render(f"{line}\n").slides[0].html == f"<p>{escape(line, quote=False)}</p>"


def test_element_comments_give_their_attributes_as_reveal_js_does(render):
    html = render(
        '- one <!-- .element: class="fragment" data-fragment-index="2" -->\n- two\n\n'
        'Text\n<!-- .element: class="fragment fade-up" -->\n\n'
        '**bold** <!-- .element: class="r-fit-text" --> and after\n\n'
        "- a {.fragment}\n- b <!-- .element: class=\"highlight\" -->\n\n"
        '```python\nx = 1\n```\n<!-- .element: class="fragment" -->\n'
    ).slides[0].html
    assert '<li class="fragment" data-fragment-index="2">one</li>\n<li>two</li>' in html
    assert '<p class="fragment fade-up">Text</p>' in html
    assert '<p><strong class="r-fit-text">bold</strong> and after</p>' in html
    assert '<li class="fragment">a</li>\n<li class="highlight">b</li>' in html
    assert '<pre class="td-code fragment"><code class="language-python">x = 1</code></pre>' in html
    assert "<!--" not in html and "talkdeck-element" not in html


def test_an_element_comment_at_a_slide_start_reaches_nothing_on_the_slide_before(render):
    section = render('## A\n\n---\n\n<!-- .element: class="fragment" -->\n\n## B\n')
    assert section.slides[0].html == "<h2>A</h2>"
    assert section.slides[1].html == '<!-- .element: class="fragment" -->\n\n<h2>B</h2>'


def test_attribute_lists_reach_code_blocks_panes_tables_and_a_paragraphs_last_line(render, tmp_path):
    (tmp_path / "code.py").write_text("a = 1\nb = 2\n")
    section = render(
        "```python\nx = 1\n```\n{.fragment}\n\n<<< code.py\n{: .fragment .fade-in data-fragment-index=3}\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n{.fragment}\n\n"
        "A paragraph\nthat ends here {.fragment}\n\nText {.fragment} that goes on\n"
    )
    html = section.slides[0].html
    assert '<pre class="td-code fragment"><code class="language-python">x = 1</code></pre>' in html
    assert '<figure class="td-pane fragment fade-in" data-td-path="code.py" data-fragment-index="3">' in html
    assert '<table class="fragment">' in html and "{.fragment}</td>" not in html
    assert '<p class="fragment">A paragraph\nthat ends here</p>' in html
    assert "<p>Text {.fragment} that goes on</p>" in html  # mid-paragraph: left alone


# Markdown that reveal.js's Markdown plugin (CommonMark) and Python-Markdown read differently, and the HTML
# reveal.js makes of it.
COMMONMARK_LISTS = {
    "a list right under a paragraph": (
        "What we need:\n- one\n- two\n", "<p>What we need:</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    "an ordered one, from 1": ("Steps:\n1. one\n2. two\n", "<p>Steps:</p>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
    "an ordered one from 2 is text": ("In\n2026. A year\n", "<p>In\n2026. A year</p>"),
    "two-space nesting": (
        "- one\n  - a\n    - deeper\n- two\n",
        "<ul>\n<li>one<ul>\n<li>a<ul>\n<li>deeper</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>two</li>\n</ul>"),
    "three-space nesting under 1.": (
        "1. one\n   - a\n2. two\n", "<ol>\n<li>one<ul>\n<li>a</li>\n</ul>\n</li>\n<li>two</li>\n</ol>"),
    "four-space nesting, as before": (
        "- one\n    - a\n        - b\n", "<ul>\n<li>one<ul>\n<li>a<ul>\n<li>b</li>\n</ul>\n</li>\n</ul>\n</li>\n</ul>"),
    "a fence in an item, the list tight": (
        "1. Install\n   ```bash\n   pip install x\n   ```\n2. Run\n",
        '<ol>\n<li>Install\n<pre class="td-code"><code class="language-bash">pip install x</code></pre></li>\n'
        "<li>Run</li>\n</ol>"),
    "a fence indented four in an item": (
        "- Install\n    ```bash\n    pip install x\n    ```\n",
        '<ul>\n<li>Install\n<pre class="td-code"><code class="language-bash">pip install x</code></pre></li>\n</ul>'),
    "a fence after a blank line in an item": (
        "1. a\n\n   ```\n   x\n   ```\n2. b\n",
        '<ol>\n<li>\n<p>a</p>\n<pre class="td-code"><code>x</code></pre>\n</li>\n'
        "<li>\n<p>b</p>\n</li>\n</ol>"),
    "a fence indented four outside a list": (
        "text\n\n    ```\n    code\n    ```\n",
        '<p>text</p>\n<pre class="td-code"><code>code</code></pre>'),
    "an item after a paragraph in the item before": (
        "1. a\n\n   more\n2. b\n", "<ol>\n<li>\n<p>a</p>\n<p>more</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ol>"),
    "an item back out of a nested list, in a loose list": (
        "- a\n\n  - b\n- c\n",
        "<ul>\n<li>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>"),
    "a blank line before the last item: a loose list, every item in a paragraph": (
        "- **a** and\n- b\n\n- c\n",
        "<ul>\n<li>\n<p><strong>a</strong> and</p>\n</li>\n<li>\n<p>b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>"),
    "a paragraph in the second item: a loose list": (
        "1. a\n2. b\n\n   more b\n3. c\n",
        "<ol>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n<p>more b</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ol>"),
    "an empty item, not a heading": ("- a\n-\n- c\n", "<ul>\n<li>a</li>\n<li></li>\n<li>c</li>\n</ul>"),
    "an empty item first, and an empty numbered one": (
        "-\n- b\n\n1. a\n2.\n", "<ul>\n<li></li>\n<li>b</li>\n</ul>\n<ol>\n<li>a</li>\n<li></li>\n</ol>"),
    "an empty item of the other kind under an item: a list of its own": (
        "1. a\n-\n", "<ol>\n<li>a</li>\n</ol>\n<ul>\n<li></li>\n</ul>"),
    "the line under an empty item is not in it": (
        "- a\n-\ntext\n", "<ul>\n<li>a</li>\n<li></li>\n</ul>\n<p>text</p>"),
    "a dash under a paragraph's line: a heading": ("text\n-\n", "<h2>text</h2>"),
    "a tag at the margin under a list ends it": (
        '- one\n- two\n<img src="img/a.svg">\n', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<img src="img/a.svg">'),
    "so does inline HTML, which starts a paragraph": (
        "- a\n<span>x</span>\n", "<ul>\n<li>a</li>\n</ul>\n<p><span>x</span></p>"),
    "and a comment": ("- a\n<!-- c -->\n- b\n", "<ul>\n<li>a</li>\n</ul>\n<!-- c -->\n<ul>\n<li>b</li>\n</ul>"),
    "a rule at the margin under an item's paragraph ends the list": (
        "- a\n\n  more\n***\n", "<ul>\n<li>\n<p>a</p>\n<p>more</p>\n</li>\n</ul>\n<hr>"),
    "a tag line in a paragraph after a list that a heading ended": (
        "- a\n## Next\nSome text\n<br>\nMore **bold**\n",
        "<ul>\n<li>a</li>\n</ul>\n<h2>Next</h2>\n<p>Some text\n<br>\nMore <strong>bold</strong></p>"),
    "a line of one tag right under a heading: HTML of its own": (
        '## H\n<img src="img/a.svg">\n', '<h2>H</h2>\n<img src="img/a.svg">'),
    "an empty item with a block of its own keeps the list tight": (
        "- a\n-\n  ```\n  code\n  ```\n- c\n",
        '<ul>\n<li>a</li>\n<li><pre class="td-code"><code>code</code></pre></li>\n'
        "<li>c</li>\n</ul>"),
    "a heading ends a list": ("- a\n# h\nline\\\n<span>x</span>\n",
                              "<ul>\n<li>a</li>\n</ul>\n<h1>h</h1>\n<p>line<br>\n<span>x</span></p>"),
    "a list from 2 goes on the paragraph": ("`code`\n2. y\n<span>x</span>\n",
                                            "<p><code>code</code>\n2. y\n<span>x</span></p>"),
    "a rule, then a dash: an empty item": ("***\n-\n", "<hr>\n<ul>\n<li></li>\n</ul>"),
    "a rule, then equals signs: text": ("***\n===\n", "<hr>\n<p>===</p>"),
    "a hash that starts no heading, then a list": ("#python\n- a\n", "<p>#python</p>\n<ul>\n<li>a</li>\n</ul>"),
    "another bullet starts another list": ("- a\n* b\n", "<ul>\n<li>a</li>\n</ul>\n\n\n<ul>\n<li>b</li>\n</ul>"),
    "another delimiter too": ("1. a\n1) b\n", "<ol>\n<li>a</li>\n</ol>\n\n\n<ol>\n<li>b</li>\n</ol>"),
    "a list of the other kind": ("- a\n1. b\n", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>"),
    "numbers with a parenthesis": ("1) one\n2) two\n", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
    "a quote in an item": (
        "- a\n  > quote\n- b\n",
        "<ul>\n<li>\n<p>a</p>\n<blockquote>\n<p>quote</p>\n</blockquote>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"),
    "an element comment right under a list: its last item": (
        '- a\n- b\n<!-- .element: class="fragment" -->\n', '<ul>\n<li>a</li>\n<li class="fragment">b</li>\n</ul>'),
    "an element comment in an item": (
        '- a\n  <!-- .element: class="fragment" -->\n- b\n', '<ul>\n<li class="fragment">a</li>\n<li>b</li>\n</ul>'),
    "a lazy line": ("- a\nlazy\n- b\n", "<ul>\n<li>a\nlazy</li>\n<li>b</li>\n</ul>"),
    "indented code is code": ("code:\n\n    - not an item\n", "<p>code:</p>\n<pre><code>- not an item\n</code></pre>"),
    "a rule": ("Text\n\n* * *\n", "<p>Text</p>\n<hr>"),
    "Markdown between HTML blocks": (
        '<div class="columns">\n<div>\n\n- left\n\n</div>\n<div>\n\n**right**\n\n</div>\n</div>\n',
        '<div class="columns">\n<div>\n<ul>\n<li>left</li>\n</ul>\n</div>\n<div>\n<p><strong>right</strong></p>\n'
        "</div>\n</div>"),
    "an HTML block up to a blank line": (
        "<div>raw *as is*\nstill</div>\n\nText *md*\n", "<div>raw *as is*\nstill</div>\n<p>Text <em>md</em></p>"),
    "an HTML block in an item": (
        '1. one\n   <div class="x">in item</div>\n2. two\n',
        '<ol>\n<li>one\n<div class="x">in item</div></li>\n<li>two</li>\n</ol>'),
    "an HTML block under a paragraph": ("Para\n<div>on its own</div>\n", "<p>Para</p>\n<div>on its own</div>"),
    "a line of one tag after a blank line": (
        '<img src="img/a.svg" width="200">\n\nCaption *here*',
        '<img src="img/a.svg" width="200">\n<p>Caption <em>here</em></p>'),
    "Markdown between lines of one tag": (
        '<span class="big">\n\n**x**\n\n</span>', '<span class="big">\n<p><strong>x</strong></p>\n</span>'),
    "a tag in a paragraph stays in it": ('Text\n<img src="img/a.svg">', '<p>Text\n<img src="img/a.svg"></p>'),
    "a paragraph that starts with a tag, then a list": (
        "<span>a</span> *b*\n- list", "<p><span>a</span> <em>b</em></p>\n<ul>\n<li>list</li>\n</ul>"),
    "an element comment under an HTML block": (
        '<div class="box">x</div>\n<!-- .element: class="fragment" -->\n\n<img src="img/a.svg">\n'
        '<!-- .element: class="fragment" data-fragment-index="1" -->',
        '<div class="box fragment">x</div>\n<img src="img/a.svg" class="fragment" data-fragment-index="1">'),
    "an element comment under a fence in an item": (
        '- a\n\n  ```\n  x\n  ```\n  <!-- .element: class="fragment" -->\n',
        '<ul>\n<li>\n<p>a</p>\n<pre class="td-code fragment"><code>x</code></pre></li>\n'
        "</ul>"),
    "a list right under a line in a quote": (
        "> Three rules:\n> - be kind\n>   - and brief\n",
        "<blockquote>\n<p>Three rules:</p>\n<ul>\n<li>be kind<ul>\n<li>and brief</li>\n</ul>\n</li>\n</ul>\n"
        "</blockquote>"),
    "a commented-out list": ("<!--\n<div>\n\n- a\n-->\n", "<!--\n<div>\n\n- a\n-->"),
}


GITHUB_MARKDOWN = {
    "a table of only a header, with no empty row": (
        "| a | b |\n|---|---|\n",
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody></tbody>\n</table>"),
    "a table whose rows have pipes on their sides or not, whatever the header has": (
        "Image | Size\n|---|---|\nalpine | 7 MB\n| slim | 45 MB |\n",
        "<table>\n<thead>\n<tr>\n<th>Image</th>\n<th>Size</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>alpine</td>\n"
        "<td>7 MB</td>\n</tr>\n<tr>\n<td>slim</td>\n<td>45 MB</td>\n</tr>\n</tbody>\n</table>"),
    "struck text": ("~~old~~ new, ~single~ too", "<p><del>old</del> new, <del>single</del> too</p>"),
    "tildes that strike nothing": ("~3x faster and ~2x smaller", "<p>~3x faster and ~2x smaller</p>"),
    "a backslash that breaks the line": ("Before: 1.2 GB\\\nAfter: 150 MB", "<p>Before: 1.2 GB<br>\nAfter: 150 MB</p>"),
    "any punctuation escaped": ("Use \\<br\\>, \\~~not~~, \\$5, \\& \\: \\@ \\= \\^ \\; \\/ \\? \\' \\%",
                                "<p>Use &lt;br&gt;, ~~not~~, $5, &amp; : @ = ^ ; / ? ' %</p>"),
    "task items": ("- [ ] to do\n- [x] done **now**\n- [] not one",
                   '<ul>\n<li><input disabled="" type="checkbox"> to do</li>\n'
                   '<li><input checked="" disabled="" type="checkbox"> done <strong>now</strong></li>\n'
                   "<li>[] not one</li>\n</ul>"),
    "a task whose text starts with code": (
        "- [x] `make test`",
        '<ul>\n<li><input checked="" disabled="" type="checkbox"> <code>make test</code></li>\n</ul>'),
    "a table right under a paragraph": (
        "Results:\n| a | b |\n|---|---|\n| 1 | 2 |",
        "<p>Results:</p>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
        "<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"),
    "a list and a heading right under tables": (
        "| a |\n|---|\n| 1 |\n- one\n\n| b |\n|---|\n| 2 |\n## Next",
        "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n"
        "<ul>\n<li>one</li>\n</ul>\n<table>\n<thead>\n<tr>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>2</td>\n"
        "</tr>\n</tbody>\n</table>\n<h2>Next</h2>"),
    "an address in emphasis": (
        "_https://x.org_ and snake_case", '<p><em><a href="https://x.org">https://x.org</a></em> and snake_case</p>'),
    "a pipe in a paragraph": ("Just a | pipe\nmore text", "<p>Just a | pipe\nmore text</p>"),
    "an escaped pipe in a table's code": (
        "| op | meaning |\n|---|---|\n| `a \\| b` | or |",
        "<table>\n<thead>\n<tr>\n<th>op</th>\n<th>meaning</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
        "<td><code>a | b</code></td>\n<td>or</td>\n</tr>\n</tbody>\n</table>"),
    "bare addresses": (
        "Slides: https://example.com/talk?a=1. Or www.python.org, (http://localhost:8000/) or me@example.com.",
        '<p>Slides: <a href="https://example.com/talk?a=1">https://example.com/talk?a=1</a>. Or '
        '<a href="http://www.python.org">www.python.org</a>, (<a href="http://localhost:8000/">'
        'http://localhost:8000/</a>) or <a href="mailto:me@example.com">me@example.com</a>.</p>'),
    "addresses already linked, in code or in HTML": (
        '[site](https://x.org), <https://y.org>, `https://z.org`, <a href="https://w.org">w</a>, user@host',
        '<p><a href="https://x.org">site</a>, <a href="https://y.org">https://y.org</a>, <code>https://z.org</code>, '
        '<a href="https://w.org">w</a>, user@host</p>'),
    "an address as a link's text": ("[https://x.org](https://y.org)", '<p><a href="https://y.org">https://x.org</a></p>'),
    "an address with underscores and parentheses": (
        "https://x.org/a_b_(c) and _it_",
        '<p><a href="https://x.org/a_b_(c)">https://x.org/a_b_(c)</a> and <em>it</em></p>'),
}


def test_element_comments_reach_raw_html_elements_as_in_the_page(render):
    html = render(
        '<img src="img/a.svg" alt="a"> <!-- .element: class="fragment" -->\n'
        '<img src="img/a.svg" alt="b"> <!-- .element: class="fragment" -->\n\n'
        'Result: <span>42</span> <!-- .element: class="fragment highlight-red" -->\n\n'
        "Rust is **40x** faster<sup>*</sup> <!-- .element: class=\"fragment\" -->\n\n"
        '<div>\n<p>inside a div</p> <!-- .element: class="fragment" -->\n</div>\n\n'
        '<span class="x">in a span <!-- .element: class="fragment" --></span> after\n\n'
        'Code `<!-- .element: class="x" -->` stays\n'
    ).slides[0].html
    assert html == (
        '<p><img src="img/a.svg" alt="a" class="fragment">\n<img src="img/a.svg" alt="b" class="fragment"></p>\n'
        '<p>Result: <span class="fragment highlight-red">42</span></p>\n'
        '<p>Rust is <strong>40x</strong> faster<sup class="fragment">*</sup></p>\n'
        '<div>\n<p class="fragment">inside a div</p></div>\n'
        '<p><span class="x fragment">in a span</span> after</p>\n'
        '<p>Code <code>&lt;!-- .element: class="x" --&gt;</code> stays</p>'
    )


RAW_AND_QUOTED = {
    "a raw pre block is kept as written": (
        "<pre><code data-trim>\n>>> x = [1, 2]\nsteps:\n  - uses: a\n\n  - name: T\n1) x\n</code></pre>\n\nafter *md*",
        "<pre><code data-trim>\n>>> x = [1, 2]\nsteps:\n  - uses: a\n\n  - name: T\n1) x\n</code></pre>\n"
        "<p>after <em>md</em></p>"),
    "a raw pre block in an item": (
        "- Example:\n  <pre><code>\n  a:\n    - b\n  </code></pre>\n- done",
        "<ul>\n<li>Example:\n<pre><code>\na:\n  - b\n</code></pre></li>\n<li>done</li>\n</ul>"),
    "a line break in a quote": ("> one  \n> two", "<blockquote>\n<p>one<br>\ntwo</p>\n</blockquote>"),
    "code in a quote is not read as a list": (
        "> ```\n> - a\n>   - b\n> ```", "<blockquote>\n<p><code>- a\n  - b</code></p>\n</blockquote>"),
    "an address as a raw link's text": (
        'See <a href="https://a.org">https://b.org</a> and https://c.org',
        '<p>See <a href="https://a.org">https://b.org</a> and <a href="https://c.org">https://c.org</a></p>'),
    "an address up to an escape": ("https://x.org/my\\_page", '<p><a href="https://x.org/my">https://x.org/my</a>_page</p>'),
    "an item after code in the item before": (
        "- a\n\n      code\n- b",
        "<ul>\n<li>\n<p>a</p>\n<pre><code>code\n</code></pre>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"),
    "an item after a table in the item before": (
        "- a\n\n  | x |\n  |---|\n  | 1 |\n- b",
        "<ul>\n<li>\n<p>a</p>\n<table>\n<thead>\n<tr>\n<th>x</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n"
        "</tbody>\n</table>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"),
    "an empty item interrupts no paragraph": ("Text\n- ", "<h2>Text</h2>"),
    "elements left open": ("<section>\n\n# inner\n\n<script>\nvar x = 1;",
                           "<section>\n<h1>inner</h1>\n<script>\nvar x = 1;</script></section>"),
    "stray end tags": ('text\n\n</div>\n\n<script>var s = "</div>";</script>\n\nmore',
                       '<p>text</p>\n\n<script>var s = "</div>";</script>\n<p>more</p>'),
}


# Lists and HTML blocks as CommonMark reads them, GitHub's additions, and raw HTML, quotes and code in lists:
# each slide as reveal.js's Markdown plugin makes it.
AS_REVEAL_JS_MAKES_IT = {**COMMONMARK_LISTS, **GITHUB_MARKDOWN, **RAW_AND_QUOTED}


@pytest.mark.parametrize(("text", "html"), AS_REVEAL_JS_MAKES_IT.values(), ids=AS_REVEAL_JS_MAKES_IT.keys())
def test_markdown_comes_out_as_reveal_js_makes_it(render, text, html):
    assert render(text).slides[0].html == html


def test_a_line_that_starts_with_a_hash_under_an_item_keeps_the_list_tight(render):
    # CommonMark's lazy line, which stays in the item (reveal.js's marked ends the list there instead);
    # it used to put every item in a paragraph
    assert render("- a\n#x\n- b\n").slides[0].html == "<ul>\n<li>a\n#x</li>\n<li>b</li>\n</ul>"


def test_a_box_with_nothing_after_it_is_no_task(render):
    html = render("- [ ] \n- [x]  \n").slides[0].html
    assert "checkbox" not in html and html.count("<li>[") == 2


def test_patterns_for_markdown_a_deck_may_not_use_come_with_the_first_text_that_uses_it():
    from talkdeck.render import add_extensions_for

    md = make_markdown({})
    lazy = ["talkdeck_break", "talkdeck_strike", "talkdeck_url"]
    add_extensions_for(md, "## Plain\n\n- words only\n")
    assert [name for name in lazy if name in md.inlinePatterns] == []
    add_extensions_for(md, "~~old~~ and line\\\nbreak, see https://x.org")
    assert [name for name in lazy if name in md.inlinePatterns] == lazy


def test_two_slide_comments_add_their_classes_up(render):
    slide = render('# A\n<!-- .slide: class="one" -->\n<!-- .slide: class="two" data-x="1" -->\n').slides[0]
    assert (slide.attrs["class"], slide.attrs["data-x"]) == ("one two", "1")


def test_a_vertical_slide_under_a_section_s_first_slide_stacks_below_it(render):
    section = render("# A\n\n--\n\n# A.1\n\n---\n\n# B\n")
    assert [[slide.id for slide in stack] for stack in section.stacks] == [["intro-1", "intro-1-2"], ["intro-2"]]


def test_an_image_alone_in_its_paragraph_is_marked_to_be_centred(render):
    html = render("![A box](img/a.svg)\n\nSee ![a box](img/a.svg) here\n\n![A box](img/a.svg)\n{.fragment}\n"
                  "\n[![A box](img/a.svg)](#/intro-1)\n").slides[0].html
    assert html.count('class="td-image"') == 1 and html.count('class="fragment td-image"') == 1
    assert '<p>See <img alt="a box" src="img/a.svg"> here</p>' in html
    assert '<p><a href="#/intro-1"><img' in html  # a linked image stays as it is
    listed = render("- ![A box](img/a.svg)\n\n- text\n").slides[0].html  # beside its bullet, as before
    assert "td-image" not in listed
