"""Page blocks are read from the cache, computed when it misses, and still
shown (computed directly) when the cache is down."""

from __future__ import annotations

import logging
import re
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from dateline.core import blockcache
from dateline.core.blockcache import DOWN_SECONDS, cached_block, forget_block, shared


def test_a_block_is_computed_once_then_read_from_the_cache() -> None:
    calls: list[int] = []

    def compute() -> list[str]:
        calls.append(1)
        return ["a", "b"]

    assert cached_block("test:block", compute, seconds=60, label="Test") == ["a", "b"]
    assert cached_block("test:block", compute, seconds=60, label="Test") == ["a", "b"]
    assert len(calls) == 1
    forget_block("test:block", label="Test")
    cached_block("test:block", compute, seconds=60, label="Test")
    assert len(calls) == 2


@pytest.mark.parametrize("failure", [ConnectionRefusedError, TimeoutError])
def test_a_cache_that_is_down_costs_one_warning_not_the_page(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: type[Exception],
) -> None:
    tried: list[str] = []

    def down(*args: object, **kwargs: object) -> None:
        tried.append("shared")
        raise failure("cache down")

    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 42

    with monkeypatch.context() as patch, caplog.at_level(logging.WARNING):
        for method in ("get", "set", "delete"):
            patch.setattr(cache, method, down)
        assert cached_block("test:down", compute, seconds=60, label="Test") == 42
        # Kept in this process's memory meanwhile, and the shared cache is
        # left alone for a second: a hanging Redis costs one timeout.
        assert cached_block("test:down", compute, seconds=60, label="Test") == 42
        forget_block("test:down", label="Test")
    assert len(calls) == 1
    assert tried == ["shared"]
    assert [r.getMessage() for r in caplog.records] == [
        "Test: the cache is unavailable."
    ]


def test_the_shared_cache_is_tried_again_a_second_after_it_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("cache down")

    with monkeypatch.context() as patch:
        patch.setattr(cache, "get", down)
        assert shared.get("test:key", "fallback") == "fallback"
    cache.set("test:key", "shared")
    assert shared.get("test:key") is None  # still taken for down
    later = time.monotonic() + DOWN_SECONDS
    monkeypatch.setattr(blockcache.time, "monotonic", lambda: later)
    assert shared.get("test:key") == "shared"


def test_every_use_of_the_cache_goes_through_the_degrading_helper() -> None:
    """A cache call anywhere else would raise into a page when Redis is down
    (the API's rate limits did: every call was a 500)."""
    import dateline

    root = Path(dateline.__file__).parent
    direct = re.compile(r"\bfrom django\.core\.cache import (cache|caches)\b")
    allowed = {
        root / "core" / "blockcache.py",  # the helper itself
        root / "pagecache" / "store.py",  # the page cache, which degrades itself
    }
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path not in allowed and direct.search(path.read_text())
    ]
    assert offenders == []


def test_a_redis_error_is_a_cache_failure_once_redis_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    assert blockcache.cache_failures() == (redis.RedisError, OSError)
    # A process that never loaded the client can only fail with OSError.
    monkeypatch.delitem(sys.modules, "redis")
    assert blockcache.cache_failures() == (OSError,)
    assert blockcache.cache_failures(KeyError) == (OSError, KeyError)


def test_a_redis_error_from_the_cache_is_caught_not_raised_into_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import redis

    def refuse(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("refused")

    monkeypatch.setattr(cache, "get", refuse)
    assert cached_block("test:redis", lambda: ["computed"], seconds=60, label="T") == [
        "computed"
    ]


def test_something_else_going_wrong_in_the_cache_is_not_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(cache, "get", broken)
    with pytest.raises(TypeError):
        cached_block("test:bug", lambda: ["computed"], seconds=60, label="T")
