"""The view counters under test: the database's, and Redis's when a server is given."""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import pytest

from dateline.popularity.counters import use_counter
from dateline.popularity.counters.database import DatabaseViewCounter

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dateline.popularity.counters.base import ViewCounter

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")


def redis_counter(prefix: str) -> ViewCounter:
    from dateline.popularity.counters.redis import RedisViewCounter

    assert REDIS_URL
    return RedisViewCounter(REDIS_URL, prefix=prefix, flush_after=None)


@pytest.fixture(
    params=[
        "database",
        pytest.param(
            "redis",
            marks=[
                pytest.mark.redis,
                pytest.mark.skipif(
                    not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set"
                ),
            ],
        ),
    ]
)
def counter(request: pytest.FixtureRequest, db: None) -> Iterator[ViewCounter]:
    """The counter in use for this test, on each store."""
    made: ViewCounter
    if request.param == "redis":
        made = redis_counter(f"dateline-test-{uuid.uuid4().hex}:")
    else:
        made = DatabaseViewCounter(flush_after=None)
    use_counter(made)
    yield made
    made.clear()


@pytest.fixture
def second_process(counter: ViewCounter) -> ViewCounter:
    """Another app process's counter over the same store."""
    from dateline.popularity.counters.redis import RedisViewCounter

    if isinstance(counter, RedisViewCounter):
        return redis_counter(counter.prefix)
    return DatabaseViewCounter(flush_after=None)
