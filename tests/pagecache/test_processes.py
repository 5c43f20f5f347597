"""Two `dateline serve` processes and a newsroom process share one database:
a publish in the newsroom is on both servers' next answer, with no wait, when
pages are kept in files; within the second allowed when they are in Redis."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

REDIS_URL = os.environ.get("DATELINE_TEST_REDIS_URL")

# The servers make a site of their own on SQLite, whatever the suite runs on:
# once, in the SQLite pass, is enough.
pytestmark = pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="runs its own SQLite site; covered by the suite's SQLite pass",
)

SETUP = """
from dateline.content import services
from dateline.content.models import Article, Section
world = Section.objects.create(slug="world", name="World", position=0)
article = Article(headline="First story on the wire", lead="Lead.", body="<p>Body.</p>",
                  dateline_place="Port Seline", section=world)
services.save_article(article=article, actor=None)
services.publish_article(article=article, actor=None)
"""

PUBLISH = """
from dateline.content import services
from dateline.content.models import Article, Section
article = Article(headline="Second story on the wire", lead="Lead.", body="<p>Body.</p>",
                  dateline_place="Port Seline", section=Section.objects.get(slug="world"))
services.save_article(article=article, actor=None)
services.publish_article(article=article, actor=None)
"""


def dateline(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "dateline", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(port: int, path: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return r.headers.get("X-Page-Cache", ""), r.read()


def site_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment of a site of its own: this one's, without any
    DATELINE_ setting, plus the data directory and ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DATELINE_") and key != "DJANGO_SETTINGS_MODULE"
    }
    return env | {
        "DATELINE_DATA_DIR": str(data_dir),
        "DATELINE_TASK_QUEUE": "immediate",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        **variables,
    }


def make_site(env: dict[str, str]) -> None:
    """Its database, static files and one published item."""
    dateline(env, "migrate", "--noinput")
    dateline(env, "collectstatic", "--noinput", "-v0")
    dateline(env, "shell", "-c", SETUP)


def serve(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`dateline serve` with one worker on ``port``."""
    return subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--port", str(port),
         "--workers", "1", "--no-collectstatic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.fixture(params=["files", pytest.param("redis", marks=pytest.mark.redis)])
def site(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[int]]:
    """A fresh site on SQLite in a folder of its own, served by two processes."""
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("DATELINE_TEST_REDIS_URL is not set")
    redis_url = (
        {"DATELINE_REDIS_URL": REDIS_URL or ""} if request.param == "redis" else {}
    )
    env = site_env(tmp_path, **redis_url)
    make_site(env)
    ports = [free_port(), free_port()]
    servers = [serve(port, env) for port in ports]
    try:
        for port in ports:
            wait_for(port)
        request.node.dateline_env = env
        yield ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        if request.param == "redis":
            import redis

            connection = redis.Redis.from_url(REDIS_URL or "")
            keys = list(connection.scan_iter("dateline-pages:*"))
            if keys:
                connection.delete(*keys)


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            fetch(port, "/robots.txt")
        except OSError:
            time.sleep(0.2)
        else:
            return
    raise AssertionError(f"the server on port {port} did not start")


def test_a_publish_is_on_every_servers_next_answer(
    site: list[int], request: pytest.FixtureRequest
) -> None:
    for port in site:
        fetch(port, "/news/")
        state, body = fetch(port, "/news/")
        assert state == "hit"
        assert b"First story on the wire" in body
        assert b"Second story on the wire" not in body
    dateline(request.node.dateline_env, "shell", "-c", PUBLISH)
    published = time.monotonic()
    redis_site = "DATELINE_REDIS_URL" in request.node.dateline_env
    for port in site:
        state, body = fetch(port, "/news/")
        if redis_site:
            # Each process trusts the generation it read from Redis for
            # 0.1 s (store.REDIS_TRUST_SECONDS): within the second allowed.
            while b"Second story" not in body and time.monotonic() - published < 1:
                time.sleep(0.02)
                state, body = fetch(port, "/news/")
        assert state == "miss"
        assert b"Second story on the wire" in body
