"""Dateline behind PgBouncer in transaction mode (deploy/pgbouncer.ini).

A PgBouncer of the tests' own (tests/faults/servers.py) runs a copy of the
example file in front of the test database, with two server connections, so
that a session's state left between transactions meets the other server
connection as soon as another client holds one. Through it: the newsroom's
service publishes, the public pages, search, a feed, the API, the sitemaps
and the renditions (``QuerySet.iterator()``), a reindex and the worker's
queue all work; what ``DATELINE_DATABASE_PGBOUNCER`` turns off (server-side
cursors, prepared statements) is shown to break without it; and a PgBouncer
with no server connection free is a 503 with Retry-After, not a wait.

Needs Debian's pgbouncer (`make tools`) and PostgreSQL.
"""

from __future__ import annotations

import configparser
import contextlib
import io
import re
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, connection, connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.content.models import Article, Photo
from dateline.core import outage
from dateline.core.database import configure_postgresql
from dateline.search.indexing import reindex
from dateline.worker.tasks import prune_task_results_task
from tests.core.test_database_pool import answer_within_bound
from tests.factories import PhotoFactory, SectionFactory, published_article
from tests.faults.servers import PGBOUNCER_INI, PgBouncer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PgBouncer is PostgreSQL's"
    ),
]

# The copy's own values: two server connections and no reserve, so that one
# other client holding a transaction forces the next onto the other one (and
# two exhaust it); a second's wait for a server connection.
TEST_SETTINGS = {
    "default_pool_size": "2",
    "min_pool_size": "0",
    "reserve_pool_size": "0",
    "query_wait_timeout": "1",
}
# Django's error, or psycopg's where Django closes the cursor after it.
BROKEN = (DatabaseError, psycopg.Error)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_example_pools_by_transaction_and_gives_up_before_nginx_does() -> None:
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read_string(PGBOUNCER_INI.read_text())
    assert config["pgbouncer"]["pool_mode"] == "transaction"
    # nginx's proxy_read_timeout is 60 s: a request never waits that long.
    assert 0 < int(config["pgbouncer"]["query_wait_timeout"]) <= 10
    assert "dateline" in config["databases"]


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup: None) -> Iterator[PgBouncer]:
    """One PgBouncer for the module, in front of the test database: stopped
    at its end, since the server connections it keeps would stop other tests
    from using the test database as a template (tests/faults)."""
    settings_dict = connection.settings_dict
    bouncer = PgBouncer(
        database=settings_dict["NAME"],
        server_host=settings_dict["HOST"] or "127.0.0.1",
        server_port=int(settings_dict["PORT"] or 5432),
        user=settings_dict["USER"] or "postgres",
        settings=TEST_SETTINGS,
    )
    bouncer.start()
    yield bouncer
    bouncer.stop()


def settings_through(
    bouncer: PgBouncer, *, pgbouncer: bool = True, **options: Any
) -> dict[str, Any]:
    """The test database's settings, through PgBouncer, with ``options``
    (as a URL's query gives them) and DATELINE_DATABASE_PGBOUNCER's changes
    (``pgbouncer``)."""
    return configure_postgresql(
        {
            **connection.settings_dict,
            "HOST": "127.0.0.1",
            "PORT": str(bouncer.port),
            "OPTIONS": {**connection.settings_dict["OPTIONS"], **options},
        },
        pool=None,
        pgbouncer=pgbouncer,
        timeout=5,
    )


def wrapper_for(settings_dict: dict[str, Any]) -> BaseDatabaseWrapper:
    backend = load_backend(settings_dict["ENGINE"])
    made: BaseDatabaseWrapper = backend.DatabaseWrapper(settings_dict, alias="default")
    return made


