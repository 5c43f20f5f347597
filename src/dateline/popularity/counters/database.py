"""Views counted in the database: the embedded default.

Each flush is one transaction: windows are aged first (hours that left
Today or This week are taken out of their totals), then the batch's views are
added to the hourly buckets and to the totals of the windows still holding
their hour. Rows are written in a fixed order, so that processes flushing at
once on PostgreSQL wait for each other rather than deadlock.

Whether a client has read an item this hour is remembered in this process
only: with several app processes and no Redis, a reader sent to two of them
within the hour is counted twice.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, FloatField, Sum, When

from dateline.content.models import Article
from dateline.popularity.counters.base import ViewCounter
from dateline.popularity.models import ViewBucket, WindowExpiry, WindowTotal
from dateline.popularity.windows import KEEP_BUCKETS, Window, bucket_of, now_weights

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.popularity.counters.base import View

# Digests remembered per hour; past this, the hour's memory starts afresh
# (a few readers may then count twice). Redis has no such limit.
REMEMBERED_AT_MOST = 300_000

_BUCKETS = ViewBucket._meta.db_table
_TOTALS = WindowTotal._meta.db_table
_ARTICLES = Article._meta.db_table
# Upserts, SQLite and PostgreSQL alike; a view of an item deleted since it
# was recorded is skipped. Table names are constants.
_ADD_TO_BUCKET = (
    f'INSERT INTO {_BUCKETS} ("article_id", "starts_at", "views") '  # noqa: S608 - constant names
    f'SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM {_ARTICLES} WHERE "id" = %s) '
    f'ON CONFLICT ("article_id", "starts_at") '
    f'DO UPDATE SET "views" = {_BUCKETS}."views" + excluded."views"'
)
_ADD_TO_TOTAL = (
    f'INSERT INTO {_TOTALS} ("window_name", "article_id", "views") '  # noqa: S608 - constant names
    f'SELECT %s, %s, %s WHERE EXISTS (SELECT 1 FROM {_ARTICLES} WHERE "id" = %s) '
    f'ON CONFLICT ("window_name", "article_id") '
    f'DO UPDATE SET "views" = {_TOTALS}."views" + excluded."views"'
)
_TAKE_FROM_TOTAL = (
    f'UPDATE {_TOTALS} SET "views" = {_TOTALS}."views" - gone."views" '  # noqa: S608 - constant names
    f'FROM (SELECT "article_id", SUM("views") AS "views" FROM {_BUCKETS} '
    f'WHERE "starts_at" >= %s AND "starts_at" < %s GROUP BY "article_id") AS gone '
    f'WHERE {_TOTALS}."window_name" = %s AND {_TOTALS}."article_id" = gone."article_id"'
)


def _column(moment: datetime) -> Any:
    """A time as the ORM would store it (raw SQL gets no adaptation)."""
    return connection.ops.adapt_datetimefield_value(moment)


class DatabaseViewCounter(ViewCounter):
    failures = (DatabaseError,)

    def __init__(self, **kwargs: float | None) -> None:
        super().__init__(**kwargs)
        self._seen_lock = threading.Lock()
        self._seen_hour: datetime | None = None
        self._seen: set[str] = set()
        self._pruned_before: datetime | None = None

    def is_first_view(self, digest: str, hour: datetime) -> bool:
        with self._seen_lock:
            if hour != self._seen_hour:
                if self._seen_hour is not None and hour < self._seen_hour:
                    return True  # a late view from the last hour: count it
                self._seen_hour, self._seen = hour, set()
            if digest in self._seen:
                return False
            if len(self._seen) >= REMEMBERED_AT_MOST:
                self._seen = set()
            self._seen.add(digest)
            return True

    def write(self, views: list[View], *, now: datetime) -> None:
        counts = Counter((view.article_id, view.hour) for view in views)
        with transaction.atomic():
            self.age(now)
            # Items deleted since the view was recorded are skipped.
            rows = sorted(counts.items())
            with connection.cursor() as cursor:
                # One statement per row, in key order: no deadlock between
                # two processes' flushes.
                cursor.executemany(
                    _ADD_TO_BUCKET,
                    [(pk, _column(hour), n, pk) for (pk, hour), n in rows],
                )
                for window in (Window.TODAY, Window.WEEK):
                    first = window.first_bucket(now)
                    totals: Counter[int] = Counter()
                    for (pk, hour), n in rows:
                        if hour >= first:
                            totals[pk] += n
                    cursor.executemany(
                        _ADD_TO_TOTAL,
                        [(window.slug, pk, n, pk) for pk, n in sorted(totals.items())],
                    )
            self._prune(now)

    def age_totals(self, now: datetime) -> None:
        windows = {window.slug: window for window in (Window.TODAY, Window.WEEK)}
        with transaction.atomic():
            WindowExpiry.objects.bulk_create(
                [
                    WindowExpiry(window=slug, expired_before=window.first_bucket(now))
                    for slug, window in windows.items()
                ],
                ignore_conflicts=True,
            )
            for expiry in WindowExpiry.objects.select_for_update().filter(
                window__in=list(windows)
            ):
                first = windows[expiry.window].first_bucket(now)
                if expiry.expired_before >= first:
                    continue
                # Buckets are pruned only after they have left every window,
                # so all the hours being aged out are still there to subtract.
                with connection.cursor() as cursor:
                    cursor.execute(
                        _TAKE_FROM_TOTAL,
                        [_column(expiry.expired_before), _column(first), expiry.window],
                    )
                WindowTotal.objects.filter(window=expiry.window, views__lte=0).delete()
                expiry.expired_before = first
                expiry.save(update_fields=["expired_before"])

    def _prune(self, now: datetime) -> None:
        before = bucket_of(now) - KEEP_BUCKETS
        if self._pruned_before != before:
            ViewBucket.objects.filter(starts_at__lt=before).delete()
            self._pruned_before = before

    def top(
        self, window: Window, *, now: datetime, limit: int
    ) -> list[tuple[int, float]]:
        if window.is_totalled:
            rows = (
                WindowTotal.objects.filter(window=window.slug, views__gt=0)
                .order_by("-views", "-article_id")
                .values_list("article_id", "views")[:limit]
            )
            return [(pk, float(views)) for pk, views in rows]
        (current, _), (previous, weight) = now_weights(now)
        scores = (
            ViewBucket.objects.filter(starts_at__in=[current, previous])
            .values("article_id")
            .annotate(
                score=Sum(
                    Case(
                        When(starts_at=current, then=F("views") * 1.0),
                        default=F("views") * weight,
                        output_field=FloatField(),
                    )
                )
            )
            .filter(score__gt=0)
            .order_by("-score", "-article_id")
            .values_list("article_id", "score")[:limit]
        )
        return [(pk, float(score)) for pk, score in scores]

    def clear(self) -> None:
        with transaction.atomic():
            WindowTotal.objects.all().delete()
            WindowExpiry.objects.all().delete()
            ViewBucket.objects.all().delete()
        with self._seen_lock:
            self._seen_hour, self._seen = None, set()
        self._aged_to = None
