"""Every route, every parameter a view reads, and the cookies pages understand,
asked with what strangers send: huge and negative numbers, the calendar's
edges, NUL bytes, very long strings, broken UTF-8 escapes, dot segments and
digits that are not ASCII. Nothing may answer 5xx.

The routes come from the resolver and the parameters from what each view
reads (recorded as it answers) and from the API's OpenAPI document, so a new
route or a new parameter is swept without being listed here. The page cache
is on, as in production: it reads every request before the view does.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import caches
from django.http import QueryDict
from django.test.utils import override_settings
from django.urls import get_resolver

from dateline.content import services
from tests.factories import (
    PersonFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.test import Client
    from django.urls.resolvers import URLResolver

pytestmark = pytest.mark.django_db

# Written as they travel in a URL: escapes stay escapes.
HOSTILE = {
    "far future": "9999-12-31",
    "year zero": "0000-01-01",
    "year one": "0001-01-01",
    "year 10000": "10000-01-01",
    "month 13": "2026-13-01",
    "10^30": "1" + "0" * 30,
    "2^63": "9223372036854775808",
    "2^63 - 1": "9223372036854775807",
    "18 nines": "9" * 18,
    "negative": "-1",
    "zero": "0",
    "exponent": "1e400",
    "not a number": "NaN",
    "infinity": "-Infinity",
    "NUL": "%00",
    "NUL inside": "a%00b",
    "control characters": "%01%1f%7f",
    "very long": "x" * 3000,
    "very long digits": "9" * 5000,
    "broken UTF-8": "%ff%fe",
    "overlong slash": "%c0%af",
    "lone surrogate": "%ed%a0%80",
    "dot dot": "..",
    "escaped dot dot": "%2e%2e%2f%2e%2e",
    "unicode digits": "%d9%a1%d9%a2",  # Arabic-Indic one, two
    "fullwidth digits": "%ef%bc%91%ef%bc%92",
    "superscript two": "%c2%b2",
    "markup": "%3Csvg%2Fonload%3Dalert(1)%3E",
    "CRLF": "%0d%0aSet-Cookie:%20x=1",
    "spaces": "%20%20",
    "empty": "",
}


def routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every route's reverse format ("views/%(pk)s.gif"), namespaces included."""
    resolver = resolver or get_resolver()
    found = {
        prefix + fmt
        for key, values in resolver.reverse_dict.lists()
        for possibilities, *_ in values
        for fmt, _params in possibilities
    }
    for namespace_prefix, sub in resolver.namespace_dict.values():
        found |= routes(sub, prefix + namespace_prefix)
    return found


def test_the_sweep_finds_the_routes_it_must() -> None:
    found = routes()
    for route in (
        "search/",
        "%(section)s/%(pk)s/",
        "views/%(pk)s.gif",
        "feeds/%(kind)s/%(slug)s.%(format)s",
        "sitemaps/%(name)s.xml",
        "api/v1/items/%(item_id)s",
        "rates/",
        "media/%(path)s",
    ):
        assert route in found


@pytest.fixture
def page_cache() -> Iterator[None]:
    """On, as in production: the cache reads each request (its key, its
    cookies) before the view does, and a miss runs the view as without it."""
    with override_settings(DATELINE_PAGE_CACHE=True):
        caches["pages"].clear()
        yield
        caches["pages"].clear()


@pytest.fixture
def world() -> dict[str, Any]:
    """One of everything a route can name."""
    section = SectionFactory(name="World", slug="world")
    topic = TopicFactory(name="Talks", slug="talks")
    person = PersonFactory(name="Ines Calder", slug="ines-calder")
    article = published_article(section=section, headline="Quotas agreed")
    services.set_article_tags(article=article, topics=[topic], persons=[person])
    return {
        "section": ["world"],
        "slug": ["world", "talks", "ines-calder"],
        "pk": [str(article.pk)],
        "item_id": [str(article.pk)],
        "kind": ["sections", "topics", "persons"],
        "format": ["rss", "atom", "json"],
        "window": ["now"],
        "name": ["pages"],
        "path": ["v2"],
    }


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + re.sub(r"%\((\w+)\)s", lambda m: values[m.group(1)], route)


def params_of(route: str) -> list[str]:
    return re.findall(r"%\((\w+)\)s", route)


def server_errors(client: Client, url: str, **extra: Any) -> list[str]:
    """The request, if it was answered 5xx (or crashed the test client)."""
    method = extra.pop("method", "get")
    asked = f"{method.upper()} {url[:120]}{'…' if len(url) > 120 else ''}"
    try:
        response = getattr(client, method)(url, **extra)
    except Exception as error:  # a crash is what a 500 would have been
        return [f"{asked} {extra or ''} raised {error!r}"]
    if response.status_code >= 500:
        return [f"{asked} {extra or ''} answered {response.status_code}"]
    return []


@pytest.mark.usefixtures("page_cache")
def test_no_route_answers_5xx_to_hostile_path_values(
    client: Client, world: dict[str, Any]
) -> None:
    failures = []
    for route in sorted(routes()):
        names = params_of(route)
        for value in HOSTILE.values():
            for hostile in names:
                values = {name: world.get(name, ["x"])[0] for name in names}
                values[hostile] = value
                failures += server_errors(client, fill(route, values))
    assert not failures, "\n".join(failures)


# --- Query parameters ---------------------------------------------------------


