"""Reads for public pages. Every function here starts from ``public()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from dateline.content import article_sql
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Gallery,
    GalleryPhoto,
    Infographic,
    Person,
    Section,
    Topic,
    VisualStatus,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from dateline.content.article_sql import (
        ArticleLinks,
        CorrectionNote,
        ListedItem,
        ReadAlsoLink,
        TagLink,
    )
    from dateline.content.models import ArticleQuerySet, VisualQuerySet

LIST_FIELDS = (
    "id", "headline", "lead", "published_at", "updated_at", "urgency",
    "dateline_place", "section__id", "section__slug", "section__name",
)  # fmt: skip
PHOTO_FIELDS = (
    "lead_photo__id", "lead_photo__image", "lead_photo__width",
    "lead_photo__height", "lead_photo__alt_text", "lead_photo__credit",
    "lead_photo__renditions",
)  # fmt: skip


@dataclass(frozen=True)
class ArticleDetail:
    article: Article
    topics: list[TagLink]
    persons: list[TagLink]
    read_also: list[ReadAlsoLink]
    corrections: list[CorrectionNote]


def _listing(qs: ArticleQuerySet) -> ArticleQuerySet:
    return qs.select_related("section").only(*LIST_FIELDS)


def article_detail(article: Article, *, now: datetime | None = None) -> ArticleDetail:
    """Everything an article page shows beside the row itself: its topics,
    persons, public "Read also" items and corrections, in one query
    (hand-written: see content.article_sql for why)."""
    return _detail(
        article, article_sql.article_links(article.pk, now=now or timezone.now())
    )


def public_article_page(
    pk: int, *, now: datetime | None = None
) -> ArticleDetail | None:
    """The public article ``pk`` with its section and lead photo, and
    everything its page shows beside it (as ``article_detail``), in one query
    (hand-written: see content.article_sql for why)."""
    found = article_sql.public_article_page(pk, now=now or timezone.now())
    return None if found is None else _detail(*found)


def _detail(article: Article, links: ArticleLinks) -> ArticleDetail:
    return ArticleDetail(
        article, links.topics, links.persons, links.read_also, links.corrections
    )


def listed_items(
    ids: Sequence[int], *, now: datetime | None = None
) -> list[ListedItem]:
    """The public items among ``ids``, in that order, as feeds and the API
    list them (article, section, lead photo, topics, persons): two queries
    (hand-written: see content.article_sql for why)."""
    return article_sql.public_items(ids, now=now or timezone.now())


def is_withdrawn(pk: int) -> bool:
    """Whether the id belonged to a published item that was later killed."""
    return Article.objects.filter(
        pk=pk, status=Article.Status.PUBLISHED, pubstatus=Article.PubStatus.CANCELED
    ).exists()


def latest_by_section(
    sections: Sequence[Section],
    *,
    limit: int,
    now: datetime | None = None,
    photos: bool = False,
) -> dict[int, list[Article]]:
    """The newest public items of each section, in one query: section id → items
    (``photos``: with each item's lead photo, for a front's thumbnails).

    Each section's newest ids come from its own feed index (a LIMITed
    subquery per section), so the cost stays flat however big the archive.
    """
    if not sections:
        return {}
    public = Article.objects.public(now=now)
    per_section = [
        public.in_section(section).newest_first().values("pk")[:limit]
        for section in sections
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: one list of ids (UNION ALL of the LIMITed reads). An
        # OR of IN-subqueries cannot drive an index there: it scanned every
        # item, over a second a home page at 1M items.
        newest = Q(pk__in=per_section[0].union(*per_section[1:], all=True))
    else:
        # SQLite allows no LIMIT inside a compound SELECT; it answers the OR
        # of IN-subqueries from each section's index.
        newest = Q()
        for ids in per_section:
            newest |= Q(pk__in=ids)
    blocks: dict[int, list[Article]] = {section.pk: [] for section in sections}
    rows = _listing(public.filter(newest))
    if photos:
        rows = rows.select_related("lead_photo").only(*LIST_FIELDS, *PHOTO_FIELDS)
    for item in rows.newest_first():
        blocks[item.section_id].append(item)
    return blocks


def navigation_sections() -> list[Section]:
    return list(Section.objects.only("id", "name", "slug", "position", "description"))


# TOP STORIES falls back to urgent items (IPTC urgency 1–3) from this window.
URGENT_AT_MOST = 3
TOP_STORY_FALLBACK = timedelta(days=30)


def top_stories(
    *, section: Section | None = None, limit: int, now: datetime | None = None
) -> list[Article]:
    """The editors' TOP STORIES for the home page or a section front.

    Curated slots first, in the editors' order; a front with no public slot
    shows the latest urgent items instead, so it is never stale or empty
    while urgent news exists. At most two queries.
    """
    now = now or timezone.now()
    public = Article.objects.public(now=now).select_related("section", "lead_photo")
    fields = (*LIST_FIELDS, *PHOTO_FIELDS)
    # One filter() call per relation: the slot test and its order share a join.
    if section is None:
        slots = public.filter(
            top_story_slots__isnull=False, top_story_slots__section__isnull=True
        )
    else:
        slots = public.filter(top_story_slots__section=section)
    curated = list(
        slots.only(*fields).order_by(
            "top_story_slots__position", "top_story_slots__id"
        )[:limit]
    )
    if curated:
        return curated
    urgent = public.filter(
        urgency__lte=URGENT_AT_MOST, published_at__gte=now - TOP_STORY_FALLBACK
    )
    if section is not None:
        urgent = urgent.in_section(section)
    return list(urgent.only(*fields).newest_first()[:limit])


Tag = TypeVar("Tag", Topic, Person)


@dataclass(frozen=True)
class ActiveTag(Generic[Tag]):
    """A topic or a person, and how many public items named it lately."""

    tag: Tag
    items: int


def active_tags(
    kind: type[Tag], *, within: timedelta, limit: int, now: datetime | None = None
) -> list[ActiveTag[Tag]]:
    """Topics (``kind=Topic``) or persons (``kind=Person``) with the most
    public items in the recent window, busiest first."""
    now = now or timezone.now()
    links: type[ArticleTopic | ArticlePerson]
    links, column = (
        (ArticleTopic, "topic_id") if kind is Topic else (ArticlePerson, "person_id")
    )
    rows = list(
        links.objects.filter(
            published_at__gt=now - within,
            published_at__lte=now,
            article__status__state=Article.Status.PUBLISHED,
            article__pubstatus__state=Article.PubStatus.USABLE,
        )
        .values(column)
        .annotate(items=Count("id"), latest=Max("published_at"))
        .order_by("-items", "-latest", column)[:limit]
    )
    tags = kind.objects.only("id", "name", "slug").in_bulk(
        [row[column] for row in rows]
    )
    return [ActiveTag(tags[row[column]], row["items"]) for row in rows]


# --- Galleries -------------------------------------------------------------------

COVER_FIELDS = (
    "cover__id", "cover__image", "cover__width", "cover__height",
    "cover__alt_text", "cover__renditions",
)  # fmt: skip


def gallery_listing(*, now: datetime | None = None) -> VisualQuerySet:
    """Public galleries, newest first, each with its photo count and cover:
    one query for any number of them."""
    rows: VisualQuerySet = (
        Gallery.objects.public(now=now)
        .newest_first()
        .select_related("cover")
        .only("id", "title", "slug", "description", "published_at", *COVER_FIELDS)
        .annotate(photo_count=Count("gallery_photos"))
    )
    return rows


def recent_galleries(*, limit: int, now: datetime | None = None) -> list[Gallery]:
    """The "Photo" block: the newest public galleries, in one query."""
    return list(gallery_listing(now=now)[:limit])


def public_gallery(slug: str, *, now: datetime | None = None) -> Gallery | None:
    return Gallery.objects.public(now=now).filter(slug=slug).first()


def gallery_photos(gallery: Gallery) -> list[GalleryPhoto]:
    """A gallery's photos in the editor's order, in one query."""
    return list(
        GalleryPhoto.objects.filter(gallery=gallery)
        .select_related("photo")
        .order_by("position", "id")
    )


# --- Infographics ----------------------------------------------------------------

INFOGRAPHIC_LIST_FIELDS = (
    "id", "title", "slug", "description", "published_at", "image", "width",
    "height", "alt_text", "renditions",
)  # fmt: skip


def infographic_listing(*, now: datetime | None = None) -> VisualQuerySet:
    rows: VisualQuerySet = (
        Infographic.objects.public(now=now)
        .newest_first()
        .only(*INFOGRAPHIC_LIST_FIELDS)
    )
    return rows


def recent_infographics(
    *, limit: int, now: datetime | None = None
) -> list[Infographic]:
    """The "Infographics" block: the newest public ones, in one query."""
    return list(infographic_listing(now=now)[:limit])


def public_infographic(slug: str, *, now: datetime | None = None) -> Infographic | None:
    return Infographic.objects.public(now=now).filter(slug=slug).first()


# --- Scheduled releases -------------------------------------------------------------


def next_scheduled_release(*, now: datetime | None = None) -> datetime | None:
    """When the next scheduled item, gallery or infographic goes public (the
    page cache starts afresh then): three indexed lookups."""
    now = now or timezone.now()
    times = [
        Article.objects.scheduled(now=now).aggregate(at=Min("published_at"))["at"],
        *(
            model.objects.filter(
                status=VisualStatus.PUBLISHED, published_at__gt=now
            ).aggregate(at=Min("published_at"))["at"]
            for model in (Gallery, Infographic)
        ),
    ]
    return min((t for t in times if t is not None), default=None)
