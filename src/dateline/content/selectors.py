"""Reads for public pages. Every function here starts from ``public()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from dateline.content.models import Article, Correction, Person, Section, Topic

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.content.models import ArticleQuerySet

LIST_FIELDS = (
    "id", "headline", "lead", "published_at", "updated_at", "urgency",
    "dateline_place", "section__id", "section__slug", "section__name",
)  # fmt: skip


@dataclass(frozen=True)
class ArticleDetail:
    article: Article
    topics: list[Topic]
    persons: list[Person]
    read_also: list[Article]
    corrections: list[Correction]


def _listing(qs: ArticleQuerySet) -> ArticleQuerySet:
    return qs.select_related("section").only(*LIST_FIELDS)


def article_detail(article: Article, *, now: datetime | None = None) -> ArticleDetail:
    """Everything an article page shows beside the row itself: four queries."""
    now = now or timezone.now()
    topics = list(
        Topic.objects.filter(article_links__article=article).order_by(
            "article_links__id"
        )
    )
    persons = list(
        Person.objects.filter(article_links__article=article).order_by(
            "article_links__id"
        )
    )
    read_also = list(
        _listing(
            Article.objects.public(now=now).filter(read_also_backlinks__article=article)
        ).order_by("read_also_backlinks__position", "read_also_backlinks__id")
    )
    corrections = list(article.corrections.all())
    return ArticleDetail(article, topics, persons, read_also, corrections)


def public_article(pk: int, *, now: datetime | None = None) -> Article | None:
    return (
        Article.objects.public(now=now)
        .select_related("section", "lead_photo")
        .filter(pk=pk)
        .first()
    )


def is_withdrawn(pk: int) -> bool:
    """Whether the id belonged to a published item that was later killed."""
    return Article.objects.filter(
        pk=pk, status=Article.Status.PUBLISHED, pubstatus=Article.PubStatus.CANCELED
    ).exists()


def latest(*, limit: int, now: datetime | None = None) -> list[Article]:
    return list(_listing(Article.objects.public(now=now)).newest_first()[:limit])


def latest_in_section(
    section: Section, *, limit: int, now: datetime | None = None
) -> list[Article]:
    return list(
        _listing(Article.objects.public(now=now).in_section(section)).newest_first()[
            :limit
        ]
    )


def latest_for_topic(
    topic: Topic, *, limit: int, now: datetime | None = None
) -> list[Article]:
    return list(
        _listing(
            Article.objects.public(now=now).filter(topic_links__topic=topic)
        ).order_by("-topic_links__published_at", "-id")[:limit]
    )


def latest_for_person(
    person: Person, *, limit: int, now: datetime | None = None
) -> list[Article]:
    return list(
        _listing(
            Article.objects.public(now=now).filter(person_links__person=person)
        ).order_by("-person_links__published_at", "-id")[:limit]
    )


def navigation_sections() -> list[Section]:
    return list(Section.objects.only("id", "name", "slug", "position"))
