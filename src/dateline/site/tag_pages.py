"""Topic and person pages: each kind's index (this week's most-mentioned
first, then every one A–Z) and each tag's own page (its items, newest first).

Topics and persons are the same kind of page for two models: one view and
one template for the indexes, told apart by a ``TagIndex``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dateline.content import selectors
from dateline.content.models import Person, Topic
from dateline.core.variants import note_tags
from dateline.feed import selectors as feed
from dateline.site.views import (
    FEED_PAGE_SIZE,
    InvalidFeedLinkError,
    before_cursor,
    breadcrumbs,
    invalid_feed_link,
    render_feed,
)
from dateline.syndication.sources import subject_source

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse
    from django_stubs_ext import StrOrPromise

    from dateline.feed.selectors import FeedPage

TAG_INDEX_PAGE_SIZE = 300
ACTIVE_TAGS = 24
ACTIVE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class TagIndex:
    """What tells the topic index from the person index: the model listed,
    the index's own route, and the words on it."""

    model: type[Topic] | type[Person]
    route: str
    title: StrOrPromise
    description: StrOrPromise  # "%(agency)s" is the agency's name
    all_title: StrOrPromise
    empty: StrOrPromise
    pager_label: StrOrPromise

    @property
    def kind(self) -> str:
        """The model's name (topic, person): among the kept fragment's values."""
        return self.model._meta.model_name or ""


TOPICS = TagIndex(
    model=Topic,
    route="site:topic-list",
    title=gettext_lazy("Topics"),
    description=gettext_lazy(
        "The subjects %(agency)s covers, with every item on each."
    ),
    all_title=gettext_lazy("All topics"),
    empty=gettext_lazy("No topics yet."),
    pager_label=gettext_lazy("Topic pages"),
)
PERSONS = TagIndex(
    model=Person,
    route="site:person-list",
    title=gettext_lazy("Persons"),
    description=gettext_lazy(
        "The people in %(agency)s's news, with every item on each."
    ),
    all_title=gettext_lazy("All persons"),
    empty=gettext_lazy("No persons yet."),
    pager_label=gettext_lazy("Person pages"),
)


def topic_index(request: HttpRequest) -> HttpResponse:
    """Topics in this week's news first, then every topic A–Z."""
    return _tag_index(request, TOPICS)


def person_index(request: HttpRequest) -> HttpResponse:
    """Persons in this week's news first, then every person A–Z."""
    return _tag_index(request, PERSONS)


def _tag_index(request: HttpRequest, index: TagIndex) -> HttpResponse:
    paginator = Paginator(
        index.model.objects.only("id", "name", "slug").order_by("name", "id"),
        TAG_INDEX_PAGE_SIZE,
    )
    tags = paginator.get_page(request.GET.get("page"))
    active = None
    if tags.number == 1:
        # Kept with the site's generation ({% fragment "active-tags" %}),
        # read only when it is made: the week's links, counted, cost more
        # the more an agency publishes. The hour is among the fragment's
        # values, so the week's window moves on while nothing is published.
        active = SimpleLazyObject(
            lambda: selectors.active_tags(
                index.model, within=ACTIVE_WITHIN, limit=ACTIVE_TAGS
            )
        )
    return render(
        request,
        "site/tag_list.html",
        {
            "index": index,
            "active_tags": active,
            "active_hour": timezone.now().strftime("%Y-%m-%dT%H"),
            "tags": tags,
            "active_days": ACTIVE_WITHIN.days,
        },
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    return _tag_page(request, TOPICS, topic, feed.topic_feed)


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A person's items; their portrait, role and description when the
    newsroom gives them."""
    person = get_object_or_404(Person.objects.select_related("photo"), slug=slug)
    return _tag_page(request, PERSONS, person, feed.person_feed)


def _tag_page(
    request: HttpRequest,
    index: TagIndex,
    tag: Topic | Person,
    tag_feed: Callable[..., FeedPage],
) -> HttpResponse:
    """A topic's or a person's page: its items, newest first, a page at a
    time, under its own template (``site/<kind>_detail.html``)."""
    note_tags(request, "items", f"{index.kind}-{tag.slug}")
    try:
        page = tag_feed(tag, before=before_cursor(request), limit=FEED_PAGE_SIZE)
    except InvalidFeedLinkError:
        return invalid_feed_link(request, tag.get_absolute_url())
    return render_feed(
        request,
        f"site/{index.kind}_detail.html",
        page,
        context={
            index.kind: tag,
            "feed_title": _("News feed"),
            "show_section": True,
            "feed_links": subject_source(tag).links(),
            "structured_data": breadcrumbs(
                request, [(str(index.title), reverse(index.route)), (tag.name, tag)]
            ),
        },
    )
