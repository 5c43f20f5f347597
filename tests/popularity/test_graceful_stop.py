"""A real `dateline serve` under a burst of beacons: stopping it (SIGTERM,
Ctrl+C's SIGINT) or recycling its workers (SIGHUP) loses no view a reader was
answered for. The site is one of its own, on the engine the suite runs on."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from tests.pagecache.test_processes import dateline, free_port, site_env, wait_for

if TYPE_CHECKING:
    from collections.abc import Iterator

SETUP = """
from dateline.content import services
from dateline.content.models import Article, Section
world = Section.objects.create(slug="world", name="World", position=0)
article = Article(headline="Counted story", lead="Lead.", body="<p>Body.</p>",
                  dateline_place="Port Seline", section=world)
services.save_article(article=article, actor=None)
services.publish_article(article=article, actor=None)
print(article.pk)
"""
COUNTED = "SELECT COALESCE(SUM(views), 0) FROM popularity_viewbucket"
# Beacons answered before the signal is sent; the burst goes on meanwhile.
BEFORE_SIGNAL = 60


def shell(env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "dateline", "shell", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout.strip().splitlines()[-1]


def counted(env: dict[str, str]) -> int:
    """The views in the site's database, read directly (a `dateline shell`
    costs seconds)."""
    url = env.get("DATELINE_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
            row = db.execute(COUNTED).fetchone()
    else:
        import sqlite3

        with sqlite3.connect(Path(env["DATELINE_DATA_DIR"]) / "dateline.sqlite3") as db:
            row = db.execute(COUNTED).fetchone()
    assert row is not None
    return int(row[0])


def postgres_database(name: str) -> Iterator[str]:
    """A throw-away database beside the test database; its URL."""
    import psycopg

    database = settings.DATABASES["default"]
    credentials = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **credentials) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{credentials['password']}" if credentials["password"] else ""
    try:
        yield (
            f"postgres://{credentials['user']}{password}@{credentials['host']}:"
            f"{credentials['port']}/{name}"
        )
    finally:
        with psycopg.connect(
            dbname="postgres", autocommit=True, **credentials
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, str], int]]:
    """A site with one public item: its environment and the item's id."""
    data_dir: Path = tmp_path_factory.mktemp("stop-site")
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        name = f"{settings.DATABASES['default']['NAME']}_stop"
        databases = postgres_database(name)
        variables = {"DATELINE_DATABASE_URL": next(databases)}
    else:
        databases = None
        variables = {}
    env = site_env(data_dir, **variables)
    try:
        dateline(env, "migrate", "--noinput")
        dateline(env, "collectstatic", "--noinput", "-v0")
        yield env, int(shell(env, SETUP))
    finally:
        if databases is not None:
            databases.close()


class Burst(threading.Thread):
    """Readers' beacons, one after another, until the server stops answering.

    Each reader has its own user agent: each view is a new one."""

    def __init__(self, port: int, item: int) -> None:
        super().__init__(daemon=True)
        self.port, self.item = port, item
        self.answered = 0
        self.sent = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        failures = 0
        while failures < 20 and not (self.stopping.is_set() and failures):
            self.sent += 1
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request(
                    "POST",
                    "/views/",
                    body=f"item={self.item}",
                    headers={
                        "Content-Type": "text/plain",
                        "User-Agent": f"Mozilla/5.0 (X11; Linux) Reader/{self.sent}",
                    },
                )
                if connection.getresponse().status == 204:
                    self.answered += 1
            except (OSError, http.client.HTTPException):
                failures += 1
                time.sleep(0.05)
            finally:
                connection.close()

    def wait_for_answers(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.answered < count:
            assert time.monotonic() < deadline, "the server answered no beacons"
            time.sleep(0.01)


def serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--port", str(port),
         "--workers", "2", "--no-collectstatic"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.parametrize(
    "signals",
    [
        pytest.param([signal.SIGTERM], id="SIGTERM"),
        pytest.param([signal.SIGINT], id="SIGINT"),
        pytest.param([signal.SIGHUP, signal.SIGTERM], id="recycle-then-SIGTERM"),
    ],
)
def test_every_answered_beacon_is_counted_when_the_server_stops_in_a_burst(
    site: tuple[dict[str, str], int], signals: list[signal.Signals]
) -> None:
    env, item = site
    before = counted(env)
    port = free_port()
    server = serve(env, port)
    burst = Burst(port, item)
    try:
        wait_for(port)
        burst.start()
        for number in signals:
            burst.wait_for_answers(burst.answered + BEFORE_SIGNAL)
            os.kill(server.pid, number)
        burst.stopping.set()
        assert server.wait(timeout=60) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        burst.stopping.set()
        burst.join(timeout=30)
    written = counted(env) - before
    assert burst.answered >= BEFORE_SIGNAL * len(signals)
    # Every view a reader was answered for is in the database; none twice.
    assert burst.answered <= written <= burst.sent
