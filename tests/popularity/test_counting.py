"""Counting views and ranking the windows, the same on the database and on Redis."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.utils import timezone

from dateline.content import services as content
from dateline.content.models import Article
from dateline.popularity import services
from dateline.popularity.counters.database import DatabaseViewCounter
from dateline.popularity.models import ViewBucket, WindowTotal
from dateline.popularity.selectors import most_read
from dateline.popularity.windows import Window
from tests.factories import ArticleFactory, published_article
from tests.popularity.conftest import REDIS_URL, redis_counter

if TYPE_CHECKING:
    from dateline.popularity.counters.base import ViewCounter

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
# Half past ten tomorrow (after the test items' publication): Now weighs
# the previous hour by one half.
HALF_PAST = timezone.now().astimezone(UTC).replace(
    hour=10, minute=30, second=0, microsecond=0
) + timedelta(days=1)

pytestmark = pytest.mark.django_db


def top(
    counter: ViewCounter, window: Window, *, now: datetime, limit: int
) -> list[tuple[int, float]]:
    counter.age(now)
    return counter.top(window, now=now, limit=limit)


def view(
    article: Article, reader: int, *, at: datetime | None = None
) -> services.Outcome:
    return services.record_view(
        article_id=article.pk,
        address=f"198.51.100.{reader}",
        user_agent=BROWSER,
        at=at,
    )


def views_of(article: Article, readers: int, *, at: datetime | None = None) -> None:
    for reader in range(readers):
        assert view(article, reader, at=at) is services.Outcome.COUNTED


def ranking(window: Window) -> list[str]:
    lists = {item.window: item for item in most_read()}
    return [entry.headline for entry in lists[window].entries]


def test_each_window_ranks_its_most_viewed_public_items(counter: ViewCounter) -> None:
    items = [published_article(headline=f"Story {n}") for n in range(9)]
    for n, article in enumerate(items):
        views_of(article, n + 1)
    counter.flush()
    expected = [f"Story {n}" for n in range(8, 1, -1)]
    for window in Window:
        assert ranking(window) == expected


def test_ties_go_to_the_newer_item(counter: ViewCounter) -> None:
    older = published_article(headline="Older", ago=timedelta(hours=5))
    newer = published_article(headline="Newer", ago=timedelta(hours=2))
    oldest = published_article(headline="Oldest", ago=timedelta(hours=9))
    for article in (oldest, older, newer):
        views_of(article, 3)
    counter.flush()
    assert ranking(Window.TODAY) == ["Newer", "Older", "Oldest"]
    assert ranking(Window.NOW) == ["Newer", "Older", "Oldest"]


def test_a_tie_beyond_the_candidates_read_first_still_goes_to_the_newest(
    counter: ViewCounter,
) -> None:
    # 60 items with one view each: the newest seven must win, whichever the
    # counter happens to list first.
    items = [
        published_article(headline=f"Item {n:02d}", ago=timedelta(minutes=200 - n))
        for n in range(60)
    ]
    for article in reversed(items):
        views_of(article, 1)
    counter.flush()
    assert ranking(Window.WEEK) == [f"Item {n:02d}" for n in range(59, 52, -1)]


def test_a_client_counts_once_per_item_and_hour(counter: ViewCounter) -> None:
    story = published_article(headline="Story")
    other = published_article(headline="Other")
    with time_machine.travel(HALF_PAST, tick=False):
        for _ in range(5):
            view(story, 1)
        view(other, 1)
        view(story, 2)
        counter.flush()
        scores = dict(top(counter, Window.TODAY, now=timezone.now(), limit=5))
    assert scores == {story.pk: 2.0, other.pk: 1.0}
    with time_machine.travel(HALF_PAST + timedelta(hours=1), tick=False):
        view(story, 1)
        counter.flush()
        scores = dict(top(counter, Window.TODAY, now=timezone.now(), limit=5))
    assert scores[story.pk] == 3.0


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set")
def test_redis_counts_a_client_once_across_app_processes(db: None) -> None:
    from dateline.popularity.clients import client_digest
    from dateline.popularity.counters import use_counter

    prefix = f"dateline-test-{uuid.uuid4().hex}:"
    counter, second_process = redis_counter(prefix), redis_counter(prefix)
    use_counter(counter)
    story = published_article(headline="Story")
    try:
        with time_machine.travel(HALF_PAST, tick=False):
            view(story, 1)
            counter.flush()
            key = second_process.daily_key(timezone.now().date())
            assert key == counter.daily_key(timezone.now().date())
            digest = client_digest(
                key, address="198.51.100.1", user_agent=BROWSER, article_id=story.pk
            )
            second_process.record(digest=digest, article_id=story.pk, at=timezone.now())
            second_process.flush()
            assert top(counter, Window.WEEK, now=timezone.now(), limit=3) == [
                (story.pk, 1.0)
            ]
    finally:
        counter.clear()


def test_clear_forgets_every_count_however_many_keys(
    counter: ViewCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline.popularity.counters import redis

    monkeypatch.setattr(redis, "CLEAR_BATCH", 3)  # several batches below
    story = published_article(headline="Story")
    with time_machine.travel(HALF_PAST, tick=False):
        for hour in range(4):
            with time_machine.travel(HALF_PAST - timedelta(hours=hour), tick=False):
                view(story, hour)
        counter.flush()
        assert top(counter, Window.WEEK, now=timezone.now(), limit=3)
        counter.clear()
        if isinstance(counter, redis.RedisViewCounter):
            assert not list(counter.client.scan_iter(match=f"{counter.prefix}*"))
        assert top(counter, Window.WEEK, now=timezone.now(), limit=3) == []


def test_the_client_key_changes_every_day(counter: ViewCounter) -> None:
    first = counter.daily_key(HALF_PAST.date())
    assert counter.daily_key(HALF_PAST.date()) == first
    assert counter.daily_key((HALF_PAST + timedelta(days=1)).date()) != first


def test_no_client_data_is_written_to_the_database(counter: ViewCounter) -> None:
    story = published_article()
    view(story, 7)
    counter.flush()
    rows = [
        *ViewBucket.objects.values_list(flat=False),
        *WindowTotal.objects.values_list(flat=False),
    ]
    assert "198.51.100.7" not in repr(rows)
    assert all(len(row) <= 4 for row in rows)


def test_now_is_the_last_sixty_minutes(counter: ViewCounter) -> None:
    story = published_article(headline="Earlier", ago=timedelta(days=1))
    later = published_article(headline="Later", ago=timedelta(days=1))
    at_nine = HALF_PAST - timedelta(minutes=75)  # 09:15
    with time_machine.travel(at_nine, tick=False):
        views_of(story, 10)
        counter.flush()
    with time_machine.travel(HALF_PAST, tick=False):
        views_of(later, 4)
        counter.flush()
        now = timezone.now()
        # 09:00–10:00 counts for the half still within the last 60 minutes.
        assert dict(top(counter, Window.NOW, now=now, limit=5)) == {
            story.pk: 5.0,
            later.pk: 4.0,
        }
    with time_machine.travel(HALF_PAST + timedelta(minutes=29), tick=False):
        scores = dict(top(counter, Window.NOW, now=timezone.now(), limit=5))
        assert scores[later.pk] == 4.0
        assert scores[story.pk] == pytest.approx(10 / 60)
    with time_machine.travel(HALF_PAST + timedelta(minutes=31), tick=False):
        # 11:01: the 09:00 hour is gone, 10:00 counts for 59 minutes of 60.
        scores = dict(top(counter, Window.NOW, now=timezone.now(), limit=5))
        assert scores == {later.pk: pytest.approx(4 * 59 / 60)}


def test_hours_leave_today_and_the_week_as_time_passes(counter: ViewCounter) -> None:
    story = published_article(headline="Story", ago=timedelta(days=30))
    with time_machine.travel(HALF_PAST, tick=False):
        views_of(story, 3)
        counter.flush()
    for hours, in_today, in_week in [
        (23, True, True),
        (24, False, True),
        (24 * 7 - 1, False, True),
        (24 * 7, False, False),
    ]:
        with time_machine.travel(HALF_PAST + timedelta(hours=hours), tick=False):
            now = timezone.now()
            assert bool(top(counter, Window.TODAY, now=now, limit=3)) is in_today, hours
            assert bool(top(counter, Window.WEEK, now=now, limit=3)) is in_week, hours


def test_totals_age_correctly_while_views_keep_arriving(counter: ViewCounter) -> None:
    story = published_article(headline="Story", ago=timedelta(days=30))
    start = HALF_PAST
    for hour in range(30):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            views_of(story, hour + 1)
            counter.flush()
    with time_machine.travel(start + timedelta(hours=29), tick=False):
        now = timezone.now()
        today = dict(top(counter, Window.TODAY, now=now, limit=3))
        week = dict(top(counter, Window.WEEK, now=now, limit=3))
    # Today: the hours 6..29 of the run, with 7..30 views.
    assert today == {story.pk: float(sum(range(7, 31)))}
    assert week == {story.pk: float(sum(range(1, 31)))}


def test_old_buckets_are_pruned() -> None:
    counter = DatabaseViewCounter(flush_after=None)
    from dateline.popularity.counters import use_counter

    use_counter(counter)
    story = published_article(ago=timedelta(days=30))
    with time_machine.travel(HALF_PAST, tick=False):
        views_of(story, 2)
        counter.flush()
    assert ViewBucket.objects.count() == 1
    with time_machine.travel(HALF_PAST + timedelta(days=8, hours=1), tick=False):
        view(published_article(), 1)
        counter.flush()
    assert list(ViewBucket.objects.values_list("article_id", flat=True)) != [story.pk]
    assert not ViewBucket.objects.filter(article=story).exists()
    assert not WindowTotal.objects.filter(article=story).exists()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: ArticleFactory(), id="draft"),
        pytest.param(
            lambda: published_article(ago=-timedelta(hours=3)), id="scheduled"
        ),
    ],
)
def test_items_that_are_not_public_are_never_counted(
    counter: ViewCounter, make
) -> None:
    article = make()
    assert view(article, 1) is services.Outcome.NOT_PUBLIC
    counter.flush()
    assert top(counter, Window.WEEK, now=timezone.now(), limit=5) == []


def test_unknown_ids_are_never_counted(counter: ViewCounter) -> None:
    outcome = services.record_view(article_id=999_999, address="", user_agent=BROWSER)
    assert outcome is services.Outcome.NOT_PUBLIC
    assert counter.pending() == 0


def test_a_withdrawn_item_stops_counting_and_leaves_the_lists(
    counter: ViewCounter, chief
) -> None:
    story = published_article(headline="Withdrawn later")
    stays = published_article(headline="Stays")
    views_of(story, 5)
    views_of(stays, 1)
    counter.flush()
    content.withdraw_article(article=story, actor=chief, reason="Legal")
    assert view(story, 9) is services.Outcome.NOT_PUBLIC
    for window in Window:
        assert ranking(window) == ["Stays"]


@pytest.mark.parametrize("agent", [GOOGLEBOT, "", "   ", "python-requests/2.32.3"])
def test_crawlers_and_clients_without_an_agent_are_not_counted(
    counter: ViewCounter, agent: str
) -> None:
    story = published_article()
    outcome = services.record_view(article_id=story.pk, address="", user_agent=agent)
    assert outcome is services.Outcome.IGNORED
    counter.flush()
    assert top(counter, Window.NOW, now=timezone.now(), limit=5) == []


def test_views_of_an_item_deleted_before_the_flush_are_skipped(
    counter: ViewCounter,
) -> None:
    gone = published_article(headline="Test item")
    kept = published_article(headline="Kept")
    views_of(gone, 2)
    views_of(kept, 1)
    Article.objects.filter(pk=gone.pk).delete()
    counter.flush()
    assert ranking(Window.TODAY) == ["Kept"]


def test_an_unreachable_redis_drops_views_with_a_warning(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    from dateline.popularity.counters import use_counter
    from dateline.popularity.counters.redis import RedisViewCounter

    down = RedisViewCounter("redis://127.0.0.1:9/0", flush_after=None)
    use_counter(down)
    story = published_article()
    with caplog.at_level(logging.WARNING):
        assert view(story, 1) is services.Outcome.COUNTED
        down.record(digest="d", article_id=story.pk, at=timezone.now())
        assert down.flush() == 1
    assert down.pending() == 0
    assert "View counting failed" in caplog.text


def test_a_closed_counter_writes_what_it_holds_and_each_later_view_at_once(
    counter: ViewCounter,
) -> None:
    """A stopping process closes its counter: a request still in flight
    that records a view after that must not leave it in the buffer."""
    article = published_article(headline="Read as the server stops")
    views_of(article, 3)
    assert counter.pending() == 3
    counter.close()
    assert counter.pending() == 0
    now = timezone.now()
    assert top(counter, Window.TODAY, now=now, limit=5) == [(article.pk, 3.0)]
    assert view(article, 99) is services.Outcome.COUNTED
    assert counter.pending() == 0
    assert top(counter, Window.TODAY, now=now, limit=5) == [(article.pk, 4.0)]
