"""The routing rules, on either engine: which reads a request may send to a
replica, and when a replica's position is asked for. Against a real
replica: test_streaming.py."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import RequestFactory

from dateline.api.models import ApiKey
from dateline.content.models import Article
from dateline.core.replicas import health, routing
from dateline.core.replicas.health import Standing
from dateline.pagecache import store
from dateline.pagecache.models import PendingChange

if TYPE_CHECKING:
    from collections.abc import Iterator

router = routing.ReplicaRouter()


@contextmanager
def routed_to(alias: str) -> Iterator[routing.Route]:
    route = routing.Route(alias=alias)
    token = routing._route.set(route)
    try:
        yield route
    finally:
        routing._route.reset(token)


def test_outside_a_request_everything_goes_to_the_primary() -> None:
    assert router.db_for_read(Article) == "default"
    assert router.db_for_write(Article) == "default"
    assert routing.reads_from() == "default"


def test_a_public_read_goes_to_its_replica_but_access_and_the_outbox_do_not() -> None:
    with routed_to("replica2"):
        assert router.db_for_read(Article) == "replica2"
        for model in (User, ApiKey, PendingChange):
            assert router.db_for_read(model) == "default", model


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_write_transaction_goes_to_the_primary() -> None:
    with routed_to("replica1"):
        with transaction.atomic():
            assert router.db_for_read(Article) == "default"
        assert router.db_for_read(Article) == "replica1"


def test_once_a_request_writes_it_reads_its_own_writes_from_the_primary() -> None:
    with routed_to("replica1") as route:
        assert router.db_for_write(Article) == "default"
        assert route.alias == "default"
        assert router.db_for_read(Article) == "default"


def test_migrations_run_on_the_primary_only() -> None:
    assert router.allow_migrate("default", "content") is True
    assert router.allow_migrate("replica1", "content") is False


def _standing(alias: str, *, usable: bool = True, replayed: int = 100) -> Standing:
    return Standing(
        alias=alias, usable=usable, reason="" if usable else "down",
        checked_at=0.0, replayed_lsn=replayed, lag_seconds=0.0,
    )  # fmt: skip


@pytest.fixture
def replicas(monkeypatch: pytest.MonkeyPatch) -> dict[str, Standing]:
    """Two replicas whose standings the test sets; asked positions counted."""
    standings = {"replica1": _standing("replica1"), "replica2": _standing("replica2")}
    monkeypatch.setattr(health, "replica_aliases", lambda: list(standings))
    monkeypatch.setattr(health, "standing", standings.get)
    return standings


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Each replica's position when asked now; ``asked["calls"]`` counts."""
    now = {"replica1": 100, "replica2": 100, "calls": 0}

    def replayed_lsn(alias: str) -> int:
        now["calls"] += 1
        return now[alias]

    monkeypatch.setattr(health, "replayed_lsn", replayed_lsn)
    return now


def test_no_usable_replica_means_the_primary(
    replicas: dict[str, Standing], asked: dict[str, int]
) -> None:
    for alias in replicas:
        replicas[alias] = _standing(alias, usable=False)
    assert routing.choose_replica(None) is None
    assert routing.choose_replica(50) is None
    assert asked["calls"] == 0


def test_a_kept_position_far_enough_costs_no_query(
    replicas: dict[str, Standing], asked: dict[str, int]
) -> None:
    replicas["replica2"] = _standing("replica2", usable=False)
    assert routing.choose_replica(None) == "replica1"
    assert routing.choose_replica(100) == "replica1"
    assert asked["calls"] == 0


def test_a_kept_position_short_of_the_generation_is_asked_once(
    replicas: dict[str, Standing], asked: dict[str, int]
) -> None:
    del replicas["replica2"]
    asked["replica1"] = 180
    assert routing.choose_replica(150) == "replica1"
    assert asked["calls"] == 1


def test_a_replica_behind_the_generation_sends_the_page_to_the_primary(
    replicas: dict[str, Standing], asked: dict[str, int]
) -> None:
    asked["replica1"] = asked["replica2"] = 120
    assert routing.choose_replica(150) is None
    assert asked["calls"] == 2
    assert routing.choose_replica(routing.UNKNOWN) is None
    assert asked["calls"] == 2


def test_a_generation_keeps_its_wal_position_and_an_older_one_reads_as_unknown() -> (
    None
):
    generation = store.Generation(
        token="abc", changed_at=1.0, next_release_at=2.0, lsn=123456789012
    )
    raw = json.dumps(
        {"token": "abc", "changed_at": 1.0, "next_release_at": 2.0, "lsn": 123456789012}
    )
    assert store._generation_of(raw) == generation
    before = json.dumps({"token": "abc", "changed_at": 1.0, "next_release_at": 2.0})
    assert store._generation_of(before) == store.Generation("abc", 1.0, 2.0, None)
    junk = json.dumps(
        {"token": "abc", "changed_at": 1, "next_release_at": 2, "lsn": "x"}
    )
    assert store._generation_of(junk) is None


@pytest.mark.django_db
def test_without_replicas_nothing_is_asked_or_noted(
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    request = RequestFactory().get("/news/")
    with django_assert_num_queries(0):
        assert health.primary_lsn() is None
    routing.require_replayed(request, 5)
    assert not hasattr(request, routing.REQUIRED_LSN)
