"""``dateline backup`` and ``dateline restore``, run as an operator runs them:
child processes on a data dir of their own, the demo agency loaded once."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection

from tests.backup.sites import dateline, dateline_env, probe, what_readers_see

if TYPE_CHECKING:
    from pathlib import Path

# The demo is loaded by child processes into a data dir of their own: once
# on SQLite, and in a database of its own on PostgreSQL (test_postgres.py).
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite round trip runs on SQLite"
)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the demo agency, loaded once for these tests."""
    data_dir = tmp_path_factory.mktemp("demo-site")
    env = dateline_env(data_dir)
    dateline("migrate", "--noinput", "-v", "0", env=env)
    dateline("demo", env=env)
    return data_dir


@pytest.fixture(scope="session")
def demo_archive(demo_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain (not gzipped) backup of the demo, so members can be damaged."""
    target = tmp_path_factory.mktemp("archives") / "demo.tar"
    dateline("backup", str(target), env=dateline_env(demo_site))
    return target


@pytest.fixture
def site(demo_site: Path, tmp_path: Path) -> Path:
    """A copy of the demo site for one test to change."""
    data_dir = tmp_path / "site"
    shutil.copytree(demo_site, data_dir, symlinks=True)
    return data_dir


def headline_of(data_dir: Path, pk: int) -> str:
    with sqlite3.connect(data_dir / "dateline.sqlite3") as db:
        (headline,) = db.execute(
            "SELECT headline FROM content_article WHERE id = ?", (pk,)
        ).fetchone()
    return str(headline)


def set_headline(data_dir: Path, pk: int, headline: str) -> None:
    db = sqlite3.connect(data_dir / "dateline.sqlite3")
    with db:
        db.execute(
            "UPDATE content_article SET headline = ? WHERE id = ?", (headline, pk)
        )
    db.close()


def fingerprint(data_dir: Path) -> dict[str, Any]:
    """What a refused restore must leave as it was."""
    return {
        "headline": headline_of(data_dir, 84),
        "key": (data_dir / "secret_key").read_text(),
        "media": sorted(
            p.relative_to(data_dir).as_posix()
            for p in (data_dir / "media").rglob("*")
            if p.is_file()
        ),
    }


# --- The round trip ------------------------------------------------------------


@pytest.mark.sqlite
@on_sqlite
def test_the_demo_backed_up_and_restored_into_an_empty_data_dir_reads_the_same(
    site: Path, tmp_path: Path
) -> None:
    env = dateline_env(site)
    before = what_readers_see(env)
    archives = tmp_path / "archives"
    archives.mkdir()

    backed_up = dateline("backup", str(archives), env=env)

    (archive,) = archives.iterdir()  # one dated file, nothing left beside it
    assert archive.name.startswith("dateline-")
    assert archive.name.endswith(".tar.gz")
    assert f"Backed up to {archive}" in backed_up.stdout
    assert "1,0" in backed_up.stdout  # the demo's media files, counted
    shutil.rmtree(site)  # the machine is lost; the archive is not

    restored = dateline("restore", str(archive), env=env)

    assert "the secret key file" in restored.stdout
    assert "new page-cache generation" in restored.stdout
    after = what_readers_see(env)
    assert after == before
    assert all(page["status"] == 200 for page in after.values())
    assert all(page["items"] for page in after.values())


@pytest.mark.sqlite
@on_sqlite
def test_the_manifest_names_engine_migrations_and_every_members_checksum(
    demo_archive: Path,
) -> None:
    with tarfile.open(demo_archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert names[:3] == ["manifest.json", "manifest.sha256", "database.sqlite3"]
    assert manifest["format"] == 1
    assert manifest["database"]["engine"] == "sqlite"
    assert manifest["migrations"]["content"].startswith("00")
    assert manifest["secret_key"] == "file"
    assert manifest["site"]["articles"] > 80
    assert set(manifest["members"]) == set(names[2:])
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())
    assert manifest["media"]["files"] == sum(n.startswith("media/") for n in names)


# --- Refusals --------------------------------------------------------------------


@pytest.mark.sqlite
@on_sqlite
def test_restore_refuses_a_site_that_is_not_empty_without_force(
    site: Path, demo_archive: Path
) -> None:
    set_headline(site, 84, "Changed since the backup")
    before = fingerprint(site)

    refused = dateline(
        "restore", str(demo_archive), env=dateline_env(site), check=False
    )

    assert refused.returncode == 1
    assert "This site is not empty" in refused.stderr
    assert "--force" in refused.stderr
    assert fingerprint(site) == before


@pytest.mark.sqlite
@on_sqlite
def test_restore_with_force_replaces_the_site_and_makes_kept_pages_stale(
    site: Path, demo_archive: Path
) -> None:
    env = dateline_env(site, DATELINE_PAGE_CACHE="true")
    original = headline_of(site, 84)
    set_headline(site, 84, "Changed since the backup")
    (site / "media" / "added-since.txt").write_text("not in the archive")
    # The page is kept in the page cache with the changed headline.
    assert (
        probe(env, "/world/84/")["/world/84/"]["headline"] == "Changed since the backup"
    )

    dateline("restore", "--force", str(demo_archive), env=env)

    assert probe(env, "/world/84/")["/world/84/"]["headline"] == original
    assert not (site / "media" / "added-since.txt").exists()


def damage_a_byte(archive: Path, target: Path) -> str:
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("media/"))
    data = bytearray(archive.read_bytes())
    data[member.offset_data + 10] ^= 0xFF
    target.write_bytes(bytes(data))
    return member.name


def leave_out_a_member(archive: Path, target: Path) -> str:
    with tarfile.open(archive) as tar, tarfile.open(target, "w") as out:
        members = tar.getmembers()
        left_out = next(m.name for m in members if m.name.startswith("media/"))
        for member in members:
            if member.name != left_out:
                out.addfile(member, tar.extractfile(member))
    return left_out


def truncate(archive: Path, target: Path) -> str:
    data = archive.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return "damaged or truncated"


def damage_the_manifest(archive: Path, target: Path) -> str:
    with tarfile.open(archive) as tar:
        manifest = tar.getmember("manifest.json")
    data = bytearray(archive.read_bytes())
    data[manifest.offset_data + 5] ^= 0x01
    target.write_bytes(bytes(data))
    return "manifest.json does not match its checksum"


@pytest.mark.sqlite
@on_sqlite
@pytest.mark.parametrize(
    "damage", [damage_a_byte, leave_out_a_member, truncate, damage_the_manifest]
)
def test_a_damaged_archive_is_refused_naming_what_failed_and_changes_nothing(
    site: Path, demo_archive: Path, tmp_path: Path, damage: Any
) -> None:
    set_headline(site, 84, "Changed since the backup")
    before = fingerprint(site)
    damaged = tmp_path / "damaged.tar"
    named = damage(demo_archive, damaged)

    refused = dateline(
        "restore", "--force", str(damaged), env=dateline_env(site), check=False
    )

    assert refused.returncode == 1
    assert named in refused.stderr
    assert "Nothing was changed" in refused.stderr
    assert fingerprint(site) == before
    assert not list(site.glob(".restore-*"))  # the staging directory is gone
