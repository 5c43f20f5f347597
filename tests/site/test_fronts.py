"""The fronts as a reader sees them: each story once, urgency said in words,
pictures on the section blocks, and a header that folds on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from lxml import html

from dateline.content import services
from tests.factories import PhotoFactory, SectionFactory, jpeg_bytes, published_article

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def _home(client: Client) -> html.HtmlElement:
    response = client.get("/")
    assert response.status_code == 200
    return html.fromstring(response.content)


def _texts(nodes: list[html.HtmlElement]) -> list[str]:
    return [" ".join(node.text_content().split()) for node in nodes]


def test_a_story_in_top_stories_is_not_repeated_in_its_section_block(
    client: Client,
) -> None:
    world = SectionFactory(name="World", slug="world")
    for hours in range(2, 8):
        published_article(
            section=world, headline=f"World story {hours}", ago=timedelta(hours=hours)
        )
    # Urgent, so TOP STORIES takes it (the fallback when no slot is set).
    published_article(section=world, headline="Urgent world story", urgency=2)
    page = _home(client)
    top = _texts(
        page.xpath(
            "//section[contains(@class,'top-stories')]//*[@class='item-headline']/a"
        )
    )
    block = _texts(
        page.xpath("//section[@class='home-section']//*[@class='item-headline']/a")
    )
    assert top == ["Urgent world story"]
    # The block still shows four stories: the next ones stand in.
    assert block == ["World story 2", "World story 3", "World story 4", "World story 5"]


def test_flash_and_urgent_are_labelled_in_words_not_colour_alone(
    client: Client,
) -> None:
    world = SectionFactory(name="World", slug="world")
    published_article(section=world, headline="Flash story", urgency=1)
    published_article(
        section=world, headline="Urgent story", urgency=3, ago=timedelta(hours=2)
    )
    published_article(
        section=world, headline="Routine story", urgency=5, ago=timedelta(hours=3)
    )
    page = _home(client)
    labels = {
        " ".join(h.xpath("string(a)").split()): h.xpath(
            "string(strong[@class='feed-flag'])"
        )
        for h in page.xpath("//main//*[@class='item-headline']")
    }
    assert labels == {
        "Flash story": "Flash",
        "Urgent story": "Urgent",
        "Routine story": "",
    }
    # The news feed beside says the same.
    feed = {
        " ".join(row.xpath("string(.//a[@class='feed-headline'])").split()): row.xpath(
            "string(.//strong[@class='feed-flag'])"
        )
        for row in page.xpath(
            "//section[@class='home-latest']//li[contains(@class,'feed-item')]"
        )
    }
    assert feed == labels


def test_each_section_block_leads_with_its_first_story_s_picture(
    client: Client,
) -> None:
    world = SectionFactory(name="World", slug="world")
    published_article(
        section=world, headline="World story with a photo", lead_photo=PhotoFactory()
    )
    published_article(
        section=world,
        headline="Older world story with a photo",
        lead_photo=PhotoFactory(),
        ago=timedelta(hours=2),
    )
    page = _home(client)
    (block,) = page.xpath("//section[@class='home-section']")
    pictures = block.xpath(".//img[contains(@class,'item-photo')]")
    assert len(pictures) == 1  # the lead item's only
    (first,) = block.xpath(".//li[contains(@class,'has-photo')]")
    assert "World story with a photo" in first.text_content()
    assert pictures[0].get("loading") == "lazy"  # below the fold
    assert pictures[0].get("alt") == ""  # the headline beside says it


def test_the_phone_header_folds_its_tools_behind_a_menu_that_needs_no_script(
    client: Client,
) -> None:
    SectionFactory(name="World", slug="world")
    page = _home(client)
    (toggle,) = page.xpath("//header//a[@data-menu-toggle]")
    assert toggle.get("href") == "#header-tools"  # :target opens it without JavaScript
    assert toggle.get("aria-controls") == "header-tools"
    (tools,) = page.xpath("//header//*[@id='header-tools']")
    assert tools.xpath(".//nav[@class='utility-nav']")
    assert tools.xpath(".//form[@data-converter]")
    assert tools.xpath(".//form[@role='search']")
    assert page.xpath("//script[contains(@src,'site/js/menu')]")
    # The sections stay outside it, on their own bar.
    assert not tools.xpath(".//nav[@class='sections-nav']")
    assert page.xpath("//nav[@class='sections-nav']//a/text()") == ["World"]


def test_a_section_front_s_lead_picture_asks_for_the_width_it_is_shown_at(
    client: Client,
) -> None:
    world = SectionFactory(name="World", slug="world")
    photo = services.create_photo(
        data=jpeg_bytes(1600, 900),
        name="harbour.jpg",
        alt_text="Cranes over the harbour.",
        credit="© Test Agency/Ola Fotograf",
    )
    published_article(
        section=world, headline="Urgent with a photo", urgency=2, lead_photo=photo
    )
    page = html.fromstring(client.get("/world/").content)
    (picture,) = page.xpath(
        "//div[@class='section-top']//img[@class='top-story-photo']"
    )
    assert "1280w" in picture.get("srcset", "")  # renditions up to 1280 px wide
    # Half the column beside its words, not the home page's 40rem stretched
    # across the page's whole width.
    assert picture.get("sizes", "").startswith("(min-width: 72rem) 35rem")
