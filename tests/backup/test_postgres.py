"""The demo round trip on PostgreSQL: pg_dump's custom format out, psql
running pg_restore's script in one transaction back in, in a database of
this test's own on the test server."""

from __future__ import annotations

import shutil
import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from tests.backup.sites import dateline, dateline_env, probe, what_readers_see

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the PostgreSQL round trip"
    ),
]


def _server() -> dict[str, str]:
    settings = connection.settings_dict
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": str(settings["PORT"] or 5432),
        "user": settings["USER"] or "postgres",
        "password": settings["PASSWORD"] or "",
    }


def _admin(sql: str) -> None:
    server = _server()
    with psycopg.connect(
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)  # type: ignore[arg-type]


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    """A database of this test's own: its name and its URL."""
    name = f"{connection.settings_dict['NAME']}_rt_{uuid.uuid4().hex[:8]}"
    server = _server()
    auth = quote(server["user"]) + (
        f":{quote(server['password'])}" if server["password"] else ""
    )
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name, f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_backed_up_and_restored_into_an_empty_database_reads_the_same(
    database: tuple[str, str], tmp_path: Path
) -> None:
    name, url = database
    data_dir = tmp_path / "site"
    env = dateline_env(data_dir, DATELINE_DATABASE_URL=url)
    dateline("migrate", "--noinput", "-v", "0", env=env)
    dateline("demo", env=env)
    before = what_readers_see(env)
    archives = tmp_path / "archives"
    archives.mkdir()

    dateline("backup", str(archives), env=env)
    (archive,) = archives.iterdir()
    assert archive.name.endswith(".tar")  # pg_dump's format is compressed already
    _admin(f'DROP DATABASE "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    shutil.rmtree(data_dir)

    dateline("restore", str(archive), env=env)

    assert what_readers_see(env) == before
    refused = dateline("restore", str(archive), env=env, check=False)
    assert "This site is not empty" in refused.stderr
    # Over a whole site: every table is dropped and loaded again in one go.
    dateline("restore", "--force", str(archive), env=env)
    assert probe(env, "/world/84/") == {"/world/84/": before["/world/84/"]}


def test_a_failed_load_changes_nothing(
    database: tuple[str, str], tmp_path: Path
) -> None:
    name, url = database
    env = dateline_env(tmp_path / "site", DATELINE_DATABASE_URL=url)
    dateline("migrate", "--noinput", "-v", "0", env=env)
    archive = tmp_path / "empty.tar"
    dateline("backup", str(archive), env=env)
    dateline(
        "createsuperuser",
        "--noinput",
        "--username",
        "chief",
        "--email",
        "c@example.org",
        env=env,
    )
    # The archive's dump loads into a table this user may not create: the
    # transaction is rolled back and the site keeps its user.
    _admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')

    failed = dateline("restore", "--force", str(archive), env=env, check=False)

    _admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    assert failed.returncode == 1
    assert "nothing was changed" in failed.stderr
    count = dateline(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; print(User.objects.count())",
        env=env,
    )
    assert count.stdout.splitlines()[-1] == "1"
