"""Chronological feeds of public items, newest first, by keyset.

Every feed reads ``Article.objects.public()`` and walks one of the keyset
indexes on (publication time, id): all news, per section, per topic, per
person. A page is one query of ``limit + 1`` rows, whatever its depth; the
extra row only tells whether there is more.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import F, Func, IntegerField, Q
from django.utils import formats, timezone

from dateline.content.models import Article
from dateline.content.selectors import LIST_FIELDS
from dateline.feed.cursor import Cursor

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date, datetime

    from dateline.content.models import ArticleQuerySet, Person, Section, Topic

FEED_FIELDS = tuple(f for f in LIST_FIELDS if f != "lead")
MAX_LIMIT = 200


@dataclass(frozen=True)
class FeedDay:
    """The items of one newsroom day, under a date header."""

    day: date
    label: str
    items: list[Article]
    # The day began on the previous page: a page fragment appended below that
    # page leaves out the header it already shows.
    continued: bool


@dataclass(frozen=True)
class FeedPage:
    items: list[Article]
    before: Cursor | None
    next_cursor: Cursor | None

    @property
    def days(self) -> list[FeedDay]:
        return group_by_day(self.items, continues=self.before)

    @property
    def is_first(self) -> bool:
        return self.before is None


def _public_up_to(
    now: datetime | None, before: Cursor | None, until: datetime | None = None
) -> ArticleQuerySet:
    """The public items, their time bounded above by the lowest of ``now``,
    the cursor's time and ``until``: the same items as ``public(now=now)``
    with those conditions, as the caller adds them.

    SQLite ranges over a feed index from one upper bound on its time column,
    and with several it took the publishing rule's "now": a page deep in the
    feed read every item above it first (1 ms at item 10,000, where the
    first page's read takes 0.07). Given the lowest bound as "now", the range
    starts where the page does. The caller still states the cursor's and
    ``until``'s own conditions; a forged cursor in the future changes nothing.
    """
    upper = now or timezone.now()
    if before is not None:
        upper = min(upper, before.published_at)
    if until is not None:
        upper = min(upper, until)
    return Article.objects.public(now=upper)


def _keyset(
    qs: ArticleQuerySet,
    *,
    before: Cursor | None,
    limit: int,
    time_field: str = "published_at",
    id_field: str = "id",
    extra: Q | None = None,
) -> FeedPage:
    """One page of ``qs`` ordered by (time_field, id_field) descending.

    The keyset condition is written as a bound on the time column plus a
    tie-break on the id, which both SQLite and PostgreSQL turn into a range
    scan of the feed index (starting at the cursor on SQLite only when ``qs``
    bounds the time no lower: ``_public_up_to``). ``extra`` joins the same
    filter() call, so that a condition on a multi-valued relation and the
    keyset share one join.
    """
    if not 0 < limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    condition = extra or Q()
    if before is not None:
        condition &= Q(**{f"{time_field}__lte": before.published_at}) & (
            Q(**{f"{time_field}__lt": before.published_at})
            | Q(**{f"{id_field}__lt": before.pk})
        )
    rows = list(
        qs.filter(condition)
        .select_related("section")
        .only(*FEED_FIELDS)
        .order_by(f"-{time_field}", f"-{id_field}")[: limit + 1]
    )
    items, more = rows[:limit], len(rows) > limit
    next_cursor = Cursor.after(items[-1]) if more else None
    return FeedPage(items=items, before=before, next_cursor=next_cursor)


def news_feed(
    *,
    section_ids: Sequence[int] = (),
    before: Cursor | None = None,
    limit: int,
    now: datetime | None = None,
) -> FeedPage:
    """All news, or the news of the chosen sections."""
    qs = _public_up_to(now, before)
    ids = sorted(set(section_ids))
    if len(ids) == 1:
        # One section: its own feed index, already in order.
        return _keyset(qs, before=before, limit=limit, extra=Q(section_id=ids[0]))
    if ids:
        # Several: walk the all-news index and keep their rows. Given the
        # per-section index for an IN list, SQLite reads every row of those
        # sections and sorts them, which at a million items is far slower;
        # the unary plus (a no-op on both databases) keeps the planner on the
        # ordered index, where 2+ sections fill a page after a short scan.
        qs = qs.alias(
            feed_section=Func(
                F("section_id"),
                template="(+%(expressions)s)",
                output_field=IntegerField(),
            )
        )
        return _keyset(qs, before=before, limit=limit, extra=Q(feed_section__in=ids))
    return _keyset(qs, before=before, limit=limit)


def section_feed(
    section: Section,
    *,
    before: Cursor | None = None,
    limit: int,
    now: datetime | None = None,
) -> FeedPage:
    return news_feed(section_ids=[section.pk], before=before, limit=limit, now=now)


def _tagged_feed(
    links: str,
    tag: Topic | Person,
    *,
    before: Cursor | None,
    limit: int,
    now: datetime | None,
) -> FeedPage:
    """Items tagged with ``tag``, read through the link table's feed index.

    The link's own copy of the time is bounded by "now" too, so that the
    index range starts at now: items scheduled for later sit at the top of
    it, and every page read each of them only to find it not yet public
    (229 of them in a busy person's feed at 1M items, 1 ms of its 1.3).
    """
    kind = links.removesuffix("_links")
    now = now or timezone.now()
    return _keyset(
        Article.objects.public(now=now),
        before=before,
        limit=limit,
        time_field=f"{links}__published_at",
        id_field=f"{links}__article_id",
        extra=Q(**{f"{links}__{kind}": tag, f"{links}__published_at__lte": now}),
    )


def topic_feed(
    topic: Topic,
    *,
    before: Cursor | None = None,
    limit: int,
    now: datetime | None = None,
) -> FeedPage:
    return _tagged_feed("topic_links", topic, before=before, limit=limit, now=now)


def person_feed(
    person: Person,
    *,
    before: Cursor | None = None,
    limit: int,
    now: datetime | None = None,
) -> FeedPage:
    return _tagged_feed("person_links", person, before=before, limit=limit, now=now)


def day_label(day: date, *, today: date) -> str:
    """ "November 25" this year, "November 25, 2025" before it."""
    if day.year == today.year:
        return formats.date_format(day, "F d")
    return formats.date_format(day, "F d, Y")


def group_by_day(items: list[Article], *, continues: Cursor | None) -> list[FeedDay]:
    """Items under newsroom-day headers; the first day may continue a page."""
    today = timezone.localdate()
    previous_day = (
        timezone.localtime(continues.published_at).date() if continues else None
    )
    days: list[FeedDay] = []
    for day, group in itertools.groupby(
        items,
        key=lambda a: timezone.localtime(a.published_at).date(),
    ):
        days.append(
            FeedDay(
                day=day,
                label=day_label(day, today=today),
                items=list(group),
                continued=not days and day == previous_day,
            )
        )
    return days


def filtered_feed(
    *,
    section_ids: Sequence[int] = (),
    topic: Topic | None = None,
    person: Person | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    most_urgent: int | None = None,
    before: Cursor | None = None,
    limit: int,
    now: datetime | None = None,
) -> FeedPage:
    """Public items, newest first, narrowed by any of the API's filters.

    A topic or a person walks that tag's feed index, from now (as
    ``_tagged_feed``); otherwise the section or all-news index is walked, as
    for the pages.
    """
    condition = Q()
    if since is not None:
        condition &= Q(published_at__gte=since)
    if until is not None:
        condition &= Q(published_at__lt=until)
    if most_urgent is not None:
        condition &= Q(urgency__lte=most_urgent)
    if section_ids:
        condition &= Q(section_id__in=sorted(set(section_ids)))
    if topic is not None or person is not None:
        now = now or timezone.now()
        qs = Article.objects.public(now=now)
        links = "topic_links" if topic is not None else "person_links"
        kind = links.removesuffix("_links")
        tag = Q(
            **{
                f"{links}__{kind}": topic if topic is not None else person,
                f"{links}__published_at__lte": now,
            }
        )
        if topic is not None and person is not None:
            qs = qs.filter(person_links__person=person)
        return _keyset(
            qs,
            before=before,
            limit=limit,
            time_field=f"{links}__published_at",
            id_field=f"{links}__article_id",
            extra=tag & condition,
        )
    qs = _public_up_to(now, before, until)
    return _keyset(qs, before=before, limit=limit, extra=condition)
