"""PostgreSQL: the search entries partitioned by year of publication.

A GIN step of the window (postgres.py) reads the words' matches in the
partitions its key range touches, not across the archive: "wind farm" at 1M
items read 138,000 matches in 24 ms before, and a year's 25,600 in 3.6 ms
after (docs/decisions/search.md, "Partitions by year"). A year, not a month:
a search whose range covers the archive (a rare word's) is planned over every
partition, about 0.1 ms each.

Partitions are made when an entry needs one (``ensure``): the first item of
a new year, an item dated in a year the archive had not reached. Each is a
table of its own attached to ``search_searchentry`` (ATTACH takes a SHARE
UPDATE EXCLUSIVE lock on it, which readers and writers of entries do not
wait for; ``CREATE TABLE … PARTITION OF`` would lock every search out until
the transaction that made it commits), and makers queue on one advisory lock
so that two never make the same year. The partitioned table has no foreign
key to the items: attaching a partition would clone it and lock the items
table against every editorial act meanwhile (the entries of a deleted item
go with it through Django's CASCADE and ``on_article_deleted``; a search
reads its items through the publishing rule anyway).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dateline.search import keys

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.backends.utils import CursorWrapper

TABLE = "search_searchentry"
MAX_YEAR = 9999
# pg_advisory_xact_lock's key while a partition is made ("DLSP").
MAKING = 0x444C5350


def year_of(key: int) -> int:
    return datetime.fromtimestamp(keys.key_seconds(key), tz=UTC).year


def name(year: int) -> str:
    return f"{TABLE}_y{year:04d}"


def bounds(year: int) -> tuple[int, int | None]:
    """The year's keys: from its first millisecond up to the next year's
    (None after the year 9999, the last a datetime holds: no end)."""
    start = keys.first_key(datetime(year, 1, 1, tzinfo=UTC))
    if year == MAX_YEAR:
        return start, None
    return start, keys.first_key(datetime(year + 1, 1, 1, tzinfo=UTC))


def _values(year: int) -> tuple[str, list[int]]:
    """The partition bound clause of a year, and its parameters."""
    start, end = bounds(year)
    if end is None:
        return "FOR VALUES FROM (%s) TO (MAXVALUE)", [start]
    return "FOR VALUES FROM (%s) TO (%s)", [start, end]


def ensure(cursor: CursorWrapper, entry_keys: Iterable[int]) -> list[int]:
    """Make the partitions these keys need that do not exist yet; return
    the years made. Inside the caller's transaction: a partition made for
    a write that rolls back goes with it."""
    years = sorted({year_of(key) for key in entry_keys})
    if not years or not _missing(cursor, years):
        return []
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MAKING])
    made = _missing(cursor, years)  # again: another maker may have been first
    for year in made:
        table = name(year)
        values, params = _values(year)
        cursor.execute(
            f"CREATE TABLE {table} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING STORAGE)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {table} {values}", params)
    return made


def _missing(cursor: CursorWrapper, years: list[int]) -> list[int]:
    # pg_class read as a table, with this statement's snapshot: a partition
    # another maker committed a moment ago is seen (to_regclass looks in the
    # session's catalog cache, which the advisory lock does not refresh).
    cursor.execute(
        "SELECT year FROM unnest(%s::int[]) AS year WHERE NOT EXISTS ("
        "SELECT 1 FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
        "AND relname = %s || lpad(year::text, 4, '0')) ORDER BY year",
        [years, f"{TABLE}_y"],
    )
    return [int(row[0]) for row in cursor.fetchall()]


COLUMNS = "article_id, key, indexed_text, document, section_id, heads"


def make_partitioned(cursor: CursorWrapper) -> None:
    """Turn the plain entries table into one partitioned by year, its rows
    kept and its indexes made again (the search app's migration 0006)."""
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
    cursor.execute(
        f"CREATE TABLE {TABLE} ("
        "article_id bigint NOT NULL, key bigint NOT NULL, "
        "indexed_text bytea NULL, document tsvector NOT NULL, "
        "section_id bigint NULL, heads tsvector NOT NULL"
        ") PARTITION BY RANGE (key)"
    )
    cursor.execute(f"SELECT min(key), max(key) FROM {TABLE}_plain")  # noqa: S608 - constant name
    low, high = cursor.fetchone()
    if low is not None:
        for year in range(year_of(low), year_of(high) + 1):
            values, params = _values(year)
            cursor.execute(
                f"CREATE TABLE {name(year)} PARTITION OF {TABLE} {values}", params
            )
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}_plain"  # noqa: S608 - constant names
        )
    # Its indexes and constraints go with it, and their names are free.
    cursor.execute(f"DROP TABLE {TABLE}_plain")
    cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_key_key UNIQUE (key)")
    cursor.execute(f"CREATE INDEX {TABLE}_article ON {TABLE} (article_id)")
    _text_indexes(cursor)
    cursor.execute(f"ANALYZE {TABLE}")  # the planner's statistics, at once


def make_plain(cursor: CursorWrapper) -> None:
    """Back to one plain table (migration 0006 reversed)."""
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_parts")
    cursor.execute(
        f"CREATE TABLE {TABLE} ("
        "article_id bigint NOT NULL, key bigint NOT NULL, "
        "indexed_text bytea NULL, document tsvector NOT NULL, "
        "section_id bigint NULL, heads tsvector NOT NULL)"
    )
    cursor.execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}_parts"  # noqa: S608 - constant names
    )
    cursor.execute(f"DROP TABLE {TABLE}_parts")
    cursor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (article_id), "
        f"ADD CONSTRAINT {TABLE}_key_key UNIQUE (key), "
        f"ADD CONSTRAINT {TABLE}_article_id_f85cb340_fk_content_article_id "
        "FOREIGN KEY (article_id) REFERENCES content_article (id) "
        "DEFERRABLE INITIALLY DEFERRED"
    )
    _text_indexes(cursor)


def _text_indexes(cursor: CursorWrapper) -> None:
    cursor.execute(
        f"CREATE INDEX search_entry_document ON {TABLE} USING gin (document)"
    )
    cursor.execute(
        f"CREATE INDEX search_entry_key_section ON {TABLE} (key, section_id)"
    )
    cursor.execute(
        f"CREATE INDEX search_entry_section_key ON {TABLE} (section_id, key)"
    )
