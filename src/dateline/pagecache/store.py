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

When the new generation cannot be written (Redis unreachable at commit), the
change goes to an outbox (``PendingChange``, written on commit) and this
process stops serving kept pages until a generation is written after it. A
process that merely fails to read the generation does the same, since it
cannot know what it missed: once the cache answers again, its next page
looks at the outbox (one query, once) and starts a generation if anything is
pending. ``dateline worker`` drains the outbox twice a second, for the
processes that saw nothing. See docs/decisions/page-cache.md.
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

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.dispatch import receiver

from dateline.core.blockcache import breaker, cache_failures
from dateline.core.replicas.health import primary_lsn

if TYPE_CHECKING:
    from datetime import datetime

    import redis
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
    # The primary's WAL position when it started, with read replicas (None
    # without): a page made from a replica is kept under this generation
    # only if the replica had replayed this far (core/replicas/routing.py).
    lsn: int | None = None

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


PAGES = "pages"  # the cache alias, and its breaker's name


def pages() -> BaseCache:
    return caches[PAGES]


# True while this process cannot vouch that the stored generation reflects
# every committed change: it failed to write one, or failed to read one (and
# so may have missed a failed write elsewhere). No kept page is served here
# meanwhile; ``current_generation`` clears it through the outbox.
_unconfirmed = False


def current_generation() -> Generation | None:
    """The site's generation; None when the page cache cannot be reached, or
    cannot yet be trusted to reflect every committed change."""
    if breaker.is_down(PAGES):
        return None
    try:
        if _unconfirmed:
            _catch_up()
        return _generation()
    except cache_failures():
        _lost_touch()
        logger.warning("Page cache: unavailable; pages are made afresh.", exc_info=True)
        return None
    except DatabaseError:
        logger.warning("Page cache: the outbox could not be read.", exc_info=True)
        return None


def _generation() -> Generation:
    generation = _read_generation()
    if generation is not None and _is_ready(generation):
        return generation
    if generation is not None and generation.next_release_at == UNKNOWN_RELEASE:
        return _with_next_release(generation)
    return _start_generation()  # none yet, or a scheduled item went public


def ready_generation() -> Generation | None:
    """The generation when nothing has to be looked up first: None when it
    must be started, when its next release is unknown or has passed (both
    need the database: ``current_generation`` does that), when it cannot be
    trusted yet (the outbox, ditto), or when the cache cannot be reached.
    For the WSGI wrapper, which answers without Django."""
    if _unconfirmed or breaker.is_down(PAGES):
        return None
    try:
        generation = _read_generation()
    except cache_failures():
        _lost_touch()
        return None
    return generation if _is_ready(generation) else None


def change_is_pending() -> bool:
    """Whether this process has a change the page cache has not been told of
    (for the newsroom, after an editorial act has committed)."""
    return _unconfirmed


def _lost_touch() -> None:
    global _unconfirmed
    _unconfirmed = True
    breaker.failed(PAGES)


def catch_up_pending_changes() -> int:
    """The worker's round: if the outbox holds changes, start a generation
    and empty it. The number of changes caught up (0: none pending). Raises
    the cache's error while it is still unreachable."""
    from dateline.pagecache.models import PendingChange

    if not PendingChange.objects.exists():
        return 0
    return _drain()


def _catch_up() -> None:
    """Confirm the generation after an outage: start one if the outbox holds
    anything (a change no generation reflects yet)."""
    global _unconfirmed
    from dateline.pagecache.models import PendingChange

    if PendingChange.objects.exists():
        _drain()
    _unconfirmed = False


def _drain() -> int:
    """Start a generation, then delete the outbox rows it reflects (those
    written before it; a row written meanwhile waits for the next round)."""
    global _unconfirmed
    from dateline.pagecache.models import PendingChange

    last = PendingChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is None:
        return 0
    _start_generation()
    _unconfirmed = False
    deleted, _ = PendingChange.objects.filter(pk__lte=last).delete()
    logger.warning(
        "Page cache: caught up with %s change(s) made while it was unreachable.",
        deleted,
    )
    return deleted


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
        if _unconfirmed:
            _catch_up()  # changes made before this one, in the outbox
        _start_generation()
        return
    except cache_failures():
        _lost_touch()
    except DatabaseError:
        logger.exception("Page cache: the outbox could not be read.")
    _note_pending_change()


