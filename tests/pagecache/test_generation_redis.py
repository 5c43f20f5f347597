"""The generation kept in Redis, against a real server, when
DATELINE_TEST_REDIS_URL is set: read with a client of our own, trusted for
a tenth of a second, seen at once where it was written."""

from __future__ import annotations

import json
import os
import pickle
import uuid
from typing import TYPE_CHECKING

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.test import override_settings

from dateline.pagecache import files, store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="DATELINE_TEST_REDIS_URL is not set"),
    pytest.mark.django_db,
]


@pytest.fixture
def redis_pages() -> Iterator[redis.Redis]:
    prefix = f"dateline-test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            },
        }
    ):
        another_process = redis.Redis.from_url(REDIS_URL or "")
        yield another_process
        keys = list(another_process.scan_iter(f"{prefix}:*"))
        if keys:
            another_process.delete(*keys)


def _key() -> str:
    return caches["pages"].make_and_validate_key(store.GENERATION_KEY + ":json")


def test_a_change_elsewhere_is_seen_within_a_tenth_of_a_second(
    redis_pages: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(store, "monotonic", lambda: clock[0])
    first = store.current_generation()
    assert first is not None
    assert store.ready_generation() == first
    redis_pages.set(
        _key(),
        json.dumps({"token": "elsewhere", "changed_at": 1.0, "next_release_at": 1e12}),
    )
    clock[0] += store.REDIS_TRUST_SECONDS / 2
    assert store.ready_generation() == first  # trusted a little longer
    clock[0] += store.REDIS_TRUST_SECONDS
    seen = store.ready_generation()
    assert seen is not None
    assert seen.token == "elsewhere"


def test_a_change_made_here_is_seen_here_at_once(redis_pages: redis.Redis) -> None:
    with time_machine.travel(0, tick=False):
        first = store.current_generation()
        assert first is not None
        store._start_generation_on_commit()  # as after a commit
        now = store.ready_generation()
        assert now is not None
        assert now.token != first.token


def test_an_unreadable_generation_starts_a_new_one(redis_pages: redis.Redis) -> None:
    """An upgrade may find a value written another way under the key."""
    redis_pages.set(_key(), pickle.dumps({"token": "old"}))
    with time_machine.travel(0, tick=False):
        generation = store.current_generation()
    assert generation is not None
    assert generation.token != "old"
    assert json.loads(redis_pages.get(_key()) or b"")["token"] == generation.token


def test_a_generation_started_on_another_machine_moves_this_ones_page_files(
    redis_pages: redis.Redis, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Page files are per machine: the keeper moves the link for a generation
    another machine wrote into Redis, within its trust of a tenth of a second."""
    clock = [1000.0]
    monkeypatch.setattr(store, "monotonic", lambda: clock[0])
    root = tmp_path / "pages"
    with override_settings(
        DATELINE_PAGE_CACHE=True, DATELINE_PAGE_FILES=True, DATELINE_PAGE_FILES_DIR=root
    ):
        first = store.current_generation()
        assert first is not None
        assert os.readlink(root / "current").endswith(first.token)
        elsewhere = {"token": "elsewhere", "changed_at": first.changed_at + 1}
        redis_pages.set(_key(), json.dumps({**elsewhere, "next_release_at": 1e12}))
        clock[0] += store.REDIS_TRUST_SECONDS
        files.Keeper().tick()
        assert os.readlink(root / "current").endswith("-elsewhere")
