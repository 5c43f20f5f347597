"""Items: the newest public items with filters, and one item by id."""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - ninja reads the annotations at run time
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel, ConfigDict

from dateline.api import ninjs
from dateline.content.models import Article, Person, Section, Topic
from dateline.feed import selectors as feed
from dateline.feed.cursor import InvalidCursorError, decode_cursor, encode_cursor

router = Router(tags=["items"])

MAX_LIMIT = 100


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


class ItemFilters(Schema):
    section: list[str] = Field(default=[], description="Section slugs (any of them).")
    topic: str | None = Field(default=None, description="A topic's slug.")
    person: str | None = Field(default=None, description="A person's slug.")
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


@router.get(
    "/items",
    response=ItemList,
    by_alias=True,
    summary="List public items, newest first",
    operation_id="list_articles",
)
def list_articles(request: Any, filters: Query[ItemFilters]) -> dict[str, Any]:
    before = None
    if filters.cursor is not None:
        try:
            before = decode_cursor(filters.cursor)
        except InvalidCursorError:
            raise HttpError(400, "The cursor is not one this API issued.") from None
    sections = list(Section.objects.filter(slug__in=filters.section[:20]))
    if len(sections) != len(set(filters.section)):
        raise HttpError(400, "Unknown section slug in `section`.")
    topic = _tag(Topic, filters.topic, "topic")
    person = _tag(Person, filters.person, "person")
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
    items = _ninjs_items(request, [a.pk for a in page.items])
    next_url = None
    if page.next_cursor is not None:
        params = request.GET.copy()
        params["cursor"] = encode_cursor(page.next_cursor)
        next_url = request.build_absolute_uri(
            reverse("api-v1:list_articles") + "?" + urlencode(params, doseq=True)
        )
    return {"items": items, "next": next_url}


@router.get(
    "/items/{item_id}",
    response=NinjsItem,
    by_alias=True,
    summary="One public item",
    operation_id="retrieve_article",
)
def retrieve_article(request: Any, item_id: int) -> dict[str, Any]:
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
    """The public items with these ids, in this order, as ninjs."""
    rows = (
        Article.objects.public()
        .filter(pk__in=ids)
        .select_related("section", "lead_photo")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("article_links__id")),
            Prefetch("persons", queryset=Person.objects.order_by("article_links__id")),
        )
        .in_bulk(ids)
    )
    return [
        ninjs.item(
            rows[pk],
            absolute=request.build_absolute_uri,
            topics=list(rows[pk].topics.all()),
            persons=list(rows[pk].persons.all()),
        )
        for pk in ids
        if pk in rows
    ]
