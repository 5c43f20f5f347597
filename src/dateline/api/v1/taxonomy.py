"""Sections, topics, persons and Most read."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from dateline.api import errors
from dateline.content.models import Person, Section, Topic
from dateline.core.absolute import absolute_urls
from dateline.popularity.selectors import most_read_widget
from dateline.popularity.windows import Window

router = Router(tags=["taxonomy"])

PAGE = 100
_SALT = "dateline.api.taxonomy"


class Concept(Schema):
    slug: str
    name: str
    description: str
    url: str = Field(description="The public page listing its items.")
    items: str = Field(description="This API's list of its items.")


class ConceptList(Schema):
    items: list[Concept]
    next: str | None


class Paging(Schema):
    cursor: str | None = Field(default=None, max_length=200)


class MostReadEntry(Schema):
    url: str
    headline: str
    section: str
    views: float


class MostReadList(Schema):
    window: str
    items: list[MostReadEntry]


def _concept(
    request: Any, subject: Section | Topic | Person, kind: str
) -> dict[str, Any]:
    return {
        "slug": subject.slug,
        "name": subject.name,
        "description": subject.description,
        "url": absolute_urls(request)(subject.get_absolute_url()),
        "items": absolute_urls(request)(
            reverse("api-v1:list_articles") + f"?{kind}={subject.slug}"
        ),
    }


@router.get("/sections", response=ConceptList, operation_id="list_sections")
def list_sections(request: Any) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, set())
    sections = Section.objects.order_by("position", "id")
    return {"items": [_concept(request, s, "section") for s in sections], "next": None}


@router.get("/topics", response=ConceptList, operation_id="list_topics")
def list_topics(request: Any, paging: Query[Paging]) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, {"cursor"})
    return _by_id(request, Topic, "topic", "api-v1:list_topics", paging.cursor)


@router.get("/persons", response=ConceptList, operation_id="list_persons")
def list_persons(request: Any, paging: Query[Paging]) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, {"cursor"})
    return _by_id(request, Person, "person", "api-v1:list_persons", paging.cursor)


def _by_id(
    request: Any,
    model: type[Topic] | type[Person],
    kind: str,
    route: str,
    cursor: str | None,
) -> dict[str, Any]:
    after = 0 if cursor is None else errors.read_position(cursor, salt=_SALT)
    rows: list[Topic | Person] = list(
        model.objects.filter(pk__gt=after).order_by("id")[: PAGE + 1]
    )
    page = rows[:PAGE]
    next_url = None
    if len(rows) > PAGE:
        token = errors.signed_position(page[-1].pk, salt=_SALT)
        next_url = absolute_urls(request)(reverse(route) + f"?cursor={token}")
    return {"items": [_concept(request, r, kind) for r in page], "next": next_url}


@router.get("/most-read/{window}", response=MostReadList, operation_id="list_most_read")
def list_most_read(request: Any, window: str) -> dict[str, Any]:
    errors.reject_unknown_parameters(request, set())
    try:
        chosen = Window.by_slug(window)
    except ValueError:
        raise HttpError(404, "Windows are now, today and week.") from None
    # The widget's lists: computed once a minute by one process, not per call.
    lists = {item.window: item for item in most_read_widget() or []}
    entries = lists[chosen].entries if chosen in lists else []
    return {
        "window": chosen.slug,
        "items": [
            {
                "url": absolute_urls(request)(entry.url),
                "headline": entry.headline,
                "section": entry.section,
                "views": entry.views,
            }
            for entry in entries
        ],
    }
