import re
from pathlib import Path

import pytest

from talkdeck.assets import check_theme, find_reveal, is_offline_theme
from talkdeck.config import DeckConfig, load_config, parse_config
from talkdeck.errors import DeckError

P = Path("deck.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(DeckError) as err:
        parse_config(text, P)
    return [str(p) for p in err.value.problems]


def test_defaults_are_16_9_at_1280x720_with_no_margin():
    config = parse_config('title = "T"\n', P)
    assert (config.width, config.height, config.margin, config.theme) == (1280, 720, 0.0, "white")


def test_all_keys_are_read():
    config = parse_config(
        'title = "T"\nauthor = "A"\nevent = "E"\ndate = 2020-11-09\ntheme = "black"\ntransition = "fade"\n'
        "minutes = 30\n[size]\nwidth = 1920\nheight = 1080\nmargin = 0.04\n[reveal]\ncontrols = false\n",
        P,
    )
    assert config.date == "2020-11-09"
    assert (config.width, config.height, config.margin) == (1920, 1080, 0.04)
    assert config.reveal == {"controls": False}
    assert config.minutes == 30


def test_lang_is_a_language_tag_for_the_page(deck_copy):
    assert parse_config('lang = "pt-BR"\n', P).lang == "pt-BR"
    assert parse_config('title = "T"\n', P).lang == "en"
    assert problems('title = "T"\nlang = "German"\n') == [
        "deck.toml:2: lang 'German' is not a language tag (write the language the slides are in, such as "
        'lang = "de" or "pt-BR")']
    from talkdeck.builder import Builder

    deck = deck_copy()
    (deck / "deck.toml").write_text((deck / "deck.toml").read_text() + '\nlang = "de"\n')
    Builder(deck).build()
    assert '<html lang="de">' in (deck / "dist" / "index.html").read_text()


def test_every_problem_is_reported_at_once_with_its_line():
    found = problems('title = 3\nthem = "white"\n\n[size]\nwidht = 10\nheight = "tall"\n')
    assert found == [
        "deck.toml:1: title must be a string, not an integer",
        "deck.toml:2: unknown key 'them' in deck.toml (did you mean 'theme'? known keys: title, author, "
        "event, date, theme, transition, lang, minutes, size, reveal)",
        "deck.toml:5: unknown key 'size.widht' in [size] (did you mean 'width'? known keys: width, height, margin)",
        "deck.toml:6: size.height must be a whole number of pixels, not a string",
    ]


def test_unknown_transition_lists_the_choices():
    assert problems('transition = "slid"\n') == [
        "deck.toml:1: unknown transition 'slid' (did you mean 'slide'? choose one of none, fade, slide, convex, "
        "concave, zoom)"
    ]


def test_reveal_options_that_talkdeck_owns_are_refused():
    assert problems("[reveal]\nwidth = 800\n") == [
        "deck.toml:2: reveal.width is set by talkdeck (use size.width instead)"
    ]
    assert problems("[reveal]\nplugins = 1\n") == [
        "deck.toml:2: reveal.plugins is set by talkdeck (talkdeck loads the notes plugin, and the highlight "
        "plugin when the deck shows code; remove this line)"
    ]


def test_reveal_options_for_what_talkdeck_does_itself_are_refused():
    # they would do nothing, without a word
    assert problems("[reveal]\nhash = true\nmarkdown = { smartypants = true }\n") == [
        "deck.toml:3: reveal.markdown would have no effect (talkdeck renders the slides' Markdown itself, when it "
        "builds, so reveal.js's markdown plugin and its options are not used; remove this table)"
    ]
    assert problems("[reveal.markdown]\nsmartypants = true\n")[0].startswith("deck.toml:1: reveal.markdown would")


def test_invalid_toml_is_located():
    assert problems('title = "T"\nminutes = = 3\n')[0].startswith("deck.toml:2: invalid TOML")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('title = "T"\n\n[bar]\nx = 1\n', "deck.toml:3: unknown key 'bar' in deck.toml"),
        ("[size]\nwidth = 1280\n[size.inner]\nx = 1\n", "deck.toml:3: unknown key 'size.inner' in [size]"),
        ("[[size]]\nwidth = 1280\n", "deck.toml:1: size must be"),
        ('title = "T"\nsize = { width = 50 }\n', "deck.toml:2: size.width must be from 100 to 10000"),
        ("[size]\nheight = 100000000\n", "deck.toml:2: size.height must be from 100 to 10000 (pixels of the "
                                        "slide's design size, such as 1280 by 720)"),
        ("title = 'T'\nminutes = 100000000\n", "deck.toml:2: minutes must be more than 0 and at most 1440 (the "
                                             "talk's length in minutes, such as minutes = 30)"),
        ("minutes = 0\n", "deck.toml:1: minutes must be more than 0 and at most 1440"),
        ('[ "size" ]\nwidth = "x"\n', "deck.toml:2: size.width must be a whole number of pixels"),
        ('title = "T"\nreveal.x.y = 1\nbar.baz = 2\n', "deck.toml:3: unknown key 'bar' in deck.toml"),
    ],
)
def test_tables_inline_tables_and_quoted_headers_are_located(text, expected):
    assert problems(text)[0].startswith(expected)


def test_a_byte_order_mark_is_read_past(tmp_path):
    # Notepad and some Windows editors start a UTF-8 file with one; TOML parsers reject it.
    (tmp_path / "deck.toml").write_bytes(b'\xef\xbb\xbftitle = "T"\r\nminutes = 5\r\n')
    config = load_config(tmp_path)
    assert (config.title, config.minutes) == ("T", 5)


