"""Back up the whole site into one archive, and restore it.

What a backup holds: the database (with the search index, which lives in
it on both engines, and Most read's counters when they are counted in the
database), the uploaded media files, the secret key file, and Most read's
counters when they live in Redis. Not: the page cache and page files (made
again on demand), the gathered static files (``collectstatic`` makes them
from the code), logs, and the settings (the environment's own business).
See docs/operations.md.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dateline.backup import archive, engines
from dateline.content.models import Article
from dateline.core.blockcache import cache_failures
from dateline.core.config import SECRET_KEY_FILE
from dateline.pagecache import files as page_files
from dateline.pagecache import store as page_store
from dateline.popularity.counters import get_counter
from dateline.popularity.counters.redis import RedisViewCounter

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime


class BackupError(Exception):
    """A backup or restore refused or failed; nothing was changed."""


# --- What the site holds ---------------------------------------------------------


@dataclass(frozen=True)
class SiteContents:
    articles: int
    users: int
    media_files: int

    @property
    def is_empty(self) -> bool:
        return not (self.articles or self.users or self.media_files)

    def __str__(self) -> str:
        return (
            f"{self.articles:,} items, {self.users:,} users and "
            f"{self.media_files:,} media files"
        )


def site_contents() -> SiteContents:
    """What a restore would overwrite: items, users, media files. A database
    never migrated counts as empty."""
    tables = set(connection.introspection.table_names())
    user_model = get_user_model()
    articles = Article.objects.count() if Article._meta.db_table in tables else 0
    users = user_model.objects.count() if user_model._meta.db_table in tables else 0
    return SiteContents(articles, users, sum(1 for _ in _media_files()))


def _media_root() -> Path | None:
    """The media files' directory; None when uploads live elsewhere (S3)."""
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def _media_files() -> list[tuple[str, Path]]:
    root = _media_root()
    if root is None or not root.is_dir():
        return []
    found = []
    for directory, _, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def _media_elsewhere() -> str:
    backend = settings.STORAGES["default"]["BACKEND"]
    bucket = settings.STORAGES["default"].get("OPTIONS", {}).get("bucket_name")
    where = f"the bucket {bucket!r}" if bucket else backend
    return (
        f"media files are in {where}, not in the archive: keep them with the "
        "bucket's own versioning or replication"
    )


def _secret_key_path() -> Path:
    return Path(settings.DATA_DIR) / SECRET_KEY_FILE


def _redis_counter() -> RedisViewCounter | None:
    counter = get_counter()
    return counter if isinstance(counter, RedisViewCounter) else None


# --- Backup ------------------------------------------------------------------------


@dataclass
class BackupSummary:
    path: Path
    size: int
    seconds: float
    items: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"Backed up to {self.path}: {_size(self.size)}, {', '.join(self.items)}, "
            f"in {self.seconds:,.1f} s."
        )


def archive_path(path: Path, *, now: datetime) -> Path:
    """PATH itself, or a dated name inside it when it is a directory."""
    if path.is_dir():
        suffix = ".tar.gz" if engines.engine() == engines.SQLITE else ".tar"
        return path / f"dateline-{now:%Y%m%d-%H%M%S}{suffix}"
    return path


def back_up_site(
    *, path: Path, force: bool, say: Callable[[str], None]
) -> BackupSummary:
    """Write the whole site into one archive at ``path`` (a file name, or a
    directory for a dated name inside). Written under a temporary name in
    the same directory and renamed when complete: ``path`` never holds a
    partial archive."""
    started = time.monotonic()
    now = timezone.now()
    target = archive_path(path, now=now)
    _check_writable(target, force=force)
    try:
        scratch_dir = tempfile.TemporaryDirectory(
            prefix=".dateline-backup-", dir=target.parent
        )
    except OSError as error:
        raise BackupError(
            f"{target}: cannot write in {target.parent}: {error}"
        ) from None
    with scratch_dir as scratch_name:
        scratch = Path(scratch_name)
        manifest, members, items = _gather(scratch, now=now, say=say)
        say(f"Writing {len(members):,} members…")
        partial = scratch / target.name
        try:
            with partial.open("wb") as stream:
                archive.write_archive(
                    stream, manifest, members, gzip=archive.is_gzip_name(target)
                )
                stream.flush()
                os.fsync(stream.fileno())
        except archive.ArchiveError as error:
            raise BackupError(
                f"{error}; nothing was written, run the backup again."
            ) from None
        except OSError as error:
            raise BackupError(f"Could not write the archive: {error}") from None
        _move_into_place(partial, target, force=force)
    return BackupSummary(
        path=target,
        size=target.stat().st_size,
        seconds=time.monotonic() - started,
        items=items,
    )


