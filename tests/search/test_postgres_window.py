"""PostgreSQL's window of newest matches, read in steps (search/backends/postgres.py).

With a handful of items every search is answered by the first step (the
newest entries, tested one by one); here that step is narrowed to a few
entries so that the GIN steps, their growing key ranges and the jump to the
whole range run too, and each answer is compared with the plain query that
reads every match.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.utils import timezone

from dateline.search.backends.base import Filters, key_range
from dateline.search.query import parse
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from collections.abc import Callable

    from dateline.search.backends.postgres import Match

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's own search steps"
    ),
]


def plain_window(text: str, filters: Filters, limit: int) -> list[int]:
    """Every match's key, newest first, by the simplest query there is."""
    from dateline.search.backends.postgres import TABLE, tsquery

    condition, params = tsquery(parse(text), filters)
    bounds = key_range(filters, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key FROM {TABLE} WHERE {condition} AND key BETWEEN %s AND %s "  # noqa: S608 - constants
            "ORDER BY key DESC LIMIT %s",
            [*params, bounds.low, bounds.high, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def window(text: str, filters: Filters, limit: int) -> list[Match]:
    from dateline.search.backends.postgres import PostgresBackend

    bounds = key_range(filters, timezone.now())
    return PostgresBackend().window(parse(text), filters, bounds, limit)


def narrow_walks(monkeypatch: pytest.MonkeyPatch, first: int, recent: int) -> None:
    """The first walk and the walks' budget narrowed, so that GIN steps run."""
    monkeypatch.setattr("dateline.search.backends.postgres.FIRST_WALK", first)
    monkeypatch.setattr("dateline.search.backends.postgres.RECENT_ENTRIES", recent)


def storms(
    count: int, *, storm: Callable[[int], bool], ago: Callable[[int], timedelta]
) -> None:
    """``count`` items of one section, "Storm n" where ``storm(n)``, else
    "Harbour news n", each published ``ago(n)`` ago."""
    section = SectionFactory()
    for n in range(count):
        published_article(
            section=section,
            headline=f"Storm {n}" if storm(n) else f"Harbour news {n}",
            body="<p>Nothing else.</p>",
            ago=ago(n),
        )


@pytest.mark.parametrize("step_first", [0.01, 1.3])
@pytest.mark.parametrize(
    ("first", "recent"), [(1, 1), (1, 2), (2, 3), (3, 50), (500, 50)]
)
def test_the_window_in_steps_is_the_newest_matches(
    monkeypatch: pytest.MonkeyPatch, first: int, recent: int, step_first: float
) -> None:
    # The first walk, the walks' budget and the GIN steps' first range
    # narrowed, so that every path runs: walks sized on the rate, steps whose
    # first range falls short and whose second range is then read.
    narrow_walks(monkeypatch, first, recent)
    monkeypatch.setattr("dateline.search.backends.postgres.STEP_FIRST", step_first)
    world, sport = SectionFactory(slug="world"), SectionFactory(slug="sport")
    now = timezone.now()
    headlines = [
        "Wind farm approved off the coast",  # the newest
        "Harbour strike ends",
        "Farm subsidies cut",
        "Wind warning for the coast",
        "Wind farm opens in the north",
        "Cup final tonight",
        "Wind farm protest",
        "Harbour reopens",
        "Grain harvest begins",
        "Wind farm investors meet",  # the oldest
    ]
    items = [
        published_article(
            section=sport if "Cup" in headline else world,
            headline=headline,
            lead="A farm near the harbour." if "reopens" in headline else "",
            body="<p>Nothing else.</p>",
        )
        for headline in reversed(headlines)
    ]
    lead_only = next(item for item in items if item.headline == "Harbour reopens")
    everything = Filters()
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        (default_work_mem,) = cursor.fetchone()
        cursor.execute("SHOW random_page_cost")
        (default_page_cost,) = cursor.fetchone()
    for text in (
        "wind farm",
        "harbour",
        "farm",
        "cup",
        "grain",
        "wind -farm",
        "absent",
    ):
        for limit in (1, 2, 3, 10):
            expected = plain_window(text, everything, limit)
            got = window(text, everything, limit)
            assert [m.key for m in got] == expected, (text, limit)
            # The steps' planner settings end with them, though the test
            # runs inside a transaction (their savepoint keeps SET LOCAL).
            with connection.cursor() as cursor:
                cursor.execute("SHOW enable_indexscan")
                assert cursor.fetchone() == ("on",)
                cursor.execute("SHOW work_mem")
                assert cursor.fetchone() == (default_work_mem,)
                cursor.execute("SHOW random_page_cost")
                assert cursor.fetchone() == (default_page_cost,)
    # Fields, sections and a date range come through the steps as well.
    matches = window("farm", everything, 10)
    in_lead = [m.article_id for m in matches if m.in_lead]
    assert [m.article_id for m in matches if not m.in_headline] == in_lead
    assert in_lead == [lead_only.pk]
    in_world = Filters(section_ids=(world.pk,), since=now - timedelta(days=1))
    assert [m.key for m in window("wind", in_world, 10)] == plain_window(
        "wind", in_world, 10
    )
    assert len(window("wind", in_world, 10)) == 5
    assert window("cup", in_world, 10) == []
    # Without the fields, the same matches, none of them said to be in one.
    from dateline.search.backends.postgres import PostgresBackend

    bounds = key_range(everything, timezone.now())
    bare = PostgresBackend().window(parse("farm"), everything, bounds, 10, fields=False)
    assert [(m.key, m.article_id, m.section_id) for m in bare] == [
        (m.key, m.article_id, m.section_id) for m in matches
    ]
    assert not any(m.in_headline or m.in_lead for m in bare)


QUERIES = [
    "wind farm",
    "farm",
    "harbour",
    '"wind farm"',
    "wind -farm",
    "farm OR harbour",
    "coast",
    "absent",
]


@pytest.mark.parametrize("considered", [3, 2000])
def test_the_same_pages_and_counts_as_the_engine_neutral_search(
    monkeypatch: pytest.MonkeyPatch, considered: int
) -> None:
    """PostgreSQL's own ``search`` against ``SearchBackend.search`` (the flow
    SQLite runs) over PostgreSQL's reads: every page, count and section count
    alike, with the window narrowed so that counts say "more than" too."""
    from dateline.search.backends.base import SearchBackend, Sort
    from dateline.search.backends.postgres import PostgresBackend

    monkeypatch.setattr("dateline.search.backends.base.CONSIDERED", considered)
    monkeypatch.setattr("dateline.search.backends.base.COUNT_AT_MOST", considered)
    narrow_walks(monkeypatch, 2, 4)
    world, sport = SectionFactory(slug="world"), SectionFactory(slug="sport")
    words = ["wind", "farm", "harbour", "coast", "storm"]
    for n in range(24):
        headline = " ".join(words[(n + i) % 5] for i in range(n % 3 + 1))
        published_article(
            section=sport if n % 4 == 0 else world,
            headline=f"{headline} {n}",
            lead=words[(n * 2) % 5] if n % 2 else "",
            body=f"<p>{words[(n * 3) % 5]} and more.</p>",
        )
    backend, now = PostgresBackend(), timezone.now()
    for text in QUERIES:
        for filters in (Filters(), Filters(section_ids=(world.pk,))):
            for sort in (Sort.RELEVANCE, Sort.DATE):
                for offset in (0, 2, 40):
                    arguments = {
                        "filters": filters,
                        "sort": sort,
                        "offset": offset,
                        "limit": 3,
                        "now": now,
                        "section_ids": [world.pk, sport.pk],
                    }
                    own = backend.search(parse(text), **arguments)
                    neutral = SearchBackend.search(backend, parse(text), **arguments)
                    assert own == neutral, (text, filters, sort, offset)


def test_a_word_rarer_further_back_takes_few_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The newest entries hold the word once; the rest of its matches are far
    # older, behind many entries without it, and fewer than the window asks
    # for. Each GIN step reads the word's whole posting list, so the steps
    # are sized on the rate of everything read so far and end at the oldest
    # entry (growing fourfold down to the range's bound took seven here).
    from django.test.utils import CaptureQueriesContext

    narrow_walks(monkeypatch, 4, 4)
    storms(60, storm=lambda n: n < 12, ago=lambda n: timedelta(days=120 - n))
    published_article(headline="Storm again", ago=timedelta(hours=1))
    everything = Filters()
    with CaptureQueriesContext(connection) as queries:
        got = window("storm", everything, 50)
    assert [m.key for m in got] == plain_window("storm", everything, 50)
    assert len(got) == 13
    steps = [q for q in queries.captured_queries if " AS step LIMIT " in q["sql"]]
    assert 1 <= len(steps) <= 2


def test_a_gin_step_has_memory_for_an_exact_bitmap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A lossy bitmap tests every row of its pages again: the step raises
    # work_mem for itself alone.
    from django.test.utils import CaptureQueriesContext

    from dateline.search.backends.postgres import BITMAP_WORK_MEM

    narrow_walks(monkeypatch, 1, 1)
    storms(4, storm=lambda n: True, ago=lambda n: timedelta(days=n + 1))
    with CaptureQueriesContext(connection) as queries:
        got = window("storm", Filters(), 10)
    assert len(got) == 4
    steps = [
        q["sql"] for q in queries.captured_queries if "enable_seqscan = off" in q["sql"]
    ]
    assert steps
    assert all(f"work_mem = '{BITMAP_WORK_MEM}'" in sql for sql in steps)


def test_a_gin_step_reads_its_wider_range_only_where_the_first_falls_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One statement, two ranges newest first: the first sized at the rate
    # found with a small margin, the second wider. With the first far too
    # small the second completes the window in the same statement; with the
    # first ample, the second is never read (its rows would come second).
    from django.test.utils import CaptureQueriesContext

    narrow_walks(monkeypatch, 2, 2)
    storms(40, storm=lambda n: n % 2 == 1, ago=lambda n: timedelta(hours=40 - n))
    everything = Filters()
    expected = plain_window("storm", everything, 12)
    for step_first in (0.05, 1.3):
        monkeypatch.setattr("dateline.search.backends.postgres.STEP_FIRST", step_first)
        with CaptureQueriesContext(connection) as queries:
            got = window("storm", everything, 12)
        assert [m.key for m in got] == expected
        steps = [
            q["sql"] for q in queries.captured_queries if " AS step LIMIT " in q["sql"]
        ]
        assert len(steps) == 1, step_first
        assert steps[0].count("UNION ALL") == 1
