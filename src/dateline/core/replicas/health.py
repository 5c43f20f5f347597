"""Which replica may be read now, and how far it has replayed the primary.

A replica is *usable* when it answers, is a standby (in recovery), its
replay is not paused, and it is at most DATELINE_REPLICA_MAX_LAG_SECONDS
behind. Lag is 0 while its WAL receiver runs and it has replayed all it has
received; otherwise the age of the last transaction it replayed (an idle
primary sends nothing, so that age alone would call a current replica late).

Each process measures a replica at most once per ``CHECK_SECONDS`` (one
small query on the request that finds the standing stale; every other
request reads the kept standing, no query). A replica that fails is left
alone for ``COOL_OFF_SECONDS``: no request waits for its connect timeout
meanwhile. Positions are LSNs as integers (bytes of WAL since 0/0), compared
with the one recorded when a page-cache generation started (see routing).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.dispatch import receiver

from dateline.core.replicas.config import is_replica_alias

logger = logging.getLogger(__name__)

# A replica's standing is measured again after this long (per process).
CHECK_SECONDS = 2.0
# A replica that failed is not tried again for this long.
COOL_OFF_SECONDS = 10.0

STANDING_SQL = """
SELECT pg_is_in_recovery(),
       pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0'),
       CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END,
       CASE
         WHEN pg_last_wal_receive_lsn() IS NOT NULL
              AND pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()
              AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL)
         THEN 0
         ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""
REPLAYED_SQL = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')"
PRIMARY_SQL = "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"


@dataclass(frozen=True)
class Standing:
    """What a process knows of one replica."""

    alias: str
    usable: bool
    reason: str  # why not usable; "" when usable
    checked_at: float  # time.monotonic() of the measurement
    replayed_lsn: int | None = None
    lag_seconds: float | None = None
    # Not measured again before this (monotonic): a failure's cool-off.
    retry_at: float = 0.0


_standings: dict[str, Standing] = {}
_measuring = threading.Lock()


@functools.cache
def replica_aliases() -> tuple[str, ...]:
    """Worked out once (per change of settings): every request reads it."""
    return tuple(name for name in settings.DATABASES if is_replica_alias(name))


def has_replicas() -> bool:
    return bool(replica_aliases())


def standing(alias: str) -> Standing | None:
    """The kept standing, measured again when stale. None only while
    another thread measures a replica never measured before."""
    now = time.monotonic()
    kept = _standings.get(alias)
    if kept is not None and (
        now < kept.retry_at
        or (not kept.retry_at and now - kept.checked_at < CHECK_SECONDS)
    ):
        return kept
    # One thread measures; the others go on with what is kept.
    if not _measuring.acquire(blocking=False):
        return kept
    try:
        fresh = measure(alias)
    finally:
        _measuring.release()
    _standings[alias] = fresh
    if kept is not None and kept.usable != fresh.usable:
        if fresh.usable:
            logger.warning("Replica %s: readable again.", alias)
        else:
            logger.warning("Replica %s: not read (%s).", alias, fresh.reason)
    return fresh


def measure(alias: str) -> Standing:
    """Ask the replica now (one query)."""
    now = time.monotonic()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(STANDING_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        _drop_connection(alias)
        return _failed(alias, f"does not answer: {_first_line(error)}", now)
    in_recovery, replayed, paused, lag = row if row is not None else (None,) * 4
    replayed_lsn = int(replayed) if replayed is not None else None
    lag_seconds = float(lag) if lag is not None else None
    if not in_recovery:
        reason = "is not a standby (pg_is_in_recovery() is false)"
    elif lag_seconds is None:
        reason = "has replayed nothing yet"
    elif lag_seconds > settings.DATELINE_REPLICA_MAX_LAG_SECONDS:
        reason = (
            f"is {lag_seconds:.3g} s behind (the limit, "
            f"DATELINE_REPLICA_MAX_LAG_SECONDS, is "
            f"{settings.DATELINE_REPLICA_MAX_LAG_SECONDS:g} s)"
        )
    elif paused:  # current now, but it will not follow the next change
        reason = "has its replay paused"
    else:
        reason = ""
    return Standing(
        alias=alias,
        usable=not reason,
        reason=reason,
        checked_at=now,
        replayed_lsn=replayed_lsn,
        lag_seconds=lag_seconds,
    )


def _failed(alias: str, reason: str, now: float) -> Standing:
    return Standing(
        alias=alias,
        usable=False,
        reason=reason,
        checked_at=now,
        retry_at=now + COOL_OFF_SECONDS,
    )


def mark_down(alias: str, error: BaseException) -> None:
    """A read on ``alias`` failed mid-request: not read for the cool-off."""
    _drop_connection(alias)
    _standings[alias] = _failed(
        alias, f"failed mid-request: {_first_line(error)}", time.monotonic()
    )
    logger.warning("Replica %s: not read (%s).", alias, _standings[alias].reason)


def replayed_lsn(alias: str) -> int | None:
    """How far ``alias`` has replayed, asked now (one tiny query); also kept.
    None when it cannot say (then it is marked down)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLAYED_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        mark_down(alias, error)
        return None
    if row is None or row[0] is None:
        return None
    lsn = int(row[0])
    kept = _standings.get(alias)
    if kept is not None and kept.usable:
        _standings[alias] = replace(kept, replayed_lsn=max(lsn, kept.replayed_lsn or 0))
    return lsn


def primary_lsn() -> int | None:
    """The primary's current WAL position, for a page-cache generation that
    starts now; None without replicas (no query) or when it cannot be read
    (then no page made from a replica is kept under that generation)."""
    if not has_replicas():
        return None
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(PRIMARY_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("Replicas: the primary's WAL position could not be read.")
        return None
    return int(row[0]) if row is not None and row[0] is not None else None


def _drop_connection(alias: str) -> None:
    """Close this thread's connection to a replica that failed: the next
    use connects afresh."""
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def forget() -> None:
    """Measure every replica afresh (tests; a change of settings)."""
    _standings.clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"DATABASES", "DATELINE_REPLICA_MAX_LAG_SECONDS"}:
        replica_aliases.cache_clear()
        forget()
