"""Faults: the database down, refusing or unreachable.

Every public URL (each named route of the URLconf, reversed with real
objects) answers its last good copy, marked stale, or the site's 503 page
with Retry-After; the API answers 503 problem documents; the newsroom login
a 503 page. Nothing is a 500, nothing waits, and everything recovers when the
database comes back.

Three ways in: every statement failing (``OperationalError`` and
``InterfaceError`` injected at the cursor, both engines), SQLite's file that
cannot be opened, and — on PostgreSQL — a database of the test's own that
stops taking connections (``ALTER DATABASE … ALLOW_CONNECTIONS false`` and
its backends terminated).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from dateline.content import services
from dateline.content.models import Gallery, Infographic, VisualStatus
from dateline.pagecache import store
from tests.factories import (
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    jpeg_bytes,
    published_article,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from dateline.content.models import Article, Person, Section, Topic

pytestmark = pytest.mark.django_db(transaction=True)

# Routes that are not the public site's: the newsroom (with its two-factor
# steps) and the API are requested on their own below; uploads are files,
# never the database's.
NOT_PUBLIC_NAMESPACES = {"admin", "api-v1", "twofactor", "otp_webauthn"}
NOT_PUBLIC_ROUTES = {"media"}
# Made afresh without a query, so never stale.
NEEDS_NO_DATABASE = {"/robots.txt", "/favicon.ico", "/manifest.webmanifest"}
# Most read, kept a minute in the default cache.
API_NEEDS_NO_DATABASE = {"/api/v1/most-read/today"}
# Longer than a kept page lives, shorter than its last good copy.
OUTAGE_AFTER = timedelta(seconds=settings.DATELINE_PAGE_CACHE_SECONDS * 2)


@dataclass(frozen=True)
class Archive:
    section: Section
    topic: Topic
    person: Person
    article: Article
    gallery: Gallery
    infographic: Infographic


@pytest.fixture
def archive() -> Archive:
    return make_archive()


def make_archive() -> Archive:
    """An item with its section, topic and person, another item, a gallery
    and an infographic: an object for every public route."""
    section = SectionFactory(name="World", slug="world")
    topic = TopicFactory(name="Harbour talks", slug="harbour-talks")
    person = PersonFactory(name="Ana Varga", slug="ana-varga")
    article = published_article(section=section, headline="Harbour talks resume")
    services.set_article_tags(article=article, topics=[topic], persons=[person])
    published_article(section=section, headline="Ferry strike called off")
    gallery = Gallery(slug="harbour", title="The harbour", description="Pictures.")
    gallery.status = VisualStatus.PUBLISHED
    gallery.published_at = timezone.now() - timedelta(hours=1)
    services.save_visual(item=gallery)
    services.set_gallery_photos(
        gallery=gallery, photos=[(PhotoFactory(), ""), (PhotoFactory(), "")]
    )
    infographic = services.save_infographic(
        infographic=Infographic(
            slug="quotas",
            title="Fishing quotas",
            image=ContentFile(jpeg_bytes(700, 400), name="quotas.jpg"),
            alt_text="Bar chart of quotas.",
            long_description="Quotas fell.",
            data_table=[["Year", "Quota"], ["2025", "394"]],
            status=VisualStatus.PUBLISHED,
            published_at=timezone.now() - timedelta(hours=1),
        )
    )
    return Archive(section, topic, person, article, gallery, infographic)


def public_routes() -> set[str]:
    """Every named route of the URLconf but the newsroom's and the API's."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in NOT_PUBLIC_NAMESPACES:
                    continue
                namespace = f"{pattern.namespace}:" if pattern.namespace else ""
                yield from walk(pattern.url_patterns, prefix + namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + pattern.name

    return set(walk(get_resolver().url_patterns, "")) - NOT_PUBLIC_ROUTES


def public_urls(archive: Archive) -> dict[str, list[str]]:
    """Each public route with real objects (a test checks none is missing)."""
    month = timezone.localtime(archive.article.published_at)
    feeds = [
        reverse(
            "syndication:feed",
            kwargs={"kind": kind, "slug": slug, "format": "rss"},
        )
        for kind, slug in (
            ("sections", archive.section.slug),
            ("topics", archive.topic.slug),
            ("persons", archive.person.slug),
        )
    ]
    return {
        "site:home": [reverse("site:home")],
        "site:favicon": [reverse("site:favicon")],
        "site:web-manifest": [reverse("site:web-manifest")],
        "site:news-feed": [reverse("site:news-feed"), "/news/?sections=world"],
        "site:search": [reverse("site:search") + "?q=harbour"],
        "site:currency-converter": [reverse("site:currency-converter")],
        "site:city-list": [reverse("site:city-list")],
        "site:article-preview": [
            reverse("site:article-preview", args=[archive.article.pk])
        ],
        "site:gallery-list": [reverse("site:gallery-list")],
        "site:gallery-detail": [archive.gallery.get_absolute_url()],
        "site:gallery-photo": [
            reverse("site:gallery-photo", args=[archive.gallery.slug, 2])
        ],
        "site:infographic-list": [reverse("site:infographic-list")],
        "site:infographic-detail": [archive.infographic.get_absolute_url()],
        "site:topic-list": [reverse("site:topic-list")],
        "site:topic-detail": [archive.topic.get_absolute_url()],
        "site:person-list": [reverse("site:person-list")],
        "site:person-detail": [archive.person.get_absolute_url()],
        "site:article-detail": [archive.article.get_absolute_url()],
        "site:section-detail": [archive.section.get_absolute_url()],
        "syndication:news-feed": [
            reverse("syndication:news-feed", kwargs={"format": f})
            for f in ("rss", "atom", "json")
        ],
        "syndication:feed": feeds,
        "sitemap-index": [reverse("sitemap-index")],
        "sitemaps:section": [
            reverse("sitemaps:section", args=[name])
            for name in ("pages", "news", "tags-1", f"items-{month:%Y-%m}")
        ],
        "robots-txt": [reverse("robots-txt")],
        "popularity:count-view": [reverse("popularity:count-view")],
        "popularity:count-view-pixel": [
            reverse("popularity:count-view-pixel", args=[archive.article.pk])
        ],
    }


def api_urls(archive: Archive) -> list[str]:
    return [
        "/api/v1/items",
        f"/api/v1/items/{archive.article.pk}",
        "/api/v1/items?q=harbour",
        "/api/v1/sections",
        "/api/v1/topics",
        "/api/v1/persons",
        "/api/v1/most-read/today",
    ]


@pytest.fixture
def page_cache() -> Iterator[None]:
    with override_settings(DATELINE_PAGE_CACHE=True):
        store.hot_pages.clear()
        yield
        store.hot_pages.clear()


def warm(client: Client, urls: list[str]) -> dict[str, Response]:
    """Each page asked for once: those that leave a last good copy, by URL
    (kept by the page cache, at an address without a query: a query such as
    ?q= is a stranger's to vary, so its pages get the 503 page instead)."""
    kept = {}
    for url in urls:
        client.cookies.clear()  # a new reader each time (?sections= sets one)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.get("X-Page-Cache") == "miss" and "?" not in url:
            kept[url] = response
    return kept


def assert_answers_without_the_database(
    client: Client, urls: list[str], kept: dict[str, Response]
) -> None:
    """Kept pages stale, as kept; others the site's 503 page or an answer
    that needs no database (a redirect, a 405); never a 500."""
    for url in urls:
        client.cookies.clear()
        response = client.get(url)
        # A streamed body is made as it is read: read whole, or it fails here.
        b"".join(response) if response.streaming else response.content
        assert response.status_code != 500, url
        if url in kept:
            assert response.status_code == 200, url
            fresh = url in NEEDS_NO_DATABASE and response["X-Page-Cache"] == "miss"
            assert response["X-Page-Cache"] == "stale" or fresh, url
            assert response.content == kept[url].content, url
            assert "stale-if-error=" in response["Cache-Control"], url
        elif response.status_code == 503:
            assert int(response["Retry-After"]) > 0, url
            assert response["Content-Type"].startswith("text/html"), url
            page = response.content.decode()
            assert settings.DATELINE_AGENCY_NAME in page, url
            assert "temporarily unavailable" in page, url
            assert 'class="logo"' in page, url
        else:  # needs no database: the form of cities (kept in the cache), …
            assert response.status_code in {200, 302, 404, 405}, (
                url,
                response.status_code,
            )


def assert_api_is_unavailable(client: Client, urls: list[str]) -> None:
    for url in urls:
        response = client.get(url)
        if url in API_NEEDS_NO_DATABASE and response.status_code == 200:
            continue
        assert response.status_code == 503, url
        assert response["Content-Type"] == "application/problem+json", url
        assert int(response["Retry-After"]) > 0, url
        problem = json.loads(response.content)
        assert problem["status"] == 503, url
        assert problem["title"] == "Service Unavailable", url


def assert_newsroom_login_is_unavailable(client: Client) -> None:
    login = reverse("admin:login")
    # The form itself needs no database.
    assert client.get(login).status_code in {200, 503}
    response = client.post(login, {"username": "chief", "password": "pw"})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert b"temporarily unavailable" in response.content
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    try:
        assert client.get(reverse("admin:index")).status_code == 503
    finally:
        del client.cookies[settings.SESSION_COOKIE_NAME]


def all_public_urls(archive: Archive) -> list[str]:
    return [url for urls in public_urls(archive).values() for url in urls]


def test_every_public_route_has_a_url_in_the_outage_tests(archive: Archive) -> None:
    assert set(public_urls(archive)) == public_routes()


@contextlib.contextmanager
def every_statement_failing(error: Exception) -> Iterator[None]:
    def fail(*args: Any) -> Any:
        raise error

    with connection.execute_wrapper(fail):
        yield


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize(
    "error",
    [
        OperationalError("unable to open database file"),
        OperationalError("database is locked"),
        OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: '
            "FATAL:  the database system is shutting down"
        ),
        InterfaceError("connection already closed"),
    ],
    ids=["cannot-open", "locked", "server-shutting-down", "connection-closed"],
)
def test_when_every_statement_fails_readers_get_kept_pages_or_the_503_page(
    client: Client, archive: Archive, error: Exception
) -> None:
    urls = all_public_urls(archive)
    kept = warm(client, urls)
    assert archive.article.get_absolute_url() in kept
    with time_machine.travel(OUTAGE_AFTER), every_statement_failing(error):
        assert_answers_without_the_database(client, urls, kept)
        assert_api_is_unavailable(client, api_urls(archive))
        assert_newsroom_login_is_unavailable(client)
        # A page with a query keeps no last good copy: the 503 page.
        response = client.get("/search/?q=never-asked")
        assert response.status_code == 503
    with time_machine.travel(OUTAGE_AFTER):
        for url in urls:
            assert client.get(url).status_code < 500, url
        assert client.get(archive.article.get_absolute_url())["X-Page-Cache"] in {
            "hit",
            "miss",
        }


