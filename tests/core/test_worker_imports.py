"""What a server worker holds: loading the application (as granian's worker
does, `dateline.wsgi`) imports neither the Redis client while the caches are
not in Redis nor Pillow, which only uploads and renditions need
(docs/decisions/serve-memory.md: 21 and 7 MiB a worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

LOAD_THE_APPLICATION = """
import sys
import dateline.wsgi
from django.urls import get_resolver
get_resolver().url_patterns
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & {"redis", "PIL"})))
"""


def loaded(tmp_path: Path, *, first: str = "") -> str:
    """The heavy packages in a fresh process that ran ``first`` and then
    loaded the application."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATELINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    result = subprocess.run(
        [sys.executable, "-c", first + LOAD_THE_APPLICATION],
        env=env | {"DATELINE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_a_worker_with_local_caches_loads_neither_redis_nor_pillow(
    tmp_path: Path,
) -> None:
    assert loaded(tmp_path) == ""


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check itself can fail: a package imported on the way shows."""
    assert loaded(tmp_path, first="import PIL.Image, redis\n") == "PIL redis"
