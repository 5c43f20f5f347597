"""The gallery's slideshow from the keyboard.

The contract the slideshow keeps: the current photo is inside
``[data-slideshow]``, previous and next are ``a[rel=prev]`` and
``a[rel=next]`` (each photo has its own address, so it works without
JavaScript), the position reads "Photo 2 of N" in ``.gallery-position``;
ArrowRight shows the next photo at ``/galleries/<slug>/2/`` and ArrowLeft
goes back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from tests.browser.pages import MARKS

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from tests.browser.demo_site import DemoSite

pytestmark = MARKS


def shown_photo(page: Page) -> str | None:
    """The address of the picture the slideshow shows."""
    photo = page.locator("[data-slideshow] img").first
    expect(photo).to_be_visible()
    source: str | None = photo.evaluate("(img) => img.currentSrc || img.src")
    return source


def test_the_arrow_keys_walk_through_the_gallery(
    desktop: BrowserContext, demo: DemoSite
) -> None:
    assert demo.gallery_photos >= 3, "the demo's gallery has photos to walk"
    first_url = demo.url(demo.gallery)
    second = f"{demo.gallery}2/"
    page = desktop.new_page()
    page.goto(first_url)

    slideshow = page.locator("[data-slideshow]")
    position = page.locator(".gallery-position").first
    expect(slideshow).to_have_count(1)
    expect(position).to_have_text(
        re.compile(rf"^\s*Photo 1 of {demo.gallery_photos}\s*$")
    )
    expect(page.locator("a[rel=next]").first).to_have_attribute(
        "href", re.compile(rf"{re.escape(second)}$")
    )
    first_photo = shown_photo(page)

    # The reader's keys go to the slideshow where it takes focus, else to
    # the page: either may listen.
    slideshow.evaluate("(el) => el.focus()")
    page.keyboard.press("ArrowRight")
    page.wait_for_url(demo.url(second))
    expect(position).to_have_text(
        re.compile(rf"^\s*Photo 2 of {demo.gallery_photos}\s*$")
    )
    assert shown_photo(page) != first_photo, "ArrowRight showed another photo"
    expect(page.locator("a[rel=prev]").first).to_be_visible()

    slideshow.evaluate("(el) => el.focus()")
    page.keyboard.press("ArrowLeft")
    page.wait_for_url(re.compile(rf"^{re.escape(first_url)}(1/)?$"))
    expect(position).to_have_text(
        re.compile(rf"^\s*Photo 1 of {demo.gallery_photos}\s*$")
    )
    assert shown_photo(page) == first_photo, "ArrowLeft went back to the first"
