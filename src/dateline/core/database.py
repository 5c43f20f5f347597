"""PostgreSQL connections for many processes: Django's pool, and PgBouncer.

Two ways to keep a busy site within PostgreSQL's ``max_connections``, chosen
by configuration (docs/settings.md, docs/deploy.md):

- ``DATELINE_DATABASE_POOL``: Django's psycopg pool, one per worker process.
  A request borrows a connection and gives it back when it ends (so
  ``CONN_MAX_AGE`` must be 0: Django refuses a pool otherwise). A process
  never holds more than the pool's maximum, and a request that finds the pool
  exhausted waits at most ``DATELINE_DATABASE_TIMEOUT`` seconds, then gets
  the 503 of ``core.outage`` (well before nginx's 60 s ``proxy_read_timeout``
  or a reader gives up): a burst queues briefly instead of opening connections
  until the server refuses them all.
- ``DATELINE_DATABASE_PGBOUNCER``: the connections go to PgBouncer in
  transaction mode, which lends a server connection for one transaction at a
  time. What lives longer than a transaction would then meet another
  session's connection: a server-side cursor (``QuerySet.iterator()`` on
  PostgreSQL declares one ``WITH HOLD`` outside a transaction) and a
  prepared statement (PgBouncer before 1.21, Debian 12's is 1.18, does not
  track them). So both are turned off. The other session state Django sets
  (``TIME ZONE``) is a parameter PgBouncer itself carries from one server
  connection to the next; Dateline sets no other (no ``SET`` without
  ``LOCAL``, no advisory or ``LISTEN`` sessions, no temporary tables: the
  worker claims jobs with ``SELECT … FOR UPDATE SKIP LOCKED`` inside a
  transaction). tests/core/test_pgbouncer.py runs the site through one.

Both can be used at once (a small pool per process in front of PgBouncer).

``prepared_cursor``: the few statements every uncached page runs (the article
page's, the lists' of feeds and the API) are prepared by the server once per
connection, not planned again on every page: planning was most of their cost
(docs/decisions/article-sql.md). Not behind PgBouncer, which does not keep
prepared statements; there, and on SQLite, it is an ordinary cursor.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper

# DATELINE_DATABASE_POOL=true: two connections kept open per process, four at
# most: a request thread (one by default in `dateline serve`, see its
# DEFAULT_THREADS), the page files' keeper thread, and room for --threads 2.
DEFAULT_POOL = (2, 4)
MAX_POOL_SIZE = 200
# psycopg's prepare_threshold where statements are prepared only when asked.
ASKED_ONLY = 2**31 - 1
_OFF = {"", "false", "off", "no", "0"}
_ON = {"true", "on", "yes", "1"}


def parse_pool(value: str) -> tuple[int, int] | None:
    """``DATELINE_DATABASE_POOL``: ``None`` for no pool, else the smallest and
    largest number of connections each process keeps."""
    text = value.strip().lower()
    if text in _OFF:
        return None
    if text in _ON:
        return DEFAULT_POOL
    smallest, colon, largest = text.partition(":")
    if colon and smallest.isdigit() and largest.isdigit():
        low, high = int(smallest), int(largest)
        if 0 <= low <= high and 1 <= high <= MAX_POOL_SIZE:
            return low, high
    raise ImproperlyConfigured(
        f"DATELINE_DATABASE_POOL: {value!r} is not false, true or MIN:MAX "
        f"(connections per worker process, e.g. 2:4; MAX from 1 to "
        f"{MAX_POOL_SIZE}, MIN not above it)."
    )


def configure_postgresql(
    database: dict[str, Any],
    *,
    pool: tuple[int, int] | None,
    pgbouncer: bool,
    timeout: int,
) -> dict[str, Any]:
    """``database`` (a ``DATABASES`` entry for PostgreSQL) with the pool and
    the PgBouncer settings applied; also for a replica's entry."""
    options = dict(database.get("OPTIONS", {}))
    if pool is not None:
        low, high = pool
        options["pool"] = {
            "min_size": low,
            "max_size": high,
            # An exhausted pool gives up after this, and the request is a 503.
            "timeout": float(timeout),
            "name": "dateline",
        }
        # Connections go back to the pool when a request ends; Django
        # refuses a pool with persistent connections.
        database["CONN_MAX_AGE"] = 0
    if pgbouncer:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        # Django's own default too: said here so that no OPTIONS in the URL
        # turns prepared statements on behind PgBouncer.
        options["prepare_threshold"] = None
    else:
        # psycopg prepares nothing when this is None (Django's default), not
        # even what is asked for; this high it prepares only what is asked
        # for: the statements of prepared_cursor. Django's own cursors bind
        # on the client, and those never prepare.
        options.setdefault("prepare_threshold", ASKED_ONLY)
    database["OPTIONS"] = options
    return database


@contextmanager
def prepared_cursor(db: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor of ``db`` whose statements PostgreSQL prepares on their first
    run and reuses on this connection after; elsewhere ``db.cursor()``.

    For fixed statements with bound values only: every distinct text is a
    prepared statement of its own (psycopg keeps the latest 100). The cursor
    is wrapped as Django wraps its own, so that query logging, counting and
    ``execute_wrapper`` see its statements.
    """
    if db.vendor == "postgresql":
        db.ensure_connection()
    if db.vendor != "postgresql" or db.connection.prepare_threshold is None:
        with db.cursor() as cursor:  # SQLite, or behind PgBouncer
            yield cursor
        return
    db.validate_thread_sharing()
    preparing, logging = _preparing_classes()
    with db.wrap_database_errors:
        raw = preparing(db.connection)
    cursor = logging(raw, db) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor


@cache
def _preparing_classes() -> tuple[type[Any], type[Any]]:
    """The preparing cursor, and the wrapper that logs its statements where
    Django logs queries. Made on first use: the PostgreSQL backend imports
    psycopg."""
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        CursorDebugWrapper,
        ServerBindingCursor,
    )
    from django.db.backends.utils import CursorWrapper

    class PreparingCursor(ServerBindingCursor):
        """Django's cursor with server-side binding, preparing every
        statement it runs."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

    class PreparedStatementLog(CursorDebugWrapper):
        """Logs each statement with its values in, as Django's own cursors'
        log reads (Django reads it back from psycopg, which keeps no text
        for a prepared statement's run)."""

        def execute(self, sql: Any, params: Any = None) -> Any:
            with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, PreparedStatementLog
