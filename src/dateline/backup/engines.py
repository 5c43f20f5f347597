"""The database in a backup: SQLite's online backup or PostgreSQL's pg_dump.

Only the same engine is restored: SQLite into SQLite, PostgreSQL into
PostgreSQL. Moving between them is a data migration, not a restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from typing import TYPE_CHECKING

from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from dateline.backup import archive

if TYPE_CHECKING:
    from pathlib import Path

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# Long enough for any real error, short enough for a command line.
STDERR_LINES = 8


class EngineError(Exception):
    """The database could not be dumped or loaded; the message says why."""


def engine() -> str:
    vendor = connection.vendor
    if vendor not in {SQLITE, POSTGRESQL}:  # pragma: no cover - settings refuse others
        raise EngineError(f"Dateline backs up SQLite or PostgreSQL, not {vendor}.")
    return vendor


def engine_version() -> str:
    if engine() == SQLITE:
        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def member_name() -> str:
    return archive.SQLITE_DATABASE if engine() == SQLITE else archive.POSTGRES_DATABASE


# --- Migrations ------------------------------------------------------------------


def latest_migrations() -> dict[str, str]:
    """Each app's latest applied migration, from the database itself."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


def unknown_migrations(archived: dict[str, str]) -> list[str]:
    """The archive's migrations this code does not have: it is newer (or
    from another branch), and restoring it would leave a schema the code
    cannot read."""
    nodes = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    return [
        f"{app}.{name}" for app, name in archived.items() if (app, name) not in nodes
    ]


# --- Dump ------------------------------------------------------------------------


def dump_database(target: Path) -> None:
    """A consistent copy of the configured database in ``target``, taken
    while the site runs."""
    if engine() == SQLITE:
        _dump_sqlite(target)
    else:
        _run_pg(["pg_dump", "--format=custom", "--no-password", f"--file={target}"])


def _dump_sqlite(target: Path) -> None:
    """SQLite's online backup API: one read transaction over the whole file,
    so the copy is the database at one moment, WAL included, while writers
    go on (in WAL mode readers do not block them)."""
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A file that stands alone: no -wal beside it when it is opened.
        copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise EngineError(f"SQLite's online backup failed: {error}") from None
    finally:
        copy.close()


# --- Load ------------------------------------------------------------------------


def load_database(source: Path) -> None:
    """Replace the configured database's contents with ``source``, at once:
    a failure leaves the database as it was."""
    if engine() == SQLITE:
        _load_sqlite(source)
    else:
        _load_postgresql(source)
    connection.close()  # the next query sees the restored schema afresh


def _load_sqlite(source: Path) -> None:
    """SQLite's backup API again, from the archive's file into the live
    one: one write transaction, so other connections see the old database
    or the new one, never a mix, and the file, its WAL and its inode stay
    the ones the site's processes have open."""
    restored = sqlite3.connect(source)
    try:
        connection.ensure_connection()
        restored.backup(connection.connection)
    except sqlite3.Error as error:
        raise EngineError(
            f"SQLite could not load the archive's database: {error}"
        ) from None
    finally:
        restored.close()


def _load_postgresql(source: Path) -> None:
    """pg_restore's script, run by psql in one transaction after dropping
    every table the database has now (tables of a newer schema that the
    archive does not know, which --clean would leave behind). A failure
    rolls everything back."""
    quote = connection.ops.quote_name
    tables = connection.introspection.table_names()
    connection.close()
    with tempfile.TemporaryDirectory(prefix="dateline-restore-") as scratch:
        drops = os.path.join(scratch, "drop_tables.sql")
        with open(drops, "w") as out:
            out.writelines(
                f"DROP TABLE IF EXISTS {quote(t)} CASCADE;\n" for t in tables
            )
        errors = os.path.join(scratch, "pg_restore.err")
        env = _pg_env()
        with open(errors, "wb") as restore_errors:
            script = subprocess.Popen(  # noqa: S603 - a fixed tool, no shell
                [
                    _tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--file=-",
                    str(source),
                ],
                stdout=subprocess.PIPE,
                stderr=restore_errors,
                env=env,
            )
            assert script.stdout is not None  # noqa: S101 - asked for above
            psql = subprocess.run(  # noqa: S603 - a fixed tool, no shell
                [
                    _tool("psql"),
                    "--no-psqlrc",
                    "--quiet",
                    "--no-password",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--file={drops}",
                    "--file=-",
                ],
                stdin=script.stdout,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
                check=False,
            )
            script.stdout.close()
            script.wait()
        with open(errors, "rb") as restore_errors:
            restore_stderr = restore_errors.read()
    if script.returncode != 0:
        raise EngineError(
            "pg_restore could not read the archive's dump; nothing was changed:\n"
            + _tail(restore_stderr)
        )
    if psql.returncode != 0:
        raise EngineError(
            "psql could not load the dump; it ran in one transaction, so nothing "
            "was changed:\n" + _tail(psql.stderr)
        )


# --- PostgreSQL's tools ------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise EngineError(
            f"{name} is not installed; it comes with PostgreSQL's client tools "
            "(on Debian: apt-get install postgresql-client), of the server's "
            "major version or newer."
        )
    return found


def _pg_env() -> dict[str, str]:
    """The connection settings as libpq's environment: the password goes to
    the child in PGPASSWORD, never on a command line others can read."""
    settings = connection.settings_dict
    _, extra = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    env.update(extra or {})
    # --clean's "does not exist, skipping" notices are not news.
    env["PGOPTIONS"] = "-c client_min_messages=warning"
    return env


def _run_pg(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed tool, no shell
        [_tool(command[0]), *command[1:]],
        env=_pg_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if result.returncode != 0:
        raise EngineError(f"{command[0]} failed:\n" + _tail(result.stderr))


def _tail(stderr: bytes) -> str:
    lines = stderr.decode(errors="replace").strip().splitlines()
    return "\n".join(f"  {line}" for line in lines[-STDERR_LINES:]) or "  (no message)"
