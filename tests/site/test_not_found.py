"""The 404 page: in the site's style, with a search form and the latest
public news, for every address nothing answers and every view's Http404;
files and the API keep their short answers."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.models import Article
from dateline.site import not_found
from tests.factories import (
    ArticleFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.test import Client
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from dateline.content.models import Section

# Real commits: the latest news is kept per site generation.
pytestmark = pytest.mark.django_db(transaction=True)

NOT_FOUND = [
    "/no/such/address/",  # nothing answers it
    "/no-such-section/",  # neither a section nor an agency page
    "/world/987654/",  # an article id never used
    "/world/1/extra/",
    "/topics/no-such-topic/",
    "/persons/nobody/",
    "/galleries/no-such-gallery/",
]


@pytest.fixture
def world() -> Section:
    section = SectionFactory(name="World", slug="world")
    TopicFactory(slug="talks")
    published_article(section=section, headline="Public harbour story")
    published_article(
        section=section, headline="Public older story", ago=timedelta(hours=5)
    )
    return section


@pytest.fixture
def hidden(world: Section) -> list[Article]:
    """One item of every kind no reader may see."""
    draft = ArticleFactory(section=world, headline="Hidden draft")
    submitted = ArticleFactory(
        section=world, headline="Hidden submitted", status=Article.Status.SUBMITTED
    )
    scheduled = published_article(
        section=world, headline="Hidden scheduled", ago=timedelta(hours=-1)
    )
    # An embargo is a publication time not yet reached: the same one rule.
    embargoed = published_article(
        section=world, headline="Hidden embargoed", ago=timedelta(minutes=-10)
    )
    withdrawn = published_article(section=world, headline="Hidden withdrawn")
    services.withdraw_article(article=withdrawn, actor=None, reason="Legal.")
    withheld = ArticleFactory(
        section=world,
        headline="Hidden withheld",
        status=Article.Status.PUBLISHED,
        pubstatus=Article.PubStatus.WITHHELD,
        published_at=timezone.now(),
        version=1,
    )
    return [draft, submitted, scheduled, embargoed, withdrawn, withheld]


def latest(response: Response) -> list[str]:
    doc = html.fromstring(response.content.decode())
    return doc.xpath(
        "//section[@class='not-found-latest']//a[@class='feed-headline']/text()"
    )


@pytest.mark.parametrize("url", NOT_FOUND)
def test_every_kind_of_missing_page_is_the_styled_404_with_search_and_the_news(
    client: Client, world: Section, hidden: list[Article], url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    doc = html.fromstring(response.content.decode())
    assert doc.xpath("string(//title)") == "Page not found — Meridian News Agency"
    assert doc.xpath("string(//main//h1)") == "Page not found"
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex"]
    form = doc.xpath("//main//form[@role='search']")[0]
    assert form.get("action") == "/search/"
    assert form.get("method") == "get"
    assert form.xpath(".//input[@type='search']/@name") == ["q"]
    assert form.xpath("string(.//label)") == "Search the news"
    assert latest(response) == ["Public harbour story", "Public older story"]
    # The site around it: the header's sections and the footer.
    assert doc.xpath("//nav[@class='sections-nav']//a/text()") == ["World"]
    assert doc.xpath("//footer//div[contains(@class, 'footer-sections')]//a")


def test_the_404_never_shows_an_item_a_reader_may_not_see(
    client: Client, world: Section, hidden: list[Article]
) -> None:
    text = client.get("/no-such-section/").content.decode()
    assert "Public harbour story" in text
    for item in hidden:
        assert item.headline not in text


def test_the_404_shows_the_latest_eight_items_newest_first(
    client: Client, world: Section
) -> None:
    for n in range(10):
        published_article(
            section=world, headline=f"Item {n}", ago=timedelta(minutes=10 - n)
        )
    shown = latest(client.get("/nowhere/"))
    assert len(shown) == not_found.LATEST_ITEMS == 8
    assert shown == [f"Item {n}" for n in range(9, 1, -1)]


def test_the_404s_news_is_as_fresh_as_any_page(client: Client, world: Section) -> None:
    assert latest(client.get("/nowhere/"))[0] == "Public harbour story"
    story = published_article(
        section=world, headline="Ferries resume", ago=timedelta(0)
    )
    assert latest(client.get("/nowhere/"))[0] == "Ferries resume"
    services.withdraw_article(article=story, actor=None, reason="Wrong port.")
    assert latest(client.get("/nowhere/"))[0] == "Public harbour story"


def test_the_404_costs_a_small_fixed_number_of_queries(
    client: Client, world: Section, django_assert_num_queries
) -> None:
    for n in range(20):
        published_article(section=world, headline=f"Item {n}")
    client.get("/world/")  # the header's cities, the adverts, the fragments
    # The first 404 of a generation makes its list of the latest news, and
    # the header's sections without one marked current.
    with django_assert_num_queries(2):
        assert client.get("/no/such/address/").status_code == 404
    with django_assert_num_queries(0):
        assert client.get("/no/such/address/").status_code == 404
    with django_assert_num_queries(2):  # the sections, the agency's pages
        assert client.get("/no-such-section/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/static/site/css/missing.css",
        "/static/site/img/missing.png",
        "/media/photos/missing.jpg",
    ],
)
def test_a_missing_file_keeps_a_short_answer_and_costs_no_query(
    client: Client, world: Section, url: str, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"Not found.\n"


@pytest.mark.parametrize(
    "url", ["/api/v1/nope", "/api/nope", "/api/v1/articles/987654"]
)
def test_the_api_keeps_its_own_404(client: Client, world: Section, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
