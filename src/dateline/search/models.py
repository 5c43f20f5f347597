"""The search index's bookkeeping: one row per indexed item.

The text index itself is engine-specific and lives beside this table (see
migrations/0001_initial.py): an FTS5 table on SQLite, a tsvector column with a
GIN index on PostgreSQL.
"""

from __future__ import annotations

from django.db import models

from dateline.content.models import Article


class SearchEntry(models.Model):
    """An item in the search index, under its time-ordered key.

    ``key`` orders entries by publication time (see ``search.keys``), so that
    "newest first", a date range and "published by now" are ranges of one
    integer, which both engines' text indexes can bound without reading items.
    """

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,  # a deleted item leaves the index with its row
        primary_key=True,
        related_name="search_entry",
    )
    key = models.BigIntegerField(unique=True)
    # The item's section, copied here so that counting matches per section
    # reads this table's (key, section) index and not the items.
    section_id = models.BigIntegerField(null=True)
    # SQLite only: the indexed text, compressed. The FTS5 table keeps no copy
    # of what it indexes (that would double the archive on disk), and taking a
    # row out of it needs the exact text that went in.
    indexed_text = models.BinaryField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["key", "section_id"], name="search_entry_key_section"),
        ]
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self) -> str:
        return f"search entry for item {self.article_id}"
