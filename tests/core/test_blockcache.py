"""Page blocks are read from the cache, computed when it misses, and still
shown (computed directly) when the cache is down."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache

from dateline.core.blockcache import cached_block, forget_block


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
def test_a_cache_that_is_down_costs_a_warning_not_the_page(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: type[Exception],
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise failure("cache down")

    with monkeypatch.context() as patch, caplog.at_level(logging.WARNING):
        for method in ("get", "set", "delete"):
            patch.setattr(cache, method, down)
        assert cached_block("test:down", lambda: 42, seconds=60, label="Test") == 42
        forget_block("test:down", label="Test")
    assert [r.getMessage() for r in caplog.records] == [
        "Test: the cache is unavailable.",
        "Test: the cache is unavailable; the block catches up when it expires.",
    ]
