"""Fixtures for the real-browser tests. They never skip: a missing chromium or a missing built site fails
the test with a message saying what to do (`make test` installs chromium and builds the site first).

These tests carry the `browser` marker and are deselected by default (see pyproject addopts); run them
with `pytest -m browser` after `make book`, or via `make test`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lmp_helpers.paths import PROJECT_ROOT

from .harness import Browser, chromium_path, serve

SITE_DIR = Path(os.environ.get("LMP_SITE_DIR", PROJECT_ROOT / "_build" / "html"))
OUTPUT_DIR = Path(os.environ.get("LMP_TEST_OUTPUT", PROJECT_ROOT / "test-output"))


@pytest.fixture(scope="session")
def chromium_exe() -> str:
    exe = chromium_path()
    if exe is None:
        pytest.fail(
            "chromium not found (looked for $LMP_CHROMIUM, /usr/bin/chromium, chromium on PATH); "
            "run scripts/ensure-chromium.sh (apt-get install chromium)",
            pytrace=False,
        )
    return exe


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def open_browser(playwright_instance, chromium_exe, tmp_path_factory):
    """Factory: a fresh-profile chromium bound to one local base URL; closed at session end."""
    opened: list[Browser] = []

    def _open(base_url: str) -> Browser:
        profile = tmp_path_factory.mktemp("chromium-profile")
        browser = Browser(playwright_instance, profile, base_url, chromium_exe)
        opened.append(browser)
        return browser

    yield _open
    for browser in opened:
        browser.close()


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"no built site at {SITE_DIR} (index.html missing); run `make book` first", pytrace=False)
    return SITE_DIR


@pytest.fixture(scope="session")
def site_url(site_dir: Path):
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def site_browser(open_browser, site_url) -> Browser:
    return open_browser(site_url)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR
