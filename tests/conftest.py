"""Shared fixtures: sample decks, the CLI runner, and headless Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from talkdeck.browser import FLAGS, find_chromium

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM_FLAGS = FLAGS


def chromium_path() -> str | None:
    """The browser the tests drive: the same search as talkdeck's own (--browser aside)."""
    return find_chromium(None)


@pytest.fixture
def deck_copy(tmp_path: Path):
    """Copy a fixture deck into a temporary folder, so tests may edit it."""

    def make(name: str = "basic") -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return make


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium; skipped locally without one, but never in CI."""
    path = chromium_path()
    if path is None:
        message = "no Chromium found: install it (apt-get install chromium) or set TALKDECK_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


class PageWatch:
    """Everything a page did that a deck must not do: console errors, failed and non-local requests."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("requestfailed", lambda req: self.failed.append(req.url))
        page.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "http://127.0.0.1", "about:", "blob:")):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.watch = PageWatch(page)
    try:
        yield page
    finally:
        context.close()


def open_deck(page, index: Path, fragment: str = "") -> None:
    page.goto(index.resolve().as_uri() + fragment)
    page.wait_for_function("window.Reveal && Reveal.isReady()")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that needs Chromium is a browser test (`-m browser`, `-m "not browser"`), whichever fixture
    brings it: the session's browser, a page, or the PDF tests' check that Chromium is there."""
    for item in items:
        if {"browser", "page", "chromium"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
