"""Search on PostgreSQL full-text search: a tsvector column with a GIN index.

``search_searchentry.document`` (added by the search app's migration on
PostgreSQL only) holds the item's text under the ``russian`` configuration,
which stems Cyrillic words with the Russian Snowball stemmer and ASCII words
with the English one (its asciiword mapping is ``english_stem``): the
``english`` and ``russian`` stemmers in one pass, whatever the mix. The text
is folded and split into words by our analyzer first, so that both engines
agree on what a word is ("covid-19" is two words, "Café" is "cafe").

Weights: A headline, B lead, D body; facets (``_s<section>``, ``_t<topic>``,
``_p<person>``) are lexemes of weight C, which ranks nothing and which no
word of a reader's can be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

from dateline.search import analysis
from dateline.search.backends.base import (
    BODY_WEIGHT,
    HEADLINE_WEIGHT,
    LEAD_WEIGHT,
    Document,
    Filters,
    KeyRange,
    SearchBackend,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from dateline.search.query import Clause, Query

CONFIG = "russian"
TABLE = "search_searchentry"
# ts_rank's weights, in the order {D, C, B, A}: body, facets, lead, headline.
_RANK_WEIGHTS = (
    f"'{{{BODY_WEIGHT / HEADLINE_WEIGHT}, 0, "
    f"{LEAD_WEIGHT / HEADLINE_WEIGHT}, 1}}'::float4[]"
)


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


def tsquery(query: Query, filters: Filters) -> tuple[str, list[Any]]:
    sql = _Sql()
    parts = [sql.any([sql.clause(c) for c in group]) for group in query.required]
    if filters.section_ids:
        parts.append(sql.any([sql.facet(f"_s{pk}") for pk in filters.section_ids]))
    if filters.topic_id is not None:
        parts.append(sql.facet(f"_t{filters.topic_id}"))
    if filters.person_id is not None:
        parts.append(sql.facet(f"_p{filters.person_id}"))
    expression = "(" + " && ".join(parts) + ")"
    if query.excluded:
        excluded = sql.any([sql.clause(c) for c in query.excluded])
        expression = f"({expression} && !!{excluded})"
    return expression, sql.params


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
                f"INSERT INTO {TABLE} (article_id, key, document) VALUES "  # noqa: S608 - constant names
                f"(%s, %s, setweight(to_tsvector('{CONFIG}', %s), 'A') "
                f"|| setweight(to_tsvector('{CONFIG}', %s), 'B') "
                f"|| setweight(to_tsvector('{CONFIG}', %s), 'D') "
                "|| setweight(array_to_tsvector(%s::text[]), 'C'))",
                [
                    (document.article_id, key, *row)
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
        expression, params = tsquery(query, filters)
        rows = _select(
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} "  # noqa: S608 - constants and placeholders
            f"WHERE document @@ {expression} AND key BETWEEN %s AND %s LIMIT %s) AS m",
            [*params, keys.low, keys.high, at_most + 1],
        )
        return int(rows[0][0])

    def newest(
        self, query: Query, filters: Filters, keys: KeyRange, offset: int, limit: int
    ) -> list[int]:
        expression, params = tsquery(query, filters)
        rows = _select(
            f"SELECT key FROM {TABLE} "  # noqa: S608 - constants and placeholders
            f"WHERE document @@ {expression} AND key BETWEEN %s AND %s "
            "ORDER BY key DESC LIMIT %s OFFSET %s",
            [*params, keys.low, keys.high, limit, offset],
        )
        return [int(row[0]) for row in rows]

    def scored(
        self,
        query: Query,
        filters: Filters,
        keys: KeyRange,
        limit: int,
        *,
        headline_only: bool,
    ) -> list[tuple[int, float]]:
        expression, params = tsquery(query, filters)
        where = f"document @@ {expression}"
        if headline_only:
            where += f" AND ts_filter(document, '{{a}}') @@ {expression}"
            params = [*params, *params]
        rows = _select(
            f"SELECT key, ts_rank({_RANK_WEIGHTS}, document, {expression}) "  # noqa: S608 - constants and placeholders
            f"FROM {TABLE} WHERE {where} AND key BETWEEN %s AND %s "
            "ORDER BY key DESC LIMIT %s",
            [*tsquery(query, filters)[1], *params, keys.low, keys.high, limit],
        )
        return [(int(key), float(score)) for key, score in rows]


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
