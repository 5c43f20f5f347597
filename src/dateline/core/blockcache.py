"""The shared cache, degrading to this process's memory when it is unreachable.

Every use of the default cache on a request path goes through ``shared``
(or ``cached_block`` on top of it): the page blocks (the cities, the link
blocks, the adverts, Most read), the API's rate limits, the sitemaps' counts.
When Redis refuses, times out or hangs, a call goes to a local-memory cache
of this process instead, one warning is logged, and for ``DOWN_SECONDS``
after that every call goes straight there without trying Redis again: a dead
Redis costs a refused connection, and a hanging one a socket timeout (see
``REDIS_CLIENT_OPTIONS`` in the settings), once a process a second, not on
every call of every page. Values kept locally live as long as they would
have in Redis; a block is then computed once per process, a rate limit is
counted per process with the same budget.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def cache_failures(*also: type[Exception]) -> tuple[type[Exception], ...]:
    """What a cache call raises when Redis (or a file cache's disk) is
    unreachable, and ``also``, for an ``except cache_failures():`` (evaluated
    only when something was raised).

    A function rather than a constant so that a process whose caches are not
    Redis never imports the redis client: 21 MiB resident in each server
    worker (docs/decisions/serve-memory.md). A ``RedisError`` can only have
    been raised by a client that imported ``redis``; until then ``OSError``
    is the whole list.
    """
    redis = sys.modules.get("redis")
    error = getattr(redis, "RedisError", None)
    found = (OSError,) if error is None else (error, OSError)
    return (*found, *also)


# After a failure, a cache is not tried again for this long.
DOWN_SECONDS = 1.0

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Breaker:
    """Whether a cache failed within the last DOWN_SECONDS, by cache alias.

    Shared by every user of that cache in the process (the page cache's
    generation reader uses the "pages" one)."""

    def __init__(self) -> None:
        self._down_until: dict[str, float] = {}

    def is_down(self, alias: str) -> bool:
        until = self._down_until.get(alias)
        return until is not None and time.monotonic() < until

    def failed(self, alias: str) -> None:
        self._down_until[alias] = time.monotonic() + DOWN_SECONDS

    def reset(self) -> None:
        self._down_until.clear()


breaker = Breaker()


class SharedCache:
    """A cache alias's calls, falling back to process memory while it is down.

    Only what the pages and the API use is offered. A failure is logged once
    per outage, with ``label`` naming what was asked for."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.local = LocMemCache(f"dateline-fallback-{alias}", {"MAX_ENTRIES": 10_000})

    def _call(self, label: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if not breaker.is_down(self.alias):
            try:
                return getattr(caches[self.alias], method)(*args, **kwargs)
            except cache_failures():
                breaker.failed(self.alias)
                logger.warning("%s: the cache is unavailable.", label, exc_info=True)
        return getattr(self.local, method)(*args, **kwargs)

    def get(self, key: str, default: Any = None, *, label: str = "Cache") -> Any:
        return self._call(label, "get", key, default)

    def set(
        self, key: str, value: Any, timeout: float | None, *, label: str = "Cache"
    ) -> None:
        self._call(label, "set", key, value, timeout=timeout)

    def add(
        self, key: str, value: Any, timeout: float | None, *, label: str = "Cache"
    ) -> bool:
        return bool(self._call(label, "add", key, value, timeout=timeout))

    def delete(self, key: str, *, label: str = "Cache") -> None:
        """Dropped here and, if it answers, in the shared cache. While it does
        not, its copy stays there until it expires: say so in ``label``'s log."""
        self.local.delete(key)
        self._call(label, "delete", key)

    def delete_many(self, keys: Iterable[str], *, label: str = "Cache") -> None:
        keys = list(keys)
        self.local.delete_many(keys)
        self._call(label, "delete_many", keys)

    def clear_local(self) -> None:
        self.local.clear()


shared = SharedCache("default")


class _ThrottleCache(BaseCache):
    """``shared`` as the cache django-ninja's throttles expect (get, set)."""

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return shared.get(key, default, label="API rate limit")

    def set(
        self,
        key: str,
        value: Any,
        timeout: float | None = None,
        version: int | None = None,
    ) -> None:
        shared.set(key, value, timeout, label="API rate limit")


throttle_cache = _ThrottleCache({})


def cached_block(
    key: str, compute: Callable[[], T], *, seconds: float, label: str
) -> T:
    """The block kept under ``key``, or ``compute()`` kept for ``seconds``."""
    cached: T | None = shared.get(key, label=label)
    if cached is not None:
        return cached
    value = compute()
    shared.set(key, value, seconds, label=label)
    return value


def forget_block(key: str, *, label: str) -> None:
    """Drop a cached block; the next page computes it afresh."""
    shared.delete(key, label=f"{label} (the block catches up when it expires)")


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        breaker.reset()
        shared.clear_local()
