"""View counts in the database: hourly buckets and running window totals.

Counters never live on the article row (STYLE.md §2): a bucket row per item
and hour takes the increments, so that a busy item's views do not contend
with its edits. Today and This week are also kept as running totals, added
to as views arrive and taken from as hours leave the window, so that
reading a week's top items is an index scan, not a sum over a week of rows.
"""

from __future__ import annotations

from django.db import models

from dateline.content.models import Article


class ViewBucket(models.Model):
    """The views an item had in one UTC hour."""

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,  # a deleted item's counts go with it
        related_name="view_buckets",
        db_index=False,  # the unique (article, starts_at) index serves
    )
    starts_at = models.DateTimeField()
    views = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "starts_at"], name="view_bucket_unique_hour"
            ),
        ]
        indexes = [
            # Now sums the last two hours' rows; pruning drops old hours.
            models.Index(
                fields=["starts_at", "article", "views"], name="view_bucket_by_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.views} views of item {self.article_id} at {self.starts_at:%Y-%m-%d %H}:00"


class WindowTotal(models.Model):
    """An item's views within a window (Today or This week), kept running."""

    window = models.CharField(max_length=8, db_column="window_name")
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="+",
    )
    views = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["window", "article"], name="window_total_unique_item"
            ),
        ]
        indexes = [
            models.Index(
                "window",
                models.F("views").desc(),
                "article",
                name="window_total_ranking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.views} views of item {self.article_id} ({self.window})"


class WindowExpiry(models.Model):
    """How far a window's totals have been aged: buckets before
    ``expired_before`` have been taken out of them."""

    window = models.CharField(max_length=8, primary_key=True, db_column="window_name")
    expired_before = models.DateTimeField()

    class Meta:
        verbose_name_plural = "window expiries"

    def __str__(self) -> str:
        return f"{self.window}: aged to {self.expired_before:%Y-%m-%d %H}:00"
