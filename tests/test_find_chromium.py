"""Which Chromium talkdeck picks: the one named, then $TALKDECK_CHROMIUM, then what is on PATH."""

from pathlib import Path

import pytest

from talkdeck.browser import ENV_VAR, HEADLESS_SHELL, find_chromium
from talkdeck.errors import DeckError


@pytest.fixture
def path_with(tmp_path, monkeypatch):
    """PATH holding only stand-in executables with the given names."""

    def make(*names: str) -> Path:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        for name in names:
            exe = folder / name
            exe.write_text("#!/bin/sh\nexit 0\n")
            exe.chmod(0o755)
        monkeypatch.setenv("PATH", str(folder))
        monkeypatch.delenv(ENV_VAR, raising=False)
        return folder

    return make


def test_the_headless_shell_comes_first_only_when_asked_for(path_with):
    folder = path_with(HEADLESS_SHELL, "chromium")
    assert find_chromium(None, headless_shell=True) == str(folder / HEADLESS_SHELL)
    assert find_chromium(None) == str(folder / "chromium")  # what the tests' own browser fixture uses


def test_without_the_shell_the_system_browser_is_used(path_with):
    folder = path_with("google-chrome")
    assert find_chromium(None, headless_shell=True) == str(folder / "google-chrome")


def test_a_named_browser_and_the_variable_win_over_the_shell(path_with, monkeypatch, tmp_path):
    path_with(HEADLESS_SHELL)
    named = tmp_path / "my-chrome"
    named.write_text("")
    named.chmod(0o755)
    assert find_chromium(named, headless_shell=True) == str(named)
    monkeypatch.setenv(ENV_VAR, str(named))
    assert find_chromium(None, headless_shell=True) == str(named)


def test_nothing_found_leaves_it_to_playwright_and_a_wrong_path_is_an_error(path_with, tmp_path):
    path_with()
    assert find_chromium(None, headless_shell=True) is None
    with pytest.raises(DeckError, match="no browser at"):
        find_chromium(tmp_path / "nowhere")


def test_a_named_file_that_is_no_program_is_an_error(path_with, monkeypatch, tmp_path):
    path_with()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a browser\n")
    with pytest.raises(DeckError, match=r"notes.txt is not a program one may run \(give the path of a Chromium"):
        find_chromium(notes)
    monkeypatch.setenv(ENV_VAR, str(notes))
    with pytest.raises(DeckError, match=f"{ENV_VAR} names a file that is not a program one may run"):
        find_chromium(None)