def _note_pending_change() -> None:
    """The change is committed but no generation says so: into the outbox,
    for whichever process can write a generation first."""
    global _unconfirmed
    from dateline.pagecache.models import PendingChange

    _unconfirmed = True
    from dateline.pagecache import files  # files reads the store

    # Page files (nginx serves them without asking us): moved on to an empty
    # directory of a generation of this machine's own, so none made before
    # the change is served; the real one, written later, moves past it.
    files.generation_written(
        Generation(token=secrets.token_hex(8), changed_at=time.time())
    )
    try:
        PendingChange.objects.create(reason="a change while the cache was down")
    except DatabaseError:
        logger.exception("Page cache: the change could not be put in the outbox.")
    logger.error(
        "Page cache: could not start a new generation; the change waits in the "
        "outbox and kept pages are not served here until it is written."
    )


def start_new_generation() -> Generation:
    """Start a new generation now, whatever the current one: every kept page
    is stale at once (``dateline restore`` after replacing the database).
    Raises the cache's failures, which the caller reports."""
    return _start_generation()


def _start_generation() -> Generation:
    return _with_next_release(
        Generation(
            token=secrets.token_hex(8), changed_at=time.time(), lsn=primary_lsn()
        )
    )


def _with_next_release(generation: Generation) -> Generation:
    from dateline.content.selectors import next_scheduled_release

    release: datetime | None = next_scheduled_release()
    generation = dataclasses.replace(
        generation, next_release_at=release.timestamp() if release else NO_RELEASE
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
    import redis  # only where the pages are in Redis: 21 MiB a process

    config = settings.CACHES[PAGES]
    location = config["LOCATION"]
    options = config.get("OPTIONS", {})
    # The cache's own timeouts, or the settings' short ones: a hanging Redis
    # must cost a page a fraction of a second, once (see core.blockcache).
    timeouts = {
        name: options.get(name, default)
        for name, default in settings.REDIS_CLIENT_OPTIONS.items()
    }
    return redis.Redis.from_url(
        location if isinstance(location, str) else location[0], **timeouts
    )


def _generation_of(raw: bytes | str) -> Generation | None:
    """None for anything unreadable: a new generation is started."""
    try:
        fields = json.loads(raw)
        lsn = fields.get("lsn")
        return Generation(
            token=str(fields["token"]),
            changed_at=float(fields["changed_at"]),
            next_release_at=float(fields["next_release_at"]),
            lsn=int(lsn) if lsn is not None else None,
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
    except cache_failures():
        breaker.failed(PAGES)  # not tried again for a second (a hang costs once)
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
    if breaker.is_down(PAGES):
        return
    try:
        pages().set(key, page, timeout=seconds)
    except cache_failures():
        breaker.failed(PAGES)
        logger.warning("Page cache: unavailable; the page was not kept.", exc_info=True)


def keep_last_good(key: str, page: Page) -> None:
    """Keep ``page`` as its address's last good copy (``keys.last_good_key``),
    for DATELINE_STALE_IF_ERROR_SECONDS: served in its place while the page
    cannot be made (the database is down), whatever the generation."""
    seconds = settings.DATELINE_STALE_IF_ERROR_SECONDS
    if not seconds or breaker.is_down(PAGES):
        return
    page = dataclasses.replace(page, expires_at=time.time() + seconds)
    try:
        pages().set(key, page, timeout=seconds)
    except cache_failures():
        breaker.failed(PAGES)
        logger.warning(
            "Page cache: unavailable; no last good copy kept.", exc_info=True
        )


def read_last_good(key: str) -> Page | None:
    """The last good copy kept under ``key``; None when there is none, or
    the cache cannot be reached either."""
    if not settings.DATELINE_STALE_IF_ERROR_SECONDS or breaker.is_down(PAGES):
        return None
    try:
        page: Page | None = pages().get(key)
    except cache_failures():
        breaker.failed(PAGES)
        logger.warning("Page cache: unavailable; no last good copy.", exc_info=True)
        return None
    return page


def etag_of(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'
