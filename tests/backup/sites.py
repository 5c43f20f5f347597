"""Helpers for the backup tests: ``dateline`` run as a child process on a
data dir of its own, and what readers see of the site it serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROBE = Path(__file__).with_name("probe.py")
PAGES = ["/", "/news/", "/world/", "/world/84/", "/search/?q=fishing"]
API = "/api/v1/items?limit=5"


def dateline_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    return {**env, "DATELINE_DATA_DIR": str(data_dir), **extra}


def dateline(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "dateline", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dateline {' '.join(args)}: {result.stderr}")
    return result


def probe(env: dict[str, str], *urls: str) -> dict[str, dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-W", "ignore", str(PROBE), *urls],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    pages: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return pages


def what_readers_see(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The pages, the API's first page, and the pages their signed
    cursors lead to (the feed's "More news" and the API's next)."""
    first = probe(env, *PAGES, API)
    cursors = [first["/news/"]["next"], first[API]["next"]]
    assert all(cursors), "the demo's feed and API have a second page"
    paths = [c.removeprefix("http://testserver") for c in cursors]
    return {**first, **probe(env, *paths)}
