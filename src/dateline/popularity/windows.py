"""The most-read windows and the hourly buckets they are summed from."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)
# Buckets are kept a little longer than the longest window, then pruned.
KEEP_BUCKETS = timedelta(days=8)


class Window(enum.Enum):
    """A rolling window of views: (slug, label, length in hours)."""

    NOW = ("now", "Now", 1)
    TODAY = ("today", "Today", 24)
    WEEK = ("week", "This week", 24 * 7)

    def __init__(self, slug: str, label: str, hours: int) -> None:
        self.slug = slug
        self.label = label
        self.hours = hours

    @property
    def is_totalled(self) -> bool:
        """Kept as running totals (Today, This week) rather than summed on read."""
        return self is not Window.NOW

    def first_bucket(self, now: datetime) -> datetime:
        """The oldest hourly bucket inside the window at ``now``.

        A window of N hours holds the current, partial hour and the N - 1
        before it; Now instead weighs the previous hour (see ``now_weights``).
        """
        return bucket_of(now) - (self.hours - 1) * HOUR

    @classmethod
    def by_slug(cls, slug: str) -> Window:
        for window in cls:
            if window.slug == slug:
                return window
        raise ValueError(f"No most-read window called {slug!r}.")


def bucket_of(moment: datetime) -> datetime:
    """The start of the UTC hour holding ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def now_weights(now: datetime) -> tuple[tuple[datetime, float], ...]:
    """The buckets that make up the last 60 minutes, each with its weight.

    The current hour counts whole; the previous hour counts for the part of
    it still within 60 minutes of ``now``, as if its views were spread evenly
    (the usual sliding-window estimate over fixed buckets).
    """
    current = bucket_of(now)
    elapsed = (now - current) / HOUR
    return ((current, 1.0), (current - HOUR, 1.0 - elapsed))
