"""What every search backend offers, and the plain values it works with."""

from __future__ import annotations

import abc
import dataclasses
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from dateline.content.bodytext import plain_text
from dateline.search import keys

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from dateline.content.models import Article
    from dateline.search.query import Query

# Ranking: weights of a match in the headline, the lead and the body.
HEADLINE_WEIGHT = 10.0
LEAD_WEIGHT = 4.0
BODY_WEIGHT = 1.0
# A match loses half its weight as it ages by this many days, then a third...
RECENCY_DAYS = 30.0
# Counts per section and relevance consider the newest this-many matches
# (all of them when there are fewer), so that a common word costs what a
# rare one does; sorting by date reaches every match.
CONSIDERED = 2000
# The count is exact up to this many matches, "more than" beyond: the same
# window, so that counting reads no match the page does not read anyway
# (10,000 until issue 21: reading up to 10,001 matches was most of a common
# word's cost on PostgreSQL, and a reader pages through 1,000 at most).
COUNT_AT_MOST = CONSIDERED
# Relevance candidates among them: the newest matches anywhere, and the
# newest with all the query's words in the lead, and in the headline.
RANKED_MATCHES = 300
RANKED_LEAD_MATCHES = 100
RANKED_HEADLINE_MATCHES = 100


class Field(enum.Enum):
    """A part of the item a match can be restricted to."""

    HEADLINE = "headline"
    LEAD = "lead"


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    DATE = "date"


@dataclass(frozen=True)
class Filters:
    """Narrowing a search: any of the sections, a topic, a person, a time range."""

    section_ids: tuple[int, ...] = ()
    topic_id: int | None = None
    person_id: int | None = None
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before

    def in_section(self, section_id: int) -> Filters:
        """The same filters, narrowed to one section instead of the chosen ones."""
        return dataclasses.replace(self, section_ids=(section_id,))


@dataclass(frozen=True)
class Count:
    """A number of matches, exact up to ``at_most``."""

    value: int
    at_most: int

    @property
    def is_exact(self) -> bool:
        return self.value <= self.at_most


@dataclass(frozen=True)
class Hits:
    """One page of matching item ids, best first, and what the matches add up to."""

    ids: list[int]
    total: Count
    by_section: dict[int, Count] = field(default_factory=dict)
    # None when the counts per section cover every match; else the number of
    # newest matches they were taken among.
    by_section_among: int | None = None
    # How many of the matches paging can reach: all of them by date, the
    # ranked ones by relevance.
    available: int = 0


@dataclass(frozen=True)
class Document:
    """An item as the index sees it: its text, facets and key."""

    article_id: int
    key: int
    headline: str
    lead: str
    body: str
    section_id: int
    topic_ids: tuple[int, ...]
    person_ids: tuple[int, ...]

    @property
    def facets(self) -> list[str]:
        """Tokens for filters and counts; no reader's word starts with "_"."""
        return [
            f"_s{self.section_id}",
            *(f"_t{pk}" for pk in self.topic_ids),
            *(f"_p{pk}" for pk in self.person_ids),
        ]

    @classmethod
    def of(
        cls,
        article: Article,
        *,
        topic_ids: Iterable[int],
        person_ids: Iterable[int],
    ) -> Document:
        if article.published_at is None:
            raise ValueError(f"Item {article.pk} has no publication time to index.")
        return cls(
            article_id=article.pk,
            key=keys.item_key(article.published_at, article.pk),
            headline=article.headline,
            lead=article.lead,
            body=plain_text(article.body),
            section_id=article.section_id,
            topic_ids=tuple(topic_ids),
            person_ids=tuple(person_ids),
        )


class KeyRange(NamedTuple):
    low: int
    high: int


def key_range(filters: Filters, now: datetime) -> KeyRange:
    """The keys to search: published by now, within the filters' dates."""
    high = keys.last_key(now)
    if filters.until is not None:
        high = min(high, keys.first_key(filters.until) - 1)
    low = keys.first_key(filters.since) if filters.since is not None else -(2**62)
    return KeyRange(low, high)


def free_keys(documents: list[Document]) -> list[int]:
    """Each document's key, moved on where another item already holds it.

    Call with the documents' old entries removed. A clash needs two items
    published in the same millisecond with ids 4096 apart: rare, but possible.
    """
    from dateline.search.models import SearchEntry

    taken = set(
        SearchEntry.objects.filter(key__in=[d.key for d in documents]).values_list(
            "key", flat=True
        )
    )
    chosen = []
    for document in documents:
        key = document.key
        while key in taken or (
            key != document.key and SearchEntry.objects.filter(key=key).exists()
        ):
            key += 1
        taken.add(key)
        chosen.append(key)
    return chosen


def recency_factor(key: int, now_seconds: float) -> float:
    """1 for a match published now, 1/2 at RECENCY_DAYS, 1/3 at twice that…"""
    age_days = max(0.0, (now_seconds - keys.key_seconds(key)) / 86_400)
    return 1.0 / (1.0 + age_days / RECENCY_DAYS)