def _check_writable(target: Path, *, force: bool) -> None:
    parent = target.parent
    if not parent.exists():
        raise BackupError(f"{target}: the directory {parent} does not exist.")
    if not parent.is_dir():
        raise BackupError(f"{target}: {parent} is not a directory.")
    if target.is_dir():  # pragma: no cover - a directory is handled before
        raise BackupError(f"{target} is a directory.")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; --force replaces it.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BackupError(f"{target}: cannot write in {parent} (permission denied).")


def _move_into_place(partial: Path, target: Path, *, force: bool) -> None:
    """Rename the finished archive to its name, atomically; without --force
    never over a file that appeared meanwhile."""
    try:
        if force:
            os.replace(partial, target)
        else:
            os.link(partial, target)  # fails if target exists, unlike rename
    except FileExistsError:
        raise BackupError(f"{target} exists; --force replaces it.") from None
    except OSError as error:
        raise BackupError(f"Could not write {target}: {error}") from None
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _gather(
    scratch: Path, *, now: datetime, say: Callable[[str], None]
) -> tuple[dict[str, Any], list[archive.Member], list[str]]:
    engine = engines.engine()
    say(f"Copying the {engine} database…")
    database = scratch / engines.member_name()
    try:
        engines.dump_database(database)
    except engines.EngineError as error:
        raise BackupError(str(error)) from None
    members = [archive.member_of(database.name, database, mode=0o600)]
    items = [f"the {engine} database"]
    contents = site_contents()

    if settings.DATELINE_SECRET_KEY_FROM_ENV is not None:
        secret_key = "environment"  # noqa: S105 - where the key is, not a key
        items.append("not the secret key (set in DATELINE_SECRET_KEY)")
    else:
        secret_key = "file"  # noqa: S105 - where the key is, not a key
        members.append(
            archive.member_of(archive.SECRET_KEY, _secret_key_path(), mode=0o600)
        )
        items.append("the secret key")

    counter = _redis_counter()
    view_counts = "database"
    if counter is not None:
        say("Exporting Most read's counters from Redis…")
        exported = scratch / archive.VIEW_COUNTS
        try:
            data = counter.export_counts()
        except counter.failures as error:
            raise BackupError(
                f"Could not read Most read's counters from Redis: {error}"
            ) from None
        exported.write_text(json.dumps(data))
        members.append(archive.member_of(archive.VIEW_COUNTS, exported))
        view_counts = "redis"
        items.append(f"{len(data['keys']):,} Redis counter keys")

    media: dict[str, Any]
    if _media_root() is None:
        media = {"storage": "elsewhere", "included": False, "note": _media_elsewhere()}
        items.append(_media_elsewhere())
    else:
        say("Reading the media files…")
        found = _media_files()
        members += [archive.member_of(archive.MEDIA + name, p) for name, p in found]
        media = {"storage": "files", "included": True, "files": len(found)}
        items.append(f"{len(found):,} media files")

    manifest = {
        "format": archive.FORMAT,
        "dateline_version": metadata.version("dateline"),
        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "created_at_epoch": int(now.timestamp()),
        "site": {
            "name": settings.DATELINE_AGENCY_NAME,
            "articles": contents.articles,
            "users": contents.users,
        },
        "database": {
            "engine": engine,
            "version": engines.engine_version(),
            "member": database.name,
        },
        "migrations": engines.latest_migrations(),
        "secret_key": secret_key,
        "view_counts": view_counts,
        "media": media,
    }
    return manifest, members, items


# --- Restore -----------------------------------------------------------------------


@dataclass
class RestoreSummary:
    lines: list[str] = field(default_factory=list)


def restore_site(
    *, path: Path, force: bool, say: Callable[[str], None]
) -> RestoreSummary:
    """Replace the site with the archive at ``path``.

    Nothing changes until the archive has passed every check: its manifest,
    its engine, its migrations, the site being empty (or ``force``), and
    every member's checksum (each is written to a staging directory in the
    data dir as it is checked).
    """
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    try:
        manifest = archive.read_manifest(path)
    except archive.ArchiveError as error:
        raise BackupError(f"{error} Nothing was changed.") from None
    _check_compatible(manifest)
    contents = site_contents()
    if not contents.is_empty and not force:
        raise BackupError(
            f"This site is not empty ({contents}); a restore replaces all of it. "
            "Run again with --force to do so. Nothing was changed."
        )
    summary = RestoreSummary()
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=data_dir) as staging_name:
        say("Checking every member against the manifest…")
        try:
            staged = archive.extract_verified(path, Path(staging_name))
        except archive.ArchiveError as error:
            raise BackupError(f"{error} Nothing was changed.") from None
        except OSError as error:
            raise BackupError(
                f"Could not unpack the archive into {data_dir}: {error}. Nothing was changed."
            ) from None
        _apply(manifest, staged, summary, say=say)
    return summary


