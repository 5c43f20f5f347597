"""Read replicas in DATABASES, from ``DATELINE_DATABASE_REPLICA_URLS``.

Imported by settings.py, so it imports nothing of Django's database layer:
only the URL parser and the refusal. Each replica becomes an alias
(``replica1``, ``replica2``, …) with the primary's connection options
(connect_timeout, health checks, CONN_MAX_AGE, a pool), its own address,
and ``TEST["MIRROR"]`` set to the primary: a test run makes no database on
a replica (a streaming replica cannot be written to; it receives the test
database from the primary).
"""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

PREFIX = "replica"
POSTGRES_ENGINES = {
    "django.db.backends.postgresql",
    "django.contrib.gis.db.backends.postgis",
}
# What a replica takes from its URL; everything else is the primary's.
ADDRESS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


def alias(number: int) -> str:
    return f"{PREFIX}{number}"


def is_replica_alias(name: str) -> bool:
    return name.startswith(PREFIX) and name[len(PREFIX) :].isdigit()


def replica_databases(urls: list[str], primary: dict[str, Any]) -> dict[str, Any]:
    """The DATABASES entries of the replicas at ``urls`` (empty: none)."""
    urls = [url.strip() for url in urls if url.strip()]
    if not urls:
        return {}
    if primary.get("ENGINE") not in POSTGRES_ENGINES:
        raise ImproperlyConfigured(
            "DATELINE_DATABASE_REPLICA_URLS: read replicas need PostgreSQL as "
            "the primary (DATELINE_DATABASE_URL=postgres://…); SQLite has none."
        )
    databases: dict[str, Any] = {}
    for number, url in enumerate(urls, start=1):
        try:
            parsed = environ.Env.db_url_config(url)
        except Exception as error:  # a scheme django-environ does not know
            raise ImproperlyConfigured(
                f"DATELINE_DATABASE_REPLICA_URLS: {url!r} is not a database URL "
                f"({error})."
            ) from error
        if parsed.get("ENGINE") not in POSTGRES_ENGINES:
            raise ImproperlyConfigured(
                f"DATELINE_DATABASE_REPLICA_URLS: replica {number} ({url!r}) is "
                "not a PostgreSQL URL (postgres://user:password@host:5432/name)."
            )
        replica = {key: value for key, value in primary.items() if key != "TEST"}
        replica.update({key: parsed.get(key, "") for key in ADDRESS})
        replica["OPTIONS"] = {**primary.get("OPTIONS", {}), **parsed.get("OPTIONS", {})}
        replica["TEST"] = {"MIRROR": "default"}
        databases[alias(number)] = replica
    return databases
