"""The "In other media" and "Partner News" blocks on the home and article pages."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import html as lxml_html

from dateline.partners import selectors, services
from dateline.partners.models import Block
from tests.factories import published_article
from tests.partners.factories import PartnerFeedFactory, PartnerLinkFactory, fixture

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def story() -> Article:
    return published_article(headline="Harbour talks resume")


def asides(client: Client, url: str) -> dict[str, lxml_html.HtmlElement]:
    page = lxml_html.fromstring(client.get(url).content)
    return {
        aside.xpath("string(./h2)"): aside
        for aside in page.xpath("//aside[contains(@class, 'partner-links')]")
    }


def rows(aside: lxml_html.HtmlElement) -> list[tuple[str, str, str, str]]:
    return [
        (
            li.xpath("string(./a)"),
            li.xpath("string(./a/@href)"),
            li.xpath("string(./a/@rel)"),
            " ".join(li.xpath("string(.//*[@class='partner-links-meta'])").split()),
        )
        for li in aside.xpath(".//li")
    ]


def test_both_blocks_show_on_home_and_article_pages_with_outlets_and_rel(
    client: Client, story: Article
) -> None:
    PartnerLinkFactory(
        block=Block.OTHER_MEDIA,
        title="Ferry strike talks",
        url="https://www.example.com/courier/ferry",
        outlet="The Example Courier",
    )
    PartnerLinkFactory(
        block=Block.PARTNER_NEWS,
        title="Wine trail opens",
        url="https://www.example.net/vintners/trail",
        outlet="Example Vintners",
        is_sponsored=True,
    )
    for url in ["/", story.get_absolute_url()]:
        found = asides(client, url)
        assert list(found) == ["In other media", "Partner News"], url
        assert rows(found["In other media"]) == [
            (
                "Ferry strike talks",
                "https://www.example.com/courier/ferry",
                "external noopener",
                "The Example Courier",
            )
        ]
        assert rows(found["Partner News"]) == [
            (
                "Wine trail opens",
                "https://www.example.net/vintners/trail",
                "sponsored noopener",
                "Example Vintners Sponsored",
            )
        ]
        # Same tab: no target attribute anywhere in the blocks.
        assert not any(a.xpath(".//a[@target]") for a in found.values())


def test_nothing_is_rendered_when_a_block_is_empty(
    client: Client, story: Article
) -> None:
    assert asides(client, "/") == {}
    assert asides(client, story.get_absolute_url()) == {}
    PartnerLinkFactory(block=Block.PARTNER_NEWS, is_active=False)
    PartnerLinkFactory(block=Block.OTHER_MEDIA, outlet="Shown")
    # Uncommitted writes start no generation: start one, and drop the links.
    cache.clear()
    caches["pages"].clear()
    for url in ["/", story.get_absolute_url()]:
        assert list(asides(client, url)) == ["In other media"]


# Pages keep their blocks per site generation, which changes when a write
# commits: these tests commit each write, as requests do.
@pytest.mark.django_db(transaction=True)
def test_links_of_a_feed_that_was_switched_off_are_hidden(client: Client) -> None:
    feed = PartnerFeedFactory(block=Block.OTHER_MEDIA)
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"))
    assert len(rows(asides(client, "/")["In other media"])) == 3
    feed.is_active = False
    services.save_partner_feed(feed=feed)
    assert asides(client, "/") == {}


def test_pinned_links_come_first_then_the_newest_up_to_six(client: Client) -> None:
    now = timezone.now()
    for n in range(8):
        PartnerLinkFactory(title=f"Dated {n}", published_at=now - timedelta(hours=n))
    PartnerLinkFactory(
        title="Pinned second", position=2, published_at=now - timedelta(days=9)
    )
    PartnerLinkFactory(
        title="Pinned first", position=1, published_at=now - timedelta(days=9)
    )
    titles = [row[0] for row in rows(asides(client, "/")["In other media"])]
    assert titles == [
        "Pinned first",
        "Pinned second",
        "Dated 0",
        "Dated 1",
        "Dated 2",
        "Dated 3",
    ]


def test_a_story_two_feeds_carry_is_shown_once(client: Client) -> None:
    for _ in range(2):
        PartnerLinkFactory(url="https://www.example.com/same-story", title="Same")
    assert len(rows(asides(client, "/")["In other media"])) == 1


def test_titles_and_outlets_are_shown_as_text(client: Client) -> None:
    PartnerLinkFactory(title='<script>alert("t")</script>', outlet="<b>Outlet</b>")
    body = client.get("/").content.decode()
    assert "<script>alert" not in body
    assert "<b>Outlet" not in body
    # Escaped, so a reader sees the characters themselves.
    text = lxml_html.fromstring(body).text_content()
    assert '<script>alert("t")</script>' in text
    assert "<b>Outlet</b>" in text


def test_the_blocks_cost_one_query_then_none_while_cached(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    PartnerLinkFactory(block=Block.OTHER_MEDIA)
    PartnerLinkFactory(block=Block.PARTNER_NEWS, is_sponsored=True)
    url = story.get_absolute_url()
    client.get(url)  # Most read and the blocks are computed, then cached
    client.get("/")
    # The article page's one query (see tests/site), and no more.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    selectors.forget_blocks()
    caches["pages"].clear()  # a new generation: the fragments are made afresh
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    partner_queries = [q for q in cold.captured_queries if "partners_" in q["sql"]]
    assert len(partner_queries) == 1
    with CaptureQueriesContext(connection) as warm:
        client.get("/")
        client.get(url)
    assert not [q for q in warm.captured_queries if "partners_" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_a_change_shows_once_committed_not_after_the_cache_expires(
    client: Client,
) -> None:
    link = PartnerLinkFactory(title="Before")
    assert rows(asides(client, "/")["In other media"])[0][0] == "Before"
    link.title = "After"
    with transaction.atomic():
        link.save()
        # Until the change is committed, pages go on showing the kept blocks.
        assert rows(asides(client, "/")["In other media"])[0][0] == "Before"
    assert rows(asides(client, "/")["In other media"])[0][0] == "After"
    link.delete()
    assert asides(client, "/") == {}


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_brings_news_shows_it_at_once(client: Client) -> None:
    feed = PartnerFeedFactory()
    assert asides(client, "/") == {}
    services.refresh_partner_feed(feed=feed, data=fixture("atom.xml"))
    assert len(rows(asides(client, "/")["In other media"])) == 3


def test_the_blocks_still_show_when_the_cache_is_down(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    PartnerLinkFactory(title="Still here")

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert rows(asides(client, "/")["In other media"])[0][0] == "Still here"
