"""Where cached pages live, and the one number that makes them all stale.

The site's state has a *generation*: a token that changes, after commit,
whenever something a page can show changes (an item published, corrected or
withdrawn, top stories, sections, the blocks). A page is kept under a key
that includes the generation it was made in, so one write of a new token
makes every kept page stale in every process at once: O(1) per publish,
nothing to enumerate. Old entries are never read again and expire.

Tokens are unique (time and randomness), never counters, so two processes
changing the site at once need no lock: whichever token is written last is
new to every page made before it, and a page is made after its token was read.

Scheduled items go public with no write at all, so the generation also keeps
the next scheduled publication time; the first request after it passes
starts a new generation.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import math
import os
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING, Any, NamedTuple

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

from dateline.core.blockcache import CACHE_FAILURES

if TYPE_CHECKING:
    from datetime import datetime

    from django.core.cache.backends.base import BaseCache

logger = logging.getLogger(__name__)

GENERATION_KEY = "generation"
UNKNOWN_RELEASE = -1.0  # not looked up yet
NO_RELEASE = math.inf  # nothing scheduled


@dataclass(frozen=True)
class Generation:
    token: str
    changed_at: float  # seconds since the epoch
    # When the next scheduled item goes public (NO_RELEASE: none).
    next_release_at: float = UNKNOWN_RELEASE

    @property
    def last_modified(self) -> int | None:
        """The whole second a page of this generation may call its last
        change, once that second is over; None before, because a second
        change within the same second would carry the same date."""
        second = math.ceil(self.changed_at)
        return second if time.time() >= second else None


@dataclass(frozen=True)
class Page:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    etag: str
    # Wall-clock time the shared cache lets this page go.
    expires_at: float = 0.0


def pages() -> BaseCache:
    return caches["pages"]


def current_generation() -> Generation | None:
    """The site's generation; None when the page cache cannot be reached."""
    try:
        generation = _read_generation()
        if _is_ready(generation):
            return generation
        if generation is not None and generation.next_release_at == UNKNOWN_RELEASE:
            return _with_next_release(generation)
        return _start_generation()  # none yet, or a scheduled item went public
    except CACHE_FAILURES:
        logger.warning("Page cache: unavailable; pages are made afresh.", exc_info=True)
        return None


def ready_generation() -> Generation | None:
    """The generation when nothing has to be looked up first: None when it
    must be started, when its next release is unknown or has passed (both
    need the database: ``current_generation`` does that), or when the cache
    cannot be reached. For the WSGI wrapper, which answers without Django."""
    try:
        generation = _read_generation()
    except CACHE_FAILURES:
        return None
    return generation if _is_ready(generation) else None


def _is_ready(generation: Generation | None) -> bool:
    """Usable as it is: started, and its next release known and still to
    come (an unknown one, -1, has always passed)."""
    return generation is not None and time.time() < generation.next_release_at


class _LastRead(NamedTuple):
    path: str  # the file, or the Redis key
    stamp: tuple[int, int, int]  # inode, change time, size of the file
    read_at: float
    generation: Generation | None


_last_read: _LastRead | None = None
# However unchanged its file looks, the generation is read again this often
# (a new file can reuse a freed inode within one tick of the file clock).
REREAD_SECONDS = 0.5
# In Redis, a generation read is trusted this long: a change made in another
# process reaches this one within it (the budget is a second; a change made
# here is seen at once). A round trip on every kept page cost ten times the
# rest of the answer.
REDIS_TRUST_SECONDS = 0.1


class _Where(NamedTuple):
    """Where the generation is kept: in a file (its path), in Redis (its
    key, read with our own client), or in another cache (read through it)."""

    kind: str  # "file", "redis" or "cache"
    name: str


@functools.cache
def _where() -> _Where:
    """Worked out once: on every kept page the cache handler's thread-local
    lookup alone cost more than the stat that follows."""
    cache = pages()
    if isinstance(cache, RedisCache):
        return _Where("redis", cache.make_and_validate_key(GENERATION_KEY + ":json"))
    if isinstance(cache, FileBasedCache):
        # The cache's key prefix and version decide the file's name.
        path: str = cache._key_to_file(GENERATION_KEY)  # type: ignore[attr-defined]
        return _Where("file", path)
    return _Where("cache", GENERATION_KEY)


def _read_generation() -> Generation | None:
    """The generation as stored. In files, it is read again only when its
    file has changed: one stat, where a read and unpickling cost far more on
    every kept page."""
    global _last_read
    where = _where()
    if where.kind == "redis":
        return _read_generation_from_redis(where.name)
    if where.kind == "cache":
        generation: Generation | None = pages().get(GENERATION_KEY)
        return generation
    try:
        found = os.stat(where.name)
    except FileNotFoundError:
        return None
    stamp = (found.st_ino, found.st_ctime_ns, found.st_size)
    now = monotonic()
    last = _last_read
    if (
        last is not None
        and last.path == where.name
        and last.stamp == stamp
        and now - last.read_at < REREAD_SECONDS
    ):
        return last.generation
    generation = pages().get(GENERATION_KEY)
    _last_read = _LastRead(where.name, stamp, now, generation)
    return generation


