"""Counting a view: the one path every beacon, pixel and replay goes through."""

from __future__ import annotations

import enum
import threading
import time
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dateline.content.models import Article
from dateline.popularity import clients
from dateline.popularity.counters import get_counter

if TYPE_CHECKING:
    from datetime import datetime

# An item found public is trusted for this long without asking the database
# again (a withdrawal in this process forgets it at once).
PUBLIC_FOR_SECONDS = 60.0
PUBLIC_REMEMBERED_AT_MOST = 20_000


class Outcome(enum.Enum):
    COUNTED = "counted"  # or already counted for this client this hour
    IGNORED = "ignored"  # a crawler: answered like a view, never counted
    NOT_PUBLIC = "not public"  # unknown, draft, scheduled or withdrawn


class _PublicItems:
    """Ids of items known to be public, each for PUBLIC_FOR_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[int, float] = {}

    def __contains__(self, article_id: int) -> bool:
        checked = self._seen.get(article_id)
        return checked is not None and time.monotonic() - checked < PUBLIC_FOR_SECONDS

    def add(self, article_id: int) -> None:
        with self._lock:
            if len(self._seen) >= PUBLIC_REMEMBERED_AT_MOST:
                self._seen.clear()
            self._seen[article_id] = time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def discard(self, article_id: int) -> None:
        with self._lock:
            self._seen.pop(article_id, None)


public_items = _PublicItems()


def is_countable(article_id: int, *, now: datetime) -> bool:
    """Whether views of this item count: it is public right now."""
    if article_id in public_items:
        return True
    if Article.objects.public(now=now).filter(pk=article_id).exists():
        public_items.add(article_id)
        return True
    return False


def record_view(
    *,
    article_id: int,
    address: str,
    user_agent: str,
    at: datetime | None = None,
) -> Outcome:
    """Count one reader's view of a public item (at most once an hour)."""
    now = at or timezone.now()
    if not is_countable(article_id, now=now):
        return Outcome.NOT_PUBLIC
    if clients.is_crawler(user_agent):
        return Outcome.IGNORED
    counter = get_counter()
    try:
        key = counter.daily_key(now.date())
    except counter.failures:
        counter.warn("the day's client key could not be read; the view was dropped")
        return Outcome.COUNTED
    digest = clients.client_digest(
        key, address=address, user_agent=user_agent, article_id=article_id
    )
    counter.record(digest=digest, article_id=article_id, at=now)
    return Outcome.COUNTED


def on_article_changed(sender: Any, *, article: Article, **kwargs: Any) -> None:
    """An item that changed may have been withdrawn: ask again next time."""
    public_items.discard(article.pk)