def _check_compatible(manifest: dict[str, Any]) -> None:
    archived = manifest.get("database", {}).get("engine")
    here = engines.engine()
    if archived != here:
        raise BackupError(
            f"The archive holds a {archived} database and this site runs on {here}; "
            "a restore only goes SQLite to SQLite or PostgreSQL to PostgreSQL. "
            "Nothing was changed."
        )
    member = manifest.get("database", {}).get("member")
    if member not in manifest.get("members", {}):
        raise BackupError(
            "The archive's manifest names no database among its members. "
            "Nothing was changed."
        )
    unknown = engines.unknown_migrations(manifest.get("migrations", {}))
    if unknown:
        raise BackupError(
            "The archive was made by a newer Dateline "
            f"({manifest.get('dateline_version')}): this code does not have its "
            f"migrations {', '.join(unknown)}. Restore it with that version. "
            "Nothing was changed."
        )


def _apply(
    manifest: dict[str, Any],
    staged: dict[str, Path],
    summary: RestoreSummary,
    *,
    say: Callable[[str], None],
) -> None:
    lines = summary.lines
    database = staged[manifest["database"]["member"]]
    say("Loading the database…")
    try:
        engines.load_database(database)
    except engines.EngineError as error:
        raise BackupError(str(error)) from None
    site = manifest.get("site", {})
    lines.append(
        f"the {manifest['database']['engine']} database of {site.get('name')} "
        f"({site.get('articles', 0):,} items, {site.get('users', 0):,} users) "
        f"as of {manifest.get('created_at')}"
    )

    root = _media_root()
    media = {
        n[len(archive.MEDIA) :]: p
        for n, p in staged.items()
        if n.startswith(archive.MEDIA)
    }
    if not manifest["media"].get("included"):
        lines.append(
            f"no media files: {manifest['media'].get('note', 'not in the archive')}"
        )
    elif root is None:
        lines.append(
            f"not the archive's {len(media):,} media files: this site keeps them in "
            f"{settings.STORAGES['default']['BACKEND']}; copy them there from the archive's media/"
        )
    else:
        _replace_media(root, media)
        lines.append(f"{len(media):,} media files")

    if archive.SECRET_KEY in staged:
        _write_secret_key(staged[archive.SECRET_KEY])
        lines.append(
            "the secret key file"
            + (
                " (not in use here: DATELINE_SECRET_KEY is set)"
                if settings.DATELINE_SECRET_KEY_FROM_ENV is not None
                else ""
            )
        )
    else:
        lines.append(
            "no secret key: it was set in DATELINE_SECRET_KEY; set the same value "
            "here for old signed links and sessions to stay valid"
        )

    if archive.VIEW_COUNTS in staged:
        counter = _redis_counter()
        if counter is None:
            lines.append(
                "not Most read's Redis counters: this site counts views in the database"
            )
        else:
            data = json.loads(staged[archive.VIEW_COUNTS].read_text())
            try:
                written = counter.import_counts(data)
            except counter.failures as error:
                raise BackupError(
                    f"The database and media were restored, but Most read's counters "
                    f"could not be written to Redis: {error}"
                ) from None
            lines.append(f"{written:,} Most read counter keys in Redis")

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        say(f"Applying {len(plan)} migrations the archive predates…")
        call_command("migrate", interactive=False, verbosity=0)
        lines.append(f"{len(plan)} newer migrations applied")

    try:
        page_store.start_new_generation()
        removed = page_files.remove_page_files()
        lines.append(
            "a new page-cache generation"
            + (f" ({removed} directories of page files removed)" if removed else "")
        )
    except cache_failures() as error:
        lines.append(
            f"no new page-cache generation (the cache did not answer: {error}); kept "
            f"pages expire within {settings.DATELINE_PAGE_CACHE_SECONDS} s"
        )


def _replace_media(root: Path, media: dict[str, Path]) -> None:
    """The media directory becomes the archive's: files not in it go."""
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for name, staged in media.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged, target)


def _write_secret_key(staged: Path) -> None:
    target = _secret_key_path()
    staged.chmod(0o600)
    os.replace(staged, target)


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{value:,.1f} TB"  # pragma: no cover
