"""Sitemaps and robots.txt, validated with the sitemaps.org and Google XSDs in
../shared/standards/sitemaps/ through a small wrapper schema of our own."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core.cache import cache
from lxml import etree

from dateline.content import services
from dateline.content.models import Article
from tests.factories import (
    ArticleFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Section

pytestmark = pytest.mark.django_db

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}
WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:import namespace="http://www.sitemaps.org/schemas/sitemap/0.9" schemaLocation="sitemap.xsd"/>
  <xsd:import namespace="http://www.google.com/schemas/sitemap-news/0.9" schemaLocation="sitemap-news.xsd"/>
  <xsd:import namespace="http://www.google.com/schemas/sitemap-image/1.1" schemaLocation="sitemap-image.xsd"/>
</xsd:schema>
"""
# Mid-month, so that items a few days old share the month.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def schemas(standards_dir: str) -> tuple[etree.XMLSchema, etree.XMLSchema]:
    folder = os.path.join(standards_dir, "sitemaps") + os.sep
    urlset = etree.XMLSchema(etree.fromstring(WRAPPER.encode(), base_url=folder))
    index = etree.XMLSchema(etree.parse(os.path.join(folder, "siteindex.xsd")))
    return urlset, index


@pytest.fixture(autouse=True)
def _fixed_time() -> object:
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world() -> Section:
    return SectionFactory(name="World", slug="world")


