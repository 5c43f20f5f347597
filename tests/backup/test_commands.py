"""The commands' refusals and errors, in this process, on either engine:
each happens before anything is written. The database copy is a stand-in
here (the test database is inside a transaction); test_backup.py and
test_postgres.py copy and restore real ones in child processes."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from dateline.backup import archive, engines

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stand_in_database(monkeypatch: pytest.MonkeyPatch) -> None:
    def dump(target: Path) -> None:
        target.write_bytes(b"a stand-in for the database's copy")

    monkeypatch.setattr(engines, "dump_database", dump)


@pytest.fixture(autouse=True)
def _data_dir_of_its_own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The commands read the secret key file and make their scratch folder in
    the data dir: a temporary one, never the checkout's var/ (a refusal that
    stopped working would otherwise write over a developer's own site)."""
    data = tmp_path_factory.mktemp("data")
    (data / "secret_key").write_text("a stand-in key for the archive\n")
    with override_settings(DATA_DIR=data):
        yield


def back_up(target: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("backup", str(target), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def restore(target: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(target), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def manifest_of(path: Path) -> dict[str, Any]:
    with tarfile.open(path) as tar:
        source = tar.extractfile("manifest.json")
        assert source is not None
        manifest: dict[str, Any] = json.load(source)
    return manifest


def rewrite_manifest(path: Path, target: Path, manifest: Any) -> None:
    """The archive with another manifest and its matching checksum."""
    text = json.dumps(manifest).encode()
    check = f"{hashlib.sha256(text).hexdigest()}  manifest.json\n".encode()
    with tarfile.open(path) as tar, tarfile.open(target, "w") as out:
        for member in tar.getmembers():
            if member.name == "manifest.json":
                member.size = len(text)
                out.addfile(member, io.BytesIO(text))
            elif member.name == "manifest.sha256":
                member.size = len(check)
                out.addfile(member, io.BytesIO(check))
            else:
                out.addfile(member, tar.extractfile(member))


@pytest.fixture
def backup(tmp_path: Path) -> Path:
    target = tmp_path / "site.tar"
    back_up(target)
    return target


def test_a_backup_names_its_size_members_and_duration(tmp_path: Path) -> None:
    summary = back_up(tmp_path / "site.tar")

    assert summary.startswith(f"Backed up to {tmp_path / 'site.tar'}: ")
    assert "database" in summary
    assert "the secret key" in summary
    assert summary.rstrip().endswith(" s.")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/dir/backup.tar", "does not exist"),
        ("a-file/backup.tar", "is not a directory"),
        ("existing.tar", "exists; --force replaces it"),
    ],
)
def test_backup_says_clearly_when_it_cannot_write_path(
    tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("a file, not a directory")
    (tmp_path / "existing.tar").write_text("yesterday's backup")

    with pytest.raises(CommandError, match=message):
        back_up(tmp_path / where)

    assert (tmp_path / "existing.tar").read_text() == "yesterday's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "existing.tar"]


def test_backup_with_force_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "existing.tar"
    target.write_text("yesterday's backup")

    back_up(target, "--force")

    assert tarfile.is_tarfile(target)
    assert [p.name for p in tmp_path.iterdir()] == ["existing.tar"]


def test_a_backup_that_fails_midway_leaves_nothing_at_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_midway(stream: Any, *args: Any, **kwargs: Any) -> None:
        stream.write(b"half an archive")
        raise archive.ArchiveError("media/photo.jpg changed while the backup was made")

    monkeypatch.setattr(archive, "write_archive", fail_midway)

    with pytest.raises(CommandError, match=r"photo\.jpg changed"):
        back_up(tmp_path / "site.tar")

    assert list(tmp_path.iterdir()) == []  # no archive, no temporary file


def test_a_directory_gets_a_dated_archive(tmp_path: Path) -> None:
    back_up(tmp_path)

    (made,) = tmp_path.iterdir()
    assert made.name.startswith("dateline-")
    assert made.suffix in {".tar", ".gz"}
    assert manifest_of(made)["format"] == archive.FORMAT


def test_restore_refuses_an_archive_of_another_engine(
    backup: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(backup)
    here = manifest["database"]["engine"]
    manifest["database"]["engine"] = "postgresql" if here == "sqlite" else "sqlite"
    rewrite_manifest(backup, tmp_path / "other.tar", manifest)

    with pytest.raises(CommandError, match=f"and this site runs on {here}"):
        restore(tmp_path / "other.tar", "--force")


def test_restore_refuses_an_archive_from_a_newer_dateline(
    backup: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(backup)
    manifest["migrations"]["content"] = "0099_from_the_future"
    rewrite_manifest(backup, tmp_path / "newer.tar", manifest)

    with pytest.raises(CommandError, match=r"newer Dateline.*content\.0099_from"):
        restore(tmp_path / "newer.tar", "--force")


def test_restore_refuses_an_archive_of_another_format(
    backup: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(backup)
    manifest["format"] = 2
    rewrite_manifest(backup, tmp_path / "future.tar", manifest)

    with pytest.raises(CommandError, match="archive format 2"):
        restore(tmp_path / "future.tar", "--force")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "not a Dateline backup"),
        (b"not a tar file at all" * 100, "not a Dateline backup"),
        (b"\x1f\x8b" + b"not gzip either" * 100, "not a Dateline backup"),
    ],
)
def test_restore_says_clearly_when_path_is_not_an_archive(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "archive.tar"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        restore(path, "--force")


def test_restore_refuses_a_tar_that_is_not_dateline_s(tmp_path: Path) -> None:
    path = tmp_path / "other.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("README")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))

    with pytest.raises(CommandError, match=r"no manifest\.json at the start"):
        restore(path, "--force")


# Members that would land outside the restore's own folders. The names point
# at harmless files of the test's own (never a system file: the suite runs
# as root, and a regression would write where the name says).
PROBE = "dateline-restore-probe"
TEMP = Path(tempfile.gettempdir())


@pytest.mark.parametrize(
    "name",
    [
        f"media/../../{PROBE}",
        "media/" + "../" * 12 + str(TEMP / PROBE).lstrip("/"),
        str(TEMP / PROBE),
        "media/",
        "database.sqlite3.bak",
    ],
)
def test_restore_refuses_a_member_outside_what_dateline_writes(
    backup: Path, tmp_path: Path, name: str
) -> None:
    manifest = manifest_of(backup)
    manifest["members"][name] = {
        "size": 5,
        "sha256": hashlib.sha256(b"hello").hexdigest(),
    }
    rewritten = tmp_path / "rewritten.tar"
    rewrite_manifest(backup, rewritten, manifest)
    with tarfile.open(rewritten, "a") as tar:
        info = tarfile.TarInfo(name)
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    landed = [
        TEMP / PROBE,
        Path(settings.DATA_DIR).parent / PROBE,
        Path(settings.DATA_DIR) / PROBE,
    ]
    for path in landed:
        path.unlink(missing_ok=True)

    try:
        with pytest.raises(CommandError, match="not a file Dateline writes"):
            restore(rewritten, "--force")
        assert not [path for path in landed if path.exists()]
    finally:
        for path in landed:
            path.unlink(missing_ok=True)


def test_restore_refuses_a_manifest_without_its_database(
    backup: Path, tmp_path: Path
) -> None:
    manifest = manifest_of(backup)
    del manifest["members"][manifest["database"]["member"]]
    rewrite_manifest(backup, tmp_path / "no-database.tar", manifest)

    with pytest.raises(CommandError, match="names no database"):
        restore(tmp_path / "no-database.tar", "--force")


@pytest.mark.parametrize(
    "damage",
    ["a list", "no media", "database a string", "a member without its size"],
)
def test_restore_refuses_a_hand_made_manifest_of_the_wrong_shape(
    backup: Path, tmp_path: Path, damage: str
) -> None:
    """Its checksum matches (made by hand), its content does not: a clear
    command-line error, not a traceback."""
    manifest: Any = manifest_of(backup)
    if damage == "a list":
        manifest = [manifest]
    elif damage == "no media":
        del manifest["media"]
    elif damage == "database a string":
        manifest["database"] = "database.sqlite3"
    else:
        member = next(iter(manifest["members"]))
        del manifest["members"][member]["size"]
    rewrite_manifest(backup, tmp_path / "odd.tar", manifest)

    with pytest.raises(CommandError, match="not a Dateline manifest"):
        restore(tmp_path / "odd.tar", "--force")