def pages_changed(*, reason: str) -> None:
    """Something pages show has changed: start a new generation once the
    current transaction commits (at once outside one). One editorial act
    writes several rows; its transaction starts one generation, not one a row.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _start_generation_on_commit for _, func, _ in connection.run_on_commit
    ):
        return  # already due when this transaction commits
    logger.debug("Page cache: pages changed (%s).", reason)
    transaction.on_commit(_start_generation_on_commit)


def _start_generation_on_commit() -> None:
    try:
        _start_generation()
    except CACHE_FAILURES:
        # Pages made before the change expire within DATELINE_PAGE_CACHE_SECONDS.
        logger.error(
            "Page cache: could not start a new generation; kept pages expire "
            "within %s s.",
            settings.DATELINE_PAGE_CACHE_SECONDS,
        )


def start_new_generation() -> Generation:
    """Start a new generation now, whatever the current one: every kept page
    is stale at once (``dateline restore`` after replacing the database).
    Raises the cache's failures, which the caller reports."""
    return _start_generation()


def _start_generation() -> Generation:
    return _with_next_release(
        Generation(token=secrets.token_hex(8), changed_at=time.time())
    )


def _with_next_release(generation: Generation) -> Generation:
    from dateline.content.selectors import next_scheduled_release

    release: datetime | None = next_scheduled_release()
    generation = Generation(
        token=generation.token,
        changed_at=generation.changed_at,
        next_release_at=release.timestamp() if release else NO_RELEASE,
    )
    _write_generation(generation)
    return generation


def _read_generation_from_redis(key: str) -> Generation | None:
    global _last_read
    now = monotonic()
    last = _last_read
    if (
        last is not None
        and last.path == key
        and now - last.read_at < REDIS_TRUST_SECONDS
    ):
        return last.generation
    raw = _redis_client().get(key)
    generation = _generation_of(raw) if raw is not None else None
    _last_read = _LastRead(key, (0, 0, 0), now, generation)
    return generation


def _write_generation(generation: Generation) -> None:
    global _last_read
    where = _where()
    if where.kind == "redis":
        key = where.name
        _redis_client().set(key, json.dumps(dataclasses.asdict(generation)))
        _last_read = _LastRead(key, (0, 0, 0), monotonic(), generation)
    else:
        pages().set(GENERATION_KEY, generation, timeout=None)
    from dateline.pagecache import files  # files reads the store

    files.generation_written(generation)


# In Redis, the generation is read and written with a client of our own:
# Django's Redis cache makes a new client object for every call, which cost
# about 0.3 ms, more than the rest of a kept page. Stored as JSON under the
# cache's own key prefix (``generation:json``), so clearing the cache clears
# it too.
@functools.cache
def _redis_client() -> redis.Redis:
    location = settings.CACHES["pages"]["LOCATION"]
    return redis.Redis.from_url(location if isinstance(location, str) else location[0])


def _generation_of(raw: bytes | str) -> Generation | None:
    """None for anything unreadable: a new generation is started."""
    try:
        fields = json.loads(raw)
        return Generation(
            token=str(fields["token"]),
            changed_at=float(fields["changed_at"]),
            next_release_at=float(fields["next_release_at"]),
        )
    except (ValueError, TypeError, KeyError):
        logger.warning(
            "Page cache: the stored generation is unreadable; starting anew."
        )
        return None


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        _redis_client.cache_clear()
        _where.cache_clear()


class HotPages:
    """This process's most recently used pages, in front of the shared cache.

    A key holds the generation, so a copy here is never stale: it only has to
    expire when the shared entry would. Bounded in entries.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[float, Page]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Page | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.time():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, page: Page, *, seconds: float) -> None:
        with self.lock:
            self.entries[key] = (time.time() + seconds, page)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


# About 200 pages of 50 KB: 10 MB a process.
hot_pages = HotPages(size=200)


def read_page(key: str) -> Page | None:
    hot = hot_pages.get(key)
    if hot is not None:
        return hot
    try:
        page: Page | None = pages().get(key)
    except CACHE_FAILURES:
        logger.warning("Page cache: unavailable.", exc_info=True)
        return None
    if page is not None:
        # Kept here no longer than the shared cache keeps it.
        hot_pages.put(key, page, seconds=page.expires_at - time.time())
    return page


def keep_page(key: str, page: Page) -> None:
    seconds = settings.DATELINE_PAGE_CACHE_SECONDS
    page = dataclasses.replace(page, expires_at=time.time() + seconds)
    hot_pages.put(key, page, seconds=seconds)
    try:
        pages().set(key, page, timeout=seconds)
    except CACHE_FAILURES:
        logger.warning("Page cache: unavailable; the page was not kept.", exc_info=True)


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
