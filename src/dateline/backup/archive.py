"""The backup archive: one tar file, gzipped or not, with a manifest first.

Layout (members in this order):

- ``manifest.json``: the format version, Dateline's version, the database
  engine and its version, the latest migration of each app, when and from
  which site it was made, what it holds, and the size and SHA-256 of every
  member that follows.
- ``manifest.sha256``: the manifest's own SHA-256 (``sha256sum``'s format),
  so that a damaged manifest is told apart from a damaged member.
- ``database.sqlite3`` (SQLite's online backup) or ``database.pgdump``
  (``pg_dump --format=custom``).
- ``secret_key``: the key file, when the key comes from it.
- ``view-counts.json``: Most read's counters, when they live in Redis.
- ``media/…``: every uploaded file and rendition, under its own name.

The manifest comes first so that ``dateline restore`` can refuse an archive
from another engine or a newer Dateline before reading the rest; its
checksums are therefore taken before the archive is written, and each
member is hashed again as it is written, so that a file changed in between
fails the backup instead of making an archive that restore would refuse.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from zlib_ng import gzip_ng

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
SQLITE_DATABASE = "database.sqlite3"
POSTGRES_DATABASE = "database.pgdump"
SECRET_KEY = "secret_key"  # noqa: S105 - a member's name, not a key
VIEW_COUNTS = "view-counts.json"
MEDIA = "media/"
FIXED_MEMBERS = {SQLITE_DATABASE, POSTGRES_DATABASE, SECRET_KEY, VIEW_COUNTS}
CHUNK = 1 << 20
# Level 1: a SQLite file shrinks almost as much as at 6, several times faster.
GZIP_LEVEL = 1


class ArchiveError(Exception):
    """The archive cannot be used; the message says which member and why."""


@dataclass(frozen=True)
class Member:
    """A file to put in the archive under ``name``."""

    name: str
    path: Path
    size: int
    sha256: str
    mode: int = 0o644


def hash_file(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a file, read once."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def member_of(name: str, path: Path, *, mode: int = 0o644) -> Member:
    size, sha256 = hash_file(path)
    return Member(name=name, path=path, size=size, sha256=sha256, mode=mode)


def is_gzip_name(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


def write_archive(
    stream: IO[bytes], manifest: dict[str, Any], members: list[Member], *, gzip: bool
) -> None:
    """Write the manifest, its checksum and the members into ``stream``.

    ``manifest["members"]`` is filled in here from ``members``. Raises
    ArchiveError if a member no longer matches the checksum taken for it.
    """
    manifest = {
        **manifest,
        "members": {m.name: {"size": m.size, "sha256": m.sha256} for m in members},
    }
    text = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    check = f"{hashlib.sha256(text).hexdigest()}  {MANIFEST}\n".encode()
    packed: IO[bytes] = (
        gzip_ng.GzipNGFile(fileobj=stream, mode="wb", compresslevel=GZIP_LEVEL)  # type: ignore[no-untyped-call,assignment]
        if gzip
        else stream
    )
    with tarfile.open(fileobj=packed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        _add_bytes(tar, MANIFEST, text, mtime=manifest["created_at_epoch"])
        _add_bytes(tar, MANIFEST_SUM, check, mtime=manifest["created_at_epoch"])
        for member in members:
            _add_file(tar, member)
    if packed is not stream:
        packed.close()


def _info(name: str, size: int, *, mtime: float, mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = mode
    info.uname = info.gname = ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, *, mtime: float) -> None:
    import io

    tar.addfile(_info(name, len(data), mtime=mtime), io.BytesIO(data))


class _HashingReader:
    """Reads a file for tarfile, hashing what it hands over."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, member: Member) -> None:
    try:
        with member.path.open("rb") as stream:
            reader = _HashingReader(stream)
            mtime = os.fstat(stream.fileno()).st_mtime
            info = _info(member.name, member.size, mtime=mtime, mode=member.mode)
            tar.addfile(info, reader)
            if stream.read(1):
                raise ArchiveError(f"{member.name} grew while the backup was made")
    except (FileNotFoundError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise ArchiveError(
                f"{member.name} was removed while the backup was made"
            ) from None
        if "unexpected end of data" in str(error):
            raise ArchiveError(
                f"{member.name} shrank while the backup was made"
            ) from None
        raise
    if reader.digest.hexdigest() != member.sha256:
        raise ArchiveError(f"{member.name} changed while the backup was made")


# --- Reading -------------------------------------------------------------------


@dataclass(frozen=True)
class Extracted:
    """A verified member written under the staging directory."""

    name: str
    path: Path


def is_safe_media_name(name: str) -> bool:
    """``media/`` and a relative path without ``..``, NUL or backslashes."""
    if not name.startswith(MEDIA) or "\\" in name or "\x00" in name:
        return False
    rest = PurePosixPath(name[len(MEDIA) :])
    return (
        bool(rest.parts)
        and not rest.is_absolute()
        and all(part not in {"", ".", ".."} for part in rest.parts)
        and str(rest) == name[len(MEDIA) :]
    )


def _open_tar(path: Path) -> tuple[IO[bytes], tarfile.TarFile]:
    stream = path.open("rb")
    magic = stream.read(2)
    stream.seek(0)
    source: IO[bytes] = (
        gzip_ng.GzipNGFile(fileobj=stream, mode="rb")  # type: ignore[no-untyped-call,assignment]
        if magic == b"\x1f\x8b"
        else stream
    )
    try:
        tar = tarfile.open(fileobj=source, mode="r|")  # noqa: SIM115 - the caller's
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        stream.close()
        raise ArchiveError(
            f"{path} is not a Dateline backup archive ({error})."
        ) from None
    return stream, tar


_DAMAGED = (tarfile.TarError, OSError, EOFError, zlib.error)


def read_manifest(path: Path) -> dict[str, Any]:
    """The archive's manifest, checked against its checksum; reads only the
    first two members."""
    stream, tar = _open_tar(path)
    with stream, tar:
        try:
            return _manifest_from(tar, path)
        except _DAMAGED as error:
            raise ArchiveError(
                f"{path}: the archive is damaged or truncated at its start ({error})."
            ) from None


def _manifest_from(tar: tarfile.TarFile, path: Path) -> dict[str, Any]:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile():
        raise ArchiveError(
            f"{path}: no {MANIFEST} at the start: not a Dateline backup."
        )
    text = _read_small(tar, first)
    second = tar.next()
    if second is None or second.name != MANIFEST_SUM or not second.isfile():
        raise ArchiveError(f"{path}: {MANIFEST_SUM} is missing.")
    expected = _read_small(tar, second).decode("ascii", "replace").split()[:1]
    if [hashlib.sha256(text).hexdigest()] != expected:
        raise ArchiveError(
            f"{path}: {MANIFEST} does not match its checksum: the archive is damaged."
        )
    try:
        manifest: dict[str, Any] = json.loads(text)
    except ValueError:
        raise ArchiveError(f"{path}: {MANIFEST} is not JSON.") from None
    if not _has_manifest_shape(manifest):
        raise ArchiveError(
            f"{path}: {MANIFEST} is not a Dateline manifest (its fields are "
            "missing or of the wrong kind)."
        )
    if manifest.get("format") != FORMAT:
        raise ArchiveError(
            f"{path}: archive format {manifest.get('format')!r}; this Dateline reads "
            f"format {FORMAT}."
        )
    return manifest


# The manifest's parts restore reads, each an object.
MANIFEST_OBJECTS = ("members", "database", "media", "migrations", "site")


def _has_manifest_shape(manifest: Any) -> bool:
    """An object with the parts restore reads, and each member's size and
    checksum of the right kind (a hand-made manifest with a valid checksum
    is a clear refusal, not a traceback)."""
    if not isinstance(manifest, dict):
        return False
    if not all(isinstance(manifest.get(part), dict) for part in MANIFEST_OBJECTS):
        return False
    return all(
        isinstance(entry, dict)
        and isinstance(entry.get("size"), int)
        and isinstance(entry.get("sha256"), str)
        for entry in manifest["members"].values()
    )


def _read_small(tar: tarfile.TarFile, info: tarfile.TarInfo) -> bytes:
    if info.size > 64 << 20:
        raise ArchiveError(f"{info.name} is too large ({info.size:,} bytes).")
    source = tar.extractfile(info)
    if source is None:
        raise ArchiveError(f"{info.name} is not a file.")
    data = source.read()
    if len(data) != info.size:
        raise ArchiveError(f"{info.name} is truncated.")
    return data


def extract_verified(path: Path, staging: Path) -> dict[str, Path]:
    """Write every member into ``staging``, checking each against the
    manifest; returns where each member was written. Raises ArchiveError,
    naming the member, for a damaged, truncated, unexpected or missing one
    (the caller removes ``staging``)."""
    stream, tar = _open_tar(path)
    with stream, tar:
        try:
            manifest = _manifest_from(tar, path)
        except _DAMAGED as error:
            raise ArchiveError(
                f"{path}: damaged or truncated at its start ({error})."
            ) from None
        expected: dict[str, dict[str, Any]] = manifest.get("members", {})
        written: dict[str, Path] = {}
        last = MANIFEST_SUM
        while (info := _next_member(tar, path, after=last)) is not None:
            name = info.name
            if name in written:
                raise ArchiveError(f"{path}: {name} appears twice.")
            if name not in expected:
                raise ArchiveError(f"{path}: {name} is not in the manifest.")
            if not info.isfile() or not (
                name in FIXED_MEMBERS or is_safe_media_name(name)
            ):
                raise ArchiveError(f"{path}: {name} is not a file Dateline writes.")
            target = staging / name
            if not target.resolve().is_relative_to(staging.resolve()):
                # Never reached past the check above; kept because a slip
                # there would write wherever the name points.
                raise ArchiveError(f"{path}: {name} is not a file Dateline writes.")
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy_checked(tar, info, target, expected[name], path)
            written[name] = target
            last = name
        missing = sorted(set(expected) - set(written))
        if missing:
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            raise ArchiveError(
                f"{path}: {missing[0]}{more} missing: the archive is incomplete."
            )
    return written


def _next_member(
    tar: tarfile.TarFile, path: Path, *, after: str
) -> tarfile.TarInfo | None:
    try:
        return tar.next()
    except _DAMAGED as error:
        raise ArchiveError(
            f"{path}: damaged or truncated after {after} ({error})."
        ) from None


def _copy_checked(
    tar: tarfile.TarFile,
    info: tarfile.TarInfo,
    target: Path,
    expected: dict[str, Any],
    path: Path,
) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        source = tar.extractfile(info)
        assert source is not None  # a regular file, checked above  # noqa: S101
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
    except _DAMAGED as error:
        if isinstance(error, OSError) and not _is_archive_error(error):
            raise
        raise ArchiveError(
            f"{path}: {info.name} is damaged or truncated ({error})."
        ) from None
    if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
        raise ArchiveError(
            f"{path}: {info.name} does not match its checksum in the manifest: "
            "the archive is damaged."
        )


def _is_archive_error(error: OSError) -> bool:
    """tarfile and gzip report damage as OSError subclasses or messages;
    a full disk or a permission problem is not the archive's fault."""
    return error.errno is None