def test_a_bug_in_a_query_is_still_a_500_not_an_outage(
    archive: Archive,
) -> None:
    from django.db import ProgrammingError

    client = Client(raise_request_exception=False)
    with every_statement_failing(ProgrammingError("syntax error at or near")):
        assert client.get(archive.article.get_absolute_url()).status_code == 500


@contextlib.contextmanager
def default_database(wrapper: BaseDatabaseWrapper) -> Iterator[None]:
    """``connections["default"]`` is ``wrapper`` in this thread meanwhile."""
    previous = connections["default"]
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = previous


def wrapper_for(**changes: Any) -> BaseDatabaseWrapper:
    settings_dict = {**connection.settings_dict, **changes}
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="default")


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own file")
@pytest.mark.usefixtures("page_cache")
def test_when_sqlites_file_cannot_be_opened_readers_get_kept_pages_or_the_503_page(
    client: Client, archive: Archive, tmp_path: Path
) -> None:
    urls = all_public_urls(archive)
    kept = warm(client, urls)
    unopenable = wrapper_for(NAME=str(tmp_path / "gone" / "dateline.sqlite3"))
    with time_machine.travel(OUTAGE_AFTER), default_database(unopenable):
        assert_answers_without_the_database(client, urls, kept)
        assert_api_is_unavailable(client, api_urls(archive))
        assert_newsroom_login_is_unavailable(client)
    with time_machine.travel(OUTAGE_AFTER):
        for url in urls:
            assert client.get(url).status_code < 500, url


