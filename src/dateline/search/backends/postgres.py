"""Search on PostgreSQL full-text search: a tsvector column with a GIN index.

``search_searchentry.document`` (added by the search app's migration on
PostgreSQL only) holds the item's text under the ``russian`` configuration,
which stems Cyrillic words with the Russian Snowball stemmer and ASCII words
with the English one (its asciiword mapping is ``english_stem``): the
``english`` and ``russian`` stemmers in one pass, whatever the mix. The text
is folded and split into words by our analyzer first, so that both engines
agree on what a word is ("covid-19" is two words, "Café" is "cafe").

Weights: A headline, B lead, D body (``ts_filter`` restricts a match to a
field by them); facets (``_s<section>``, ``_t<topic>``, ``_p<person>``) are
lexemes of weight C, which no word of a reader's can be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

from dateline.search import analysis
from dateline.search.backends.base import (
    Document,
    Field,
    Filters,
    KeyRange,
    SearchBackend,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dateline.search.query import Clause, Query

CONFIG = "russian"
TABLE = "search_searchentry"
# The weight letter each field's words carry in the document.
_FIELD_WEIGHTS = {Field.HEADLINE: "a", Field.LEAD: "b"}


def _words(text: str) -> str:
    return " ".join(analysis.words(text))


class _Sql:
    """A tsquery in SQL, with every reader's word bound as a parameter."""

    def __init__(self) -> None:
        self.params: list[Any] = []

    def clause(self, clause: Clause) -> str:
        self.params.append(" ".join(clause.words))
        function = "phraseto_tsquery" if clause.is_phrase else "plainto_tsquery"
        return f"{function}('{CONFIG}', %s)"

    def facet(self, token: str) -> str:
        # A facet is our own token, never a reader's: quoted as one lexeme.
        self.params.append(token)
        return "quote_literal(%s)::tsquery"

    @staticmethod
    def any(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


def tsquery(
    query: Query, filters: Filters, *, field: Field | None = None
) -> tuple[str, list[Any]]:
    """A boolean SQL condition on ``document``, and its parameters.

    ``field``: the query's words must match within that field's words
    (``ts_filter`` keeps the lexemes of its weight); filters always match
    the facets, which carry a weight of their own.
    """
    text = _Sql()
    words = " && ".join(
        text.any([text.clause(c) for c in group]) for group in query.required
    )
    if query.excluded:
        excluded = text.any([text.clause(c) for c in query.excluded])
        words = f"{words} && !!{excluded}"
    # The whole document first, so that the GIN index can answer it.
    conditions, params = [f"document @@ ({words})"], list(text.params)
    if field is not None:
        weight = _FIELD_WEIGHTS[field]
        conditions.append(f"ts_filter(document, '{{{weight}}}') @@ ({words})")
        params += text.params
    tags = _Sql()
    facets = []
    if filters.section_ids:
        facets.append(tags.any([tags.facet(f"_s{pk}") for pk in filters.section_ids]))
    if filters.topic_id is not None:
        facets.append(tags.facet(f"_t{filters.topic_id}"))
    if filters.person_id is not None:
        facets.append(tags.facet(f"_p{filters.person_id}"))
    if facets:
        conditions.append("document @@ (" + " && ".join(facets) + ")")
        params += tags.params
    return " AND ".join(conditions), params


class PostgresBackend(SearchBackend):
    @staticmethod
    def prepare(document: Document) -> tuple[Any, ...]:
        return (
            _words(document.headline),
            _words(document.lead),
            _words(document.body),
            document.facets,
        )

    def write(
        self,
        documents: list[Document],
        keys: list[int],
        prepared: list[tuple[Any, ...]],
    ) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, key, section_id, document) VALUES "  # noqa: S608 - constant names
                f"(%s, %s, %s, setweight(to_tsvector('{CONFIG}', %s), 'A') "
                f"|| setweight(to_tsvector('{CONFIG}', %s), 'B') "
                f"|| setweight(to_tsvector('{CONFIG}', %s), 'D') "
                "|| setweight(array_to_tsvector(%s::text[]), 'C'))",
                [
                    (document.article_id, key, document.section_id, *row)
                    for document, key, row in zip(
                        documents, keys, prepared, strict=True
                    )
                ],
            )

    def remove(self, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)",  # noqa: S608 - constant name
                    [ids],
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - constant name

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def count(
        self, query: Query, filters: Filters, keys: KeyRange, at_most: int
    ) -> int:
        condition, params = tsquery(query, filters)
        rows = _select(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} "  # noqa: S608 - constants and placeholders
            f"WHERE {condition} AND key BETWEEN %s AND %s LIMIT %s) AS m",
            [*params, keys.low, keys.high, at_most + 1],
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
        condition, params = tsquery(query, filters, field=field)
        rows = _select(
            f"SELECT key FROM {TABLE} "  # noqa: S608 - constants and placeholders
            f"WHERE {condition} AND key BETWEEN %s AND %s "
            "ORDER BY key DESC LIMIT %s OFFSET %s",
            [*params, keys.low, keys.high, limit, offset],
        )
        return [int(row[0]) for row in rows]


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
