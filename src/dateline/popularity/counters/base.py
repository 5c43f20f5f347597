"""What every view counter offers: buffered recording and windowed top lists."""

from __future__ import annotations

import abc
import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING, NamedTuple

from django.utils import timezone

from dateline.popularity.windows import bucket_of

if TYPE_CHECKING:
    from datetime import date, datetime

    from dateline.popularity.windows import Window

logger = logging.getLogger(__name__)

# A buffer is written when it holds this many views, or when its oldest view
# has waited this long, whichever comes first.
FLUSH_AT = 1000
FLUSH_AFTER_SECONDS = 2.0
# A failing store is reported at most this often; the views are dropped.
WARN_EVERY_SECONDS = 60.0


class View(NamedTuple):
    """One counted view: who (as a digest), what, and in which hour."""

    digest: str
    article_id: int
    hour: datetime


class ViewCounter(abc.ABC):
    """Views are buffered in the process and written in batches.

    A graceful stop writes the buffer (``close``, see ``counters``); a hard
    crash loses it: at most ``FLUSH_AFTER_SECONDS`` (or ``FLUSH_AT`` views)
    of this process's views.

    ``record`` costs microseconds and never touches the store; ``flush``
    writes the buffer. A store that fails loses that batch of views, with a
    warning in the log; it never raises to the page that sent them.

    ``flush_after``: seconds a view may wait before a timer writes it, or
    None for no timer (tests and scripts call ``flush`` themselves).
    """

    def __init__(self, *, flush_after: float | None = FLUSH_AFTER_SECONDS) -> None:
        self.flush_after = flush_after
        self._lock = threading.Lock()
        self._buffer: list[View] = []
        self._oldest = 0.0
        self._timer: threading.Timer | None = None
        self._warned_at = -WARN_EVERY_SECONDS
        self._keys: dict[date, bytes] = {}
        self._aged_to: datetime | None = None
        self._closed = False

    # --- recording --------------------------------------------------------

    def record(self, *, digest: str, article_id: int, at: datetime) -> None:
        """Count a view, unless this client already read this item this hour."""
        hour = bucket_of(at)
        if not self.is_first_view(digest, hour):
            return
        with self._lock:
            if not self._buffer:
                self._oldest = time.monotonic()
                self._start_timer()
            self._buffer.append(View(digest, article_id, hour))
            due = (
                self._closed
                or len(self._buffer) >= FLUSH_AT
                or (
                    self.flush_after is not None
                    and time.monotonic() - self._oldest >= self.flush_after
                )
            )
        if due:
            self.flush()

    def flush(self) -> int:
        """Write the buffered views; returns how many were taken from it."""
        with self._lock:
            views, self._buffer = self._buffer, []
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if not views:
            return 0
        try:
            self.write(views, now=timezone.now())
        except self.failures:
            self._aged_to = None  # whatever ageing it did may be undone
            self.warn(f"{len(views)} views were dropped")
        return len(views)

    def close(self) -> None:
        """The process is stopping: write the buffer now, and any view still
        recorded after this (a request in flight) at once, without a buffer.

        Called at a graceful exit (``counters.close_at_exit``); a reader's
        beacon is answered only after ``record`` returns, so every view a
        reader was told about is written, or its request never answered.
        """
        from django.db import connection

        self._closed = True
        try:
            self.flush()
        finally:
            if not connection.in_atomic_block:
                connection.close()  # this thread's own connection, before exit

    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)

    def daily_key(self, day: date) -> bytes:
        """The key that hashes clients on ``day``; a new one every day."""
        key = self._keys.get(day)
        if key is None:
            key = self.load_daily_key(day)
            self._keys = {day: key}  # yesterday's key is forgotten
        return key

    def age(self, now: datetime) -> None:
        """Take the hours that have left Today and This week out of their totals.

        Done by whichever process gets there first in an hour; the others
        remember that it is done.
        """
        hour = bucket_of(now)
        if self._aged_to is not None and self._aged_to >= hour:
            return
        self.age_totals(now)
        self._aged_to = hour

    def _start_timer(self) -> None:
        if self.flush_after is None:
            return
        self._timer = threading.Timer(self.flush_after, self._flush_from_timer)
        self._timer.daemon = True
        self._timer.start()

    def _flush_from_timer(self) -> None:
        from django.db import connection

        try:
            self.flush()
        finally:
            connection.close()  # this thread's own connection

    def warn(self, what: str) -> None:
        if time.monotonic() - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = time.monotonic()
            logger.warning("View counting failed: %s.", what, exc_info=True)

    # --- what a store supplies --------------------------------------------

    # The errors of an unavailable store: they cost the batch, not the page.
    failures: tuple[type[Exception], ...] = ()

    def load_daily_key(self, day: date) -> bytes:
        """A fresh random key, held by this process only."""
        return secrets.token_bytes(32)

    @abc.abstractmethod
    def is_first_view(self, digest: str, hour: datetime) -> bool:
        """Whether this digest is new in this hour (a store may decide on write)."""

    @abc.abstractmethod
    def age_totals(self, now: datetime) -> None:
        """Age Today's and This week's totals to ``now`` (see ``age``)."""

    @abc.abstractmethod
    def write(self, views: list[View], *, now: datetime) -> None:
        """Add these views to the hourly buckets and the running totals.

        Totals hold views of hours still inside their window only: a store
        ages them first.
        """

    @abc.abstractmethod
    def top(
        self, window: Window, *, now: datetime, limit: int
    ) -> list[tuple[int, float]]:
        """The most-viewed item ids in the window, (id, views), most first.

        Call ``age`` first: the totals are read as they are.
        """

    @abc.abstractmethod
    def clear(self) -> None:
        """Forget every count (tests and the demo's replay)."""