def best_first(
    weighted: Iterable[tuple[int, float]], *, now_seconds: float
) -> list[tuple[int, float]]:
    """(key, weight of the field matched) pairs, aged by recency, best first."""
    ranked = [
        (key, weight * recency_factor(key, now_seconds)) for key, weight in weighted
    ]
    ranked.sort(key=lambda pair: (-pair[1], -pair[0]))
    return ranked


class SearchBackend(abc.ABC):
    """The index and its queries; one implementation per database engine.

    ``search`` is the same on every engine; an engine supplies the index's
    writes and two reads over a range of keys: a count, and the newest
    matches (optionally of one field).
    """

    def index(
        self,
        documents: Iterable[Document],
        *,
        prepared: list[tuple[Any, ...]] | None = None,
    ) -> None:
        """Add or replace these items in the index.

        ``prepared``: what ``prepare`` made of each document, when a rebuild
        did that work in other processes.
        """
        from django.db import transaction

        documents = list(documents)
        if not documents:
            return
        if prepared is None:
            prepared = [self.prepare(document) for document in documents]
        with transaction.atomic():
            self.remove(document.article_id for document in documents)
            self.write(documents, free_keys(documents), prepared)

    @staticmethod
    @abc.abstractmethod
    def prepare(document: Document) -> tuple[Any, ...]:
        """The engine's rows for a document, from its text alone.

        The costly part of indexing, and pure: a rebuild runs it in worker
        processes.
        """

    @abc.abstractmethod
    def write(
        self,
        documents: list[Document],
        keys: list[int],
        prepared: list[tuple[Any, ...]],
    ) -> None:
        """Store prepared documents under their keys (old entries are gone)."""

    @abc.abstractmethod
    def remove(self, article_ids: Iterable[int]) -> None:
        """Take these items out of the index (unknown ids are ignored)."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Empty the index (before a full rebuild)."""

    @abc.abstractmethod
    def optimize(self) -> None:
        """Tidy the index after a full rebuild."""

    @abc.abstractmethod
    def count(
        self, query: Query, filters: Filters, keys: KeyRange, at_most: int
    ) -> int:
        """How many items match, counting no further than ``at_most + 1``."""

    @abc.abstractmethod
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
        """The keys of matching items, newest first.

        ``field``: only items with all the query's words in that field.
        """

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
        """A page of matches published by ``now``, and their counts.

        ``section_ids``: the sections to count matches in, whatever the
        section filter, so that the reader sees where else to look.
        """
        from django.db import models

        from dateline.search.models import SearchEntry

        if query.is_empty:
            return Hits(ids=[], total=Count(0, COUNT_AT_MOST))
        bounds = key_range(filters, now)
        total = Count(self.count(query, filters, bounds, COUNT_AT_MOST), COUNT_AT_MOST)
        if not total.value:
            return Hits(ids=[], total=total)
        considered: list[int] = []
        if sort == Sort.RELEVANCE or (section_ids and not filters.section_ids):
            considered = self.newest(query, filters, bounds, 0, CONSIDERED + 1)
        everywhere = dataclasses.replace(filters, section_ids=())
        by_section: dict[int, Count] = {}
        among = None
        if section_ids:
            keys = (
                self.newest(query, everywhere, bounds, 0, CONSIDERED + 1)
                if filters.section_ids
                else considered
            )
            if len(keys) > CONSIDERED:
                among = CONSIDERED
            counted = (
                SearchEntry.objects.filter(
                    key__in=keys[:CONSIDERED], section_id__in=list(section_ids)
                )
                .values_list("section_id")
                .annotate(found=models.Count("key"))
                .values_list("section_id", "found")
            )
            by_section = {
                pk: Count(found, CONSIDERED) for pk, found in counted if pk is not None
            }
        page: list[int] = []
        available = total.value
        if offset < total.value and sort == Sort.DATE:
            page = self.newest(query, filters, bounds, offset, limit)
        elif offset < total.value and considered:
            considered = considered[:CONSIDERED]
            window = KeyRange(considered[-1], bounds.high)
            weights = dict.fromkeys(considered[:RANKED_MATCHES], BODY_WEIGHT)
            for field_, weight, candidates in (
                (Field.LEAD, LEAD_WEIGHT, RANKED_LEAD_MATCHES),
                (Field.HEADLINE, HEADLINE_WEIGHT, RANKED_HEADLINE_MATCHES),
            ):
                for key in self.newest(
                    query, filters, window, 0, candidates, field=field_
                ):
                    weights[key] = weight
            ranked = best_first(weights.items(), now_seconds=now.timestamp())
            page = [key for key, _ in ranked[offset : offset + limit]]
            available = len(ranked)
        ids = dict(
            SearchEntry.objects.filter(key__in=page).values_list("key", "article_id")
        )
        return Hits(
            ids=[ids[key] for key in page if key in ids],
            total=total,
            by_section=by_section,
            by_section_among=among,
            available=available,
        )
