"""Each of the demo's main pages at desktop and phone size: it answers, a
full-page screenshot goes to var/screenshots/ for a person to look at, it
does not scroll sideways, and axe-core finds no violation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.browser.chromium import (
    PHONE,
    SCREENS,
    Screen,
    Sideways,
    describe_violations,
    new_context,
    run_axe,
    screenshot,
    screenshot_path,
    sideways,
)
from tests.browser.pages import MARKS, PAGES

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Browser

    from tests.browser.demo_site import DemoSite

pytestmark = MARKS

EACH_PAGE_AND_SCREEN = [
    pytest.param(page, screen, id=f"{page}-{screen.name}")
    for page in PAGES
    for screen in SCREENS
]


@dataclass(frozen=True)
class Look:
    """What one load of a page in one screen showed."""

    url: str
    status: int | None
    sideways: Sideways
    screenshot: Path


@pytest.fixture(scope="module")
def look(browser: Browser, demo: DemoSite) -> Callable[[str, Screen], Look]:
    """Each page is loaded once per screen, as readers get it (CSP in
    force), measured and photographed; the tests read what it showed."""
    seen: dict[tuple[str, str], Look] = {}

    def look_at(name: str, screen: Screen) -> Look:
        if (name, screen.name) not in seen:
            # No picture from an earlier run stands in for a page that fails.
            screenshot_path(f"{name}-{screen.name}").unlink(missing_ok=True)
            url = demo.url(PAGES[name](demo))
            context = new_context(browser, screen)
            try:
                page = context.new_page()
                response = page.goto(url, wait_until="load")
                page.evaluate("document.fonts.ready.then(() => true)")
                seen[name, screen.name] = Look(
                    url=url,
                    status=response.status if response else None,
                    sideways=sideways(page, screen),
                    screenshot=screenshot(page, f"{name}-{screen.name}"),
                )
            finally:
                context.close()
        return seen[name, screen.name]

    return look_at


@pytest.mark.parametrize(("name", "screen"), EACH_PAGE_AND_SCREEN)
def test_each_page_answers_and_leaves_a_screenshot(
    look: Callable[[str, Screen], Look], name: str, screen: Screen
) -> None:
    seen = look(name, screen)
    assert seen.status == 200, seen.url
    assert seen.screenshot.stat().st_size > 10_000, seen.screenshot


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(
    look: Callable[[str, Screen], Look], name: str
) -> None:
    seen = look(name, PHONE)
    assert not seen.sideways.scrolls, (
        f"{seen.url} is {seen.sideways.scroll_width} px wide on a "
        f"{seen.sideways.inner_width} px screen; past its edge: "
        + ("; ".join(seen.sideways.offenders) or "nothing found in the page")
    )


def test_the_sideways_check_sees_one_element_too_wide(
    browser: Browser, demo: DemoSite
) -> None:
    """The check above would catch a 1000 px element on a page that fits."""
    context = new_context(browser, PHONE)
    try:
        page = context.new_page()
        page.goto(demo.url("/topics/"))
        page.evaluate(
            """() => {
              const wide = document.createElement("div");
              wide.className = "too-wide";
              wide.style.width = "1000px";
              wide.style.height = "1px";
              document.querySelector("main").append(wide);
            }"""
        )
        seen = sideways(page, PHONE)
    finally:
        context.close()
    assert seen.scrolls
    assert seen.scroll_width >= 1000
    assert any("div.too-wide" in offender for offender in seen.offenders), seen


@pytest.mark.parametrize(("name", "screen"), EACH_PAGE_AND_SCREEN)
def test_axe_finds_no_violations(
    browser: Browser, axe_source: str, demo: DemoSite, name: str, screen: Screen
) -> None:
    # axe-core is injected as an inline script, which the site's CSP
    # (script-src 'self') refuses: this context bypasses the CSP.
    context = new_context(browser, screen, bypass_csp=True)
    try:
        page = context.new_page()
        url = demo.url(PAGES[name](demo))
        page.goto(url, wait_until="load")
        violations = run_axe(page, axe_source)
    finally:
        context.close()
    assert not violations, (
        f"axe-core on {url} at {screen.width}×{screen.height}:\n"
        + describe_violations(violations)
    )
