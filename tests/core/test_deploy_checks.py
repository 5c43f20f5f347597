"""``dateline check --deploy`` on PostgreSQL (core/checks.py and each app's
checks.py): each check firing and not firing, nothing on SQLite, and a
database that is down said as a warning, not a crash."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from django.core import checks as django_checks
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import override_settings

from dateline.content import checks as content_checks
from dateline.core import checks
from dateline.core.management.commands import serve
from dateline.popularity import checks as popularity_checks
from dateline.search import checks as search_checks
from tests.faults.servers import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from django.core.checks import CheckMessage

POSTGRESQL = connection.vendor == "postgresql"
on_postgresql = pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's checks")


@pytest.fixture(autouse=True)
def _ask_afresh() -> Iterator[None]:
    checks.forget_reach()
    yield
    checks.forget_reach()


def ids(messages: list[CheckMessage]) -> list[str]:
    return [m.id or "" for m in messages]


def postgresql(**changes: Any) -> dict[str, Any]:
    """A PostgreSQL entry of DATABASES, as the settings module makes one."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "dateline",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"connect_timeout": 1},
        **changes,
    }


@pytest.fixture
def databases(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace what the checks read as DATABASES, for one test."""

    def use(**entries: dict[str, Any]) -> None:
        monkeypatch.setattr(connections, "settings", entries)

    return use


# --- Settings alone (both engines) ---------------------------------------------


def test_a_pool_with_persistent_connections_is_an_error(databases: Any) -> None:
    pooled = {"pool": {"min_size": 1, "max_size": 4}}
    databases(default=postgresql(OPTIONS=pooled, CONN_MAX_AGE=60))
    found = checks.check_connection_settings()
    assert ids(found) == ["dateline.E021"]
    assert isinstance(found[0], django_checks.Error)
    assert found[0].hint
    databases(default=postgresql(OPTIONS=pooled, CONN_MAX_AGE=0))
    assert checks.check_connection_settings() == []


def test_a_pool_asked_for_on_sqlite_is_named_as_unused(databases: Any) -> None:
    databases(default={"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    with override_settings(DATELINE_DATABASE_POOL=(2, 4)):
        assert ids(checks.check_connection_settings()) == ["dateline.W022"]
    with override_settings(DATELINE_DATABASE_POOL=None):
        assert checks.check_connection_settings() == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (postgresql(DISABLE_SERVER_SIDE_CURSORS=True), []),
        (postgresql(), ["dateline.W023"]),
        (
            postgresql(
                DISABLE_SERVER_SIDE_CURSORS=True,
                OPTIONS={"server_side_binding": True, "prepare_threshold": 5},
            ),
            ["dateline.W023"],
        ),
        # Bound on the client (Django's default), but Dateline's busiest
        # statements are prepared wherever psycopg may prepare at all.
        (
            postgresql(
                DISABLE_SERVER_SIDE_CURSORS=True, OPTIONS={"prepare_threshold": 5}
            ),
            ["dateline.W023"],
        ),
        (
            postgresql(
                DISABLE_SERVER_SIDE_CURSORS=True, OPTIONS={"prepare_threshold": None}
            ),
            [],
        ),
    ],
    ids=[
        "as-set",
        "server-side-cursors",
        "prepared-statements",
        "prepared-when-asked",
        "prepared-never",
    ],
)
def test_pgbouncer_with_what_breaks_it_is_named(
    databases: Any, entry: dict[str, Any], expected: list[str]
) -> None:
    databases(default=entry)
    with override_settings(DATELINE_DATABASE_PGBOUNCER=True):
        assert ids(checks.check_connection_settings()) == expected


def test_pgbouncers_port_without_the_setting_is_named(databases: Any) -> None:
    databases(default=postgresql(PORT="6432"))
    with override_settings(DATELINE_DATABASE_PGBOUNCER=False):
        found = checks.check_connection_settings()
    assert ids(found) == ["dateline.W024"]
    assert "DATELINE_DATABASE_PGBOUNCER" in (found[0].hint or "")
    with override_settings(DATELINE_DATABASE_PGBOUNCER=True):
        databases(default=postgresql(PORT="6432", DISABLE_SERVER_SIDE_CURSORS=True))
        assert checks.check_connection_settings() == []


def test_checks_of_other_apps_named_alone_say_nothing(databases: Any) -> None:
    from django.apps import apps

    databases(default=postgresql(OPTIONS={"pool": True}, CONN_MAX_AGE=60))
    site = [apps.get_app_config("site")]
    assert checks.check_connection_settings(app_configs=site) == []
    assert checks.check_database_reachable(app_configs=site) == []
    assert content_checks.check_statistics(app_configs=site) == []


def test_the_deploy_checks_on_sqlite_say_nothing_of_the_database() -> None:
    if POSTGRESQL:
        pytest.skip("SQLite's run")
    found = django_checks.run_checks(include_deployment_checks=True)
    assert [m for m in found if (m.id or "").startswith("dateline.")] == []


def test_check_deploy_with_the_database_down_warns_and_does_not_crash(
    tmp_path: Path,
) -> None:
    """In a process of its own, as an operator runs it: setting up connects to
    nothing (the server is absent), and the run ends with W020."""
    port = free_port()  # nothing listens there
    result = subprocess.run(
        [sys.executable, "-m", "dateline", "check", "--deploy"],
        env={
            "DATELINE_DATA_DIR": str(tmp_path),
            "DATELINE_DATABASE_URL": f"postgres://dateline@127.0.0.1:{port}/dateline",
            "DATELINE_DATABASE_TIMEOUT": "1",
            "PATH": "",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "dateline.W020" in result.stderr
    assert f"port {port} failed" in result.stderr
    assert "Traceback" not in result.stderr


# --- On PostgreSQL ---------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db
def test_an_unreachable_database_is_one_warning_and_its_checks_are_skipped() -> None:
    down = {**connection.settings_dict, "PORT": str(free_port()), "CONN_MAX_AGE": 0}
    previous = connections["default"]
    connections["default"] = load_backend(down["ENGINE"]).DatabaseWrapper(
        down, alias="default"
    )
    try:
        found = checks.check_database_reachable()
        assert ids(found) == ["dateline.W020"]
        assert "'default'" in found[0].msg
        assert f"port {down['PORT']} failed" in found[0].msg
        assert checks.statistics_warnings(["content_article"]) == []
        assert checks.missing_extensions({"rum": "slower"}) == []
        assert checks.check_max_connections() == []
    finally:
        connections["default"].close()
        connections["default"] = previous
    checks.forget_reach()
    assert checks.check_database_reachable() == []


@on_postgresql
@pytest.mark.django_db
def test_connections_beyond_max_connections_are_named(
    databases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serve, "default_workers", lambda: 2)
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (limit,) = cursor.fetchone()
    big = {"pool": {"min_size": 1, "max_size": int(limit)}}
    databases(default={**connection.settings_dict, "OPTIONS": big, "CONN_MAX_AGE": 0})
    found = checks.check_max_connections()
    assert ids(found) == ["dateline.W025"]
    assert f"max_connections {limit}" in found[0].msg
    assert "2 `dateline serve` workers" in found[0].msg
    # Small pools, or one connection a thread: within the limit.
    small = {"pool": {"min_size": 1, "max_size": 4}}
    databases(default={**connection.settings_dict, "OPTIONS": small, "CONN_MAX_AGE": 0})
    assert checks.check_max_connections() == []
    databases(default=connection.settings_dict)
    assert checks.check_max_connections() == []
    # Behind PgBouncer, its pool sizes govern the server's connections.
    databases(default={**connection.settings_dict, "OPTIONS": big, "CONN_MAX_AGE": 0})
    with override_settings(DATELINE_DATABASE_PGBOUNCER=True):
        assert checks.check_max_connections() == []


PROBE = "dateline_statistics_probe"


@pytest.fixture
def probe_table(transactional_db: None) -> Iterator[str]:
    """A table of the test's own with rows, its statistics counters reset
    (never analyzed) and flushed where pg_stat_user_tables reads them."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE} (id int)")
        cursor.execute(
            f"SELECT pg_stat_reset_single_table_counters('{PROBE}'::regclass)"
        )
        cursor.execute(f"INSERT INTO {PROBE} SELECT generate_series(1, 100)")
        cursor.execute("SELECT pg_stat_force_next_flush()")
    try:
        yield PROBE
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {PROBE}")


