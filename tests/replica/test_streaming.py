"""Public reads from a real streaming replica; everything else, and every
replica that is down, paused, behind or dies mid-request, from the primary.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from dateline.content import services
from dateline.core.replicas import health
from dateline.pagecache import store
from tests.factories import SectionFactory, published_article
from tests.replica.conftest import (
    NEEDS_REPLICA,
    installed_replica,
    replay_paused,
    replica_port,
    wait_received,
    wait_replayed,
)
from tests.replica.proxy import Relay, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpResponse
    from django.test import Client

    from dateline.content.models import Article

pytestmark = [*NEEDS_REPLICA, pytest.mark.django_db(transaction=True)]

HEADLINE = b"Harbour talks resume"


@pytest.fixture
def story(transactional_db: None) -> Article:
    return published_article(
        section=SectionFactory(name="World", slug="world"),
        headline=HEADLINE.decode(),
    )


class Recorded(list[str]):
    """The SQL sent on one alias, recorded without connecting to it
    (Django's CaptureQueriesContext connects: a dead replica would fail
    the test, not the request)."""


@contextmanager
def recording(alias: str) -> Iterator[Recorded]:
    seen = Recorded()

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(record):
        yield seen


def content_reads(queries: Recorded) -> list[str]:
    return [sql for sql in queries if "content_article" in sql]


def position_reads(queries: Recorded) -> list[str]:
    return [
        sql
        for sql in queries
        if "pg_is_in_recovery" in sql or "pg_last_wal_replay_lsn" in sql
    ]


def get_counting(
    client: Client, url: str, alias: str
) -> tuple[HttpResponse, Recorded, Recorded]:
    with recording(DEFAULT_DB_ALIAS) as primary, recording(alias) as replica:
        response = client.get(url)
    return response, primary, replica


def test_the_routed_connection_is_a_standby_and_the_primary_is_not(
    replica: str,
) -> None:
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (False,)


@pytest.mark.parametrize(
    "url", ["/news/", "/world/", "/feeds/news.rss", "/api/v1/items"]
)
def test_public_reads_go_to_the_replica(
    client: Client, story: Article, replica: str, url: str
) -> None:
    wait_replayed(replica)
    response, primary, on_replica = get_counting(client, url, replica)
    assert response.status_code == 200
    assert HEADLINE in response.content
    assert content_reads(on_replica), "the page did not read the replica"
    assert not content_reads(primary), "the page read items from the primary"


def test_the_article_page_and_search_read_the_replica_too(
    client: Client, story: Article, replica: str
) -> None:
    """Their reads are hand-written SQL (content.article_sql, the search
    backend), routed as the ORM's are."""
    wait_replayed(replica)
    for url in (story.get_absolute_url(), "/search/?q=harbour"):
        # Once its blocks are kept, as nearly every page is: the first page
        # of a generation makes them after Most read's upkeep has written,
        # and a request that has written reads the primary from then on.
        client.get(url)
        response, primary, on_replica = get_counting(client, url, replica)
        assert response.status_code == 200
        assert b"talks resume" in response.content  # search marks "Harbour"
        index_or_items = [
            sql
            for sql in on_replica
            if "search_searchentry" in sql or "content_article" in sql
        ]
        assert index_or_items, f"{url} did not read the replica"
        assert not content_reads(primary), f"{url} read items from the primary"
        assert not [sql for sql in primary if "search_searchentry" in sql], url


def test_the_newsroom_and_a_signed_in_reader_read_the_primary(
    client: Client, story: Article, replica: str
) -> None:
    wait_replayed(replica)
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("chief", password="pw"))
    for url in ("/news/", "/newsroom/", "/newsroom/content/article/"):
        response, primary, on_replica = get_counting(client, url, replica)
        assert response.status_code == 200, url
        assert on_replica == [], url
        assert primary, url
    assert content_reads(primary)


def test_reads_outside_a_request_go_to_the_primary(
    story: Article, replica: str
) -> None:
    from dateline.content.models import Article

    wait_replayed(replica)
    with recording(replica) as on_replica:
        assert Article.objects.filter(pk=story.pk).exists()
    assert on_replica == []


def test_the_healthy_path_costs_no_query_beyond_the_page(
    client: Client, story: Article, replica: str, steady: None, page_cache: None
) -> None:
    wait_replayed(replica)
    client.get("/news/")  # measures the replica, once per process
    _, primary, on_replica = get_counting(client, "/world/", replica)
    assert position_reads(on_replica) == []
    routed = len(primary) + len(on_replica)
    # The same page without replicas, with the same misses: a fresh
    # generation whose first page is /news/ again (it keeps the blocks that
    # /world/ shares with it, the footer's among them).
    store.start_new_generation()
    with override_settings(DATABASE_ROUTERS=[], MIDDLEWARE=_without_replicas()):
        client.get("/news/")
        with recording(DEFAULT_DB_ALIAS) as plain:
            client.get("/world/")
    assert routed == len(plain)


def _without_replicas() -> list[str]:
    from django.conf import settings

    return [m for m in settings.MIDDLEWARE if "replicas" not in m]


