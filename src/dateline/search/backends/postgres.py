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

A search here reads one window, where the engine-neutral ``search`` makes six
queries: the newest matches (up to the window ``search`` ranks and counts
sections among) come with their item, section and whether the headline or
the lead holds every word, read from ``heads`` as the rows go by, in a few
statements of one transaction (walks of the newest entries, then GIN steps:
``window``); a second window only for the section counts of a search
filtered by section, and a count only when the window is full. The entries
are partitioned by year (partitions.py). docs/decisions/search.md has the
measurements.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, connections, router, transaction

from dateline.search import analysis

# The window's sizes are read at call time (tests narrow them).
from dateline.search.backends import base, partitions
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

    from django.db.backends.utils import CursorWrapper

    from dateline.search.query import Clause, Query

CONFIG = "russian"
# The window's first walk tests this many of the newest entries one by one:
# enough to learn how common the words are, little for a rare word's search,
# which then asks the GIN index (each entry costs about 3.5 µs, its document
# read from TOAST storage).
FIRST_WALK = 500
# The most entries the walks test in all before the GIN index is asked for
# the rest (docs/decisions/search.md); of chosen sections, whose entries lie
# scattered among the others' and cost about twice as much to read, half.
RECENT_ENTRIES = 4000
# A GIN step reads the key range that should hold the rest at the rate of
# matches so far, this many times over, and this many times more where that
# falls short (see the step in ``window``).
STEP_FIRST = 1.3
STEP_MARGIN = 3.0
TABLE = partitions.TABLE
# The planner's cost of a page read out of order, for the window's
# statements (see ``window``): the value usual for an archive in memory or
# on SSD storage.
RANDOM_PAGE_COST = 1.1
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
            partitions.ensure(cursor, keys)
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
        self,
        query: Query,
        filters: Filters,
        keys: KeyRange,
        limit: int,
        *,
        fields: bool = True,
    ) -> list[Match]:
        """The newest ``limit`` matches with their item and section, and
        whether the headline or the lead holds every word of the query
        (``fields``; false for each match without it, when only the
        sections are wanted).

        Read newest first in steps, so that neither a common nor a rare query
        pays for the other's plan (docs/decisions/search.md): the newest
        FIRST_WALK entries, each tested (of the chosen sections only where
        the search is filtered by section); more such walks, sized on the
        rate found so far, while that rate says the window fills within
        RECENT_ENTRIES entries in all; then, at the rate found, key ranges
        of the time the rest should take, through the GIN index (a bitmap of
        the matches in the range, no match tested again), sized again on the
        rate of all read so far when it falls short; the whole range at once
        when nothing has matched yet. A GIN step pays for the words' matches
        in the years its range touches (the entries are partitioned by year),
        a walk for each entry it reads.
        """
        alias = _reader()
        nested = connections[alias].in_atomic_block
        with (
            transaction.atomic(using=alias),
            connections[alias].cursor() as cursor,
        ):
            # The archive's recent part is in memory: with random_page_cost
            # at its default (4, for spinning disks) the planner read a
            # section's newest entries through the key index and each row,
            # not the (key, section) index alone: 8 ms instead of 2 for
            # 3,000 entries at 1M items.
            cursor.execute(f"SET LOCAL random_page_cost = {RANDOM_PAGE_COST}")
            found = self._window(cursor, query, filters, keys, limit, fields)
            if nested:  # a savepoint's release keeps SET LOCAL: undo it
                cursor.execute(
                    "SET LOCAL random_page_cost TO DEFAULT; "
                    "SET LOCAL enable_indexscan TO DEFAULT; "
                    "SET LOCAL enable_seqscan TO DEFAULT; "
                    "SET LOCAL work_mem TO DEFAULT"
                )
        return found

    def _window(
        self,
        cursor: CursorWrapper,
        query: Query,
        filters: Filters,
        keys: KeyRange,
        limit: int,
        fields: bool,
    ) -> list[Match]:
        condition, params = tsquery(query, filters)
        words, words_params = words_tsquery(query)
        select = (
            "SELECT key, article_id, section_id, "
            f"ts_filter(heads, '{{a}}') @@ ({words}), "
            f"ts_filter(heads, '{{b}}') @@ ({words}) "
        )
        if not fields:
            select, words_params = (
                "SELECT key, article_id, section_id, false, false ",
                [],
            )
        sections = filters.section_ids

        def rows(sql: str, sql_params: list[Any]) -> list[tuple[Any, ...]]:
            cursor.execute(sql, sql_params)
            return list(cursor.fetchall())

        def walk(high: int, need: int, size: int) -> tuple[list[Match], int, int]:
            """The matches among the newest ``size`` entries up to ``high``,
            and the lowest key and number of the entries read, -1 and 0 when
            the matches filled ``need`` before the last entry."""
            newest, newest_params = _newest_entries(
                KeyRange(keys.low, high), sections, size
            )
            matches = rows(
                f"{select} FROM ({newest}) AS recent "
                f"WHERE {condition} ORDER BY key DESC LIMIT %s",
                [*words_params, *words_params, *newest_params, *params, need],
            )
            if len(matches) >= need:
                return list(map(Match._make, matches)), -1, 0
            lowest, read = rows(
                f"SELECT min(key), count(*) FROM ({newest}) AS recent",  # noqa: S608 - constant parts
                newest_params,
            )[0]
            return list(map(Match._make, matches)), int(lowest or 0), int(read)

        budget = max(1, RECENT_ENTRIES // 2) if sections else RECENT_ENTRIES
        found: list[Match] = []
        top, tested, size = keys.high, 0, min(FIRST_WALK, budget)
        while True:
            more, lowest, read = walk(top, limit - len(found), size)
            found += more
            if len(found) >= limit or read < size:  # full, or no more entries
                return found
            tested += read
            top = lowest - 1
            if not found:
                break
            # The entries the rest should take at the rate found so far.
            rest = math.ceil((limit - len(found)) * tested / len(found))
            if tested + rest > budget:
                break
            size = min(budget - tested, math.ceil(rest * 1.2) + 10)
        # Then the GIN index, from where the walks ended down to the range's
        # oldest entry (not its bound: with no "since", a key of the year 1).
        low = rows(
            f"SELECT min(key) FROM {TABLE} WHERE key BETWEEN %s AND %s",  # noqa: S608 - constant name
            [keys.low, keys.high],
        )[0][0]
        if low is None:
            return found
        # Keys per match so far: each step reads the range that should hold
        # the rest at that rate (STEP_MARGIN times it), down to the oldest
        # entry.
        per_match = (keys.high - top) / len(found) if found else None
        step = (
            f"({select} FROM {TABLE} WHERE {condition} "
            "AND key BETWEEN %s AND %s ORDER BY key DESC LIMIT %s)"
        )
        # The bitmap: the matches in the range from the index, each row
        # visited once for its key; never a walk testing rows. Memory enough
        # for it to stay exact (see BITMAP_WORK_MEM). No walk follows a GIN
        # step, so these hold until the window ends.
        cursor.execute(
            "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off; "
            f"SET LOCAL work_mem = '{BITMAP_WORK_MEM}'"
        )
        while top >= low and len(found) < limit:
            need = limit - len(found)
            if per_match is None:
                bottom = middle = low
            else:
                expected = per_match * need
                middle = max(low, top - int(expected * STEP_FIRST))
                bottom = max(low, top - int(expected * STEP_MARGIN))
            # Two ranges in one statement, newest first: the older is read
            # only where the newer falls short (an Append runs its parts in
            # turn), so the rows fetched are those of the time the rest
            # should take with a small margin, and a large one costs nothing
            # unless used.
            ranges = (
                [(middle, top)]
                if middle <= bottom
                else [(middle, top), (bottom, middle - 1)]
            )
            step_params = [*words_params, *words_params, *params]
            found += map(
                Match._make,
                rows(
                    f"SELECT * FROM ({' UNION ALL '.join([step] * len(ranges))}) "  # noqa: S608 - constant parts
                    "AS step LIMIT %s",
                    [
                        *[
                            p
                            for start, end in ranges
                            for p in (*step_params, start, end, need)
                        ],
                        need,
                    ],
                ),
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
                    base.CONSIDERED + 1, fields=False,
                )
                if filters.section_ids
                else window
            )  # fmt: skip
            if len(everywhere) > base.CONSIDERED:
                among = base.CONSIDERED
            counted = collections.Counter(
                match.section_id for match in everywhere[: base.CONSIDERED]
            )
            by_section = {
                pk: Count(counted[pk], base.CONSIDERED)
                for pk in section_ids
                if counted[pk]
            }
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
    keys: KeyRange, section_ids: Iterable[int], size: int
) -> tuple[str, list[Any]]:
    """The newest ``size`` entries of the key range, as SQL and its
    parameters: of the chosen sections only where the search is filtered by
    section, each section's read through its own (section, key) index, so
    that the window tests that section's newest entries, not the archive's
    (of which most are other sections')."""
    sections = list(section_ids)
    if not sections:
        return (
            f"SELECT * FROM {TABLE} WHERE key BETWEEN %s AND %s "  # noqa: S608 - constant name
            "ORDER BY key DESC LIMIT %s",
            [keys.low, keys.high, size],
        )
    each = (
        f"(SELECT * FROM {TABLE} WHERE section_id = %s "  # noqa: S608 - constant name
        "AND key BETWEEN %s AND %s ORDER BY key DESC LIMIT %s)"
    )
    params: list[Any] = []
    for section in sections:
        params += [section, keys.low, keys.high, size]
    union = " UNION ALL ".join([each] * len(sections))
    return (
        f"SELECT * FROM ({union}) AS chosen ORDER BY key DESC LIMIT %s",  # noqa: S608 - constant parts
        [*params, size],
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
