"""Search on SQLite FTS5.

The FTS5 table ``search_fts`` is contentless: it holds the index, not a copy
of the text. Its rowid is the entry's time-ordered key, and it indexes the
stems our analyzer makes (see ``search.analysis``) in four columns:
headline, lead, body, and facets, the tokens ``_s<section>``, ``_t<topic>``
and ``_p<person>`` that filters match on. A reader's word never starts
with "_", so it cannot hit a facet. A second table, ``search_heads``, holds
the headline, lead and facets again, alone, for matches restricted to the
headline or the lead: its position lists are short.

Taking a row out of a contentless table needs the exact text that went in;
``SearchEntry.indexed_text`` keeps it, compressed.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from dateline.search import analysis
from dateline.search.backends.base import (
    Document,
    Field,
    Filters,
    KeyRange,
    SearchBackend,
)
from dateline.search.models import SearchEntry

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dateline.search.query import Clause, Query

TABLE = "search_fts"
# Headlines and leads again, alone, for matches restricted to one of them
# (see migrations/0003_add_heads_index.py).
HEADS = "search_heads"
_SEPARATOR = "\x1f"  # between the columns of the stored text
# Field-restricted matches are read in key order and sorted here up to this
# many (see newest()).
FIELD_SORTED_HERE = 5000


def _quoted(words: Iterable[str]) -> str:
    # Stems hold letters and digits only, and facets "_" besides; quoting makes
    # each a literal phrase to FTS5 whatever it holds.
    return '"' + " ".join(words).replace('"', '""') + '"'


def _clause(clause: Clause) -> str:
    return _quoted(analysis.stems(list(clause.words)))


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def match_expression(
    query: Query, filters: Filters, *, field: Field | None = None
) -> str:
    """The FTS5 query for a parsed query: every word quoted, nothing raw."""
    text = " AND ".join(
        _any([_clause(clause) for clause in group]) for group in query.required
    )
    if field is not None:
        text = "{" + field.value + "} : (" + text + ")"
    parts = ["(" + text + ")"]
    if filters.section_ids:
        parts.append(_any([_quoted([f"_s{pk}"]) for pk in filters.section_ids]))
    if filters.topic_id is not None:
        parts.append(_quoted([f"_t{filters.topic_id}"]))
    if filters.person_id is not None:
        parts.append(_quoted([f"_p{filters.person_id}"]))
    expression = " AND ".join(parts)
    if query.excluded:
        expression = (
            "("
            + expression
            + ") NOT "
            + _any([_clause(clause) for clause in query.excluded])
        )
    return expression


class SQLiteFTS5Backend(SearchBackend):
    @staticmethod
    def prepare(document: Document) -> tuple[Any, ...]:
        columns = (
            analysis.analyze(document.headline),
            analysis.analyze(document.lead),
            analysis.analyze(document.body),
            " ".join(document.facets),
        )
        return (*columns, zlib.compress(_SEPARATOR.join(columns).encode(), 6))

    def write(
        self,
        documents: list[Document],
        keys: list[int],
        prepared: list[tuple[Any, ...]],
    ) -> None:
        SearchEntry.objects.bulk_create(
            SearchEntry(
                article_id=document.article_id,
                key=key,
                section_id=document.section_id,
                indexed_text=row[4],
            )
            for document, key, row in zip(documents, keys, prepared, strict=True)
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE}(rowid, headline, lead, body, facets) "  # noqa: S608 - constant name
                "VALUES (%s, %s, %s, %s, %s)",
                [(key, *row[:4]) for key, row in zip(keys, prepared, strict=True)],
            )
            cursor.executemany(
                f"INSERT INTO {HEADS}(rowid, headline, lead, facets) "  # noqa: S608 - constant name
                "VALUES (%s, %s, %s, %s)",
                [
                    (key, row[0], row[1], row[3])
                    for key, row in zip(keys, prepared, strict=True)
                ],
            )

    def remove(self, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        if not ids:
            return
        with transaction.atomic():
            entries = list(
                SearchEntry.objects.filter(article_id__in=ids).values_list(
                    "key", "indexed_text"
                )
            )
            if not entries:
                return
            stored: list[tuple[int, str, str, str, str]] = [
                (key, *_stored_columns(text)) for key, text in entries
            ]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {TABLE}({TABLE}, rowid, headline, lead, body, facets) "  # noqa: S608 - constant name
                    "VALUES ('delete', %s, %s, %s, %s, %s)",
                    stored,
                )
                cursor.executemany(
                    f"INSERT INTO {HEADS}({HEADS}, rowid, headline, lead, facets) "  # noqa: S608 - constant name
                    "VALUES ('delete', %s, %s, %s, %s)",
                    [
                        (key, headline, lead, facets)
                        for key, headline, lead, _body, facets in stored
                    ],
                )
            SearchEntry.objects.filter(article_id__in=ids).delete()

    def clear(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for table in (TABLE, HEADS):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")  # noqa: S608 - constant name
            SearchEntry.objects.all().delete()

    def optimize(self) -> None:
        """Merge the index's segments into one (after a full rebuild)."""
        with connection.cursor() as cursor:
            for table in (TABLE, HEADS):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608 - constant name

    def count(
        self, query: Query, filters: Filters, keys: KeyRange, at_most: int
    ) -> int:
        rows = _select(
            "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT %s)",
            match_expression(query, filters),
            keys,
            [at_most + 1],
        )
        return int(rows[0][0])

    def newest(
        self,
        query: Query,
        filters: Filters,
        keys: KeyRange,
        offset: int,
        limit: int,
        *,
        field: Field | None = None,
    ) -> list[int]:
        expression = match_expression(query, filters, field=field)
        if field is not None:
            # FTS5 does not stop a descending scan of a field-restricted
            # phrase at the range's low end: with no match in the range it
            # reads the whole table. An ascending read stops; within the
            # few matches search() asks for, sorting them here is cheap.
            rows = _select(
                "SELECT rowid FROM {table} WHERE {where} LIMIT %s",
                expression,
                keys,
                [FIELD_SORTED_HERE + 1],
                table=HEADS,
            )
            if len(rows) <= FIELD_SORTED_HERE:
                newest_first = sorted((int(row[0]) for row in rows), reverse=True)
                return newest_first[offset : offset + limit]
        rows = _select(
            "SELECT rowid FROM {table} WHERE {where} "
            "ORDER BY rowid DESC LIMIT %s OFFSET %s",
            expression,
            keys,
            [limit, offset],
            table=TABLE if field is None else HEADS,
        )
        return [int(row[0]) for row in rows]


def _stored_columns(text: bytes | memoryview | None) -> tuple[str, str, str, str]:
    """The headline, lead, body and facets an entry was indexed with."""
    headline, lead, body, facets = (
        zlib.decompress(bytes(text or b"")).decode().split(_SEPARATOR)
    )
    return headline, lead, body, facets


def _select(
    sql: str,
    expression: str,
    keys: KeyRange,
    params: list[int],
    *,
    table: str = TABLE,
) -> list[tuple[int | float, ...]]:
    where = f"{table} MATCH %s AND rowid BETWEEN %s AND %s"
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(table=table, where=where),
            [expression, keys.low, keys.high, *params],
        )
        return list(cursor.fetchall())
