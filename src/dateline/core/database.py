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
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

# DATELINE_DATABASE_POOL=true: two connections kept open per process, four at
# most: a request thread (one by default in `dateline serve`, see its
# DEFAULT_THREADS), the page files' keeper thread, and room for --threads 2.
DEFAULT_POOL = (2, 4)
MAX_POOL_SIZE = 200
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
    database["OPTIONS"] = options
    return database
