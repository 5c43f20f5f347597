"""A change committed while the page cache cannot be told of it: into the
outbox, no kept page served meanwhile by a process that knows, and caught up
by the first process (or the worker) that can write a generation again."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.content import services
from dateline.core.blockcache import breaker
from dateline.pagecache import store
from dateline.pagecache.models import PendingChange
from dateline.worker.management.commands.worker import catch_up_pages

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]


@pytest.fixture
def cache_down(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The generation can be neither read nor written (Redis refuses)."""

    def refused(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(store, "_write_generation", refused)
    monkeypatch.setattr(store, "_read_generation", refused)
    return monkeypatch


def keep(client: Client, *urls: str) -> None:
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"


def cache_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    breaker.reset()  # a second later


def test_a_withdrawal_the_cache_cannot_hear_of_waits_in_the_outbox(
    story: Article, cache_down: pytest.MonkeyPatch
) -> None:
    services.withdraw_article(article=story, actor=None, reason="Legal advice")
    assert PendingChange.objects.count() == 1
    assert store.change_is_pending()
    assert store.current_generation() is None
    assert store.ready_generation() is None


def test_the_process_that_failed_serves_no_kept_page_until_it_has_caught_up(
    client: Client, story: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = story.get_absolute_url()
    keep(client, url, "/")

    def refused(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused")

    # Only the write fails: the old generation and its pages can still be read.
    with monkeypatch.context() as patch:
        patch.setattr(store, "_write_generation", refused)
        services.withdraw_article(article=story, actor=None, reason="Legal advice")
        breaker.reset()
        assert client.get(url).status_code == 410
        assert b"Harbour talks resume" not in client.get("/").content
        assert store.ready_generation() is None  # the WSGI wrapper steps aside
    breaker.reset()
    assert client.get(url).status_code == 410  # caught up: a new generation
    assert not PendingChange.objects.exists()
    assert not store.change_is_pending()
    assert store.ready_generation() is not None
    assert b"Harbour talks resume" not in client.get("/").content


def test_the_worker_catches_up_for_the_processes_that_saw_nothing(
    client: Client, story: Article, cache_down: pytest.MonkeyPatch
) -> None:
    url = story.get_absolute_url()
    cache_down.undo()
    keep(client, url, "/")
    old = store.current_generation()
    cache_down.setattr(store, "_write_generation", _refused)
    services.withdraw_article(article=story, actor=None, reason="Legal advice")
    assert not catch_up_pages()  # still down: the outbox waits
    assert PendingChange.objects.count() == 1
    cache_back(cache_down)
    store._unconfirmed = False  # another process, which saw nothing
    assert catch_up_pages()
    assert not PendingChange.objects.exists()
    new = store.current_generation()
    assert new is not None
    assert old is not None
    assert new.token != old.token
    assert client.get(url).status_code == 410
    assert b"Harbour talks resume" not in client.get("/").content


def test_a_process_that_could_not_read_the_generation_checks_the_outbox_once(
    client: Client,
    story: Article,
    cache_down: pytest.MonkeyPatch,
    django_assert_num_queries,
) -> None:
    assert store.current_generation() is None  # it may have missed a change
    cache_back(cache_down)
    PendingChange.objects.create(reason="made elsewhere during the outage")
    first = store.current_generation()  # the outbox read, a generation started
    assert first is not None
    assert not PendingChange.objects.exists()
    with django_assert_num_queries(0):
        assert store.current_generation() == first


def test_with_the_cache_up_a_change_costs_the_outbox_nothing(story: Article) -> None:
    store.current_generation()
    with CaptureQueriesContext(connection) as queries:
        store._start_generation_on_commit()
        store.current_generation()
    assert not [q for q in queries if "pagecache_pendingchange" in q["sql"]]
    assert not PendingChange.objects.exists()


def _refused(*args: object, **kwargs: object) -> None:
    raise redis.ConnectionError("Connection refused")
