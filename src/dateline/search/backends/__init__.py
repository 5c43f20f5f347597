"""The search backend for the database in use: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from dateline.search.backends.base import SearchBackend


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        from dateline.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from dateline.search.backends.sqlite_fts5 import SQLiteFTS5Backend

    return SQLiteFTS5Backend()
