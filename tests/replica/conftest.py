"""A real streaming replica under the routing, for tests/replica.

``DATELINE_TEST_REPLICA_URL`` names a streaming replica of the test server
(tests/replica/make_replica.sh makes one; .ci/run sets it). pytest-django
makes the test database on the primary; the replica receives it by
streaming, so a replica alias here reads the test database by that name on
the replica's port, and the tests commit (``transaction=True``) so that
what they write reaches it. ``wait_replayed`` waits for the replica's
replayed position to pass the primary's, never for a fixed time.
"""

from __future__ import annotations

import os
import time
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test import override_settings

from dateline.core.replicas import health
from dateline.core.replicas.config import replica_databases
from tests.environment import missing

if TYPE_CHECKING:
    from collections.abc import Iterator

REPLICA_URL = os.environ.get("DATELINE_TEST_REPLICA_URL")
ROUTER = "dateline.core.replicas.routing.ReplicaRouter"
MIDDLEWARE = "dateline.core.replicas.routing.ReplicaMiddleware"
ALIAS = "replica1"

# For every test that reads a real replica: PostgreSQL's (the SQLite pass
# skips them as the other engine's), and the replica itself (a missing one
# fails CI under DATELINE_TEST_REQUIRE_ALL).
NEEDS_REPLICA = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="read replicas are PostgreSQL's"
    ),
    pytest.mark.skipif(
        not REPLICA_URL,
        reason=missing(
            "a streaming replica for tests",
            how="DATELINE_TEST_REPLICA_URL is not set; "
            "tests/replica/make_replica.sh makes one and .ci/run sets it",
        ),
    ),
]


def replica_port() -> int:
    return urlsplit(REPLICA_URL or "").port or 5432


@contextmanager
def installed_replica(port: int, *, alias: str = ALIAS) -> Iterator[str]:
    """``alias``, a replica of the test database at 127.0.0.1:``port``, with
    the router and the middleware on, as settings.py installs them."""
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    parts = urlsplit(REPLICA_URL or "postgres://postgres@127.0.0.1")
    user = parts.username or primary["USER"] or "postgres"
    url = f"postgres://{user}@127.0.0.1:{port}/{primary['NAME']}"
    entry = replica_databases([url], dict(primary))["replica1"]
    # The connection is made here, not by the handler from settings: the
    # test case refuses a connection to an alias its settings name but its
    # ``databases`` do not (pytest-django fixes those before any fixture).
    wrapper = load_backend(entry["ENGINE"]).DatabaseWrapper(entry, alias)
    setattr(connections._connections, alias, wrapper)
    try:
        with warnings.catch_warnings():
            # Django warns that DATABASES is read once by the handler: here
            # only the replicas' names are read from it.
            warnings.simplefilter("ignore", UserWarning)
            with override_settings(
                DATABASES={**settings.DATABASES, alias: entry},
                DATABASE_ROUTERS=[ROUTER],
                MIDDLEWARE=[*settings.MIDDLEWARE, MIDDLEWARE],
            ):
                health.forget()
                yield alias
    finally:
        wrapper.close()
        delattr(connections._connections, alias)
        health.forget()


@pytest.fixture
def replica(transactional_db: None) -> Iterator[str]:
    """The session's streaming replica, routed to (its alias)."""
    with installed_replica(replica_port()) as alias:
        wait_replayed(alias)
        yield alias


@pytest.fixture
def steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica's standing is kept for the whole test: what a request does
    between two measurements, however slow the machine."""
    monkeypatch.setattr(health, "CHECK_SECONDS", 3600.0)


def lsn(alias: str, sql: str) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    assert row is not None
    assert row[0] is not None
    return int(row[0])


def wait_replayed(alias: str, *, timeout: float = 60.0) -> int:
    """Wait until ``alias`` has replayed everything the primary has written
    so far; its position."""
    target = lsn(DEFAULT_DB_ALIAS, health.PRIMARY_SQL)
    deadline = time.monotonic() + timeout
    while True:
        replayed = lsn(alias, health.REPLAYED_SQL)
        if replayed >= target:
            return replayed
        if time.monotonic() > deadline:
            raise AssertionError(f"{alias} replayed {replayed}, not {target}")
        time.sleep(0.01)


def wait_received(alias: str, *, timeout: float = 60.0) -> None:
    """Wait until ``alias`` has received (not necessarily replayed) all the
    primary has written so far."""
    target = lsn(DEFAULT_DB_ALIAS, health.PRIMARY_SQL)
    sql = "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')"
    deadline = time.monotonic() + timeout
    while lsn(alias, sql) < target:
        if time.monotonic() > deadline:
            raise AssertionError(f"{alias} did not receive the primary's WAL")
        time.sleep(0.01)


@contextmanager
def replay_paused(alias: str) -> Iterator[None]:
    """The replica stops replaying (it still receives); resumed after."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