def fetch(client: Client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return response.status_code, body


def document(client: Client, url: str, schema: etree.XMLSchema) -> etree._Element:
    status, body = fetch(client, url)
    assert status == 200, url
    root = etree.fromstring(body)
    schema.assertValid(root)
    return root


def locs(root: etree._Element) -> list[str]:
    return [str(loc) for loc in root.xpath("//s:loc/text()", namespaces=NS)]


def test_the_index_lists_every_file_and_each_validates(
    client: Client, world: Section, schemas
) -> None:
    urlset, index = schemas
    published_article(section=world, headline="June story", ago=timedelta(days=2))
    published_article(section=world, headline="April story", ago=timedelta(days=60))
    TopicFactory(slug="quotas")
    root = document(client, "/sitemap.xml", index)
    files = locs(root)
    assert files == [
        "http://testserver/sitemaps/pages.xml",
        "http://testserver/sitemaps/news.xml",
        "http://testserver/sitemaps/tags-1.xml",
        "http://testserver/sitemaps/items-2026-06.xml",
        "http://testserver/sitemaps/items-2026-04.xml",
    ]
    for url in files:
        document(client, url.removeprefix("http://testserver"), urlset)


def test_a_monthly_sitemap_holds_the_months_public_items_with_photos(
    client: Client, world: Section, schemas
) -> None:
    urlset, _ = schemas
    june = published_article(
        section=world, headline="June", ago=timedelta(days=3), lead_photo=PhotoFactory()
    )
    published_article(section=world, headline="May", ago=timedelta(days=40))
    root = document(client, "/sitemaps/items-2026-06.xml", urlset)
    assert locs(root) == [f"http://testserver{june.get_absolute_url()}"]
    (image,) = root.xpath("//image:image/image:loc/text()", namespaces=NS)
    assert image.startswith("http://testserver/")
    (lastmod,) = root.xpath("//s:lastmod/text()", namespaces=NS)
    assert lastmod.endswith("Z")


def test_the_news_sitemap_holds_the_last_two_days_newest_first(
    client: Client, world: Section, schemas, monkeypatch: pytest.MonkeyPatch
) -> None:
    urlset, _ = schemas
    old = published_article(
        section=world, headline="Three days old", ago=timedelta(days=3)
    )
    items = [
        published_article(
            section=world, headline=f"Fresh <{n}> & new", ago=timedelta(hours=n + 1)
        )
        for n in range(4)
    ]
    root = document(client, "/sitemaps/news.xml", urlset)
    found = locs(root)
    assert found == [f"http://testserver{a.get_absolute_url()}" for a in items]
    assert f"http://testserver{old.get_absolute_url()}" not in found
    titles = root.xpath("//news:title/text()", namespaces=NS)
    assert titles[0] == "Fresh <0> & new"
    assert root.xpath("//news:language/text()", namespaces=NS)[0] == "en"
    monkeypatch.setattr("dateline.syndication.sitemaps.NEWS_AT_MOST", 2)
    assert len(locs(document(client, "/sitemaps/news.xml", urlset))) == 2


def test_hidden_items_are_never_listed_and_a_withdrawn_one_leaves_at_once(
    client: Client, world: Section, schemas, chief
) -> None:
    urlset, _ = schemas
    shown = published_article(section=world, headline="Shown", ago=timedelta(hours=3))
    gone = published_article(
        section=world, headline="Withdrawn", ago=timedelta(hours=2)
    )
    ArticleFactory(section=world, headline="Draft")
    published_article(section=world, headline="Scheduled", ago=-timedelta(hours=2))
    withheld = published_article(
        section=world, headline="Withheld", ago=timedelta(hours=1)
    )
    Article.objects.filter(pk=withheld.pk).update(pubstatus=Article.PubStatus.WITHHELD)
    before = locs(document(client, "/sitemaps/news.xml", urlset))
    assert len(before) == 2
    services.withdraw_article(article=gone, actor=chief, reason="Legal")
    expected = [f"http://testserver{shown.get_absolute_url()}"]
    for url in ["/sitemaps/news.xml", "/sitemaps/items-2026-06.xml"]:
        assert locs(document(client, url, urlset)) == expected, url


def test_a_month_of_more_than_a_files_worth_is_split(
    client: Client, world: Section, schemas, monkeypatch: pytest.MonkeyPatch
) -> None:
    urlset, index = schemas
    monkeypatch.setattr("dateline.syndication.sitemaps.URLS_PER_FILE", 3)
    items = [
        published_article(
            section=world, headline=f"Item {n}", ago=timedelta(days=5, hours=-n)
        )
        for n in range(5)
    ]
    files = locs(document(client, "/sitemap.xml", index))
    assert files[-2:] == [
        "http://testserver/sitemaps/items-2026-06.xml",
        "http://testserver/sitemaps/items-2026-06-2.xml",
    ]
    first = locs(document(client, "/sitemaps/items-2026-06.xml", urlset))
    second = locs(document(client, "/sitemaps/items-2026-06-2.xml", urlset))
    assert first + second == [f"http://testserver{a.get_absolute_url()}" for a in items]
    assert fetch(client, "/sitemaps/items-2026-06-3.xml")[0] == 404


@pytest.mark.parametrize(
    "url",
    [
        "/sitemaps/items-2026-13.xml",
        "/sitemaps/items-2026-00.xml",
        "/sitemaps/items-2020-01.xml",
        "/sitemaps/items-2027-01.xml",
        "/sitemaps/items-0000-01.xml",
        "/sitemaps/items-0001-01.xml",
        "/sitemaps/items-9999-12.xml",
        "/sitemaps/items-1900-01.xml",
        "/sitemaps/items-2026-06-2.xml",
        "/sitemaps/items-2026-06-1.xml",
        "/sitemaps/items-26-06.xml",
        "/sitemaps/tags-2.xml",
        "/sitemaps/tags-0.xml",
        "/sitemaps/other.xml",
        "/sitemaps/items-2026-06.xml.gz",
    ],
)
def test_out_of_range_and_unknown_sitemaps_are_a_404(
    client: Client, world: Section, url: str
) -> None:
    published_article(section=world, headline="June", ago=timedelta(days=1))
    assert fetch(client, url)[0] == 404


def test_robots_txt_names_the_sitemaps_and_keeps_robots_out_of_the_newsroom(
    client: Client,
) -> None:
    status, body = fetch(client, "/robots.txt")
    assert status == 200
    lines = body.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemaps/news.xml" in lines
    assert "Disallow: /newsroom/" in lines
    assert "Disallow: /preview/" in lines


@pytest.mark.parametrize(
    "name", ["/sitemap.xml", "/sitemaps/pages.xml", "/sitemaps/news.xml", "month"]
)
def test_a_database_failing_mid_sitemap_is_a_503_never_a_200_cut_off(
    client: Client, world: Section, name: str
) -> None:
    from django.db import OperationalError, connection

    article = published_article(section=world, headline="Harbour talks resume")
    TopicFactory(name="Ports", slug="ports")
    if name == "month":
        name = f"/sitemaps/items-{article.published_at:%Y-%m}.xml"
    statements = len(_statements_of(client, name))
    assert statements >= 1
    # Every statement in turn is the one that fails.
    for failing in range(1, statements + 1):
        seen = 0

        def fail_at(execute: Any, *args: Any, failing: int = failing) -> Any:
            nonlocal seen
            seen += 1
            if seen >= failing:
                raise OperationalError("server closed the connection unexpectedly")
            return execute(*args)

        cache.clear()
        with connection.execute_wrapper(fail_at):
            response = client.get(name)
            body = b"".join(response)  # a streamed body is read here
        assert response.status_code == 503, (name, failing)
        assert b"<urlset" not in body
        assert b"<sitemapindex" not in body
        assert response["Retry-After"]


def _statements_of(client: Client, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        b"".join(response)
    return [query["sql"] for query in queries.captured_queries]


def test_the_sitemap_index_is_whole_when_the_cache_is_unreachable(
    client: Client, world: Section
) -> None:
    from django.test import override_settings

    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    published_article(section=world, ago=timedelta(days=100))  # a settled month
    up_status, up_body = fetch(client, "/sitemap.xml")
    with override_settings(CACHES={"default": unreachable, "pages": unreachable}):
        status, body = fetch(client, "/sitemap.xml")
    assert (status, up_status) == (200, 200)
    assert body == up_body


def test_the_pages_sitemap_lists_the_fronts_indexes_and_agency_pages(
    client: Client, world: Section, schemas
) -> None:
    from tests.agency.factories import make_page

    urlset, _ = schemas
    make_page("about", "About us")
    root = document(client, "/sitemaps/pages.xml", urlset)
    assert locs(root)[:4] == [
        "http://testserver/",
        "http://testserver/news/",
        "http://testserver/topics/",
        "http://testserver/persons/",
    ]
    assert locs(root)[4:] == ["http://testserver/world/", "http://testserver/about/"]
