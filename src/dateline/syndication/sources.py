"""What a feed is about: all news, a section, a topic or a person.

Each source reads its newest public items through the feed app's keyset
selectors (the same indexes as the pages), then loads what a feed entry
carries (body, lead photo, topics) in two more queries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import Http404
from django.urls import reverse

from dateline.content import selectors as content
from dateline.content.models import Person, Section, Topic
from dateline.feed import selectors as feed

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.content.article_sql import ListedItem

# Entries in a feed: a day's news of a busy desk.
FEED_ITEMS = 30


class Kind(enum.StrEnum):
    NEWS = "news"
    SECTION = "sections"
    TOPIC = "topics"
    PERSON = "persons"


class Format(enum.StrEnum):
    RSS = "rss"
    ATOM = "atom"
    JSON = "json"

    @property
    def media_type(self) -> str:
        return {
            Format.RSS: "application/rss+xml",
            Format.ATOM: "application/atom+xml",
            Format.JSON: "application/feed+json",
        }[self]

    @property
    def label(self) -> str:
        return {Format.RSS: "RSS", Format.ATOM: "Atom", Format.JSON: "JSON Feed"}[self]


@dataclass(frozen=True)
class Source:
    kind: Kind
    title: str
    description: str
    page_url: str
    subject: Section | Topic | Person | None = None

    @property
    def slug(self) -> str | None:
        return self.subject.slug if self.subject is not None else None

    def feed_url(self, format: Format) -> str:
        if self.subject is None:
            return reverse("syndication:news-feed", kwargs={"format": format.value})
        return reverse(
            "syndication:feed",
            kwargs={
                "kind": self.kind.value,
                "slug": self.subject.slug,
                "format": format.value,
            },
        )

    def links(self) -> list[tuple[str, str, str]]:
        """(media type, title, URL) of each format, for autodiscovery."""
        return [
            (f.media_type, f"{self.title} ({f.label})", self.feed_url(f))
            for f in Format
        ]

    def items(self, *, now: datetime | None = None) -> list[ListedItem]:
        """The newest public items, newest first, with what an entry shows."""
        subject = self.subject
        if isinstance(subject, Section):
            page = feed.section_feed(subject, limit=FEED_ITEMS, now=now)
        elif isinstance(subject, Topic):
            page = feed.topic_feed(subject, limit=FEED_ITEMS, now=now)
        elif isinstance(subject, Person):
            page = feed.person_feed(subject, limit=FEED_ITEMS, now=now)
        else:
            page = feed.news_feed(limit=FEED_ITEMS, now=now)
        return content.listed_items([item.pk for item in page.items], now=now)


def news_source() -> Source:
    agency = settings.DATELINE_AGENCY_NAME
    return Source(
        kind=Kind.NEWS,
        title=agency,
        description=f"All news from {agency}, newest first.",
        page_url=reverse("site:news-feed"),
    )


def source_for(kind: Kind, slug: str) -> Source:
    """The source of a section, topic or person feed; 404 when there is none."""
    subject: Section | Topic | Person | None
    if kind is Kind.SECTION:
        subject = Section.objects.filter(slug=slug).first()
    elif kind is Kind.TOPIC:
        subject = Topic.objects.filter(slug=slug).first()
    elif kind is Kind.PERSON:
        subject = Person.objects.filter(slug=slug).first()
    else:
        subject = None
    if subject is None:
        raise Http404
    return subject_source(subject)


def subject_source(subject: Section | Topic | Person) -> Source:
    """The feed source of a section, topic or person at hand."""
    agency = settings.DATELINE_AGENCY_NAME
    if isinstance(subject, Section):
        kind, about = Kind.SECTION, "{name}: the latest from {agency}."
    elif isinstance(subject, Topic):
        kind, about = Kind.TOPIC, "{agency} news on {name}, newest first."
    else:
        kind, about = Kind.PERSON, "{agency} news about {name}, newest first."
    return Source(
        kind=kind,
        title=f"{subject.name} — {agency}",
        description=subject.description
        or about.format(name=subject.name, agency=agency),
        page_url=subject.get_absolute_url(),
        subject=subject,
    )
