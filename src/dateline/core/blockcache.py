"""The page blocks' cache: read from the shared cache, else compute and keep.

A block (the cities, the link blocks, the adverts, Most read) must never take
a page down: when the cache is unreachable the block is computed directly and
one warning is logged, and pages go on.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeVar

import redis
from django.core.cache import cache

if TYPE_CHECKING:
    from collections.abc import Callable

# What a cache call raises when Redis (or a file cache's disk) is unreachable.
CACHE_FAILURES = (redis.RedisError, OSError)

logger = logging.getLogger(__name__)

T = TypeVar("T")


def cached_block(
    key: str, compute: Callable[[], T], *, seconds: float, label: str
) -> T:
    """The block kept under ``key``, or ``compute()`` kept for ``seconds``."""
    try:
        cached: T | None = cache.get(key)
    except CACHE_FAILURES:
        logger.warning("%s: the cache is unavailable.", label, exc_info=True)
        return compute()
    if cached is not None:
        return cached
    value = compute()
    try:
        cache.set(key, value, timeout=seconds)
    except CACHE_FAILURES:
        logger.warning("%s: the cache is unavailable.", label, exc_info=True)
    return value


def forget_block(key: str, *, label: str) -> None:
    """Drop a cached block; the next page computes it afresh."""
    try:
        cache.delete(key)
    except CACHE_FAILURES:
        logger.warning(
            "%s: the cache is unavailable; the block catches up when it expires.",
            label,
            exc_info=True,
        )
