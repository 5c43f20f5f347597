"""PostgreSQL's search entries, partitioned by year (search/backends/partitions.py).

An entry needs its year's partition: made when the first entry of that year
is written (the first item of a new year, an item dated years back), by one
maker at a time, in the writer's transaction. The migration turns a plain
table into a partitioned one and back with every row kept.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from dateline.content import services
from dateline.search.backends import partitions
from dateline.search.backends.base import Filters, Sort
from dateline.search.models import SearchEntry
from dateline.search.selectors import search_articles
from tests.factories import ArticleFactory, SectionFactory, published_article

if TYPE_CHECKING:
    from dateline.content.models import Article

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's own partitions"
)


def partition_years() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'search_searchentry'::regclass ORDER BY c.relname"
        )
        return [int(name[-4:]) for (name,) in cursor.fetchall()]


def entry_table(article_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM search_searchentry WHERE article_id = %s",
            [article_id],
        )
        return str(cursor.fetchone()[0])


def dated(headline: str, at: datetime) -> Article:
    """An item published at ``at`` through the newsroom's services."""
    article = ArticleFactory.build(section=SectionFactory(), headline=headline)
    article.section.save()
    article.section_id = article.section.pk
    services.save_article(article=article, actor=None)
    services.publish_article(article=article, actor=None, at=at)
    return article


@pytest.mark.django_db
def test_the_entries_table_is_partitioned_by_key() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, pg_get_partkeydef('search_searchentry'::regclass) "
            "FROM pg_partitioned_table WHERE partrelid = 'search_searchentry'::regclass"
        )
        assert cursor.fetchone() == ("r", "RANGE (key)")


def test_a_year_runs_from_its_first_millisecond_to_the_next_years() -> None:
    low, high = partitions.bounds(2026)
    assert partitions.year_of(low) == 2026
    assert partitions.year_of(low - 1) == 2025
    assert partitions.year_of(high - 1) == 2026
    assert partitions.year_of(high) == 2027
    assert partitions.bounds(2025)[1] == low
    assert partitions.name(987) == "search_searchentry_y0987"
    # The last year a datetime holds has no end.
    assert partitions.bounds(9999) == (partitions.bounds(9998)[1], None)


@pytest.mark.django_db
def test_an_item_dated_in_a_new_year_makes_its_partition_and_is_found() -> None:
    old = dated("Harbour charter signed", datetime(1999, 6, 1, 12, tzinfo=UTC))
    new_year = dated("Harbour lights relit", datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC))
    eve = dated(
        "Harbour fireworks",
        datetime(2025, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
    )
    far = dated("Harbour time capsule opened", datetime(9999, 6, 1, tzinfo=UTC))
    assert {1999, 2025, 2026, 9999} <= set(partition_years())
    assert entry_table(far.pk) == "search_searchentry_y9999"
    assert entry_table(old.pk) == "search_searchentry_y1999"
    assert entry_table(new_year.pk) == "search_searchentry_y2026"
    assert entry_table(eve.pk) == "search_searchentry_y2025"
    page = search_articles(
        "harbour", filters=Filters(), sort=Sort.DATE, page=1, sections=[]
    )
    assert [r.article.pk for r in page.results][-3:] == [new_year.pk, eve.pk, old.pk]
    # Withdrawn, it leaves its partition; the partition stays, empty.
    services.withdraw_article(article=old, actor=None, reason="Wrong year.")
    assert not SearchEntry.objects.filter(article_id=old.pk).exists()
    assert 1999 in partition_years()


@pytest.mark.django_db
def test_making_a_partition_that_exists_does_nothing() -> None:
    key = partitions.bounds(1987)[0] + 5
    with connection.cursor() as cursor:
        assert partitions.ensure(cursor, [key, key + 1]) == [1987]
        assert partitions.ensure(cursor, [key]) == []
        assert partitions.ensure(cursor, []) == []
    assert partition_years().count(1987) == 1


@pytest.mark.django_db(transaction=True)
def test_two_writers_making_the_same_year_at_once_both_succeed() -> None:
    # Each writer in a transaction of its own, on a connection of its own,
    # both asking for 1975 at the same moment: one makes it, the other finds it.
    key = partitions.bounds(1975)[0] + 1000
    start = threading.Barrier(2)
    made: list[list[int]] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            start.wait(timeout=10)
            with transaction.atomic(), connection.cursor() as cursor:
                made.append(partitions.ensure(cursor, [key]))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert not errors
        assert sorted(made) == [[], [1975]]
        assert 1975 in partition_years()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS search_searchentry_y1975")


@pytest.mark.django_db
def test_the_migration_keeps_every_entry_both_ways() -> None:
    items = [
        published_article(headline=f"Ferry timetable {n}", ago=timedelta(days=400 * n))
        for n in range(3)
    ]

    def rows() -> list[tuple[int, int, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT article_id, key, document::text FROM search_searchentry "
                "ORDER BY key"
            )
            return list(cursor.fetchall())

    before = rows()
    assert len(before) == 3
    with connection.cursor() as cursor:
        partitions.make_plain(cursor)
        cursor.execute(
            "SELECT relkind FROM pg_class WHERE oid = 'search_searchentry'::regclass"
        )
        assert cursor.fetchone() == ("r",)
    assert rows() == before
    with connection.cursor() as cursor:
        partitions.make_partitioned(cursor)
    assert rows() == before
    years = {timezone.localtime(item.published_at, UTC).year for item in items}
    assert years <= set(partition_years())
    page = search_articles(
        "ferry timetable", filters=Filters(), sort=Sort.DATE, page=1, sections=[]
    )
    assert [r.article.pk for r in page.results] == [item.pk for item in items]
    # Written after the round trip, an entry of a new year still finds a home.
    later = dated("Ferry timetable 2031", datetime(2031, 3, 1, tzinfo=UTC))
    assert entry_table(later.pk) == "search_searchentry_y2031"
