"""The bench's two engines: where an archive lives and how it is described.

SQLite keeps each archive in a data directory of its own; PostgreSQL keeps
each in a database of its own on the server BENCH_DATABASE_URL names, called
after that URL's database and the archive's size (``bench`` → ``bench_1000k``),
so that the 100k and 1M archives the ratio table compares live side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from pathlib import Path


def size_label(articles: int) -> str:
    return f"{articles // 1000}k" if articles >= 1000 else str(articles)


def archive_database_url(server_url: str, articles: int) -> str:
    """The URL of the archive's own database on the server of ``server_url``."""
    parts = urlsplit(server_url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(
            "bench: BENCH_DATABASE_URL must be a postgres:// URL "
            "(SQLite is the default: leave it unset)."
        )
    name = parts.path.lstrip("/") or "dateline_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{size_label(articles)}"))


def create_database(url: str) -> bool:
    """Create the archive's database unless the server has it; True if made."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def describe_engine(data_dir: Path) -> str:
    """The engine, its version and the archive's size, for the result's head."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('server_version'), "
                "pg_database_size(current_database()), "
                "current_setting('shared_buffers'), current_setting('work_mem'), "
                "current_setting('effective_cache_size')"
            )
            version, size, buffers, work_mem, cache = cursor.fetchone()
        return (
            f"PostgreSQL {version} (shared_buffers {buffers}, work_mem {work_mem}, "
            f"effective_cache_size {cache}), database {size / 2**20:,.0f} MB"
        )
    import sqlite3

    db_file = data_dir / "dateline.sqlite3"
    size_mb = db_file.stat().st_size / 2**20 if db_file.exists() else 0
    return f"SQLite {sqlite3.sqlite_version} (WAL), database {size_mb:,.0f} MB"


def search_index_mb() -> tuple[float, str]:
    """The search index's size on disk, MB, and what it is made of."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The entries are partitioned by year: the parent holds nothing,
            # its partitions hold the rows and their indexes.
            cursor.execute(
                "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) "
                "FROM pg_partition_tree('search_searchentry')"
            )
            what = "entry table with its text and key indexes, every year's partition"
        else:
            cursor.execute(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat "
                "WHERE name LIKE 'search%' OR name LIKE 'sqlite_autoindex_search%'"
            )
            what = "FTS5 table and entries"
        return cursor.fetchone()[0] / 2**20, what
