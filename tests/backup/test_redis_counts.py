"""Most read's counters in Redis travel with the backup (DATELINE_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest
import redis
from django.db import connection

from tests.backup.sites import dateline, dateline_env

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")
PREFIX = "dateline:views:"  # RedisViewCounter's, which the commands use
HOUR = 1_765_000_800

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set"),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="runs once, on a SQLite site"
    ),
]


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    """The test Redis; every key the test or its commands made is removed."""
    assert REDIS_URL
    client = redis.Redis.from_url(REDIS_URL)
    before = set(client.scan_iter(count=1000))
    yield client
    made = set(client.scan_iter(count=1000)) - before
    if made:
        client.delete(*made)


def test_redis_counters_round_trip_with_the_time_they_had_left(
    client: redis.Redis, tmp_path: Path
) -> None:
    if client.exists(f"{PREFIX}t:week"):
        pytest.fail(
            f"{REDIS_URL} already holds Most read counters; use a db of its own"
        )
    client.zadd(f"{PREFIX}b:{HOUR}", {"84": 3, "85": 1})
    client.expire(f"{PREFIX}b:{HOUR}", 8 * 86_400)
    client.zadd(f"{PREFIX}t:week", {"84": 40, "12": 7})
    client.set(f"{PREFIX}x:week", str(HOUR))
    client.set(f"{PREFIX}s:{HOUR}", "a digest: not backed up")
    data_dir = tmp_path / "site"
    env = dateline_env(data_dir, DATELINE_REDIS_URL=str(REDIS_URL))
    dateline("migrate", "--noinput", "-v", "0", env=env)
    archive = tmp_path / "site.tar"

    backed_up = dateline("backup", str(archive), env=env)

    assert "3 Redis counter keys" in backed_up.stdout
    for name in client.scan_iter(match=f"{PREFIX}*"):
        client.delete(name)
    client.zadd(f"{PREFIX}b:{HOUR + 3600}", {"99": 5})  # made after the backup
    shutil.rmtree(data_dir)

    restored = dateline("restore", str(archive), env=env)

    assert "3 Most read counter keys in Redis" in restored.stdout
    assert client.zrange(f"{PREFIX}b:{HOUR}", 0, -1, withscores=True) == [
        (b"85", 1.0),
        (b"84", 3.0),
    ]
    assert 0 < client.ttl(f"{PREFIX}b:{HOUR}") <= 8 * 86_400
    assert client.zrange(f"{PREFIX}t:week", 0, -1, withscores=True) == [
        (b"12", 7.0),
        (b"84", 40.0),
    ]
    assert client.ttl(f"{PREFIX}t:week") == -1  # kept for good, as before
    assert client.get(f"{PREFIX}x:week") == str(HOUR).encode()
    assert not client.exists(f"{PREFIX}b:{HOUR + 3600}")
    assert not client.exists(f"{PREFIX}s:{HOUR}")
