"""Django's Redis cache against a real server, when DATELINE_TEST_REDIS_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set"),
]


def test_the_configured_cache_backend_stores_and_expires_values() -> None:
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"dateline-test-{uuid.uuid4().hex}"})
    cache.set("headline", "Harbour reopens", timeout=30)
    assert cache.get("headline") == "Harbour reopens"
    assert cache.add("counter", 0)
    assert cache.incr("counter") == 1
    cache.delete("headline")
    assert cache.get("headline") is None


def test_settings_choose_redis_when_the_url_is_given(tmp_path) -> None:
    import json
    import subprocess
    import sys

    code = "import json, dateline.settings as s; print(json.dumps(s.CACHES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "DATELINE_REDIS_URL": REDIS_URL or "",
            "DATELINE_DATA_DIR": str(tmp_path),
            "PATH": "",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    config = json.loads(result.stdout)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == REDIS_URL