@contextlib.contextmanager
def reading_recorded() -> Iterator[set[str]]:
    """The names of the query (and form) parameters read meanwhile."""
    read: set[str] = set()
    originals = {
        name: getattr(QueryDict, name)
        for name in ("get", "getlist", "__getitem__", "__contains__")
    }

    def recording(name: str) -> Any:
        original = originals[name]

        def method(self: QueryDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str):
                read.add(key)
            return original(self, key, *args, **kwargs)

        return method

    for name in originals:
        setattr(QueryDict, name, recording(name))
    try:
        yield read
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def working_urls(client: Client, world: dict[str, Any]) -> dict[str, set[str]]:
    """A URL of each route that answers 200, with the parameters its view
    reads (and, for the API, those its OpenAPI document lists)."""
    openapi = client.get("/api/v1/openapi.json").json()["paths"]
    found: dict[str, set[str]] = {}
    for route in sorted(routes()):
        if route.startswith("newsroom/"):
            continue
        names = params_of(route)
        choices = [{}]
        for name in names:
            choices = [
                {**c, name: value} for c in choices for value in world.get(name, [])
            ]
        for values in choices:
            url = fill(route, values)
            with reading_recorded() as read:
                status = client.get(url).status_code
            if status == 200:
                api_path = re.sub(r"%\((\w+)\)s", r"{\1}", "/" + route)
                documented = {
                    parameter["name"]
                    for operation in openapi.get(api_path, {}).values()
                    for parameter in operation.get("parameters", [])
                    if parameter["in"] == "query"
                }
                found[url] = read | documented
    return found


@pytest.mark.usefixtures("page_cache")
def test_no_page_answers_5xx_to_hostile_query_values(
    client: Client, world: dict[str, Any]
) -> None:
    urls = working_urls(client, world)
    assert "q" in urls["/search/"]  # the recording sees what views read
    assert "to" in urls["/search/"]
    assert "since" in urls["/api/v1/items"]
    failures = []
    for url, names in urls.items():
        for name in sorted(names):
            # With words to look for too, so that a search goes past its form.
            companions = ["", "q=war&"] if "q" in names and name != "q" else [""]
            for value in HOSTILE.values():
                for companion in companions:
                    failures += server_errors(
                        client, f"{url}?{companion}{name}={value}"
                    )
                failures += server_errors(client, f"{url}?{name}={value}&{name}=1")
    assert not failures, "\n".join(failures)


# --- Cookies, bodies, headers -------------------------------------------------

COOKIES = ("dateline_sections", "dateline_city")


@pytest.mark.usefixtures("page_cache")
def test_no_page_answers_5xx_to_hostile_cookies(
    client: Client, world: dict[str, Any]
) -> None:
    article = world["pk"][0]
    failures = []
    for url in ("/", "/news/", f"/world/{article}/", "/cities/", "/search/?q=war"):
        for name in COOKIES:
            for value in HOSTILE.values():
                for raw in (f"{name}={value}", f'{name}="{value}"'):
                    failures += server_errors(client, url, HTTP_COOKIE=raw)
    assert not failures, "\n".join(failures)


def test_no_form_or_beacon_answers_5xx_to_hostile_bodies(
    client: Client, world: dict[str, Any]
) -> None:
    failures = []
    for value in HOSTILE.values():
        for body in (f"item={value}", value, f"item=1&item={value}"):
            for content_type in ("application/x-www-form-urlencoded", "text/plain"):
                failures += server_errors(
                    client,
                    "/views/",
                    method="post",
                    data=body,
                    content_type=content_type,
                )
        for field in ("city", "next"):
            failures += server_errors(
                client,
                "/cities/",
                method="post",
                data=f"{field}={value}",
                content_type="application/x-www-form-urlencoded",
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HTTP_IF_MODIFIED_SINCE", "Fri, 31 Dec 9999 23:59:59 GMT"),
        ("HTTP_IF_MODIFIED_SINCE", "Mon, 01 Jan 0000 00:00:00 GMT"),
        ("HTTP_IF_MODIFIED_SINCE", "9" * 400),
        ("HTTP_IF_NONE_MATCH", '"' + "x" * 5000 + '"'),
        ("HTTP_X_FORWARDED_FOR", "999.999.999.999, ::::, " + "1" * 300),
        ("HTTP_ACCEPT_ENCODING", "gzip;q=1e400, br;q=NaN"),
        ("HTTP_ACCEPT_LANGUAGE", "x" * 5000),
        ("HTTP_HOST", "127.0.0.1:99999"),
        ("HTTP_HOST", "x" * 300),
        ("CONTENT_LENGTH", "-1"),
        ("CONTENT_LENGTH", "1" + "0" * 30),
    ],
)
@pytest.mark.parametrize("page_cache", [False, True])
def test_no_page_answers_5xx_to_hostile_headers(
    client: Client, world: dict[str, Any], header: str, value: str, page_cache: bool
) -> None:
    article = world["pk"][0]
    failures = []
    with override_settings(DATELINE_PAGE_CACHE=page_cache):
        for url in ("/", f"/world/{article}/", "/feeds/news.rss", "/api/v1/items"):
            failures += server_errors(client, url, **{header: value})
            failures += server_errors(client, url, **{header: value})  # kept
        failures += server_errors(
            client,
            "/views/",
            method="post",
            data="item=1",
            content_type="text/plain",
            **{header: value},
        )
    assert not failures, "\n".join(failures)
