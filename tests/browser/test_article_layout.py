"""The article page at 1366x768: the side column stands beside the story,
and the headline and the lead are above the fold."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.browser.chromium import DESKTOP
from tests.browser.pages import MARKS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from tests.browser.demo_site import DemoSite

pytestmark = MARKS


def box(page: Page, selector: str) -> dict[str, float]:
    """The first match's box in page coordinates, or a failure naming it."""
    element = page.locator(selector).first
    assert element.count(), f"no {selector} on {page.url}"
    found: dict[str, float] = element.evaluate(
        """(el) => {
          const r = el.getBoundingClientRect();
          return {left: r.left + scrollX, right: r.right + scrollX,
                  top: r.top + scrollY, bottom: r.bottom + scrollY,
                  width: r.width, height: r.height};
        }"""
    )
    return found


def test_the_side_column_stands_beside_the_story_at_1366(
    desktop: BrowserContext, demo: DemoSite
) -> None:
    page = desktop.new_page()
    page.goto(demo.url(demo.article))
    main, side = box(page, ".article-main"), box(page, ".article-side")
    assert side["width"] > 0, f".article-side takes no room: {side}"
    assert side["height"] > 0, f".article-side takes no room: {side}"
    assert side["left"] > main["right"], (
        f".article-side starts at x={side['left']:.0f}, not right of the story "
        f"(.article-main ends at x={main['right']:.0f})"
    )
    # Beside, not below: the two columns start on the same band of the page.
    assert side["top"] < main["bottom"], (side, main)
    assert side["right"] <= DESKTOP.width


def test_the_headline_and_the_lead_are_above_the_fold_at_1366x768(
    desktop: BrowserContext, demo: DemoSite
) -> None:
    page = desktop.new_page()
    page.goto(demo.url(demo.article))
    for selector in (".article-headline", ".article-lead"):
        bottom = box(page, selector)["bottom"]
        assert bottom <= DESKTOP.height, (
            f"{selector} ends at y={bottom:.0f}, below the fold ({DESKTOP.height})"
        )
