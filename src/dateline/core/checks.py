"""``dateline check --deploy`` on PostgreSQL: the connections and the database.

Deploy checks only (Django runs them for ``check --deploy``, never when a
server starts or a command runs), and they connect only when run, never at
import. On SQLite the database checks have nothing to say. A database that
cannot be reached is one warning (``dateline.W020``) and the checks that
need it are skipped; the answer is remembered for a few seconds so that a
run waits for a down server once, not once per check.

The ids, with the hint each gives (docs/operations.md lists them):

- ``W020`` the database could not be reached;
- ``E021`` a pool with persistent connections (Django refuses to start one);
- ``W022`` ``DATELINE_DATABASE_POOL`` on SQLite, which has no pool;
- ``W023`` PgBouncer with server-side cursors or prepared statements on;
- ``W024`` PgBouncer's port without ``DATELINE_DATABASE_PGBOUNCER``;
- ``W025`` one app machine's connections against ``max_connections``;
- ``W026`` big tables never analyzed (each app names its own:
  ``statistics_warnings``);
- ``W027`` an extension the code would use is missing (``missing_extensions``,
  the hook for an app that uses one: it registers a check of its own
  calling it with the extensions' names and what happens without them).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError, connections

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.apps import AppConfig
    from django.core.checks import CheckMessage

POSTGRESQL_ENGINES = {
    "django.db.backends.postgresql",
    "django.contrib.gis.db.backends.postgis",
}
PGBOUNCER_PORT = 6432
# psycopg_pool's own sizes when OPTIONS["pool"] is True.
PSYCOPG_POOL_DEFAULT_SIZE = 4
# Threads of `dateline worker` that use the database (the queue, the
# schedule, the page cache's outbox).
WORKER_THREADS = 3
# How long a run's answer to "can the database be reached?" is kept.
REACH_SECONDS = 30.0
_reached: dict[str, tuple[float, str | None]] = {}


def forget_reach() -> None:
    """Ask the database afresh at the next check (tests)."""
    _reached.clear()


def unreachable(alias: str = "default") -> str | None:
    """Why the database cannot be reached, or None when it answers."""
    now = time.monotonic()
    known = _reached.get(alias)
    if known is not None and now - known[0] < REACH_SECONDS:
        return known[1]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        reason = None
    except DatabaseError as error:
        reason = str(error).strip() or type(error).__name__
    _reached[alias] = (now, reason)
    return reason


def is_postgresql(alias: str = "default") -> bool:
    return connections.settings[alias]["ENGINE"] in POSTGRESQL_ENGINES


def postgresql_aliases() -> list[str]:
    return [alias for alias in connections.settings if is_postgresql(alias)]


def is_ours(app_configs: Iterable[AppConfig] | None, label: str) -> bool:
    """Whether a check of app ``label`` runs (``check LABEL…`` names apps)."""
    return app_configs is None or any(c.label == label for c in app_configs)


@register(deploy=True)
def check_database_reachable(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not is_ours(app_configs, "core"):
        return []
    problems: list[CheckMessage] = []
    for alias in postgresql_aliases():
        reason = unreachable(alias)
        if reason is not None:
            problems.append(
                Warning(
                    f"The database {alias!r} could not be reached: {reason}",
                    hint=(
                        "The checks of the database itself (statistics, "
                        "extensions, max_connections) did not run. Start it, or "
                        "check DATELINE_DATABASE_URL, and run `dateline check "
                        "--deploy` again."
                    ),
                    id="dateline.W020",
                )
            )
    return problems


def pool_size(settings_dict: dict[str, Any]) -> int | None:
    """The most connections a process's pool opens, or None for no pool."""
    pool = settings_dict.get("OPTIONS", {}).get("pool")
    if not pool:
        return None
    if pool is True:
        return PSYCOPG_POOL_DEFAULT_SIZE
    size = pool.get("max_size") or pool.get("min_size", PSYCOPG_POOL_DEFAULT_SIZE)
    return int(size)


