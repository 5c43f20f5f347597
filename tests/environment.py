"""What the suite needs from the machine, and what happens where it is missing.

A test that needs a program (nginx, redis-server, pg_dump) or a service named
by a variable (``DATELINE_TEST_REDIS_URL``) skips where it is missing, with a
reason made by ``missing()``, so a developer's ``make test`` still runs the
rest. Where ``DATELINE_TEST_REQUIRE_ALL=1`` (``.ci/run`` sets it), such a skip
is a failure instead (``tests/conftest.py``): CI on a fresh machine runs every
test, and ``make tools`` installs what they need from Debian.

Skips for the other engine (a PostgreSQL-only test in the SQLite pass) are
not missing anything and stay skips.
"""

from __future__ import annotations

import os
import shutil

import pytest

MISSING = "missing on this machine: "
REQUIRE_ALL = os.environ.get("DATELINE_TEST_REQUIRE_ALL") == "1"
# Reasons written before this module, or by hand, that also mean the machine
# lacks something; checked too, so a new test cannot slip past CI by wording.
_MISSING_WORDS = ("is not installed", "is not set", "not found at")

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")


def missing(what: str, *, how: str) -> str:
    """The skip reason for something this machine lacks, and how to get it."""
    return f"{MISSING}{what} ({how})"


def is_missing_reason(reason: str) -> bool:
    return MISSING in reason or any(words in reason for words in _MISSING_WORDS)


def fail_if_missing(report: pytest.TestReport) -> None:
    """Turn a skip for something this machine lacks into a failure."""
    if not report.skipped:
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    if is_missing_reason(reason):
        report.outcome = "failed"
        report.longrepr = (
            f"{reason}\nDATELINE_TEST_REQUIRE_ALL=1: every test must run here; "
            "the project's own files (make tools) must install what it needs."
        )


def program(name: str) -> str | None:
    """The path of a program on PATH or in the sbin folders, or None."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


NGINX = program("nginx")
REDIS_SERVER = program("redis-server")
PG_DUMP = program("pg_dump")

needs_nginx = pytest.mark.skipif(
    NGINX is None, reason=missing("nginx", how="make tools, or apt-get install nginx")
)
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason=missing("redis-server", how="make tools, or apt-get install redis-server"),
)
needs_redis = pytest.mark.skipif(
    not REDIS_URL,
    reason=missing(
        "a Redis server for tests",
        how="DATELINE_TEST_REDIS_URL is not set; .ci/run sets it",
    ),
)
