"""Home, section, topic and person pages list public items only."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.models import Article
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom() -> dict[str, object]:
    """Two sections; one public item each plus one of every hidden kind."""
    world = SectionFactory(name="World", slug="world")
    sport = SectionFactory(name="Sport", slug="sport")
    topic, person = TopicFactory(slug="talks"), PersonFactory(slug="ines-calder")
    public = published_article(section=world, headline="Public world story")
    published_article(
        section=sport, headline="Public sport story", ago=timedelta(hours=2)
    )
    hidden = [
        ArticleFactory(section=world, headline="Hidden draft"),
        ArticleFactory(
            section=world, headline="Hidden submitted", status=Article.Status.SUBMITTED
        ),
        published_article(
            section=world, headline="Hidden scheduled", ago=timedelta(hours=-1)
        ),
        ArticleFactory(
            section=world,
            headline="Hidden withheld",
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.WITHHELD,
            published_at=timezone.now(),
            version=1,
        ),
        ArticleFactory(
            section=world,
            headline="Hidden canceled",
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.CANCELED,
            published_at=timezone.now(),
            version=1,
        ),
    ]
    for article in [public, *hidden]:
        services.set_article_tags(article=article, topics=[topic], persons=[person])
    return {"world": world, "topic": topic, "person": person}


def headlines(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [
        h.text_content().strip()
        for h in html.fromstring(response.content).xpath(
            "//main//*[@class='item-headline' or @class='feed-headline']"
        )
    ]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/news/",
        "/news/?sections=world",
        "/world/",
        "/topics/talks/",
        "/persons/ines-calder/",
    ],
)
def test_lists_show_public_items_and_nothing_else(
    client: Client, newsroom: dict[str, object], url: str
) -> None:
    shown = headlines(client, url)
    assert "Public world story" in shown
    assert not [h for h in shown if h.startswith("Hidden")]


def test_home_has_latest_news_and_a_block_per_section(
    client: Client, newsroom: dict[str, object]
) -> None:
    doc = html.fromstring(client.get("/").content)
    assert doc.xpath("string(//section[@class='home-latest']/h2)") == "News feed"
    assert [
        h.text_content() for h in doc.xpath("//section[@class='home-section']/h2")
    ] == ["World", "Sport"]
    latest = [
        h.text_content().strip()
        for h in doc.xpath("//section[@class='home-latest']//a[@class='feed-headline']")
    ]
    assert latest == ["Public world story", "Public sport story"]


@pytest.mark.parametrize(
    "url", ["/", "/world/", "/topics/talks/", "/persons/ines-calder/"]
)
def test_headings_never_skip_a_level(
    client: Client, newsroom: dict[str, object], url: str
) -> None:
    doc = html.fromstring(client.get(url).content)
    levels = [
        int(h.tag[1])
        for h in doc.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4]")
    ]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in pairwise(levels))


def test_header_links_every_section_in_order_and_back_to_the_main_page(
    client: Client, newsroom: dict[str, object]
) -> None:
    doc = html.fromstring(client.get("/world/").content)
    assert doc.xpath("//a[@class='logo']/@title") == ["Back to Main page"]
    nav = doc.xpath("//nav[@class='sections-nav']//a")
    assert [(a.text, a.get("href")) for a in nav] == [
        ("World", "/world/"),
        ("Sport", "/sport/"),
    ]
    assert nav[0].get("aria-current") == "page"


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-section/",
        "/topics/nope/",
        "/persons/nobody/",
        "/world/1/extra/",
    ],
)
def test_unknown_pages_are_a_styled_404(
    client: Client, newsroom: dict[str, object], url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_list_pages_cost_a_fixed_number_of_queries(
    client: Client, newsroom: dict[str, object], django_assert_num_queries
) -> None:
    world = newsroom["world"]
    for _ in range(5):
        published_article(section=world)
    # The header's cities and the adverts are read once, then cached.
    client.get("/world/")
    # The header's sections (which include this one) and its feed; TOP
    # STORIES are kept with the generation, as the header is.
    with django_assert_num_queries(2):
        client.get("/world/")
    with django_assert_num_queries(3):  # topic, its items, the header's sections
        client.get("/topics/talks/")


def test_reserved_paths_cannot_become_section_slugs() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SectionFactory.build(slug="newsroom").full_clean()
