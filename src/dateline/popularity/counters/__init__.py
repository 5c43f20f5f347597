"""The view counter in use: Redis when DATELINE_REDIS_URL is set, else the database."""

from __future__ import annotations

import atexit
import threading

from django.conf import settings

from dateline.popularity.counters.base import ViewCounter

_counter: ViewCounter | None = None
_lock = threading.Lock()


def get_counter() -> ViewCounter:
    """This process's counter, made on first use (so after a server forks)."""
    global _counter
    with _lock:
        if _counter is None:
            _counter = _make_counter()
            atexit.register(_counter.flush)
        return _counter


def use_counter(counter: ViewCounter | None) -> ViewCounter | None:
    """Put ``counter`` in use (tests, the demo's replay); returns the old one."""
    global _counter
    with _lock:
        previous, _counter = _counter, counter
        return previous


def _make_counter() -> ViewCounter:
    url: str | None = settings.DATELINE_REDIS_URL
    if url:
        from dateline.popularity.counters.redis import RedisViewCounter

        return RedisViewCounter(url)
    from dateline.popularity.counters.database import DatabaseViewCounter

    return DatabaseViewCounter()


__all__ = ["ViewCounter", "get_counter", "use_counter"]
