"""DATELINE_DATABASE_REPLICA_URLS: aliases with the primary's options, and
clear refusals of anything but PostgreSQL replicas of a PostgreSQL primary."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.core.replicas.config import replica_databases

if TYPE_CHECKING:
    from pathlib import Path

PRIMARY: dict[str, Any] = {
    "ENGINE": "django.db.backends.postgresql",
    "NAME": "dateline",
    "USER": "app",
    "PASSWORD": "secret",
    "HOST": "db1.internal",
    "PORT": 5432,
    "CONN_MAX_AGE": 60,
    "CONN_HEALTH_CHECKS": True,
    "OPTIONS": {"connect_timeout": 5, "pool": {"max_size": 4}},
    "TEST": {"NAME": "test_dateline"},
}


def test_each_replica_is_an_alias_with_the_primarys_options_and_its_own_address() -> (
    None
):
    databases = replica_databases(
        [
            "postgres://reader:pw@db2.internal:5432/dateline",
            " postgres://reader@db3.internal:6432/dateline?connect_timeout=2 ",
        ],
        PRIMARY,
    )
    assert list(databases) == ["replica1", "replica2"]
    first, second = databases["replica1"], databases["replica2"]
    assert (first["HOST"], first["PORT"], first["USER"]) == (
        "db2.internal",
        5432,
        "reader",
    )
    assert (second["HOST"], second["PORT"]) == ("db3.internal", 6432)
    for replica in (first, second):
        assert replica["ENGINE"] == PRIMARY["ENGINE"]
        assert replica["CONN_MAX_AGE"] == 60
        assert replica["CONN_HEALTH_CHECKS"] is True
        assert replica["OPTIONS"]["pool"] == {"max_size": 4}
        # A test run makes no database there: the primary's streams to it.
        assert replica["TEST"] == {"MIRROR": "default"}
    assert first["OPTIONS"]["connect_timeout"] == 5
    assert second["OPTIONS"]["connect_timeout"] == 2  # its URL's own wins
    assert PRIMARY["OPTIONS"] == {"connect_timeout": 5, "pool": {"max_size": 4}}


@pytest.mark.parametrize("urls", [[], [""], [" ", ""]])
def test_no_urls_no_replicas(urls: list[str]) -> None:
    assert replica_databases(urls, PRIMARY) == {}


def test_replicas_beside_sqlite_are_refused() -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "var/dateline.sqlite3"}
    with pytest.raises(ImproperlyConfigured, match="DATELINE_DATABASE_REPLICA_URLS"):
        replica_databases(["postgres://reader@db2/dateline"], sqlite)


@pytest.mark.parametrize(
    "url",
    ["mysql://root@db2/dateline", "sqlite:///var/copy.sqlite3", "redis://db2:6379/0"],
)
def test_a_replica_that_is_not_postgresql_is_refused_and_named(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        replica_databases(["postgres://reader@db2/dateline", url], PRIMARY)
    assert "DATELINE_DATABASE_REPLICA_URLS" in str(refused.value)
    assert "replica 2" in str(refused.value) or url in str(refused.value)


def _settings_in_a_fresh_process(
    tmp_path: Path, **variables: str
) -> subprocess.CompletedProcess[str]:
    script = (
        "import json; from dateline import settings as s;"
        "print(json.dumps({'aliases': list(s.DATABASES),"
        " 'routers': getattr(s, 'DATABASE_ROUTERS', []),"
        " 'last': s.MIDDLEWARE[-1], 'lag': s.DATELINE_REPLICA_MAX_LAG_SECONDS,"
        " 'timeout': s.DATABASES.get('replica1', {}).get('OPTIONS', {})"
        ".get('connect_timeout')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        env={"DATELINE_DATA_DIR": str(tmp_path), "PATH": "", **variables},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_install_the_router_and_the_middleware_only_with_replicas(
    tmp_path: Path,
) -> None:
    with_replicas = _settings_in_a_fresh_process(
        tmp_path,
        DATELINE_DATABASE_URL="postgres://app@127.0.0.1:5432/dateline",
        DATELINE_DATABASE_REPLICA_URLS=(
            "postgres://app@127.0.0.1:5433/dateline,postgres://app@127.0.0.1:5434/dateline"
        ),
        DATELINE_DATABASE_TIMEOUT="3",
        DATELINE_REPLICA_MAX_LAG_SECONDS="2.5",
    )
    assert with_replicas.returncode == 0, with_replicas.stderr
    found = json.loads(with_replicas.stdout)
    assert found == {
        "aliases": ["default", "replica1", "replica2"],
        "routers": ["dateline.core.replicas.routing.ReplicaRouter"],
        "last": "dateline.core.replicas.routing.ReplicaMiddleware",
        "lag": 2.5,
        "timeout": 3,
    }
    without = _settings_in_a_fresh_process(
        tmp_path, DATELINE_DATABASE_URL="postgres://app@127.0.0.1:5432/dateline"
    )
    assert without.returncode == 0, without.stderr
    found = json.loads(without.stdout)
    assert found["aliases"] == ["default"]
    assert found["routers"] == []
    assert "replicas" not in found["last"]


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DATELINE_DATABASE_REPLICA_URLS": "postgres://app@127.0.0.1:5433/d"},
         "DATELINE_DATABASE_REPLICA_URLS"),  # beside SQLite
        ({"DATELINE_DATABASE_URL": "postgres://app@127.0.0.1/d",
          "DATELINE_DATABASE_REPLICA_URLS": "mysql://app@127.0.0.1/d"},
         "DATELINE_DATABASE_REPLICA_URLS"),
        ({"DATELINE_REPLICA_MAX_LAG_SECONDS": "0"}, "DATELINE_REPLICA_MAX_LAG_SECONDS"),
        ({"DATELINE_REPLICA_MAX_LAG_SECONDS": "-1"}, "DATELINE_REPLICA_MAX_LAG_SECONDS"),
    ],
)  # fmt: skip
def test_a_bad_replica_variable_stops_the_start_and_is_named(
    tmp_path: Path, variables: dict[str, str], named: str
) -> None:
    result = _settings_in_a_fresh_process(tmp_path, **variables)
    assert result.returncode != 0
    assert named in result.stderr
