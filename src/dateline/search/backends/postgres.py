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
lexemes of weight C, which no word of a reader's can be. ``heads`` holds the
headline's and the lead's lexemes alone (migration 0004).

A search here is two queries, where the engine-neutral ``search`` makes six:
the newest matches (up to the window ``search`` ranks and counts sections
among) come with their item, section and whether the headline or the lead
holds every word, read from ``heads`` as the rows go by; the count is taken
only when that window is full. docs/decisions/search.md has the measurements.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, connections, router, transaction

from dateline.search import analysis

# The window's sizes are read at call time (tests narrow them).
from dateline.search.backends import base
from dateline.search.backends.base import (
    Count,
    Document,
    Field,
    Filters,
    Hits,
    KeyRange,
    SearchBackend,
    Sort,
    best_first,
    key_range,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from dateline.search.query import Clause, Query

CONFIG = "russian"
# How many of the newest entries the window tests one by one before it asks
# the GIN index for the rest (docs/decisions/search.md).
RECENT_ENTRIES = 3000
TABLE = "search_searchentry"
# work_mem for a GIN step. A common word's bitmap over a million items does
# not fit PostgreSQL's default 4MB: it turns lossy (whole pages, not rows),
# and every row on a lossy page is tested again, its document decompressed.
# "wind farm" at 1M items: 10,023 rows tested again, 77 ms; exact, 38 ms.
# The bitmap takes only what it needs (about 50 bytes a heap page with a
# match), so this is a ceiling for 5M items and more, set for that
# statement alone.
BITMAP_WORK_MEM = "64MB"
# The weight letter each field's words carry in the document.
_FIELD_WEIGHTS = {Field.HEADLINE: "a", Field.LEAD: "b"}


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


class Match(NamedTuple):
    """One of the newest matches, as the window query reads it."""

    key: int
    article_id: int
    section_id: int | None
    in_headline: bool
    in_lead: bool


def words_tsquery(query: Query) -> tuple[str, list[Any]]:
    """The reader's words as one tsquery expression, and its parameters."""
    text = _Sql()
    words = " && ".join(
        text.any([text.clause(c) for c in group]) for group in query.required
    )
    if query.excluded:
        excluded = text.any([text.clause(c) for c in query.excluded])
        words = f"({words} && !!{excluded})"
    return words, text.params


def tsquery(
    query: Query, filters: Filters, *, field: Field | None = None
) -> tuple[str, list[Any]]:
    """A boolean SQL condition on ``document``, and its parameters.

    ``field``: the query's words must match within that field's words
    (``ts_filter`` keeps the lexemes of its weight); filters always match
    the facets, which carry a weight of their own.
    """
    words, words_params = words_tsquery(query)
    tags = _Sql()
    facets = []
    if filters.section_ids:
        facets.append(tags.any([tags.facet(f"_s{pk}") for pk in filters.section_ids]))
    if filters.topic_id is not None:
        facets.append(tags.facet(f"_t{filters.topic_id}"))
    if filters.person_id is not None:
        facets.append(tags.facet(f"_p{filters.person_id}"))
    # The whole document first, so that the GIN index can answer it, and the
    # words and the facets in one tsquery: a row's document is then read
    # (and decompressed) once, not once for each.
    document = " && ".join([f"({words})", *facets])
    conditions = [f"document @@ ({document})"]
    params = [*words_params, *tags.params]
    if field is not None:
        weight = _FIELD_WEIGHTS[field]
        conditions.append(f"ts_filter(heads, '{{{weight}}}') @@ ({words})")
        params += words_params
    return " AND ".join(conditions), params


class PostgresBackend(SearchBackend):
    @staticmethod
    def prepare(document: Document) -> tuple[Any, ...]:
        return (
            analysis.folded_text(document.headline),
            analysis.folded_text(document.lead),
            analysis.folded_text(document.body),
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
                f"INSERT INTO {TABLE} "  # noqa: S608 - constant names
                "(article_id, key, section_id, document, heads) "
                "SELECT article_id, key, section_id, "
                f"heads || setweight(to_tsvector('{CONFIG}', body), 'D') "
                "|| setweight(array_to_tsvector(facets), 'C'), heads "
                "FROM (SELECT %s::bigint AS article_id, %s::bigint AS key, "
                "%s::bigint AS section_id, %s AS body, %s::text[] AS facets, "
                f"setweight(to_tsvector('{CONFIG}', %s), 'A') "
                f"|| setweight(to_tsvector('{CONFIG}', %s), 'B') AS heads) AS item",
                [
                    (
                        document.article_id,
                        key,
                        document.section_id,
                        body,
                        facets,
                        headline,
                        lead,
                    )
                    for document, key, (headline, lead, body, facets) in zip(
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
        """Fresh statistics after a rebuild, and a vacuum where one may run
        (not inside a transaction): a bulk load leaves the visibility map
        empty, and every match read then visits the heap to learn whether
        its row is visible."""
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {TABLE}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {TABLE}")

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

    def window(
        self, query: Query, filters: Filters, keys: KeyRange, limit: int
    ) -> list[Match]:
        """The newest ``limit`` matches with their item and section, and
        whether the headline or the lead holds every word of the query.

        Read newest first in steps, so that neither a common nor a rare query
        pays for the other's plan (docs/decisions/search.md): the newest
        RECENT_ENTRIES entries, each tested (of the chosen sections only
        where the search is filtered by section); more such walks while the
        rate found so far says that one more would finish the window; then,
        at the rate found, key ranges of the time the rest should take,
        through the GIN index (a bitmap of the matches in the range, no match
        tested again), sized again on the rate of all read so far when it
        falls short; the whole range at once when nothing has matched yet.
        A GIN step pays for the words' matches across the whole archive,
        whatever its range: a walk is cheaper whenever it is short.
        """
        condition, params = tsquery(query, filters)
        words, words_params = words_tsquery(query)
        select = (
            "SELECT key, article_id, section_id, "
            f"ts_filter(heads, '{{a}}') @@ ({words}), "
            f"ts_filter(heads, '{{b}}') @@ ({words}) "
        )
        sections = filters.section_ids

        def walk(high: int, need: int) -> tuple[list[Match], int, int]:
            """The matches among the newest entries up to ``high``, and the
            lowest key and number of the entries read, -1 and 0 when the
            matches filled ``need`` before the last entry."""
            newest, newest_params = _newest_entries(KeyRange(keys.low, high), sections)
            rows = _select(
                f"{select} FROM ({newest}) AS recent "
                f"WHERE {condition} ORDER BY key DESC LIMIT %s",
                [*words_params, *words_params, *newest_params, *params, need],
            )
            if len(rows) >= need:
                return list(map(Match._make, rows)), -1, 0
            lowest, read = _select(
                f"SELECT min(key), count(*) FROM ({newest}) AS recent",  # noqa: S608 - constant parts
                newest_params,
            )[0]
            return list(map(Match._make, rows)), int(lowest or 0), int(read)

        found, lowest, tested = walk(keys.high, limit)
        while len(found) < limit:
            if tested < RECENT_ENTRIES:  # the range held no more entries
                return found
            top = lowest - 1
            need = limit - len(found)
            # One more walk where the rate so far says it finishes the window.
            if not found or need * tested / len(found) > RECENT_ENTRIES:
                break
            more, lowest, read = walk(top, need)
            found += more
            tested += read
        else:
            return found
        # Then the GIN index, from where the walks ended down to the range's
        # oldest entry (not its bound: with no "since", a key of the year 1).
        low = _select(
            f"SELECT min(key) FROM {TABLE} WHERE key BETWEEN %s AND %s",  # noqa: S608 - constant name
            [keys.low, keys.high],
        )[0][0]
        if low is None:
            return found
        # Keys per match so far: each step reads the range that should hold
        # the rest at that rate (2.5 times it), down to the oldest entry.
        per_match = (keys.high - top) / len(found) if found else None
        while top >= low and len(found) < limit:
            need = limit - len(found)
            if per_match is None:
                bottom = low
            else:
                bottom = max(low, top - int(per_match * need * 2.5))
            alias = _reader()
            nested = connections[alias].in_atomic_block
            with (
                transaction.atomic(using=alias),
                connections[alias].cursor() as cursor,
            ):
                # The bitmap: the matches in the range from the index, each
                # row visited once for its key; never a walk testing rows.
                # Memory enough for it to stay exact (see BITMAP_WORK_MEM).
                cursor.execute(
                    "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off; "
                    f"SET LOCAL work_mem = '{BITMAP_WORK_MEM}'"
                )
                cursor.execute(
                    f"{select} FROM {TABLE} WHERE {condition} "
                    "AND key BETWEEN %s AND %s ORDER BY key DESC LIMIT %s",
                    [*words_params, *words_params, *params, bottom, top, need],
                )
                found += map(Match._make, cursor.fetchall())
                if nested:  # a savepoint's release keeps SET LOCAL: undo it
                    cursor.execute(
                        "SET LOCAL enable_indexscan TO DEFAULT; "
                        "SET LOCAL enable_seqscan TO DEFAULT; "
                        "SET LOCAL work_mem TO DEFAULT"
                    )
            top = bottom - 1
            # The rate again, over everything read so far: a larger sample
            # than the newest entries'. (Growing the range fourfold instead
            # took a rare word through six steps, and each step pays for the
            # word's whole posting list in the GIN index.) None found yet:
            # the rest of the range at once.
            per_match = (keys.high - top) / len(found) if found else None
        return found

    def search(
        self,
        query: Query,
        *,
        filters: Filters,
        sort: Sort,
        offset: int,
        limit: int,
        now: datetime,
        section_ids: Iterable[int] = (),
    ) -> Hits:
        """As ``SearchBackend.search``, the same pages and counts, in two
        queries for most searches (three with a section filter and counts)."""
        if query.is_empty:
            return Hits(ids=[], total=Count(0, base.COUNT_AT_MOST))
        section_ids = list(section_ids)
        bounds = key_range(filters, now)
        window = self.window(query, filters, bounds, base.CONSIDERED + 1)
        if len(window) <= base.CONSIDERED or base.COUNT_AT_MOST <= base.CONSIDERED:
            # Every match is in the window, or more than the count shows.
            total = Count(min(len(window), base.COUNT_AT_MOST + 1), base.COUNT_AT_MOST)
        else:
            total = Count(
                self.count(query, filters, bounds, base.COUNT_AT_MOST),
                base.COUNT_AT_MOST,
            )
        if not total.value:
            return Hits(ids=[], total=total)
        by_section: dict[int, Count] = {}
        among = None
        if section_ids:
            everywhere = (
                self.window(
                    query, dataclasses.replace(filters, section_ids=()), bounds,
                    base.CONSIDERED + 1,
                )
                if filters.section_ids
                else window
            )  # fmt: skip
            if len(everywhere) > base.CONSIDERED:
                among = base.CONSIDERED
            wanted = set(section_ids)
            for match in everywhere[: base.CONSIDERED]:
                if match.section_id in wanted:
                    found = by_section.get(match.section_id)
                    by_section[match.section_id] = Count(
                        (found.value if found else 0) + 1, base.CONSIDERED
                    )
        articles = {match.key: match.article_id for match in window}
        page: list[int] = []
        available = total.value
        if offset >= total.value:
            pass
        elif sort == Sort.DATE and offset + limit <= len(window):
            page = [match.key for match in window[offset : offset + limit]]
        elif sort == Sort.DATE:
            page = self.newest(query, filters, bounds, offset, limit)
            articles = self._articles(page)
        else:
            considered = window[: base.CONSIDERED]
            weights = dict.fromkeys(
                [match.key for match in considered[: base.RANKED_MATCHES]],
                base.BODY_WEIGHT,
            )
            for weight, candidates, flag in (
                (base.LEAD_WEIGHT, base.RANKED_LEAD_MATCHES, "in_lead"),
                (base.HEADLINE_WEIGHT, base.RANKED_HEADLINE_MATCHES, "in_headline"),
            ):
                matched = [m.key for m in considered if getattr(m, flag)]
                for key in matched[:candidates]:
                    weights[key] = weight
            ranked = best_first(weights.items(), now_seconds=now.timestamp())
            page = [key for key, _ in ranked[offset : offset + limit]]
            available = len(ranked)
        return Hits(
            ids=[articles[key] for key in page if key in articles],
            total=total,
            by_section={
                pk: count for pk, count in by_section.items() if pk is not None
            },
            by_section_among=among,
            available=available,
        )

    @staticmethod
    def _articles(keys: list[int]) -> dict[int, int]:
        from dateline.search.models import SearchEntry

        return dict(
            SearchEntry.objects.filter(key__in=keys).values_list("key", "article_id")
        )


def _newest_entries(
    keys: KeyRange, section_ids: Iterable[int]
) -> tuple[str, list[Any]]:
    """The newest RECENT_ENTRIES entries of the key range, as SQL and its
    parameters: of the chosen sections only where the search is filtered by
    section, each section's read through its own (section, key) index, so
    that the window tests that section's newest entries, not the archive's
    (of which most are other sections')."""
    sections = list(section_ids)
    if not sections:
        return (
            f"SELECT * FROM {TABLE} WHERE key BETWEEN %s AND %s "  # noqa: S608 - constant name
            "ORDER BY key DESC LIMIT %s",
            [keys.low, keys.high, RECENT_ENTRIES],
        )
    each = (
        f"(SELECT * FROM {TABLE} WHERE section_id = %s "  # noqa: S608 - constant name
        "AND key BETWEEN %s AND %s ORDER BY key DESC LIMIT %s)"
    )
    params: list[Any] = []
    for section in sections:
        params += [section, keys.low, keys.high, RECENT_ENTRIES]
    union = " UNION ALL ".join([each] * len(sections))
    return (
        f"SELECT * FROM ({union}) AS chosen ORDER BY key DESC LIMIT %s",  # noqa: S608 - constant parts
        [*params, RECENT_ENTRIES],
    )


def _reader() -> str:
    """The alias the index is read from: a replica for a public read where
    there is one (core/replicas), else the primary. Writes stay on the
    primary (``connection``)."""
    from dateline.search.models import SearchEntry

    return router.db_for_read(SearchEntry)


def _select(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connections[_reader()].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
