"""A Host with a port that cannot exist, or no readable name, is a 400 before
the page cache, and never reaches an absolute URL: feeds, sitemaps, robots.txt,
canonical links, the API."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings

from dateline.core.hosts import is_valid_host
from dateline.pagecache.wsgi import PageCacheApplication
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

BAD_HOSTS = [
    "127.0.0.1:99999",
    "127.0.0.1:65536",
    "127.0.0.1:0",
    "127.0.0.1:080",
    "127.0.0.1:" + "9" * 40,
    "127.0.0.1:abc",
    "127.0.0.1:",
    "::1",
    "[::1]:99999",
    "localhost:-1",
    "a" * 250 + ".example.com",
]
GOOD_HOSTS = [
    "127.0.0.1",
    "127.0.0.1:8000",
    "127.0.0.1:65535",
    "[::1]:443",
    "localhost",
]
PATHS = [
    "/",
    "/news/",
    "/feeds/news.rss",
    "/feeds/news.atom",
    "/feeds/news.json",
    "/sitemap.xml",
    "/sitemaps/pages.xml",
    "/robots.txt",
    "/api/v1/items",
    "article",
]
# A name this long is allowed only by a pattern; the check is on its length.
ALLOWED = ["localhost", "127.0.0.1", "[::1]", ".example.com", "testserver"]


@pytest.fixture
def story(db: None) -> Article:
    return published_article(section=SectionFactory(slug="world"), headline="Talks")


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_django_cannot_read_or_with_an_impossible_port_is_not_valid(
    host: str,
) -> None:
    assert not is_valid_host(host)


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_a_host_with_a_real_port_or_none_is_valid(host: str) -> None:
    assert is_valid_host(host)


@pytest.mark.django_db
@pytest.mark.parametrize("page_cache", [False, True])
@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_bad_host_is_a_400_that_never_echoes_it(
    client: Client, story: Article, host: str, page_cache: bool
) -> None:
    with override_settings(ALLOWED_HOSTS=ALLOWED, DATELINE_PAGE_CACHE=page_cache):
        for path in PATHS:
            path = story.get_absolute_url() if path == "article" else path
            for _ in range(2):  # the second would be a kept page
                response = client.get(path, HTTP_HOST=host)
                assert response.status_code == 400, (path, host)
                assert host.encode() not in response.content
                assert response.get("X-Page-Cache") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("host", ["127.0.0.1:99999", "127.0.0.1:0", "::1"])
def test_the_wsgi_wrapper_sends_a_bad_host_to_django_for_its_400(
    story: Article, host: str
) -> None:
    def ask(app: Any, host: str) -> tuple[int, bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/feeds/news.rss",
            "wsgi.input": io.BytesIO(),
            "HTTP_HOST": host,
        }
        setup_testing_defaults(environ)
        answer: list[int] = []
        body = b"".join(
            app(environ, lambda status, headers, *_: answer.append(int(status[:3])))
        )
        return answer[0], body

    app = PageCacheApplication(WSGIHandler())
    with override_settings(DATELINE_PAGE_CACHE=True):
        caches["pages"].clear()
        assert ask(app, "127.0.0.1")[0] == 200  # kept, under its good host
        assert ask(app, "127.0.0.1")[0] == 200
        for _ in range(2):
            status, body = ask(app, host)
            assert status == 400
            assert host.encode() not in body
        caches["pages"].clear()


@pytest.mark.django_db
@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_a_good_host_and_port_make_the_absolute_urls(
    client: Client, story: Article, host: str
) -> None:
    response = client.get("/feeds/news.json", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json()["feed_url"] == f"http://{host}/feeds/news.json"
    page = client.get(story.get_absolute_url(), HTTP_HOST=host)
    assert f'href="http://{host}{story.get_absolute_url()}"'.encode() in page.content
