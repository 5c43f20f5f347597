"""Most read: the top items of each window, for the widget on every page."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError
from django.utils import timezone

from dateline.content.models import Article
from dateline.content.selectors import PHOTO_FIELDS
from dateline.core.blockcache import shared
from dateline.pagecache.store import current_generation
from dateline.popularity.counters import get_counter
from dateline.popularity.windows import Window

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.content.models import Photo

logger = logging.getLogger(__name__)

MOST_READ = 7
# Candidates read per window before items that are no longer public are set
# aside; read again, deeper, when a tie runs past them.
CANDIDATES = 40
CANDIDATES_AT_MOST = 2000
# The widget is recomputed at most this often, by one process at a time.
FRESH_SECONDS = 60.0
LOCK_SECONDS = 10
CACHE_KEY = "popularity:most-read:v2"
LOCK_KEY = "popularity:most-read:lock"


@dataclass(frozen=True)
class Entry:
    """A line of the widget."""

    item_id: int
    url: str
    headline: str
    section: str
    views: float
    # The lead photo of each list's first line, its thumbnail (kept with the
    # lists, so the widget costs no query); None for the other lines.
    photo: Photo | None = None


@dataclass(frozen=True)
class MostReadList:
    window: Window
    entries: list[Entry]

    @property
    def slug(self) -> str:
        return self.window.slug

    @property
    def label(self) -> str:
        return self.window.label


def most_read(
    *, now: datetime | None = None, limit: int = MOST_READ
) -> list[MostReadList]:
    """Each window's most-viewed public items, ties to the newer item.

    One read of the counter per window and one query for the items.
    """
    now = now or timezone.now()
    counter = get_counter()
    counter.age(now)
    ranked: dict[Window, list[tuple[int, float]]] = {}
    depth = CANDIDATES
    windows = list(Window)
    articles: dict[int, Article] = {}
    while windows:
        for window in windows:
            ranked[window] = counter.top(window, now=now, limit=depth)
        wanted = {pk for window in windows for pk, _ in ranked[window]} - set(articles)
        articles.update(
            (article.pk, article)
            for article in Article.objects.public(now=now)
            .filter(pk__in=wanted)
            .select_related("section", "lead_photo")
            .only(
                "id",
                "headline",
                "published_at",
                "section__slug",
                "section__name",
                *PHOTO_FIELDS,
            )
        )
        # A window needs a deeper read when the candidates ran out while the
        # last one still ties with the seventh public item (or fewer than
        # seven were public): the tie's newer items may lie beyond them.
        windows = [
            window
            for window in windows
            if depth < CANDIDATES_AT_MOST
            and len(ranked[window]) == depth
            and _needs_more(ranked[window], articles, limit)
        ]
        depth *= 4
    lists = []
    for window in Window:
        public = [(pk, views) for pk, views in ranked[window] if pk in articles]
        public.sort(key=lambda pair: (-pair[1], _newest_first(articles[pair[0]])))
        lists.append(
            MostReadList(
                window,
                [
                    Entry(
                        item_id=pk,
                        url=articles[pk].get_absolute_url(),
                        headline=articles[pk].headline,
                        section=articles[pk].section.name,
                        views=views,
                        photo=articles[pk].lead_photo if rank == 0 else None,
                    )
                    for rank, (pk, views) in enumerate(public[:limit])
                ],
            )
        )
    return lists


def _newest_first(article: Article) -> tuple[float, int]:
    published = article.published_at.timestamp() if article.published_at else 0.0
    return (-published, -article.pk)


def _needs_more(
    ranked: list[tuple[int, float]], articles: dict[int, Article], limit: int
) -> bool:
    public = [views for pk, views in ranked if pk in articles]
    return len(public) < limit or ranked[-1][1] >= public[limit - 1]


# --- the widget's cache -------------------------------------------------------


@dataclass(frozen=True)
class _Kept:
    """The lists as kept: when computed, and the site generation (see
    ``dateline.pagecache.store``) in which they were last known to hold only
    public items (None: not known)."""

    computed_at: float
    token: str | None
    lists: list[MostReadList]


_last_good: _Kept | None = None
_computing = threading.Lock()


def most_read_widget() -> list[MostReadList] | None:
    """The lists for the widget, at most FRESH_SECONDS old; None to hide it.

    Kept in the shared cache; when they go stale, one process (the one that
    takes the lock) recomputes them while the others go on showing the stale
    lists. If the cache or the counter fails, the process shows the last
    lists it had, or hides the widget; a page never fails for it.

    Never an item that is no longer public: the kept lists carry the site's
    generation, which every change to what pages show renews after commit. A
    page of the same generation shows them as they are (no query); the first
    page of a new one drops the items no longer public (one query) and keeps
    the result under the new generation. Without a generation (the page
    cache unreachable), every page checks them so (one query).
    """
    global _last_good
    generation = current_generation()
    token = generation.token if generation is not None else None
    cached: _Kept | None = shared.get(CACHE_KEY, label="Most read")
    if not isinstance(cached, _Kept):
        cached = _last_good
    if cached is not None and time.time() - cached.computed_at < FRESH_SECONDS:
        return _shown(_checked(cached, token))
    if not _take_lock():
        return _shown(_checked(cached, token)) if cached is not None else None
    failures: tuple[type[Exception], ...] = (DatabaseError, *get_counter().failures)
    try:
        lists = most_read()
    except failures:
        logger.warning("Most read: the lists could not be computed.", exc_info=True)
        return _shown(_checked(cached, token)) if cached is not None else None
    finally:
        _release_lock()
    _keep(_Kept(time.time(), token, lists))
    return _shown(lists)


def _checked(kept: _Kept, token: str | None) -> list[MostReadList]:
    """``kept``'s lists without the items that are no longer public, known
    by the generation or, when it has changed or is unknown, by one query."""
    if token is not None and kept.token == token:
        return kept.lists
    try:
        public = set(
            Article.objects.public()
            .filter(pk__in={e.item_id for item in kept.lists for e in item.entries})
            .values_list("pk", flat=True)
        )
    except DatabaseError:
        logger.warning("Most read: the lists could not be checked.", exc_info=True)
        return []  # hidden: nothing is shown that might no longer be public
    lists = [
        MostReadList(item.window, [e for e in item.entries if e.item_id in public])
        for item in kept.lists
    ]
    if token is not None:
        _keep(_Kept(kept.computed_at, token, lists))
    return lists


def _keep(kept: _Kept) -> None:
    global _last_good
    _last_good = kept
    shared.set(CACHE_KEY, kept, None, label="Most read")


def _shown(lists: list[MostReadList]) -> list[MostReadList] | None:
    return lists if any(item.entries for item in lists) else None


def _take_lock() -> bool:
    if not _computing.acquire(blocking=False):
        return False  # another thread of this process is at it
    if shared.add(LOCK_KEY, 1, LOCK_SECONDS, label="Most read"):
        return True  # (in this process's memory while the cache is down)
    _computing.release()
    return False


def _release_lock() -> None:
    try:
        shared.delete(LOCK_KEY, label="Most read")
    finally:
        _computing.release()


def forget_widget() -> None:
    """Drop the cached lists (tests, and the demo after its replay)."""
    global _last_good
    _last_good = None
    shared.delete_many([CACHE_KEY, LOCK_KEY], label="Most read")