@pytest.mark.sqlite
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own lock")
def test_a_newsroom_write_kept_waiting_past_sqlites_busy_timeout_is_a_503(
    tmp_path: Path,
) -> None:
    """Another writer holds the lock: readers go on (WAL), a sign-in that
    must write waits the busy timeout, then gets the newsroom's 503 page."""
    # Not the roles' fixtures: a transactional test's database is flushed,
    # the roles' groups with it.
    User.objects.create_user("chief", password="pw", is_staff=True)
    published = published_article(headline="Harbour talks resume")
    path = str(tmp_path / "dateline.sqlite3")
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    options = {**connection.settings_dict["OPTIONS"], "timeout": 1}
    client = Client()
    with default_database(wrapper_for(NAME=path, OPTIONS=options)):
        holder.execute("BEGIN IMMEDIATE")
        try:
            assert client.get(published.get_absolute_url()).status_code == 200
            response = client.post(
                reverse("admin:login"), {"username": "chief", "password": "pw"}
            )
            assert response.status_code == 503
            assert response["Retry-After"]
            assert b"temporarily unavailable" in response.content
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert User.objects.get(username="chief").last_login is None
        signed_in = client.post(
            reverse("admin:login"), {"username": "chief", "password": "pw"}
        )
        assert signed_in.status_code == 302