@register(deploy=True)
def check_connection_settings(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The pool and PgBouncer settings, read from the settings alone."""
    if not is_ours(app_configs, "core"):
        return []
    problems: list[CheckMessage] = []
    if settings.DATELINE_DATABASE_POOL and not postgresql_aliases():
        problems.append(
            Warning(
                "DATELINE_DATABASE_POOL is set, but the database is SQLite, "
                "which has no connection pool: it is not used.",
                hint="Unset it, or move to PostgreSQL (DATELINE_DATABASE_URL).",
                id="dateline.W022",
            )
        )
    for alias in postgresql_aliases():
        settings_dict = connections.settings[alias]
        options = settings_dict.get("OPTIONS", {})
        if options.get("pool") and settings_dict.get("CONN_MAX_AGE", 0) != 0:
            problems.append(
                Error(
                    f"The database {alias!r} has a connection pool and "
                    f"CONN_MAX_AGE={settings_dict.get('CONN_MAX_AGE')}: Django "
                    "refuses to open the pool, so every request fails.",
                    hint=(
                        "Set CONN_MAX_AGE to 0 with a pool (DATELINE_DATABASE_POOL "
                        "does), or drop the pool."
                    ),
                    id="dateline.E021",
                )
            )
        if settings.DATELINE_DATABASE_PGBOUNCER:
            problems += _pgbouncer_problems(alias, settings_dict)
        elif str(settings_dict.get("PORT") or "") == str(PGBOUNCER_PORT):
            problems.append(
                Warning(
                    f"The database {alias!r} is reached on port {PGBOUNCER_PORT}, "
                    "PgBouncer's, but DATELINE_DATABASE_PGBOUNCER is off: in "
                    "transaction mode, QuerySet.iterator() (the sitemaps, "
                    "`dateline renditions`) fails now and then.",
                    hint=(
                        "Set DATELINE_DATABASE_PGBOUNCER=true if this is PgBouncer "
                        "(docs/deploy.md, PgBouncer)."
                    ),
                    id="dateline.W024",
                )
            )
    return problems


def _pgbouncer_problems(alias: str, settings_dict: dict[str, Any]) -> list[Warning]:
    options = settings_dict.get("OPTIONS", {})
    broken = []
    if not settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        broken.append("server-side cursors (DISABLE_SERVER_SIDE_CURSORS is off)")
    if options.get("prepare_threshold") is not None:  # see prepared_cursor
        broken.append("prepared statements (prepare_threshold is set)")
    if not broken:
        return []
    return [
        Warning(
            f"DATELINE_DATABASE_PGBOUNCER is on, but the database {alias!r} uses "
            f"{' and '.join(broken)}: they do not survive PgBouncer's "
            "transaction mode.",
            hint=(
                "Leave DATABASES to the settings module (it turns both off), or "
                "set DISABLE_SERVER_SIDE_CURSORS=True and prepare_threshold=None."
            ),
            id="dateline.W023",
        )
    ]


def connections_per_machine(settings_dict: dict[str, Any]) -> tuple[int, str]:
    """The most connections one app machine opens (its `dateline serve` with
    the default workers and threads, and a `dateline worker`), and how."""
    from dateline.core.management.commands.serve import (
        DEFAULT_THREADS,
        default_workers,
    )

    workers = default_workers()
    pool = pool_size(settings_dict)
    if pool is not None:
        per_server, per_worker = pool, pool
        how = f"a pool of up to {pool} in each"
    else:
        # A request thread's connection and the page files' keeper's.
        per_server, per_worker = DEFAULT_THREADS + 1, WORKER_THREADS
        how = "one per thread"
    total = workers * per_server + per_worker
    return total, (f"{workers} `dateline serve` workers and a `dateline worker`, {how}")


@register(deploy=True)
def check_max_connections(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """One app machine's connections fit in PostgreSQL's max_connections
    (PgBouncer's own pool sizes govern the server's when it is in front)."""
    if not is_ours(app_configs, "core") or settings.DATELINE_DATABASE_PGBOUNCER:
        return []
    problems: list[CheckMessage] = []
    for alias in postgresql_aliases():
        if unreachable(alias) is not None:
            continue
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('max_connections')::int, "
                "current_setting('superuser_reserved_connections')::int"
            )
            limit, reserved = cursor.fetchone()
        available = limit - reserved
        total, how = connections_per_machine(connections.settings[alias])
        if total > available:
            problems.append(
                Warning(
                    f"One app machine may open {total} connections to the "
                    f"database {alias!r} ({how}); PostgreSQL takes "
                    f"{available} (max_connections {limit} less {reserved} "
                    "kept for superusers).",
                    hint=(
                        "Lower DATELINE_DATABASE_POOL's MAX, raise max_connections, "
                        "or put PgBouncer in front (docs/deploy.md); every app "
                        "machine adds as many."
                    ),
                    id="dateline.W025",
                )
            )
    return problems


def tables_without_statistics(
    tables: Iterable[str], alias: str = "default"
) -> list[str]:
    """Those of ``tables`` holding rows that were never analyzed, by hand or
    by autovacuum: the planner guesses their sizes (a 1M-item archive loaded
    with COPY and queried before autovacuum comes by). A partitioned table's
    rows are in its partitions, which are named instead."""
    names = list(tables)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE (relname = ANY(%s) "
            "OR relid IN (SELECT inhrelid FROM pg_inherits JOIN pg_class parent "
            "ON parent.oid = inhparent WHERE parent.relname = ANY(%s))) "
            "AND last_analyze IS NULL AND last_autoanalyze IS NULL "
            "AND n_live_tup > 0 ORDER BY relname",
            [names, names],
        )
        return [name for (name,) in cursor.fetchall()]


def statistics_warnings(tables: Iterable[str], alias: str = "default") -> list[Warning]:
    """W026 for an app's big tables never analyzed (none on SQLite, or with
    the database down: W020 says that)."""
    if not is_postgresql(alias) or unreachable(alias) is not None:
        return []
    missing = tables_without_statistics(tables, alias)
    if not missing:
        return []
    return [
        Warning(
            f"PostgreSQL has no planner statistics for {', '.join(missing)}: "
            "its plans for them are guesses (a search or a feed page may read "
            "the whole table).",
            hint=(
                f"Run `ANALYZE {', '.join(missing)};` (or `vacuumdb --analyze-only`) "
                "after loading an archive; autovacuum keeps them afterwards."
            ),
            id="dateline.W026",
        )
    ]


def missing_extensions(needed: dict[str, str], alias: str = "default") -> list[Warning]:
    """W027 for each of ``needed`` (extension name: what happens without it)
    not installed in the database; none on SQLite or with the database down."""
    if not needed or not is_postgresql(alias) or unreachable(alias) is not None:
        return []
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT extname FROM pg_extension WHERE extname = ANY(%s)", [list(needed)]
        )
        installed = {name for (name,) in cursor.fetchall()}
    return [
        Warning(
            f"The PostgreSQL extension {name!r} is not installed: {without}",
            hint=(
                f"As a superuser: CREATE EXTENSION {name}; (its package, e.g. "
                "Debian's postgresql-15-<name>, first), then `dateline migrate`."
            ),
            id="dateline.W027",
        )
        for name, without in needed.items()
        if name not in installed
    ]
