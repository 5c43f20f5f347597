"""Keyset feeds: no duplicates, no gaps, one query a page, public items only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.content import services
from dateline.content.models import Article
from dateline.feed import selectors as feed
from dateline.feed.cursor import Cursor, decode_cursor, encode_cursor
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    public_row,
    published_article,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from dateline.feed.selectors import FeedPage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 6, 12, 0, tzinfo=UTC)


def walk(fetch: Callable[[Cursor | None], FeedPage]) -> list[int]:
    """Every id of a feed, page by page, through encoded cursors."""
    seen: list[int] = []
    before = None
    for _ in range(1000):
        page = fetch(before)
        seen += [a.pk for a in page.items]
        if page.next_cursor is None:
            return seen
        before = decode_cursor(encode_cursor(page.next_cursor))
    raise AssertionError("the feed never ended")


@time_machine.travel(NOW, tick=False)
def test_pages_have_no_duplicates_and_no_gaps_when_many_items_share_a_second() -> None:
    section = SectionFactory()
    same_second = NOW - timedelta(hours=1)
    items = [public_row(section, same_second) for _ in range(23)]
    items += [public_row(section, NOW - timedelta(minutes=m)) for m in range(1, 30, 3)]
    items += [public_row(section, same_second - timedelta(seconds=1)) for _ in range(5)]
    expected = [
        a.pk for a in sorted(items, key=lambda a: (a.published_at, a.pk), reverse=True)
    ]
    for limit in (1, 4, 7, 23, 100):
        assert (
            walk(lambda before, n=limit: feed.news_feed(before=before, limit=n))
            == expected
        )


@time_machine.travel(NOW, tick=False)
def test_items_published_between_two_page_loads_do_not_shift_the_pages() -> None:
    section = SectionFactory()
    old = [public_row(section, NOW - timedelta(minutes=10 + i)) for i in range(10)]
    first = feed.news_feed(limit=4)
    assert [a.pk for a in first.items] == [a.pk for a in old[:4]]
    public_row(section, NOW - timedelta(seconds=5), headline="Breaking meanwhile")
    public_row(
        section, NOW - timedelta(minutes=10), headline="Same second as one shown"
    )
    second = feed.news_feed(before=first.next_cursor, limit=4)
    assert [a.pk for a in second.items] == [a.pk for a in old[4:8]]


@time_machine.travel(NOW, tick=False)
def test_a_scheduled_item_joins_the_feed_when_its_time_comes_and_not_before() -> None:
    section = SectionFactory()
    public_row(section, NOW - timedelta(minutes=5))
    later = public_row(section, NOW + timedelta(minutes=30), headline="Embargoed")
    assert later.pk not in [a.pk for a in feed.news_feed(limit=10).items]
    with time_machine.travel(NOW + timedelta(minutes=31), tick=False):
        assert feed.news_feed(limit=10).items[0].pk == later.pk


def test_no_hidden_item_in_any_feed() -> None:
    section = SectionFactory()
    topic, person = TopicFactory(), PersonFactory()
    visible = published_article(section=section)
    hidden = [
        ArticleFactory(section=section),
        ArticleFactory(section=section, status=Article.Status.SUBMITTED),
        published_article(section=section, ago=timedelta(hours=-2)),
        ArticleFactory(
            section=section,
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.WITHHELD,
            published_at=timezone.now() - timedelta(hours=1),
            version=1,
        ),
    ]
    killed = published_article(section=section)
    services.withdraw_article(article=killed, actor=None, reason="test")
    for article in [visible, *hidden, killed]:
        services.set_article_tags(article=article, topics=[topic], persons=[person])
    for page in (
        feed.news_feed(limit=50),
        feed.news_feed(section_ids=[section.pk], limit=50),
        feed.section_feed(section, limit=50),
        feed.topic_feed(topic, limit=50),
        feed.person_feed(person, limit=50),
    ):
        assert [a.pk for a in page.items] == [visible.pk]


@time_machine.travel(NOW, tick=False)
def test_topic_and_person_feeds_page_through_their_own_items() -> None:
    section = SectionFactory()
    topic, other_topic, person = TopicFactory(), TopicFactory(), PersonFactory()
    tagged = []
    for i in range(13):
        article = public_row(section, NOW - timedelta(minutes=i // 3))
        services.set_article_tags(
            article=article,
            topics=[topic] if i % 2 == 0 else [other_topic],
            persons=[person] if i % 3 == 0 else [],
        )
        tagged.append(article)

    def order(items: list[Article]) -> list[int]:
        return [
            a.pk
            for a in sorted(items, key=lambda a: (a.published_at, a.pk), reverse=True)
        ]

    assert walk(lambda b: feed.topic_feed(topic, before=b, limit=2)) == order(
        tagged[0::2]
    )
    assert walk(lambda b: feed.person_feed(person, before=b, limit=2)) == order(
        tagged[0::3]
    )


def test_sections_filter_keeps_only_the_chosen_sections() -> None:
    world, sport, economy = SectionFactory(), SectionFactory(), SectionFactory()
    items = {s.pk: published_article(section=s) for s in (world, sport, economy)}
    page = feed.news_feed(section_ids=[world.pk, economy.pk], limit=10)
    assert {a.pk for a in page.items} == {items[world.pk].pk, items[economy.pk].pk}


@pytest.mark.parametrize("limit", [1, 5, 40])
def test_a_feed_page_is_one_query_whatever_its_size(limit: int) -> None:
    section = SectionFactory()
    topic = TopicFactory()
    for i in range(45):
        article = public_row(section, timezone.now() - timedelta(minutes=i))
        services.set_article_tags(article=article, topics=[topic], persons=[])
    first = feed.news_feed(limit=limit)
    for fetch in (
        lambda: feed.news_feed(before=first.next_cursor, limit=limit),
        lambda: feed.section_feed(section, before=first.next_cursor, limit=limit),
        lambda: feed.topic_feed(topic, before=first.next_cursor, limit=limit),
    ):
        with CaptureQueriesContext(connection) as queries:
            page = fetch()
            assert all(a.section.slug for a in page.items)
            assert [a.get_absolute_url() for a in page.items]
        assert len(queries) == 1


def test_the_limit_is_bounded() -> None:
    with pytest.raises(ValueError, match="limit"):
        feed.news_feed(limit=0)
    with pytest.raises(ValueError, match="limit"):
        feed.news_feed(limit=feed.MAX_LIMIT + 1)


@time_machine.travel(datetime(2026, 9, 6, 22, 30, tzinfo=UTC), tick=False)
def test_days_follow_the_newsroom_time_zone_and_continue_across_pages(
    settings: object,
) -> None:
    # Europe/Helsinki is UTC+3 in September: 22:30 UTC is already September 07.
    section = SectionFactory()
    late = public_row(section, datetime(2026, 9, 6, 22, 0, tzinfo=UTC))
    evening = [
        public_row(
            section, datetime(2026, 9, 6, 20, 0, tzinfo=UTC) - timedelta(minutes=i)
        )
        for i in range(3)
    ]
    first = feed.news_feed(limit=2)
    assert [(d.label, len(d.items), d.continued) for d in first.days] == [
        ("September 07", 1, False),
        ("September 06", 1, False),
    ]
    second = feed.news_feed(before=first.next_cursor, limit=2)
    assert [(d.label, len(d.items), d.continued) for d in second.days] == [
        ("September 06", 2, True),
    ]
    assert first.items[0].pk == late.pk
    assert [a.pk for a in second.items] == [a.pk for a in evening[1:]]


def test_days_in_an_earlier_year_carry_the_year() -> None:
    today = date(2026, 1, 2)
    assert feed.day_label(date(2025, 12, 31), today=today) == "December 31, 2025"
    assert feed.day_label(date(2026, 1, 1), today=today) == "January 01"


class _SqliteSteps:
    """SQLite's virtual-machine steps while the block runs: how much of an
    index a statement read, counted, not timed."""

    EVERY = 10

    def __enter__(self) -> _SqliteSteps:
        self.calls = 0

        def tick() -> int:
            self.calls += 1
            return 0  # go on

        connection.ensure_connection()
        connection.connection.set_progress_handler(tick, self.EVERY)
        return self

    def __exit__(self, *exc: object) -> None:
        connection.connection.set_progress_handler(None, self.EVERY)


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="counts SQLite's steps; PostgreSQL's btree keeps the tighter of two bounds",
)
@time_machine.travel(NOW, tick=False)
def test_a_deep_page_reads_no_more_of_the_index_than_the_first() -> None:
    # Keyset pages start where the cursor is: the page at item 300 reads
    # about what the first page reads, not the 300 items above it (before
    # feed.selectors._public_up_to, four to five times as much here).
    sections = [SectionFactory(), SectionFactory()]
    items = [
        public_row(sections[i % 2], NOW - timedelta(minutes=i + 1)) for i in range(360)
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a real archive has statistics
    deep = Cursor.after(items[300])
    until = items[300].published_at
    ids = [s.pk for s in sections]
    reads = {
        "news": lambda before: feed.news_feed(before=before, limit=20),
        "one section": lambda before: feed.news_feed(
            section_ids=ids[:1], before=before, limit=20
        ),
        "two sections": lambda before: feed.news_feed(
            section_ids=ids, before=before, limit=20
        ),
        "API until": lambda before: feed.filtered_feed(
            until=until if before else None, limit=20
        ),
    }
    for name, read in reads.items():
        with _SqliteSteps() as first:
            assert len(read(None).items) == 20
        with _SqliteSteps() as deeper:
            assert len(read(deep).items) == 20
        assert deeper.calls <= 2 * first.calls + 2, (name, first.calls, deeper.calls)


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="counts SQLite's steps (PostgreSQL's plan: bench/results, 2026-12-07)",
)
@time_machine.travel(NOW, tick=False)
def test_a_tag_feed_reads_none_of_the_items_scheduled_for_later() -> None:
    # Scheduled items sit at the top of a tag's feed index; the page starts
    # at now, not above them (before: every one read and turned down).
    section = SectionFactory()
    topic, person = TopicFactory(), PersonFactory()
    public = [public_row(section, NOW - timedelta(minutes=i + 1)) for i in range(25)]
    for article in public:
        services.set_article_tags(article=article, topics=[topic], persons=[person])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    reads = {
        "topic": lambda: feed.topic_feed(topic, limit=20),
        "person": lambda: feed.person_feed(person, limit=20),
        # The API's lists, filtered by a tag, walk the same indexes.
        "API, topic": lambda: feed.filtered_feed(topic=topic, limit=20),
        "API, person": lambda: feed.filtered_feed(person=person, limit=20),
    }
    alone = {}
    for name, read in reads.items():
        with _SqliteSteps() as steps:
            assert len(read().items) == 20
        alone[name] = steps.calls
    for i in range(300):
        later = ArticleFactory(
            section=section,
            status=Article.Status.PUBLISHED,
            pubstatus=Article.PubStatus.USABLE,
            published_at=NOW + timedelta(minutes=i + 1),
            version=1,
        )
        services.set_article_tags(article=later, topics=[topic], persons=[person])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for name, read in reads.items():
        with _SqliteSteps() as steps:
            page = read()
        assert [a.pk for a in page.items] == [a.pk for a in public[:20]]
        assert steps.calls <= 2 * alone[name] + 2, (name, alone[name], steps.calls)


@time_machine.travel(NOW, tick=False)
def test_ties_at_the_cursor_and_at_until_keep_every_item_once() -> None:
    # The publishing rule's bound is lowered to the cursor's time and to
    # ``until`` (_public_up_to): items sharing the cursor's second, and those
    # at ``until`` itself, must come out exactly as before.
    world, sport, other = SectionFactory(), SectionFactory(), SectionFactory()
    tied = NOW - timedelta(hours=2)
    items = [public_row((world, sport)[i % 2], tied) for i in range(17)]
    items += [public_row(world, tied + timedelta(seconds=s)) for s in (1, 2, 3)]
    items += [public_row(sport, tied - timedelta(seconds=s)) for s in (1, 2)]
    items.append(
        public_row(sport, tied + timedelta(seconds=2) - timedelta(microseconds=1))
    )
    public_row(other, tied)  # another section's item at the same second
    newest_first = sorted(items, key=lambda a: (a.published_at, a.pk), reverse=True)
    expected = [a.pk for a in newest_first]
    until = tied + timedelta(seconds=2)  # exclusive: the items at +2 s and +3 s go
    expected_until = [a.pk for a in newest_first if a.published_at < until]
    for limit in (1, 4, 7, 30):
        assert (
            walk(
                lambda before, n=limit: feed.news_feed(
                    section_ids=[world.pk, sport.pk], before=before, limit=n
                )
            )
            == expected
        )
        assert (
            walk(
                lambda before, n=limit: feed.filtered_feed(
                    section_ids=[world.pk, sport.pk],
                    until=until,
                    before=before,
                    limit=n,
                )
            )
            == expected_until
        )