def fresh_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")


@on_postgresql
def test_a_table_never_analyzed_is_named_until_it_is(probe_table: str) -> None:
    fresh_statistics()
    found = checks.statistics_warnings([probe_table, "content_section"])
    assert ids(found) == ["dateline.W026"]
    assert probe_table in found[0].msg
    assert f"ANALYZE {probe_table}" in (found[0].hint or "")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {probe_table}")
        cursor.execute("SELECT pg_stat_force_next_flush()")
    fresh_statistics()
    assert checks.statistics_warnings([probe_table]) == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_partitioned_tables_partitions_are_named() -> None:
    # The search entries are partitioned by year: the rows, and the
    # statistics the planner needs, are the partitions'.
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE}_parts (id int) PARTITION BY RANGE (id)")
        cursor.execute(
            f"CREATE TABLE {PROBE}_low PARTITION OF {PROBE}_parts FOR VALUES FROM (0) TO (1000)"
        )
        cursor.execute(
            f"SELECT pg_stat_reset_single_table_counters('{PROBE}_low'::regclass)"
        )
        cursor.execute(f"INSERT INTO {PROBE}_parts SELECT generate_series(1, 100)")
        cursor.execute("SELECT pg_stat_force_next_flush()")
    try:
        fresh_statistics()
        assert checks.tables_without_statistics([f"{PROBE}_parts"]) == [f"{PROBE}_low"]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PROBE}_parts")
            cursor.execute("SELECT pg_stat_force_next_flush()")
        fresh_statistics()
        assert checks.tables_without_statistics([f"{PROBE}_parts"]) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {PROBE}_parts")


