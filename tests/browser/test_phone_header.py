"""The header on a 390x844 phone: every section in the bar can be reached
(the bar scrolls sideways, the page does not), and the header's tools are
folded behind "Menu"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.chromium import PHONE
from tests.browser.pages import MARKS, PAGES

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from tests.browser.demo_site import DemoSite

pytestmark = MARKS

# A swipe drags the bar by this much; a link further than this many swipes
# away cannot be reached.
SWIPE = 120
SWIPES = 12


class Finger:
    """A reader's finger on a touch screen: drags that scroll what is under
    them, as a swipe does (Chromium's own touch events, so the bar's scroll
    snapping applies)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.page = page
        self.cdp = context.new_cdp_session(page)

    def drag(self, x: float, y: float, dx: float) -> None:
        """Drag from (x, y) by dx (negative: to the left), then wait for the
        scrolling (and its snap) to settle."""
        touch = self.cdp.send
        touch("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})  # fmt: skip
        for step in range(1, 9):
            point = {"x": x + dx * step / 8, "y": y}
            touch("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})  # fmt: skip
        touch("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        self.page.evaluate(
            """() => new Promise((settled) => {
              const bar = document.querySelector("nav.sections-nav ul");
              let last = bar.scrollLeft;
              const check = () => setTimeout(() => {
                if (bar.scrollLeft === last) settled(true);
                else { last = bar.scrollLeft; check(); }
              }, 120);
              check();
            })"""
        )


@pytest.mark.parametrize("name", ["home", "section"])
def test_every_section_link_can_be_reached_on_a_phone(
    phone: BrowserContext, demo: DemoSite, name: str
) -> None:
    page = phone.new_page()
    page.goto(demo.url(PAGES[name](demo)))
    links = page.locator("nav.sections-nav a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    missing = [path for path in demo.sections if path not in hrefs]
    assert not missing, f"the sections bar has no link to {missing}"
    bar = page.locator("nav.sections-nav ul").bounding_box()
    assert bar is not None
    finger = Finger(phone, page)
    middle = (bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
    for index, href in enumerate(hrefs):
        link = links.nth(index)
        # Swipe the bar until the link is wholly on the screen.
        for _ in range(SWIPES):
            where = link.bounding_box()
            assert where is not None, f"{href} is not displayed"
            left, right = where["x"], where["x"] + where["width"]
            if 0 <= left <= right <= PHONE.width:
                break
            finger.drag(*middle, dx=-SWIPE if right > PHONE.width else SWIPE)
        assert 0 <= left <= right <= PHONE.width, (
            f"{href} lies at x={left:.0f}–{right:.0f} after {SWIPES} swipes of "
            f"the sections bar: it cannot be brought onto the {PHONE.width} px screen"
        )
        assert bar["x"] <= left <= right <= bar["x"] + bar["width"], (
            f"{href} lies at x={left:.0f}–{right:.0f}, outside its bar"
        )
        assert page.evaluate("window.scrollX") == 0, (
            f"reaching {href} scrolled the page sideways, not the bar"
        )
        expect(link).to_be_visible()
        # Playwright's own checks before a click: visible, steady, enabled,
        # and the link itself (nothing over it) receives the click.
        link.click(trial=True, timeout=5_000)


def test_the_header_tools_fold_behind_menu_on_a_phone(
    phone: BrowserContext, demo: DemoSite
) -> None:
    page = phone.new_page()
    page.goto(demo.url("/"))
    toggle = page.locator("a[data-menu-toggle]")
    tools = page.locator("#header-tools")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-controls", "header-tools")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(tools).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(tools).to_be_visible()

    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(tools).to_be_hidden()
    expect(toggle).to_be_focused()
