"""The pipeline's steps on their own: section order, timing, incremental rewrites, the section cache."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from talkdeck.builder import Builder, reveal_config, section_files, section_names
from talkdeck.errors import DeckError


def test_sections_are_ordered_by_numeric_prefix(tmp_path):
    slides = tmp_path / "slides"
    slides.mkdir()
    for name in ("10-end.md", "2-middle.md", "01-start.md", "appendix.md", "notes.txt", "05-loud.MD",
                 "07-long.markdown", "08-draft.md.txt"):
        (slides / name).write_text("## x\n")
    assert [p.name for p in section_files(tmp_path)] == [
        "01-start.md",
        "2-middle.md",
        "05-loud.MD",
        "07-long.markdown",
        "10-end.md",
        "appendix.md",
    ]


def test_hidden_files_are_skipped_and_a_broken_link_is_an_error(tmp_path):
    slides = tmp_path / "slides"
    slides.mkdir()
    (slides / "01-start.md").write_text("## x\n")
    (slides / ".02-draft.md").write_text("## not yet\n")
    (slides / ".#01-start.md").symlink_to("user@host.1234")  # how Emacs marks a file being edited
    (slides / "03-folder.md").mkdir()
    assert [p.name for p in section_files(tmp_path)] == ["01-start.md"]
    (slides / "04-gone.md").symlink_to("elsewhere.md")
    with pytest.raises(DeckError) as err:
        section_files(tmp_path)
    assert str(err.value).endswith("04-gone.md: the section is a link to a file that does not exist "
                                   "(fix the link or remove it)")


def test_section_names_drop_the_number_and_stay_unique(tmp_path):
    paths = [tmp_path / n for n in ("01-intro.md", "02-Docker Basics.md", "03-intro.md", "04-2020.md")]
    assert list(section_names(paths).values()) == ["intro", "docker-basics", "s-03-intro", "s-04-2020"]



@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["01-demo.md", "02-demo-1.md"], ["demo", "s-02-demo-1"]),  # demo's slide 1-2 would be demo-1's 2
        (["01-Intro.md", "01_intro.md", "01 intro.md"], ["intro", "s-01-intro", "s-01-intro-x2"]),
        (["01-é.md", "01-ü.md"], ["e", "u"]),  # accents dropped
        (["01-日本.md", "02-日本.md"], ["s-01", "s-02"]),  # nothing left of the name but its number
        (["01-Café Crème.md", "02-cafe-creme.md"], ["cafe-creme", "s-02-cafe-creme"]),
        (["01-Grüße aus Århus.md", "02-Øl.md"], ["grusse-aus-arhus", "ol"]),
    ],
)
def test_section_names_never_share_slide_ids(files, expected):
    assert list(section_names([Path(n) for n in files]).values()) == expected


def test_a_deck_whose_sections_hold_no_slide_is_an_error(deck_copy, tmp_path):
    deck = deck_copy()
    for section in (deck / "slides").glob("*.md"):
        section.unlink()
    (deck / "slides" / "01-front.md").write_text('+++\ntitle = "Only front matter"\n+++\n')
    (deck / "slides" / "02-blank.md").write_text("\n\n")
    with pytest.raises(DeckError) as info:
        Builder(deck, tmp_path / "out").build()
    assert str(info.value).endswith("slides/01-front.md: the deck has no slide: every section in slides/ is "
                                    "empty (write a first slide in 01-front.md, such as a line '# Fixture deck')")
    assert not (tmp_path / "out").exists()
    (deck / "slides" / "02-blank.md").write_text("# One slide\n")  # one slide is enough
    assert len(Builder(deck, tmp_path / "out").build().deck.slides) == 1


def test_no_sections_is_an_error(tmp_path):
    (tmp_path / "slides").mkdir()
    with pytest.raises(DeckError, match="no sections"):
        section_files(tmp_path)
    (tmp_path / "slides").rmdir()
    (tmp_path / "slides").write_text("# a file\n")
    with pytest.raises(DeckError, match="slides: slides is a file, not a folder"):
        section_files(tmp_path)


def test_minutes_become_reveal_timing_and_the_talk_s_total_time(deck_copy):
    deck = Builder(deck_copy()).load()
    assert [s.timing for s in deck.sections[0].slides] == [40, 40, 40]  # 2 minutes over 3 slides
    assert [s.timing for s in deck.sections[1].slides] == [60, 60, 60]
    # reveal's speaker view shows pacing only when totalTime (or defaultTiming) is set
    options = json.loads(reveal_config(deck))
    assert options["totalTime"] == 300


def test_a_section_s_seconds_add_up_exactly_in_whole_seconds(deck_copy):
    root = deck_copy()
    intro = root / "slides" / "01-intro.md"
    intro.write_text(intro.read_text().replace("minutes = 2", "minutes = 1.2"))  # 72 s over 3 slides
    (root / "slides" / "02-code.md").write_text("+++\nminutes = 0\n+++\n\n## Questions\n")
    deck = Builder(root).load()
    assert [s.timing for s in deck.sections[0].slides] == [24, 24, 24]
    assert [s.timing for s in deck.sections[1].slides] == [0]
    (root / "deck.toml").write_text('title = "T"\n')  # no talk length: the sections' total
    intro.write_text(intro.read_text().replace("minutes = 1.2", "minutes = 1.5"))  # 90 s over 3 slides
    deck = Builder(root).load()
    assert [s.timing for s in deck.sections[0].slides] == [30, 30, 30]
    assert json.loads(reveal_config(deck))["totalTime"] == 90
    html = Builder(root, root / "dist").render_page(deck)
    assert 'id="code-1" data-timing="0"' in html


def test_a_slide_s_own_data_timing_is_kept_and_the_others_share_the_rest(deck_copy):
    root = deck_copy()
    intro = root / "slides" / "01-intro.md"
    intro.write_text(intro.read_text().replace('data-background-color="#eeeeee"',
                                               'data-background-color="#eeeeee" data-timing="90"'))
    builder = Builder(root, root / "dist")
    deck = builder.load()
    assert [s.timing for s in deck.sections[0].slides] == [15, 90, 15]  # 120 s, 90 of them the slide's own
    html = builder.render_page(deck)
    assert html.count('data-timing="90"') == 1 and html.count("data-timing=") == len(deck.slides)
    for bad in ("ninety", "-5", "1.5", "", "²", "99999"):
        intro.write_text(intro.read_text().replace('data-timing="90"', f'data-timing="{bad}"'))
        with pytest.raises(DeckError) as info:
            Builder(root, root / "dist").load()
        assert str(info.value).endswith(f"slides/01-intro.md:16: data-timing={bad!r} is not a number of seconds "
                                        '(write a whole number of seconds, such as data-timing="90")')
        intro.write_text(intro.read_text().replace(f'data-timing="{bad}"', 'data-timing="90"'))


def test_odd_seconds_go_to_the_first_slides():
    from talkdeck.builder import _apply_timing
    from talkdeck.model import Section, Slide

    section = Section(path=Path("s.md"), name="s", title="", minutes=3, stacks=[[Slide(id=str(i), html="")]
                                                                               for i in range(7)])
    _apply_timing(section)
    assert [s.timing for s in section.slides] == [26, 26, 26, 26, 26, 25, 25]


def test_the_total_time_is_never_less_than_the_slides_timings(deck_copy):
    root = deck_copy()
    (root / "deck.toml").write_text('title = "T"\nminutes = 4\n')  # the sections plan 5 minutes
    assert json.loads(reveal_config(Builder(root).load()))["totalTime"] == 300


def test_deck_minutes_become_total_time_when_sections_have_none(deck_copy):
    root = deck_copy()
    for path in (root / "slides").glob("*.md"):
        path.write_text(re.sub(r"minutes = \d+\n", "", path.read_text()))
    options = json.loads(reveal_config(Builder(root).load()))
    assert options["totalTime"] == 300


def test_reveal_table_is_passed_through(deck_copy):
    root = deck_copy()
    (root / "deck.toml").write_text('title = "T"\n[reveal]\ncontrols = false\nautoSlide = 5000\n')
    options = json.loads(reveal_config(Builder(root).load()))
    assert options["controls"] is False and options["autoSlide"] == 5000 and options["hash"] is True


def test_unchanged_sections_are_not_rendered_again(deck_copy, monkeypatch):
    root = deck_copy()
    builder = Builder(root)
    first = builder.load()
    (root / "slides" / "01-intro.md").write_text("## Changed\n")
    second = builder.load()
    assert second.sections[1] is first.sections[1]
    assert second.sections[0] is not first.sections[0]
    assert second.sections[0].slides[0].title == "Changed"


def test_a_pane_file_change_renders_its_section_again(deck_copy):
    root = deck_copy()
    builder = Builder(root)
    builder.load()
    (root / "code" / "sample.py").write_text("# region body\nprint('new')\nx = 1\n# endregion body\n")
    deck = builder.load()
    assert "print(&#x27;new&#x27;)" in deck.sections[1].slides[1].html


def test_incremental_build_rewrites_only_what_changed(deck_copy, tmp_path):
    root = deck_copy()
    out = tmp_path / "out"
    builder = Builder(root, out, incremental=True)
    builder.build()
    reveal_inode = (out / "reveal" / "reveal.js").stat().st_ino
    index_inode = (out / "index.html").stat().st_ino
    (root / "slides" / "01-intro.md").write_text("## Only this\n")
    builder.build()
    assert "Only this" in (out / "index.html").read_text()
    assert (out / "index.html").stat().st_ino != index_inode  # replaced by rename, never rewritten in place
    assert (out / "reveal" / "reveal.js").stat().st_ino == reveal_inode
    # the image is no longer used: it goes one build later, as a page served before may still ask for it
    assert (out / "img" / "square.svg").exists()
    (root / "slides" / "01-intro.md").write_text("## Only that\n")
    builder.build()
    assert not (out / "img" / "square.svg").exists()
    assert not [p for p in out.rglob(".*part*")]


def test_a_failed_rebuild_leaves_the_output_alone(deck_copy, tmp_path):
    root = deck_copy()
    out = tmp_path / "out"
    builder = Builder(root, out, incremental=True)
    builder.build()
    before = (out / "index.html").read_text()
    (root / "slides" / "01-intro.md").write_text("```\nunclosed\n")
    with pytest.raises(DeckError):
        builder.build()
    assert (out / "index.html").read_text() == before


def test_forget_makes_the_next_build_read_a_file_again(deck_copy, tmp_path):
    root = deck_copy()
    builder = Builder(root, tmp_path / "out", incremental=True)
    builder.build()
    intro = root / "slides" / "01-intro.md"
    stamp = intro.stat()
    text = intro.read_text()
    intro.write_text(text.replace("Fixture deck", "Fixture dock"))  # same size
    import os

    os.utime(intro, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time: looks unchanged
    assert "Fixture deck" in builder.load().sections[0].slides[0].html
    builder.forget([intro])
    assert "Fixture dock" in builder.load().sections[0].slides[0].html


def test_an_asset_edited_within_the_same_second_is_copied_again(tmp_path):
    import os

    from talkdeck.assets import copy_file

    source, first, second = tmp_path / "a.txt", tmp_path / "out1" / "a.txt", tmp_path / "out2" / "a.txt"
    source.write_text("AAAA")
    os.utime(source, ns=(1_700_000_000_100_000_000,) * 2)
    copy_file(source, first)
    source.write_text("BBBB")  # same size, same whole second, other nanoseconds
    os.utime(source, ns=(1_700_000_000_900_000_000,) * 2)
    copy_file(source, second, previous=first)
    assert second.read_text() == "BBBB"
    copy_file(source, tmp_path / "out3" / "a.txt", previous=second)  # unchanged: shared with the last build
    assert (tmp_path / "out3" / "a.txt").stat().st_ino == second.stat().st_ino


def test_a_template_cache_that_cannot_be_written_does_not_fail_the_build(deck_copy, monkeypatch, tmp_path):
    import jinja2

    def refuse(self, bucket):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "load_bytecode", refuse)
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", refuse)
    result = Builder(deck_copy(), tmp_path / "out").build()
    assert (tmp_path / "out" / "index.html").is_file() and result.deck.slides


def test_a_swap_that_fails_halfway_puts_the_last_good_output_back(tmp_path, monkeypatch):
    from talkdeck import builder

    output, new = tmp_path / "dist", tmp_path / ".dist.tmp"
    output.mkdir()
    (output / "index.html").write_text("last good")
    new.mkdir()
    (new / "index.html").write_text("new")
    rename = os.rename

    def second_rename_fails(source, target):
        if Path(source) == new:
            raise OSError(28, "No space left on device")
        rename(source, target)

    monkeypatch.setattr(builder.os, "rename", second_rename_fails)
    with pytest.raises(OSError):
        builder.swap(new, output)
    assert (output / "index.html").read_text() == "last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.tmp", "dist"]  # no .dist.old-PID left


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGINT"])
def test_kill_or_ctrl_c_during_a_swap_waits_until_it_is_done(deck_copy, monkeypatch, signum):
    import signal

    from talkdeck import builder
    from talkdeck.entry import stop_on_signals

    deck = deck_copy()
    Builder(deck).build()
    (deck / "slides" / "01-intro.md").write_text("## Rebuilt\n")
    rename = os.rename

    def signalled_rename(source, target):  # the signal lands between the two renames
        rename(source, target)
        if Path(target).name.startswith(".dist.old-"):
            os.kill(os.getpid(), getattr(signal, signum))

    monkeypatch.setattr(builder.os, "rename", signalled_rename)
    with stop_on_signals(), pytest.raises(KeyboardInterrupt):
        Builder(deck).build()
    assert "Rebuilt" in (deck / "dist" / "index.html").read_text()  # the swap went through, then it stopped
    assert not [p.name for p in deck.iterdir() if p.name.startswith(".dist")]


def test_the_build_command_stops_on_kill_as_on_ctrl_c_keeping_the_last_good_deck(deck_copy, monkeypatch):
    import signal

    from click.testing import CliRunner

    from talkdeck import builder
    from talkdeck.cli import main

    deck = deck_copy()
    Builder(deck).build()
    before = (deck / "dist" / "index.html").read_text()
    (deck / "slides" / "01-intro.md").write_text("## Rebuilt\n")
    put = builder._put

    def killed_while_writing(*args):
        os.kill(os.getpid(), signal.SIGTERM)  # `kill`, or SIGHUP from a closed terminal
        put(*args)

    monkeypatch.setattr(builder, "_put", killed_while_writing)
    unhandled = []  # a SIGTERM the command let through lands here, not on pytest
    previous = signal.signal(signal.SIGTERM, lambda *_: unhandled.append(1))
    try:
        result = CliRunner().invoke(main, ["build", str(deck)])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not unhandled
    assert result.exit_code == 1 and "Aborted!" in result.output
    assert (deck / "dist" / "index.html").read_text() == before
    assert not [p.name for p in deck.iterdir() if p.name.startswith(".dist")]


def test_ctrl_c_just_as_the_temporary_output_is_made_leaves_nothing_behind(deck_copy, monkeypatch, tmp_path):
    import signal

    from talkdeck.entry import stop_on_signals

    deck = deck_copy()
    make = Path.mkdir

    def signalled_mkdir(self, *args, **kwargs):  # Ctrl-C lands as the temporary output folder is made
        make(self, *args, **kwargs)
        if self.name.startswith(".out.tmp"):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between two bytecodes of this thread
                pass

    monkeypatch.setattr(Path, "mkdir", signalled_mkdir)
    with stop_on_signals(), pytest.raises(KeyboardInterrupt):
        Builder(deck, tmp_path / "out").build()
    assert [p.name for p in tmp_path.iterdir()] == [deck.name]


def test_files_the_deck_s_own_templates_name_go_into_the_output(deck_copy, tmp_path):
    from talkdeck.check import run_check

    deck = deck_copy()
    (deck / "theme").mkdir()
    (deck / "theme" / "custom.css").write_text("body { background: url(../img/paper.png); }\n")
    for name in ("logo.svg", "paper.png"):
        (deck / "img" / name).write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (deck / "templates").mkdir()
    head = deck / "templates" / "extra_head.html.j2"
    head.write_text('<link rel="stylesheet"\n      href="theme/custom.css">\n'  # a tag over two lines
                    "<style>.reveal { background: url('img/logo.svg'); }</style>\n"
                    '<script src="reveal/plugin/zoom.js"></script>\n'  # one of reveal.js's own files
                    '{# <img src="img/old-logo.png"> #} <!-- <img src="img/older.png"> -->\n'
                    "<script>const here = new URL(window.location.href);</script>\n"
                    '<link rel="icon" href="{{ "img/" ~ "logo.svg" }}">\n'
                    '<a href="notes/none.html">a link</a>\n'
                    '<script src="js/missing.js"></script>\n')
    (deck / "templates" / "extra_head.html.j2~").write_text('<img src="img/gone.png">\n')  # an editor's backup
    out = tmp_path / "out"
    deck_model = Builder(deck, out).build().deck
    for rel in ("theme/custom.css", "img/paper.png", "img/logo.svg", "reveal/plugin/zoom.js"):
        assert (out / rel).is_file(), rel
    assert {deck / "theme" / "custom.css", deck / "img" / "paper.png"} <= deck_model.dependencies  # serve watches
    # what is not there is check's to report, at the template's line: the build goes on
    findings = [f for f in run_check(deck, use_browser=False).findings if f.kind == "missing"]
    assert [(f.file, f.line) for f in findings] == [("templates/extra_head.html.j2", 9)], findings


def test_the_parallax_background_image_of_the_reveal_options_goes_into_the_output(deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "img" / "sky.png").write_bytes(b"x")
    (deck / "deck.toml").write_text((deck / "deck.toml").read_text() + '\n[reveal]\n'
                                    'parallaxBackgroundImage = "img/sky.png"\n')
    Builder(deck, tmp_path / "out").build()
    assert (tmp_path / "out" / "img" / "sky.png").read_bytes() == b"x"


def test_a_template_reads_deck_toml_s_values_as_deck_title_as_markdown_does(deck_copy, tmp_path):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "extra_head.html.j2").write_text(
        '<meta name="talk" content="{{ deck.title }} by {{ deck.author }}, {{ deck.minutes }} min">\n')
    config = deck / "deck.toml"
    config.write_text('title = "Ships & Boxes"\nauthor = "Ada"\nminutes = 25\n')
    html = Builder(deck, tmp_path / "out").build().output.joinpath("index.html").read_text()
    assert '<meta name="talk" content="Ships &amp; Boxes by Ada, 25 min">' in html
    config.write_text('title = "Ships"\n')  # unset values are empty, as {{ deck.minutes }} in Markdown
    html = Builder(deck, tmp_path / "out").build().output.joinpath("index.html").read_text()
    assert '<meta name="talk" content="Ships by ,  min">' in html


def test_a_copy_of_talkdeck_s_page_template_and_reveal_js_s_own_files_build(deck_copy, tmp_path):
    # the README suggests starting a deck's template from a copy of talkdeck's, which links reveal/reset.css
    from talkdeck.assets import PACKAGE_DIR

    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "deck.html.j2").write_text((PACKAGE_DIR / "templates" / "deck.html.j2").read_text())
    (deck / "templates" / "extra_head.html.j2").write_text(
        '<link rel="stylesheet" href="reveal/theme/black.css">\n<link rel="stylesheet" href="css/more.css">\n'
        '<script src="reveal/x%00.js"></script>\n')
    (deck / "css").mkdir()
    (deck / "css" / "more.css").write_text('@import "extra.css";\n')
    (deck / "css" / "extra.css").write_text("h1 { background: url(../img/sky.png); }\n")
    (deck / "img" / "sky.png").write_bytes(b"x")
    (deck / "reveal").mkdir()  # a folder of the deck that happens to be called reveal/
    (deck / "reveal" / "demo.png").write_bytes(b"demo")
    intro = deck / "slides" / "01-intro.md"
    intro.write_text(intro.read_text() + "\n---\n\n![demo](reveal/demo.png)\n")
    out = tmp_path / "out"
    Builder(deck, out).build()
    assert (out / "reveal" / "theme" / "black.css").is_file()
    assert (out / "css" / "extra.css").is_file() and (out / "img" / "sky.png").is_file()  # @import followed
    assert (out / "reveal" / "demo.png").read_bytes() == b"demo"  # the deck's own file


def test_a_template_s_own_reveal_file_is_watched_and_what_the_build_writes_is_not_taken(deck_copy):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "extra_head.html.j2").write_text(
        '<link rel="stylesheet" href="reveal/custom.css">\n<img src="dist/index.html" alt="">\n')
    (deck / "reveal").mkdir()
    (deck / "reveal" / "custom.css").write_text("h1 {}\n")
    Builder(deck).build()
    loaded = Builder(deck).load()  # with dist/ there now
    assert "dist/index.html" not in loaded.template_files
    assert deck / "reveal" / "custom.css" in loaded.dependencies


def test_each_background_a_template_lists_goes_into_the_output(deck_copy, tmp_path):
    # reveal.js 6 takes several images, or several video sources, between commas
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "extra_head.html.j2").write_text(
        '<section data-background-image="img/sky.svg, img/sea.svg" data-background-video="v/a.webm,v/b.mp4">'
        "</section>\n")
    for name in ("img/sky.svg", "img/sea.svg", "v/a.webm", "v/b.mp4"):
        (deck / name).parent.mkdir(exist_ok=True)
        (deck / name).write_text("x")
    assert {"img/sky.svg", "img/sea.svg", "v/a.webm", "v/b.mp4"} <= Builder(deck).load().template_files


def test_a_file_a_template_names_that_is_not_there_yet_is_awaited(deck_copy):
    deck = deck_copy()
    (deck / "templates").mkdir()
    (deck / "templates" / "extra_head.html.j2").write_text('<link rel="stylesheet" href="css/theme.css">\n'
                                                           '<a href="docs/later.pdf">later</a>\n')
    loaded = Builder(deck).load()
    assert loaded.awaited == {deck / "css" / "theme.css"}  # serve watches for it; a link is no load


def test_a_section_renamed_by_a_new_section_gets_the_ids_a_fresh_build_gives(deck_copy, tmp_path):
    root = deck_copy()
    for section in (root / "slides").glob("*.md"):
        section.unlink()
    (root / "slides" / "01-demo-1.md").write_text("## One\n\n---\n\n## Two\n")
    builder = Builder(root, tmp_path / "out", incremental=True)
    assert [s.id for s in builder.build().deck.sections[0].slides] == ["demo-1-1", "demo-1-2"]
    (root / "slides" / "02-demo.md").write_text("## Three\n")  # demo's slide 1-2 would be demo-1's 2
    ids = [s.id for s in builder.build().deck.sections[0].slides]
    assert ids == [s.id for s in Builder(root).load().sections[0].slides]
    assert ids == ["s-01-demo-1-1", "s-01-demo-1-2"]


def test_a_new_title_in_deck_toml_shows_on_a_slide_that_names_it(deck_copy, tmp_path):
    root = deck_copy()
    (root / "slides" / "01-intro.md").write_text("## {{ deck.title }}\n")
    builder = Builder(root, tmp_path / "out", incremental=True)
    assert "Fixture deck" in builder.build().deck.slides[0].html
    (root / "deck.toml").write_text('title = "Renamed talk"\n')
    assert "Renamed talk" in builder.build().deck.slides[0].html


def test_forget_of_a_new_file_renders_again_a_section_that_read_its_folder(deck_copy, tmp_path):
    root = deck_copy("layers-deck")
    builder = Builder(root, tmp_path / "out", incremental=True)
    first = builder.build().deck.sections[0]
    context = root / "app"
    assert context in first.dependencies  # the explainer read the folder whole: what COPY finds in it
    before = context.stat()
    (context / "config.py").write_text("DEBUG = True\n")
    os.utime(context, ns=(before.st_atime_ns, before.st_mtime_ns))  # the folder looks unchanged
    assert builder.load().sections[0] is first
    builder.forget([context / "config.py"])
    assert builder.build().deck.sections[0] is not first


def test_forget_of_a_new_page_template_makes_the_next_build_use_it(deck_copy, tmp_path):
    root = deck_copy()
    out = tmp_path / "out"
    builder = Builder(root, out, incremental=True)
    builder.build()
    page = root / "templates" / "deck.html.j2"
    page.parent.mkdir()
    page.write_text('{% extends "talkdeck/deck.html.j2" %}\n'
                    "{% block styles %}{{ super() }}<!-- MINE -->{% endblock %}\n")
    builder.forget([page])
    builder.build()
    assert "<!-- MINE -->" in (out / "index.html").read_text()


def test_an_output_folder_that_holds_the_deck_is_refused_even_with_talkdeck_s_marker(deck_copy, tmp_path):
    from talkdeck.builder import MARKER

    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("built by talkdeck\n")  # as if a build had gone there before
    root = deck_copy().rename(out / "deck")
    (root / "slides" / "02-code.md").unlink()  # its code pane in the output folder would be refused too
    with pytest.raises(DeckError) as info:
        Builder(root, out).build()
    assert str(info.value).endswith("out: the output folder contains the deck's sources "
                                    "(choose another folder, e.g. the default dist/)")
    assert (root / "deck.toml").is_file()


def test_an_incremental_build_puts_back_a_file_deleted_from_the_output(deck_copy, tmp_path):
    out = tmp_path / "out"
    builder = Builder(deck_copy(), out, incremental=True)
    builder.build()
    (out / "talkdeck" / "talkdeck.css").unlink()
    builder.build()  # nothing changed in the deck
    assert (out / "talkdeck" / "talkdeck.css").is_file()


def test_a_file_outside_the_output_folder_is_never_written(deck_copy, tmp_path):
    root = deck_copy()
    builder = Builder(root, tmp_path / "out")
    deck = builder.load()
    deck.template_files = {"../escape.txt"}
    with pytest.raises(DeckError) as info:
        builder.plan(deck, "<html></html>", tmp_path / "reveal")
    assert str(info.value) == "refusing to write ../escape.txt outside the output folder"
