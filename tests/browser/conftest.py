"""One demo site and one Chromium for all the browser tests.

Both are package-scoped: made once when the first browser test runs (the
demo takes about half a minute to load) and stopped after the last one, so
the rest of the suite runs without them, and without Playwright's event
loop (which Django's async-safety check would take for async code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.chromium import (
    AXE,
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    missing_axe,
    missing_chromium,
    new_context,
)
from tests.browser.demo_site import DemoSite, served_demo

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, BrowserContext


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip(missing_chromium())
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip(missing_axe())
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def demo(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSite]:
    """The demo agency on 127.0.0.1; asks for the browser first, so that a
    machine without Chromium skips before spending the demo's half minute."""
    with served_demo(tmp_path_factory.mktemp("browser-demo")) as site:
        yield site


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    """A desktop browser at 1366x768, with the site's CSP in force."""
    context = new_context(browser, DESKTOP)
    yield context
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A phone at 390x844 (touch, the page's viewport honoured), CSP in force."""
    context = new_context(browser, PHONE)
    yield context
    context.close()