@contextlib.contextmanager
def default_database(settings_dict: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """This thread's ``connections["default"]`` made from ``settings_dict``."""
    previous = connections["default"]
    wrapper = wrapper_for(settings_dict)
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = previous


@pytest.fixture
def through_pgbouncer(
    transactional_db: None, pgbouncer: PgBouncer
) -> Iterator[BaseDatabaseWrapper]:
    """The test's queries go through PgBouncer, as the settings make them
    with DATELINE_DATABASE_PGBOUNCER=true (the flush after it does not)."""
    with default_database(settings_through(pgbouncer)) as wrapper:
        yield wrapper


def transactions_served(bouncer: PgBouncer) -> int:
    """How many transactions PgBouncer has passed on for the test database
    (its admin console, which speaks only the simple protocol)."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host="127.0.0.1",
        port=bouncer.port,
        dbname="pgbouncer",
        user=settings_dict["USER"] or "postgres",
        autocommit=True,
        cursor_factory=psycopg.ClientCursor,
    ) as admin:
        cursor = admin.execute("SHOW STATS")
        names = [column.name for column in cursor.description or []]
        for row in cursor.fetchall():
            stats = dict(zip(names, row, strict=True))
            if stats["database"] == bouncer.database:
                return int(stats["total_xact_count"])
    return 0


@contextlib.contextmanager
def another_client_in_a_transaction(bouncer: PgBouncer) -> Iterator[None]:
    """Another client holds a server connection (the one last used: PgBouncer
    lends the most recently returned first) until the block ends."""
    settings_dict = connection.settings_dict
    with psycopg.connect(
        host="127.0.0.1",
        port=bouncer.port,
        dbname=bouncer.database,
        user=settings_dict["USER"] or "postgres",
    ) as other:
        other.execute("SELECT 1")  # a transaction begun: its server is held
        try:
            yield
        finally:
            other.rollback()


def test_the_site_the_newsroom_and_the_api_work_through_pgbouncer(
    through_pgbouncer: BaseDatabaseWrapper,
    pgbouncer: PgBouncer,
    client: Client,
) -> None:
    before = transactions_served(pgbouncer)
    # A superuser: a transactional test's database is flushed, and the
    # roles' groups with it.
    chief = User.objects.create_superuser("chief", password="pw")
    section = SectionFactory(name="World", slug="world")
    article = published_article(section=section, headline="Harbour talks resume")
    published_article(section=section, headline="Ferry strike called off")
    pages = {
        "/": b"Harbour talks resume",
        article.get_absolute_url(): b"Harbour talks resume",
        reverse("site:news-feed"): b"Ferry strike called off",
        section.get_absolute_url(): b"Ferry strike called off",
        reverse("site:search") + "?q=harbour": b"talks resume",
        reverse(
            "syndication:feed",
            kwargs={"kind": "sections", "slug": "world", "format": "rss"},
        ): b"Harbour talks resume",
        "/api/v1/items": b"Harbour talks resume",
        f"/api/v1/items/{article.pk}": b"Harbour talks resume",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content, url
    client.force_login(chief)
    newsroom = client.get(reverse("admin:content_article_changelist"))
    assert newsroom.status_code == 200
    assert b"Harbour talks resume" in newsroom.content
    assert transactions_served(pgbouncer) > before  # it did go through PgBouncer


def test_iterator_paths_a_reindex_and_the_worker_work_through_pgbouncer(
    through_pgbouncer: BaseDatabaseWrapper, pgbouncer: PgBouncer, client: Client
) -> None:
    section = SectionFactory(name="World", slug="world")
    headlines = [f"Harbour talks on day {day}" for day in range(1, 6)]
    for headline in headlines:
        published_article(section=section, headline=headline)
    month = timezone.localtime(Article.objects.first().published_at)  # type: ignore[union-attr]
    # The sitemaps read their rows with .iterator().
    sitemap = client.get(reverse("sitemaps:section", args=[f"items-{month:%Y-%m}"]))
    assert sitemap.status_code == 200
    body = b"".join(sitemap) if sitemap.streaming else sitemap.content
    assert body.count(b"<url>") == len(headlines)
    assert reindex() == len(headlines)
    found = client.get(reverse("site:search") + "?q=harbour")
    assert found.content.count(b"talks on day") == len(headlines)
    # Renditions of every picture: .iterator() over the pictures.
    PhotoFactory()
    out = io.StringIO()
    call_command("renditions", "--all", stdout=out, stderr=out)
    assert "1 picture(s) given renditions" in out.getvalue()
    assert Photo.objects.get().renditions
    # The worker claims a job (SELECT … FOR UPDATE SKIP LOCKED, in a
    # transaction) and records its result.
    with override_settings(TASKS=DATABASE_QUEUE):
        job = prune_task_results_task.enqueue()
        call_command("worker", "--once", stdout=io.StringIO())
    result = DBTaskResult.objects.get(pk=job.id)
    assert result.status == "SUCCESSFUL"


@pytest.mark.parametrize("with_setting", [True, False], ids=["pgbouncer", "plain"])
def test_a_server_side_cursor_breaks_behind_pgbouncer_unless_turned_off(
    transactional_db: None, pgbouncer: PgBouncer, with_setting: bool
) -> None:
    section = SectionFactory(name="World", slug="world")
    for day in range(3):
        published_article(section=section, headline=f"Day {day}")
    with default_database(settings_through(pgbouncer, pgbouncer=with_setting)):
        rows = Article.objects.order_by("pk").values_list("pk", flat=True)
        chunks = rows.iterator(chunk_size=1)
        first = next(chunks)
        with another_client_in_a_transaction(pgbouncer):
            if with_setting:
                rest = list(chunks)
                assert [first, *rest] == list(rows)
            else:
                with pytest.raises(BROKEN, match="does not exist"):
                    list(chunks)


@pytest.mark.parametrize("with_setting", [True, False], ids=["pgbouncer", "plain"])
def test_a_prepared_statement_breaks_behind_pgbouncer_unless_turned_off(
    transactional_db: None, pgbouncer: PgBouncer, with_setting: bool
) -> None:
    published_article(headline="Harbour talks resume")
    # Django binds parameters on the client by default, which never prepares;
    # bound on the server, psycopg prepares a statement run this often (0: at
    # once). The setting turns that off, whatever the URL asked for.
    settings_dict = settings_through(
        pgbouncer,
        pgbouncer=with_setting,
        server_side_binding=True,
        prepare_threshold=0,
    )
    with default_database(settings_dict):
        assert Article.objects.filter(headline__startswith="Harbour").count() == 1
        with another_client_in_a_transaction(pgbouncer):
            if with_setting:
                found = Article.objects.filter(headline__startswith="Harbour")
                assert found.count() == 1
            else:
                with pytest.raises(BROKEN, match="does not exist"):
                    Article.objects.filter(headline__startswith="Harbour").count()


def test_pgbouncer_with_no_server_connection_free_is_a_503_not_a_wait(
    transactional_db: None, pgbouncer: PgBouncer
) -> None:
    url = published_article(headline="Harbour talks resume").get_absolute_url()
    settings_dict = settings_through(pgbouncer)

    def through() -> BaseDatabaseWrapper:
        return wrapper_for(settings_dict)

    # Both server connections held: the request's first query waits
    # query_wait_timeout, and PgBouncer answers with an error.
    with (
        another_client_in_a_transaction(pgbouncer),
        another_client_in_a_transaction(pgbouncer),
    ):
        page = answer_within_bound(through, lambda c: c.get(url))
        api = answer_within_bound(through, lambda c: c.get("/api/v1/items"))
    assert page.status_code == 503
    assert page["Retry-After"] == str(outage.BUSY_RETRY_AFTER_SECONDS)
    assert b"very busy" in page.content
    assert api.status_code == 503
    assert api["Content-Type"] == outage.PROBLEM_TYPE
    # Free again: the page is answered.
    page = answer_within_bound(through, lambda c: c.get(url))
    assert page.status_code == 200
    assert re.search(rb"Harbour talks resume", page.content)
