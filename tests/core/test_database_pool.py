"""DATELINE_DATABASE_POOL and DATELINE_DATABASE_PGBOUNCER (core/database.py),
and an exhausted pool answered with a 503 (core/outage.py).

The pool's own tests run on PostgreSQL: a pool of one connection, held by
another thread, while a request comes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

import psycopg_pool
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client, RequestFactory

from dateline.core import outage
from dateline.core.database import (
    ASKED_ONLY,
    DEFAULT_POOL,
    configure_postgresql,
    parse_pool,
)
from tests.factories import published_article

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http import HttpResponse

# Long enough for any machine to give up on the pool and answer; a request
# still waiting then has hung.
HANG_SECONDS = 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("false", None),
        ("off", None),
        ("0", None),
        ("true", DEFAULT_POOL),
        ("YES", DEFAULT_POOL),
        ("1:3", (1, 3)),
        (" 0:8 ", (0, 8)),
        ("4:4", (4, 4)),
    ],
)
def test_pool_sizes_are_read_from_the_variable(
    value: str, expected: tuple[int, int] | None
) -> None:
    assert parse_pool(value) == expected


@pytest.mark.parametrize(
    "value", ["lots", "4", "5:2", "0:0", "-1:3", "1:201", "1:2:3", "a:b", "2.5:4"]
)
def test_a_bad_pool_size_is_refused_and_named(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DATELINE_DATABASE_POOL"):
        parse_pool(value)


def test_a_pool_replaces_persistent_connections_and_waits_the_database_timeout() -> (
    None
):
    database = configure_postgresql(
        {"CONN_MAX_AGE": 60, "OPTIONS": {"connect_timeout": 5}},
        pool=(1, 3),
        pgbouncer=False,
        timeout=4,
    )
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["connect_timeout"] == 5
    assert database["OPTIONS"]["pool"] == {
        "min_size": 1,
        "max_size": 3,
        "timeout": 4.0,
        "name": "dateline",
    }
    assert "DISABLE_SERVER_SIDE_CURSORS" not in database


def test_pgbouncer_turns_off_server_side_cursors_and_prepared_statements() -> None:
    database = configure_postgresql(
        # A threshold asked for in the URL's query loses.
        {"CONN_MAX_AGE": 60, "OPTIONS": {"prepare_threshold": "5"}},
        pool=None,
        pgbouncer=True,
        timeout=5,
    )
    assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None
    assert database["CONN_MAX_AGE"] == 60  # a connection to PgBouncer is cheap
    assert "pool" not in database["OPTIONS"]


def database_settings_in_a_fresh_process(
    tmp_path: Path, **variables: str
) -> dict[str, Any]:
    """settings.DATABASES["default"] as a process with these variables has it
    (no connection is made: settings do not connect)."""
    script = (
        "import json; from dateline import settings as s;"
        "d = s.DATABASES['default'];"
        "print(json.dumps({'options': d.get('OPTIONS', {}),"
        " 'conn_max_age': d.get('CONN_MAX_AGE'),"
        " 'no_cursors': d.get('DISABLE_SERVER_SIDE_CURSORS', False)},"
        " default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={"DATELINE_DATA_DIR": str(tmp_path), "PATH": "", **variables},
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_the_variables_set_django_s_database_settings(tmp_path: Path) -> None:
    url = "postgres://dateline@127.0.0.1:6432/dateline"
    plain = database_settings_in_a_fresh_process(tmp_path, DATELINE_DATABASE_URL=url)
    assert "pool" not in plain["options"]
    assert plain["options"]["prepare_threshold"] == ASKED_ONLY
    assert plain["conn_max_age"] == 60
    assert plain["no_cursors"] is False
    both = database_settings_in_a_fresh_process(
        tmp_path,
        DATELINE_DATABASE_URL=url,
        DATELINE_DATABASE_POOL="1:3",
        DATELINE_DATABASE_PGBOUNCER="true",
        DATELINE_DATABASE_TIMEOUT="3",
    )
    assert both["options"]["pool"]["max_size"] == 3
    assert both["options"]["pool"]["timeout"] == 3.0
    assert both["options"]["prepare_threshold"] is None
    assert both["conn_max_age"] == 0
    assert both["no_cursors"] is True
    # SQLite has no pool: the variable is read (a bad value stops the start)
    # and left unused; `dateline check --deploy` says so.
    sqlite = database_settings_in_a_fresh_process(
        tmp_path, DATELINE_DATABASE_POOL="true"
    )
    assert "pool" not in sqlite["options"]


def test_an_exhausted_pool_is_a_503_saying_busy_with_a_short_retry_after() -> None:
    """Without a server: the error as Django raises it from the pool's."""
    try:
        try:
            raise psycopg_pool.PoolTimeout("couldn't get a connection after 5.00 sec")
        except psycopg_pool.PoolTimeout as error:
            raise OperationalError(*error.args) from error
    except OperationalError as wrapped:
        error = wrapped
    assert outage.is_unavailable(error)
    assert outage.is_pool_exhausted(error)
    assert not outage.is_pool_exhausted(OperationalError("server closed"))
    for path in ("/news/", "/api/v1/items"):
        request = RequestFactory().get(path)
        response = outage.unavailable_answer(request, error)
        assert response.status_code == 503, path
        assert response["Retry-After"] == str(outage.BUSY_RETRY_AFTER_SECONDS)
        assert b"very busy" in response.content, path
    down = outage.unavailable_answer(
        RequestFactory().get("/news/"), OperationalError("connection refused")
    )
    assert down["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)


# --- On PostgreSQL: a real pool of one connection -----------------------------


# Django keeps a pool per alias (the test database's "default" has none) and
# django.contrib.postgres looks the alias up when a connection opens.
ALIAS = "default"


@pytest.fixture
def pool_of_one() -> Iterator[Callable[[], BaseDatabaseWrapper]]:
    """Connections of the test's own (one wrapper per thread, as Django's
    are) sharing a pool that lends one connection and waits a second for it;
    the pool is closed afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connection pool")
    options = {
        **connection.settings_dict["OPTIONS"],
        "pool": {"min_size": 1, "max_size": 1, "timeout": 1.0},
    }
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 0, "OPTIONS": options}
    backend = load_backend(settings_dict["ENGINE"])

    def wrapper() -> BaseDatabaseWrapper:
        made: BaseDatabaseWrapper = backend.DatabaseWrapper(settings_dict, alias=ALIAS)
        return made

    yield wrapper
    wrapper().close_pool()  # type: ignore[attr-defined]


def answer_within_bound(
    wrapper: Callable[[], BaseDatabaseWrapper], ask: Callable[[Client], HttpResponse]
) -> HttpResponse:
    """``ask`` run in a thread whose default database uses the pool; a
    request still unanswered after HANG_SECONDS fails the test."""
    answers: list[HttpResponse] = []
    failures: list[BaseException] = []

    def run() -> None:
        own = wrapper()
        connections["default"] = own
        try:
            answers.append(ask(Client()))
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            own.close()  # gives the connection back to the pool

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_SECONDS)
    assert not thread.is_alive(), "the request waited for the pool past its timeout"
    if failures:
        raise failures[0]
    return answers[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_request_meeting_an_exhausted_pool_gets_a_503_then_recovers(
    pool_of_one: Callable[[], BaseDatabaseWrapper],
) -> None:
    url = published_article(headline="Harbour talks resume").get_absolute_url()
    pool = pool_of_one().pool  # type: ignore[attr-defined]
    pool.open(wait=True)
    taken = threading.Event()
    release = threading.Event()
    holder_errors: list[BaseException] = []

    def hold() -> None:
        try:
            with pool.connection():  # the only one
                taken.set()
                release.wait(HANG_SECONDS)
        except BaseException as error:
            holder_errors.append(error)
            taken.set()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert taken.wait(HANG_SECONDS)
    assert not holder_errors
    try:
        page = answer_within_bound(pool_of_one, lambda c: c.get(url))
        assert page.status_code == 503
        assert page["Retry-After"] == str(outage.BUSY_RETRY_AFTER_SECONDS)
        assert page["Cache-Control"] == "no-store"
        assert b"very busy" in page.content
        api = answer_within_bound(pool_of_one, lambda c: c.get("/api/v1/items"))
        assert api.status_code == 503
        assert api["Content-Type"] == outage.PROBLEM_TYPE
        assert api["Retry-After"] == str(outage.BUSY_RETRY_AFTER_SECONDS)
    finally:
        release.set()
        holder.join(HANG_SECONDS)
    # The connection is back: the same page is answered from the pool.
    page = answer_within_bound(pool_of_one, lambda c: c.get(url))
    assert page.status_code == 200
    assert b"Harbour talks resume" in page.content
    assert pool.get_stats()["pool_size"] == 1
