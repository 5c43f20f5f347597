"""Uploads stored under names the server makes, never the sender's.

Every file field of the project is a ``SafeImageField``: whatever name a file
arrives with, it is stored as ``<folder>/<year>/<month>/<32 hex digits>.<ext>``,
the extension that of the format Pillow detects in its bytes (a file in no
accepted format is refused before anything is written). The media type a file
is served with follows from its extension (``core.media``), so it follows from
what the file is, not from what its sender called it. The bytes themselves are
made safe by ``core.images.clean_image``, which the services call before
saving.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from dateline.core import images

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.core.files.storage import Storage

logger = logging.getLogger(__name__)

UPLOAD_FORMATS = images.UPLOAD_FORMATS
_SAFE_NAME = re.compile(
    r"(?P<folder>[a-z]+)/\d{4}/\d{2}/[0-9a-f]{32}\.(?P<ext>jpg|png|webp|gif|avif)"
)


@deconstructible
class UploadTo:
    """``upload_to`` for a folder: a new random name each time, with the
    extension of the name it is given (which ``SafeImageFieldFile`` makes
    from the detected format)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadTo) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)

    def __call__(self, instance: Any, filename: str) -> str:
        return safe_name(self.folder, PurePosixPath(filename).suffix.lstrip("."))


def safe_name(folder: str, extension: str) -> str:
    """E.g. ``photos/2026/12/3f…9a.jpg``; an extension not of a picture
    format becomes ``bin`` (never reached through the field)."""
    extension = extension.lower()
    if extension not in {ext for _, ext in UPLOAD_FORMATS.values()}:
        extension = "bin"
    month = timezone.now().strftime("%Y/%m")
    return f"{folder}/{month}/{secrets.token_hex(16)}.{extension}"


def is_safe_name(name: str, *, folder: str, image_format: str | None = None) -> bool:
    """Whether a stored name is one the server made for this folder (and, given
    the detected format, whether its extension is that format's)."""
    match = _SAFE_NAME.fullmatch(name or "")
    if match is None or match["folder"] != folder:
        return False
    return image_format is None or UPLOAD_FORMATS[image_format][1] == match["ext"]


class SafeImageFieldFile(ImageFieldFile):
    def save(self, name: str, content: Any, save: bool = True) -> None:
        """Store under a server-made name with the detected format's extension;
        ImageRejectedError (nothing written) for a file in no accepted format."""
        content.seek(0)
        try:
            image_format = images.detect_format(content, formats=UPLOAD_FORMATS)
        finally:
            content.seek(0)
        super().save(f"upload.{UPLOAD_FORMATS[image_format][1]}", content, save)


class SafeImageField(models.ImageField):
    """An ImageField whose files get server-made names (see the module)."""

    attr_class = SafeImageFieldFile


# --- Moving stored files to safe names ----------------------------------------


@dataclass
class SecureRun:
    """What ``secure_stored_files`` did: counts, and the rows it could not move."""

    moved: int = 0
    safe: int = 0
    failed: list[str] = field(default_factory=list)


def secure_stored_files(
    model: Any,
    *,
    folder: str,
    max_pixels: int,
    formats: Mapping[str, tuple[str, str]] = UPLOAD_FORMATS,
    batch_size: int = 100,
) -> SecureRun:
    """Give every stored file of ``model.image`` a name the server made.

    For the data migrations (``model`` may be a historical model) and any
    later repair. A file already under a server-made name whose extension is
    its detected format is left alone, so a second run changes nothing. Any
    other is written again from its pixels (``clean_image``), stored under a
    new name, and its renditions (a ``renditions`` list of ``{"name": …}``
    entries, if the model has one) copied beside it; the row is updated and
    the old files are deleted once the batch is committed. A missing or
    unusable file is logged and its row left as it was.
    """
    run = SecureRun()
    has_renditions = any(f.name == "renditions" for f in model._meta.get_fields())
    manager = model._base_manager
    last = None
    while True:
        rows = manager.order_by("pk").exclude(image="")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:batch_size])
        if not batch:
            return run
        last = batch[-1].pk
        with transaction.atomic():
            for row in batch:
                _secure_row(row, folder, max_pixels, formats, has_renditions, run)


def _secure_row(
    row: Any,
    folder: str,
    max_pixels: int,
    formats: Mapping[str, tuple[str, str]],
    has_renditions: bool,
    run: SecureRun,
) -> None:
    storage = row.image.storage
    name = row.image.name
    label = f"{row._meta.label} {row.pk} ({name})"
    try:
        with storage.open(name, "rb") as handle:
            data = handle.read()
        image_format = images.detect_format(data, formats=formats)
        if is_safe_name(name, folder=folder, image_format=image_format):
            run.safe += 1
            return
        clean = images.clean_image(data, formats=formats, max_pixels=max_pixels)
    except (OSError, SuspiciousFileOperation, images.ImageRejectedError) as error:
        logger.error("Uploads: %s was left as it was: %s", label, error)
        run.failed.append(f"{label}: {error}")
        return
    written = [storage.save(safe_name(folder, clean.extension), clean)]
    try:
        changes: dict[str, Any] = {
            "image": written[0],
            "width": clean.width,
            "height": clean.height,
        }
        old_names = [name]
        if has_renditions:
            prefix = f"renditions/{PurePosixPath(written[0]).with_suffix('')}/"
            entries = []
            for entry in row.renditions:
                try:
                    with storage.open(entry["name"], "rb") as handle:
                        copied = ContentFile(handle.read())
                except OSError:  # `dateline renditions` makes it again
                    logger.warning("Uploads: %s is missing.", entry["name"])
                    continue
                new = storage.save(prefix + PurePosixPath(entry["name"]).name, copied)
                written.append(new)
                old_names.append(entry["name"])
                entries.append({**entry, "name": new})
            changes["renditions"] = entries
        type(row)._base_manager.filter(pk=row.pk).update(**changes)
    except (OSError, SuspiciousFileOperation) as error:
        for new in written:
            storage.delete(new)
        logger.error("Uploads: %s was left as it was: %s", label, error)
        run.failed.append(f"{label}: {error}")
        return
    run.moved += 1
    logger.info("Uploads: %s moved to %s.", label, written[0])
    transaction.on_commit(lambda: _delete_quietly(storage, old_names))


def _delete_quietly(storage: Storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except (OSError, SuspiciousFileOperation):
            logger.warning("Uploads: could not delete %s.", name, exc_info=True)