@on_postgresql
@pytest.mark.django_db
def test_an_empty_table_needs_no_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {PROBE}_empty (id int)")
    assert checks.tables_without_statistics([f"{PROBE}_empty"]) == []


def test_each_app_asks_about_its_own_big_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[str]] = []

    def record(tables: list[str], alias: str = "default") -> list[Any]:
        asked.append(list(tables))
        return []

    for module in (content_checks, search_checks, popularity_checks):
        monkeypatch.setattr(module, "statistics_warnings", record)
        module.check_statistics()
    assert asked == [
        [
            "content_article",
            "content_articletopic",
            "content_articleperson",
            "content_relatedarticle",
            "content_correction",
        ],
        ["search_searchentry"],
        ["popularity_viewbucket"],
    ]
    registered = django_checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
    for module in (content_checks, search_checks, popularity_checks):
        assert module.check_statistics in registered


@on_postgresql
@pytest.mark.django_db
def test_a_missing_extension_is_named_with_what_it_costs() -> None:
    assert checks.missing_extensions({"plpgsql": "nothing works"}) == []
    found = checks.missing_extensions(
        {"plpgsql": "nothing works", "dateline_no_such": "search is slower"}
    )
    assert ids(found) == ["dateline.W027"]
    assert "'dateline_no_such'" in found[0].msg
    assert "search is slower" in found[0].msg
    assert "CREATE EXTENSION dateline_no_such" in (found[0].hint or "")


def test_database_checks_say_nothing_on_sqlite(databases: Any) -> None:
    databases(default={"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    assert checks.statistics_warnings(["content_article"]) == []
    assert checks.missing_extensions({"rum": "slower"}) == []
    assert checks.check_max_connections() == []
    assert checks.check_database_reachable() == []