# --- PostgreSQL: a database of the test's own that stops taking connections --


def _admin_sql(*statements: str) -> None:
    """Statements run on the server's ``postgres`` database, autocommitted."""
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


@pytest.fixture
def own_database() -> Iterator[str]:
    """A copy of the test database, under a name of its own, as the default
    database of this thread; dropped at the end."""
    name = f"dateline_fault_{secrets.token_hex(4)}"
    template = connection.settings_dict["NAME"]
    connections.close_all()  # a template must have no other session
    _admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        with default_database(wrapper_for(NAME=name)):
            yield name
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def refuse_connections(name: str) -> None:
    _admin_sql(
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "  # noqa: S608
        f"datname = '{name}' AND pid <> pg_backend_pid()",
    )


def allow_connections(name: str) -> None:
    _admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own")
@pytest.mark.usefixtures("page_cache")
def test_when_postgresql_refuses_connections_nothing_is_a_500_and_pages_recover(
    client: Client, own_database: str
) -> None:
    archive = make_archive()
    urls = all_public_urls(archive)
    kept = warm(client, urls)
    assert archive.article.get_absolute_url() in kept
    refuse_connections(own_database)
    try:
        with time_machine.travel(OUTAGE_AFTER):
            # The first request finds its connection terminated under it.
            first = client.get(archive.section.get_absolute_url())
            assert first.status_code in {200, 503}
            # Then every request's connection is refused.
            connections["default"].close()
            assert_answers_without_the_database(client, urls, kept)
            assert_api_is_unavailable(client, api_urls(archive))
            assert_newsroom_login_is_unavailable(client)
    finally:
        allow_connections(own_database)
    with time_machine.travel(OUTAGE_AFTER):
        for url in urls:
            assert client.get(url).status_code < 500, url
        response = client.get(archive.article.get_absolute_url())
        assert response["X-Page-Cache"] in {"hit", "miss"}


def test_settings_wait_seconds_not_minutes_for_the_database() -> None:
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor == "postgresql":
        assert options["connect_timeout"] == settings.DATELINE_DATABASE_TIMEOUT
    else:
        assert options["timeout"] == settings.DATELINE_DATABASE_TIMEOUT
    assert settings.DATELINE_DATABASE_TIMEOUT <= 10