def test_boolean_is_not_a_number():
    assert problems("minutes = true\n") == [
        "deck.toml:1: minutes must be a whole number of minutes, not a boolean"
    ]


def test_unknown_theme_lists_the_offline_themes(tmp_path):
    path = tmp_path / "deck.toml"
    path.write_text('title = "T"\ntheme = "whit"\n')
    with pytest.raises(DeckError) as err:
        check_theme(DeckConfig(theme="whit", path=path), find_reveal())
    message = str(err.value)
    assert message.endswith(
        ":2: unknown theme 'whit' (did you mean 'white'? themes that work offline: "
        "black, black-contrast, dracula, serif, white, white-contrast)"
    )


@pytest.mark.parametrize("theme", ["../theme/white", "../reset", "theme/../white"])
def test_a_theme_is_a_name_not_a_path_into_reveal(tmp_path, theme):
    path = tmp_path / "deck.toml"
    path.write_text(f'theme = "{theme}"\n')
    with pytest.raises(DeckError, match=rf":1: unknown theme '{re.escape(theme)}' \(themes that work offline: "):
        check_theme(DeckConfig(theme=theme, path=path), find_reveal())


def test_the_theme_is_reported_with_the_other_problems_in_line_order():
    text = 'title = "T"\nauthr = "A"\n\ntheme = "nope"\ntransition = 5\n[size]\nwidth = "wide"\n'
    with pytest.raises(DeckError) as err:
        parse_config(text, P, find_reveal())
    assert [(p.line, p.message) for p in err.value.problems] == [
        (2, "unknown key 'authr' in deck.toml"),
        (4, "unknown theme 'nope'"),
        (5, "transition must be a string, not an integer"),
        (7, "size.width must be a whole number of pixels, not a string"),
    ]


def test_did_you_mean_names_only_a_theme_that_works_offline():
    with pytest.raises(DeckError) as err:
        parse_config('theme = "solarised"\n', P, find_reveal())  # solarized exists but loads remote fonts
    assert str(err.value) == ("deck.toml:1: unknown theme 'solarised' (themes that work offline: "
                              "black, black-contrast, dracula, serif, white, white-contrast)")


def test_a_theme_with_remote_fonts_is_refused(tmp_path):
    path = tmp_path / "deck.toml"
    path.write_text('theme = "moon"\n')
    with pytest.raises(DeckError, match=r":1: theme 'moon' loads its fonts from the network"):
        check_theme(DeckConfig(theme="moon", path=path), find_reveal())


@pytest.mark.parametrize(
    ("css", "offline"),
    [
        ("body { font-family: serif; }", True),
        ("a { background: url(data:image/png;base64,aHR0cA==); }", True),  # "http" in base64 is not a URL
        ("@import url(https://fonts.example/a.css);", False),
        ('@IMPORT URL("HTTPS://fonts.example/a.css");', False),  # CSS and URL schemes ignore case
        ("h1 { background: url( 'http://example.org/x.png' ); }", False),
    ],
)
def test_a_theme_is_offline_unless_it_loads_from_a_url(tmp_path, css, offline):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "t.css").write_text(css)
    assert is_offline_theme(tmp_path, "t") is offline


def test_a_misspelt_reveal_option_is_an_error_with_the_name_reveal_js_knows():
    text = ('title = "T"\n[reveal]\nslidenumber = true\ncontrolsLayouts = "edges"\nhash = true\n'
            'menu = { side = "left" }\n')  # menu: a plugin's own option, like none of reveal.js's
    with pytest.raises(DeckError) as err:
        parse_config(text, P, find_reveal())
    assert [(p.line, p.message, p.hint) for p in err.value.problems] == [
        (3, "reveal.slidenumber is not an option of reveal.js, which would ignore it",
         "write slideNumber: reveal.js's names are case-sensitive"),
        (4, "reveal.controlsLayouts is not an option of reveal.js, which would ignore it",
         "did you mean controlsLayout?")]
    assert parse_config(text, P).reveal["slidenumber"] is True  # without reveal.js's types, nothing to go by


@pytest.mark.parametrize("margin", ["1", "1.0", "-0.01"])
def test_a_margin_of_the_whole_slide_or_less_than_none_is_refused(margin):
    assert problems(f'title = "T"\n[size]\nmargin = {margin}\n') == [
        "deck.toml:3: size.margin must be from 0 to less than 1 (reveal.js takes a fraction of the size, e.g. 0.04)"]
    assert parse_config('title = "T"\n[size]\nmargin = 0.99\n', P).margin == 0.99


@pytest.mark.parametrize("value", ["{ when = 2024-01-01 }", "[1, 2024-01-01T10:00:00]", "{ a = { b = 10:00:00 } }"])
def test_a_date_deep_in_a_reveal_option_is_refused_as_json_has_none(value):
    assert problems(f'title = "T"\n[reveal]\nfoo = {value}\n') == [
        "deck.toml:3: reveal.foo holds a date or a time, which a reveal.js option cannot (write it in quotes, as "
        'text: foo = "...")']


def test_an_unknown_key_is_likened_only_to_a_key_it_resembles():
    assert problems('title = "T"\n[size]\ndepth = 3\n') == [
        "deck.toml:3: unknown key 'size.depth' in [size] (known keys: width, height, margin)"]