def test_a_replica_that_refuses_connections_is_skipped_for_a_cool_off(
    client: Client, story: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = free_port()  # nothing listens there
    with installed_replica(closed) as alias:
        response, primary, _ = get_counting(client, "/news/", alias)
        assert response.status_code == 200
        assert HEADLINE in response.content
        assert content_reads(primary)
        standing = health.standing(alias)
        assert standing is not None
        assert not standing.usable
        assert "does not answer" in standing.reason
        tried: list[str] = []
        monkeypatch.setattr(health, "measure", lambda a: tried.append(a))
        assert client.get("/news/").status_code == 200
        assert tried == []  # not asked again during the cool-off


def test_a_replica_that_dies_mid_request_is_answered_from_the_primary(
    client: Client,
    story: Article,
    steady: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    relay = Relay(replica_port())
    try:
        with installed_replica(relay.port) as alias:
            wait_replayed(alias)
            _, _, on_replica = get_counting(client, "/news/", alias)
            assert content_reads(on_replica)
            assert health.standing(alias).usable  # type: ignore[union-attr]
            relay.stop()  # the replica dies; this process still trusts it
            with caplog.at_level(logging.WARNING):
                second, primary, _ = get_counting(client, "/news/", alias)
            assert second.status_code == 200
            assert HEADLINE in second.content
            assert content_reads(primary)
            standing = health.standing(alias)
            assert standing is not None
            assert not standing.usable
            assert "failed mid-request" in standing.reason
            assert "answered from the primary" in caplog.text
            # The next reader does not try it at all.
            third, _, on_replica = get_counting(client, "/news/", alias)
            assert third.status_code == 200
            assert on_replica == []
    finally:
        relay.stop()


def test_a_paused_replica_is_skipped(
    client: Client, story: Article, replica: str
) -> None:
    with replay_paused(replica):
        health.forget()
        response, primary, on_replica = get_counting(client, "/news/", replica)
        assert response.status_code == 200
        assert content_reads(primary)
        assert not content_reads(on_replica)
        standing = health.standing(replica)
        assert standing is not None
        assert standing.reason == "has its replay paused"


def test_a_replica_behind_the_lag_limit_is_skipped_and_named_by_the_check(
    client: Client, story: Article, replica: str
) -> None:
    with replay_paused(replica):
        published_article(section=story.section, headline="Ferry strike called off")
        wait_received(replica)
        behind = health.measure(replica)
        assert behind.lag_seconds is not None
        assert behind.lag_seconds > 0
        with override_settings(DATELINE_REPLICA_MAX_LAG_SECONDS=behind.lag_seconds / 2):
            response, _, on_replica = get_counting(client, "/news/", replica)
            assert b"Ferry strike called off" in response.content
            assert not content_reads(on_replica)
            standing = health.standing(replica)
            assert standing is not None
            assert "behind" in standing.reason
            warnings = checks.run_checks(
                tags=["replicas"], include_deployment_checks=True
            )
            assert [w.id for w in warnings] == ["dateline.replicas.W002"]
            assert "replica1" in warnings[0].msg
            assert "behind" in warnings[0].msg
    wait_replayed(replica)
    caught_up = health.measure(replica)
    assert caught_up.usable
    assert caught_up.lag_seconds == 0
    assert checks.run_checks(tags=["replicas"], include_deployment_checks=True) == []


def test_the_check_names_a_replica_that_does_not_answer(transactional_db: None) -> None:
    with installed_replica(free_port()):
        warnings = checks.run_checks(tags=["replicas"], include_deployment_checks=True)
    assert [w.id for w in warnings] == ["dateline.replicas.W001"]
    assert "replica1" in warnings[0].msg
    assert "does not answer" in warnings[0].msg


def test_a_withdrawn_item_never_returns_from_a_replica_behind_the_generation(
    client: Client, story: Article, replica: str, steady: None, page_cache: None
) -> None:
    wait_replayed(replica)
    first, _, on_replica = get_counting(client, "/news/", replica)
    assert HEADLINE in first.content
    assert content_reads(on_replica)  # made from the replica, and kept
    with replay_paused(replica):
        # The replica still shows the item; this process still trusts it.
        services.withdraw_article(article=story, actor=None, reason="Legal advice")
        generation = store.current_generation()
        assert generation is not None
        assert generation.lsn is not None
        assert health.standing(replica).usable  # type: ignore[union-attr]
        response, primary, on_replica = get_counting(client, "/news/", replica)
        assert response["X-Page-Cache"] == "miss"
        assert HEADLINE not in response.content
        assert content_reads(primary)
        assert not content_reads(on_replica)
        # The kept page, under the new generation, is the primary's.
        again = client.get("/news/")
        assert again["X-Page-Cache"] == "hit"
        assert HEADLINE not in again.content
    wait_replayed(replica)
    store.start_new_generation()
    after, _, on_replica = get_counting(client, "/news/", replica)
    assert HEADLINE not in after.content
    assert content_reads(on_replica)  # caught up: read from the replica again


def test_a_new_item_never_vanishes_from_a_replica_behind_the_generation(
    client: Client, story: Article, replica: str, steady: None, page_cache: None
) -> None:
    wait_replayed(replica)
    client.get("/news/")
    with replay_paused(replica):
        published_article(section=story.section, headline="Ferry strike called off")
        for _ in range(2):
            response = client.get("/news/")
            assert b"Ferry strike called off" in response.content
            assert HEADLINE in response.content


def test_a_page_the_cache_keeps_costs_no_position_query_once_replayed(
    client: Client, story: Article, replica: str, steady: None, page_cache: None
) -> None:
    wait_replayed(replica)
    client.get("/news/")  # the standing, with its replayed position
    _, _, on_replica = get_counting(client, "/world/", replica)
    assert content_reads(on_replica)
    assert position_reads(on_replica) == []
    # A publish moves the generation past the kept position: one tiny query
    # asks the replica, which has replayed it by then.
    published_article(section=story.section, headline="Ferry strike called off")
    wait_replayed(replica)
    response, _, on_replica = get_counting(client, "/world/", replica)
    assert b"Ferry strike called off" in response.content
    assert len(position_reads(on_replica)) == 1
    assert content_reads(on_replica)
