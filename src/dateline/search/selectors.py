"""Searching the archive: the one read that pages, API and feeds share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.utils import timezone

from dateline.content.bodytext import plain_text
from dateline.content.models import Article, Person, Topic
from dateline.content.selectors import LIST_FIELDS
from dateline.search import highlight
from dateline.search.backends import get_backend
from dateline.search.backends.base import COUNT_AT_MOST, Count, Filters, Sort
from dateline.search.query import Query, parse

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from django.db.models import QuerySet
    from django.utils.safestring import SafeString

    from dateline.content.models import Section

Named = TypeVar("Named", Topic, Person)

PAGE_SIZE = 20
# Fifty pages of twenty: past that, a reader narrows the search or sorts by date.
MAX_PAGE = 50
MATCHING_NAMES = 5  # topics and persons shown above the results
MATCHING_NAME_WORDS = 4  # longer queries are not names


@dataclass(frozen=True)
class Result:
    article: Article
    headline: SafeString
    snippet: SafeString


@dataclass(frozen=True)
class SearchPage:
    query: Query
    results: list[Result]
    total: Count
    by_section: list[tuple[Section, Count]]
    topics: list[Topic]
    persons: list[Person]
    page: int
    has_next: bool
    notes: list[str] = field(default_factory=list)
    # Counts per section cover every match, or only the newest this many.
    by_section_among: int | None = None

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1


def search_articles(
    text: str,
    *,
    filters: Filters,
    sort: Sort,
    page: int,
    sections: Sequence[Section],
    now: datetime | None = None,
) -> SearchPage:
    """One page of public items matching the reader's query, best first.

    A constant number of queries: the count (and the newest matches' range
    when there are many), one count per section, the ranking's candidates,
    the items, and the matching topics and persons.
    """
    now = now or timezone.now()
    query = parse(text)
    notes = list(query.notes)
    if query.is_empty:
        if query.excluded:
            notes.append("Add a word to look for: a search cannot be only exclusions.")
        return SearchPage(
            query, [], Count(0, COUNT_AT_MOST), [], [], [], page, False, notes
        )
    hits = get_backend().search(
        query,
        filters=filters,
        sort=sort,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
        now=now,
        section_ids=[section.pk for section in sections],
    )
    # The index holds published items only; the publishing rule is applied
    # again here so that nothing else can ever slip through.
    articles = (
        Article.objects.public(now=now)
        .select_related("section")
        .only(*LIST_FIELDS, "body")
        .in_bulk(hits.ids)
    )
    stems = highlight.query_stems(query)
    results = [_result(articles[pk], stems) for pk in hits.ids if pk in articles]
    by_section = [
        (section, hits.by_section[section.pk])
        for section in sections
        if section.pk in hits.by_section
    ]
    has_next = page < MAX_PAGE and page * PAGE_SIZE < hits.available
    return SearchPage(
        query=query,
        results=results,
        total=hits.total,
        by_section=by_section,
        topics=_matching(Topic.objects.all(), query),
        persons=_matching(Person.objects.all(), query),
        page=page,
        has_next=has_next,
        notes=notes,
        by_section_among=hits.by_section_among,
    )


def _result(article: Article, stems: frozenset[str]) -> Result:
    """The headline marked, and the lead when it matches, else a passage of
    the body that does (else the plain lead)."""
    lead = highlight.highlight(article.lead, stems)
    if "<mark>" not in lead:
        lead = highlight.snippet(plain_text(article.body), stems) or lead
    return Result(
        article=article,
        headline=highlight.highlight(article.headline, stems),
        snippet=lead,
    )


def _matching(names: QuerySet[Named], query: Query) -> list[Named]:
    """Topics or persons whose name holds every word of a short, plain query."""
    words = [word for clause in query.clauses() for word in clause.words]
    is_plain = all(len(group) == 1 for group in query.required)
    if not is_plain or len(words) > MATCHING_NAME_WORDS:
        return []
    for word in words:
        names = names.filter(name__icontains=word)
    return list(names.only("id", "name", "slug").order_by("name")[:MATCHING_NAMES])
