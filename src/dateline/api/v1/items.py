"""Items: the newest public items with filters, and one item by id."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from dateline.api import errors, ninjs
from dateline.content import selectors as content
from dateline.content.models import Article, Person, Section, Topic
from dateline.core.absolute import absolute_urls
from dateline.feed import selectors as feed
from dateline.feed.cursor import InvalidCursorError, decode_cursor, encode_cursor
from dateline.search.backends import get_backend
from dateline.search.backends.base import Filters, KeyRange, key_range
from dateline.search.models import SearchEntry
from dateline.search.query import MAX_QUERY_LENGTH, parse, printable

router = Router(tags=["items"])

MAX_LIMIT = 100
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_SECTIONS = 20
SEARCH_CURSOR_SALT = "dateline.api.search-cursor"


class NinjsItem(BaseModel):
    """An IPTC ninjs 3.1 news object: the properties every item has are
    listed; the others (descriptions, bodies, subjects, people, associations…)
    follow the standard's schema."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    uri: str
    type: str
    version_created: str = Field(alias="versionCreated")
    pub_status: str = Field(alias="pubStatus")
    headlines: list[dict[str, str]]


class ItemList(Schema):
    items: list[NinjsItem]
    next: str | None = Field(description="The next page's URL; null on the last page.")


# A slug as the newsroom makes them: letters, digits, hyphens, underscores.
Slug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]{1,160}$")]


class ItemFilters(Schema):
    q: str | None = Field(
        default=None,
        max_length=MAX_QUERY_LENGTH,
        description='Search words, "a phrase", -exclusions and OR, as on the site.',
    )
    section: list[Slug] = Field(default=[], description="Section slugs (any of them).")
    topic: Slug | None = Field(default=None, description="A topic's slug.")
    person: Slug | None = Field(default=None, description="A person's slug.")
    since: datetime | None = Field(default=None, description="Published at or after.")
    until: datetime | None = Field(default=None, description="Published before.")
    urgency: int | None = Field(
        default=None,
        ge=1,
        le=9,
        description="Only items this urgent or more (1 = flash).",
    )
    cursor: str | None = Field(default=None, max_length=200, description="From `next`.")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)

    @field_validator("q")
    @classmethod
    def readable(cls, value: str | None) -> str | None:
        return printable(value) if value is not None else None

    @field_validator("since", "until")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        """Any offset the reader writes, as UTC (databases bound offsets to
        a few hours; a time without one is taken as UTC). A moment that falls
        outside the years 1 to 9999 in UTC is kept as written: it fits the
        schema's date-time, so ``list_articles`` refuses it with a 400 (as
        it does an unknown section), not as invalid parameters (422)."""
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            return value

    @field_validator("since", "until", mode="before")
    @classmethod
    def iso_8601_only(cls, value: object) -> object:
        """A date-time as RFC 3339 writes it; not a number of seconds."""
        if isinstance(value, str) and not ISO_DATE.match(value):
            raise ValueError(
                "expected an ISO 8601 date-time, e.g. 2026-11-29T12:00:00Z"
            )
        return value


@router.get(
    "/items",
    response=ItemList,
    by_alias=True,
    summary="List public items, newest first",
    operation_id="list_articles",
)
def list_articles(request: Any, filters: Query[ItemFilters]) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, set(ItemFilters.model_fields))
    for name, moment in (("since", filters.since), ("until", filters.until)):
        if moment is not None and moment.utcoffset() != timedelta(0):  # not in UTC
            raise HttpError(
                400, f"`{name}` is out of range: in UTC it falls outside years 1–9999."
            )
    if len(set(filters.section)) > MAX_SECTIONS:
        raise HttpError(400, f"At most {MAX_SECTIONS} sections in `section`.")
    sections = list(Section.objects.filter(slug__in=filters.section))
    if len(sections) != len(set(filters.section)):
        raise HttpError(400, "Unknown section slug in `section`.")
    topic = _tag(Topic, filters.topic, "topic")
    person = _tag(Person, filters.person, "person")
    if filters.q is not None:
        return _search(request, filters, sections, topic, person)
    before = None
    if filters.cursor is not None:
        try:
            before = decode_cursor(filters.cursor)
        except InvalidCursorError:
            raise HttpError(400, "The cursor is not one this API issued.") from None
    page = feed.filtered_feed(
        section_ids=[s.pk for s in sections],
        topic=topic,
        person=person,
        since=filters.since,
        until=filters.until,
        most_urgent=filters.urgency,
        before=before,
        limit=filters.limit,
    )
    next_token = encode_cursor(page.next_cursor) if page.next_cursor else None
    return {
        "items": _ninjs_items(request, [a.pk for a in page.items]),
        "next": _next_url(request, next_token),
    }


def _search(
    request: Any,
    filters: ItemFilters,
    sections: list[Section],
    topic: Topic | None,
    person: Person | None,
) -> dict[str, Any]:
    """The newest items matching ``q``, paged by the search index's keys."""
    query = parse(filters.q or "")
    if query.is_empty:
        raise HttpError(400, "`q` has no word to look for.")
    search_filters = Filters(
        section_ids=tuple(s.pk for s in sections),
        topic_id=topic.pk if topic else None,
        person_id=person.pk if person else None,
        since=filters.since,
        until=filters.until,
    )
    bounds = key_range(search_filters, timezone.now())
    if filters.cursor is not None:
        last = errors.read_position(filters.cursor, salt=SEARCH_CURSOR_SALT)
        bounds = KeyRange(bounds.low, min(bounds.high, last - 1))
    found = get_backend().newest(query, search_filters, bounds, 0, filters.limit + 1)
    page = found[: filters.limit]
    by_key = dict(
        SearchEntry.objects.filter(key__in=page).values_list("key", "article_id")
    )
    ids = [by_key[key] for key in page if key in by_key]
    if filters.urgency is not None:
        urgent = set(
            Article.objects.filter(
                pk__in=ids, urgency__lte=filters.urgency
            ).values_list("pk", flat=True)
        )
        ids = [pk for pk in ids if pk in urgent]
    next_token = None
    if len(found) > filters.limit:
        next_token = errors.signed_position(page[-1], salt=SEARCH_CURSOR_SALT)
    return {"items": _ninjs_items(request, ids), "next": _next_url(request, next_token)}


def _next_url(request: Any, token: str | None) -> str | None:
    if token is None:
        return None
    params = request.GET.copy()
    params["cursor"] = token
    return str(
        absolute_urls(request)(
            reverse("api-v1:list_articles") + "?" + urlencode(params, doseq=True)
        )
    )


@router.get(
    "/items/{item_id}",
    response=NinjsItem,
    by_alias=True,
    summary="One public item",
    operation_id="retrieve_article",
)
def retrieve_article(request: Any, item_id: int) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, set())
    if not 0 < item_id < 2**63:
        raise Http404("No such item.")
    items = _ninjs_items(request, [item_id])
    if not items:
        raise Http404("No such item.")
    return items[0]


def _tag(model: type[Topic] | type[Person], slug: str | None, name: str) -> Any:
    if slug is None:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise HttpError(400, f"Unknown {name} slug in `{name}`.")
    return found


def _ninjs_items(request: Any, ids: list[int]) -> list[dict[str, Any]]:
    """The public items with these ids, in this order, as ninjs: two queries."""
    absolute = absolute_urls(request)
    return [
        ninjs.item(
            listed.article,
            absolute=absolute,
            topics=listed.topics,
            persons=listed.persons,
        )
        for listed in content.listed_items(ids)
    ]
