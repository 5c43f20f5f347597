"""The view counter in use: Redis when DATELINE_REDIS_URL is set, else the database.

Views wait in the process's buffer for up to ``FLUSH_AFTER_SECONDS``; the
counter is closed (its buffer written, later views written at once) when the
process stops gracefully, however it stops:

- a process that ends through the interpreter (``dateline worker`` after
  SIGTERM or Ctrl+C, a command, a spawned process) runs ``atexit``;
- a ``dateline serve`` worker is a process granian *forks* through
  ``multiprocessing``. On SIGTERM or SIGINT (a stop, Ctrl+C, or granian
  recycling it: SIGHUP, a lifetime or memory limit) granian's handler ends
  its serving loop, and the process then leaves through multiprocessing's
  bootstrap, which runs multiprocessing's finalizers and ``os._exit``\\ s:
  ``atexit`` never runs there, so the counter also registers a finalizer.

A hard crash (``kill -9``, the OOM killer, a power cut) loses what the
buffer held: at most the last ``FLUSH_AFTER_SECONDS`` of that process's
views (or ``FLUSH_AT`` views). See docs/decisions/most-read.md.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import threading

from django.conf import settings

from dateline.popularity.counters.base import ViewCounter

_counter: ViewCounter | None = None
_lock = threading.Lock()
# After multiprocessing's own (default 0) finalizers? Before: nothing of ours
# depends on them, and the views are what a stop must not lose.
EXIT_PRIORITY = 100


def get_counter() -> ViewCounter:
    """This process's counter, made on first use (so after a server forks)."""
    global _counter
    with _lock:
        if _counter is None:
            _counter = _make_counter()
            close_at_exit(_counter)
        return _counter


def close_at_exit(counter: ViewCounter) -> None:
    """Write ``counter``'s views when this process stops gracefully, whether
    it ends through the interpreter or through a forked worker's exit."""
    atexit.register(counter.close)
    multiprocessing.util.Finalize(None, counter.close, exitpriority=EXIT_PRIORITY)


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


__all__ = ["ViewCounter", "close_at_exit", "get_counter", "use_counter"]
