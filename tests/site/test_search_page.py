"""The search page: results a reader can use, and a clear answer to bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test.utils import override_settings
from lxml import html

from dateline.content import services
from dateline.search import selectors as search_selectors
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def desks() -> dict[str, Section]:
    world = SectionFactory(name="World", slug="world")
    sport = SectionFactory(name="Sport", slug="sport")
    published_article(
        section=world,
        headline="Ceasefire talks resume in Port Azul",
        lead="Envoys met for six hours.",
        body="<p>The <b>ceasefire</b> talks resumed after a week.</p>",
    )
    published_article(
        section=sport,
        headline="Club holds talks with new coach",
        ago=timedelta(days=1),
    )
    ArticleFactory(section=world, headline="Draft talks story")
    return {"world": world, "sport": sport}


def page(client: Client, **params: str) -> tuple[int, html.HtmlElement]:
    response = client.get("/search/", params)
    return response.status_code, html.fromstring(response.content)


def headlines(doc: html.HtmlElement) -> list[str]:
    return [
        h.text_content() for h in doc.xpath("//h2[@class='search-result-headline']")
    ]


def test_results_show_marked_headlines_snippets_and_counts(
    client: Client, desks: dict[str, Section]
) -> None:
    status, doc = page(client, q="talks")
    assert status == 200
    assert headlines(doc) == [
        "Ceasefire talks resume in Port Azul",
        "Club holds talks with new coach",
    ]
    first = doc.xpath("//li[@class='search-result']")[0]
    assert [m.text for m in first.xpath(".//h2//mark")] == ["talks"]
    assert doc.xpath("string(//p[contains(@class,'search-count')])").strip() == (
        "2 items found"
    )
    sections = [
        " ".join(li.text_content().split())
        for li in doc.xpath("//nav[@class='search-sections']//li")
    ]
    assert sections == ["All sections", "World 1", "Sport 1"]


def test_the_header_has_a_search_box_on_every_other_page(
    client: Client, desks: dict[str, Section]
) -> None:
    doc = html.fromstring(client.get("/news/").content)
    form = doc.xpath("//header//form[@role='search']")[0]
    assert form.get("action") == "/search/"
    assert form.xpath(".//input/@name") == ["q"]


def test_a_section_link_narrows_the_search(
    client: Client, desks: dict[str, Section]
) -> None:
    _, doc = page(client, q="talks")
    link = doc.xpath("//nav[@class='search-sections']//a[text()='Sport']/@href")[0]
    narrowed = html.fromstring(client.get(link).content)
    assert headlines(narrowed) == ["Club holds talks with new coach"]


def test_sort_by_date_and_by_relevance_links(
    client: Client, desks: dict[str, Section]
) -> None:
    status, doc = page(client, q="talks", sort="date")
    assert status == 200
    current = doc.xpath("//p[@class='search-sort']/a[@aria-current='true']/text()")
    assert current == ["date"]


def test_matching_topics_and_persons_come_first(
    client: Client, desks: dict[str, Section]
) -> None:
    TopicFactory(name="Ceasefire talks", slug="ceasefire-talks")
    PersonFactory(name="Ines Calder", slug="ines-calder")
    _, doc = page(client, q="ceasefire talks")
    names = doc.xpath("//section[@class='search-names']//a/text()")
    assert names == ["Ceasefire talks"]
    _, doc = page(client, q="calder")
    assert doc.xpath("//section[@class='search-names']//a/text()") == ["Ines Calder"]


def test_topic_and_person_filters(client: Client, desks: dict[str, Section]) -> None:
    topic = TopicFactory(slug="truce")
    article = published_article(section=desks["world"], headline="Truce talks")
    services.set_article_tags(article=article, topics=[topic], persons=[])
    status, doc = page(client, q="talks", topic="truce")
    assert status == 200
    assert headlines(doc) == ["Truce talks"]


def test_an_empty_query_shows_the_form(
    client: Client, desks: dict[str, Section]
) -> None:
    status, doc = page(client, q="")
    assert status == 200
    assert doc.xpath("//form[@role='search']//input[@name='q']")
    assert not doc.xpath("//li[@class='search-result']")


def test_nothing_found_says_so(client: Client, desks: dict[str, Section]) -> None:
    status, doc = page(client, q="zeppelin")
    assert status == 200
    assert "No items match" in doc.text_content()


def test_only_exclusions_ask_for_a_word(
    client: Client, desks: dict[str, Section]
) -> None:
    status, doc = page(client, q="-talks")
    assert status == 200
    assert "Add a word to look for" in doc.text_content()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "talks", "sort": "popularity"},
        {"q": "talks", "page": "x"},
        {"q": "talks", "page": "0"},
        {"q": "talks", "page": str(search_selectors.MAX_PAGE + 1)},
        {"q": "talks", "from": "2026-13-45"},
        {"q": "talks", "from": "2026-05-02", "to": "2026-05-01"},
        {"q": "talks", "topic": "not a slug!"},
        {"q": "x" * 100_000},
    ],
)
def test_bad_parameters_get_a_400_that_says_why(
    client: Client, desks: dict[str, Section], params: dict[str, str]
) -> None:
    status, doc = page(client, **params)
    assert status == 400
    assert doc.xpath("//div[@class='notice' and @role='alert']/p")


# Zones a day ahead of UTC and most of a day behind it.
EDGE_ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]


@pytest.mark.parametrize("zone", EDGE_ZONES)
@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "9999-12-31"},
        {"from": "0001-01-01"},
        {"to": "0001-01-01"},
        {"from": "0000-01-01"},
        {"to": "10000-01-01"},
    ],
)
def test_a_date_at_the_calendars_edge_is_a_400_that_says_why_in_any_zone(
    client: Client, desks: dict[str, Section], params: dict[str, str], zone: str
) -> None:
    with override_settings(TIME_ZONE=zone):
        for query in ({}, {"q": "talks"}):
            status, doc = page(client, **query, **params)
            assert status == 400
            (notice,) = doc.xpath("//div[@class='notice' and @role='alert']")
            if not {"0000-01-01", "10000-01-01"} & set(params.values()):  # dates
                assert "between 0001-01-02 and 9999-12-30" in notice.text_content()


@pytest.mark.parametrize("zone", EDGE_ZONES)
def test_the_first_and_last_days_a_search_takes_find_items_in_any_zone(
    client: Client, desks: dict[str, Section], zone: str
) -> None:
    with override_settings(TIME_ZONE=zone):
        status, doc = page(
            client, q="talks", **{"from": "0001-01-02", "to": "9999-12-30"}
        )
    assert status == 200
    assert len(headlines(doc)) == 2


def test_an_unknown_topic_is_a_404(client: Client, desks: dict[str, Section]) -> None:
    status, _ = page(client, q="talks", topic="no-such-topic")
    assert status == 404


def test_a_page_past_the_results_is_a_404(
    client: Client, desks: dict[str, Section]
) -> None:
    status, _ = page(client, q="talks", page="3")
    assert status == 404


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "NEAR(a b) OR OR * ^ col:x {a b}",
        "'; DROP TABLE content_article; --",
        "\x00\x01\x1f talks \u200b",
        "санкции talks 中文 العربية",
        "x" * 10_240,
    ],
)
def test_hostile_queries_give_results_or_a_message(
    client: Client, desks: dict[str, Section], text: str
) -> None:
    status, doc = page(client, q=text)
    assert status == 200
    assert doc.xpath("//p[contains(@class,'search-count')]")


def test_the_query_is_escaped_everywhere(
    client: Client, desks: dict[str, Section]
) -> None:
    response = client.get("/search/", {"q": "<script>alert(1)</script> talks"})
    assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize("window", [1000, 5])
def test_search_costs_the_same_queries_whatever_the_results(
    client: Client,
    desks: dict[str, Section],
    django_assert_max_num_queries,
    monkeypatch: pytest.MonkeyPatch,
    window: int,
) -> None:
    # With a window of 5, "talks" has more matches than it; the same cost.
    monkeypatch.setattr("dateline.search.backends.base.COUNT_AT_MOST", window)
    monkeypatch.setattr("dateline.search.backends.base.CONSIDERED", window)
    for i in range(30):
        published_article(section=desks["world"], headline=f"Talks round {i}")
    client.get("/search/", {"q": "talks"})
    # sections, total, the newest matches, their sections, the newest lead
    # and headline matches (or the page by date), keys, items, topics,
    # persons. PostgreSQL reads its window in one transaction with a planner
    # setting of its own: inside the test's transaction that is a savepoint
    # and its release, the SET LOCAL and its undoing (a request, outside any
    # transaction, sends the SET LOCAL alone).
    most = 12 if connection.vendor == "postgresql" else 10
    with django_assert_max_num_queries(most):
        client.get("/search/", {"q": "talks"})
    with django_assert_max_num_queries(most):
        client.get("/search/", {"q": "talks", "sort": "date", "page": "2"})


def test_search_pages_are_not_indexed_by_robots(
    client: Client, desks: dict[str, Section]
) -> None:
    _, doc = page(client, q="talks")
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex,follow"]
