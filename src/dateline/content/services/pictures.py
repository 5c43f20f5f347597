"""Pictures (photos, infographics) and their renditions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction

from dateline.content import renditions
from dateline.content.models import (
    Infographic,
    Photo,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.contrib.auth.models import User
    from django.core.files.storage import Storage

    from dateline.content.renditions import EncodedRendition, HasRenditions


logger = logging.getLogger(__name__)


def read_new_image(image: Any) -> bytes | None:
    """The bytes of a picture just assigned to an image field, or None when the
    field still holds its stored file. Refuses an oversized file unread."""
    if not image or image._committed:
        return None
    renditions.check_size(image.size)
    handle = image.file
    handle.seek(0)
    data: bytes = handle.read()
    handle.seek(0)
    return data


def save_picture(
    *,
    picture: HasRenditions,
    encoded: Sequence[EncodedRendition] | None = None,
) -> None:
    """Save a row with a picture (a photo, an infographic); with a new picture,
    store it and make its renditions first.

    A picture that is not acceptable raises ImageRejectedError before anything
    is written; if storing fails half-way, the files written are removed and no
    row is saved. The files a replaced picture leaves behind are removed once
    the change is committed.
    """
    data = read_new_image(picture.image)
    if data is None:
        with transaction.atomic():
            picture.save()
        return
    if encoded is None:
        encoded = renditions.encode_renditions(data)
    model: Any = type(picture)
    old = None
    if picture.pk is not None:
        old = model._default_manager.filter(pk=picture.pk).first()
    storage = picture.image.storage
    written: list[str] = []
    try:
        with transaction.atomic():
            name = picture.image.name or "picture"
            picture.image.save(name, ContentFile(data, name=name), save=False)
            stored = picture.image.name or ""
            written.append(stored)
            picture.renditions = _store_renditions(storage, stored, encoded, written)
            picture.save()
    except BaseException:
        _delete_files(storage, written)
        raise
    if old is not None:
        leftovers = [old.image.name, *(e["name"] for e in old.renditions)]
        transaction.on_commit(lambda: _delete_files(storage, leftovers))


def save_photo(
    *,
    photo: Photo,
    actor: User | None = None,
    encoded: Sequence[EncodedRendition] | None = None,
) -> Photo:
    """Add or change a photo; a new picture gets its renditions made at once."""
    save_picture(picture=photo, encoded=encoded)
    return photo


def create_photo(
    *,
    data: bytes,
    name: str,
    credit: str,
    alt_text: str,
    caption: str = "",
    actor: User | None = None,
    encoded: Sequence[EncodedRendition] | None = None,
) -> Photo:
    """A new photo from a picture's bytes (the demo, imports, the wire).

    The bytes are checked before the photo is made: a file that is not an
    acceptable picture raises ImageRejectedError and nothing is written.
    """
    if encoded is None:
        encoded = renditions.encode_renditions(data)
    photo = Photo(
        image=ContentFile(data, name=name),
        caption=caption,
        credit=credit,
        alt_text=alt_text,
    )
    return save_photo(photo=photo, actor=actor, encoded=encoded)


def delete_picture(*, picture: HasRenditions) -> None:
    """Delete the row, and its files once the deletion is committed."""
    storage = picture.image.storage
    names = [picture.image.name, *(e["name"] for e in picture.renditions)]
    with transaction.atomic():
        picture.delete()
        transaction.on_commit(lambda: _delete_files(storage, names))


def make_renditions(*, picture: HasRenditions) -> None:
    """(Re)make the renditions of a stored picture; its original is unchanged.

    Raises ImageRejectedError (the stored original cannot be used) or OSError
    (it cannot be read) and then changes nothing.
    """
    storage = picture.image.storage
    stored = picture.image.name or ""
    with storage.open(stored, "rb") as handle:
        data = handle.read(renditions.MAX_BYTES + 1)
    encoded = renditions.encode_renditions(data)
    old = [e["name"] for e in picture.renditions]
    written: list[str] = []
    try:
        with transaction.atomic():
            entries = _store_renditions(storage, stored, encoded, written)
            model: Any = type(picture)
            model._default_manager.filter(pk=picture.pk).update(renditions=entries)
            picture.renditions = entries
    except BaseException:
        _delete_files(storage, written)
        raise
    stale = [name for name in old if name not in written]
    transaction.on_commit(lambda: _delete_files(storage, stale))


@dataclass
class RenditionRun:
    made: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def pictures_with_renditions() -> list[Any]:
    """The models whose rows carry a picture and its renditions."""
    return [Photo, Infographic]


def generate_missing_renditions(
    *, regenerate: bool = False, limit: int | None = None
) -> RenditionRun:
    """Make renditions for every picture that has none (archives, wire photos).

    Idempotent: a second run finds nothing to do. A picture whose original is
    missing or unusable is logged by name and left as it was; the rest go on.
    With ``regenerate``, every picture's renditions are made afresh.
    """
    run = RenditionRun()
    for model in pictures_with_renditions():
        rows = model._default_manager.order_by("pk")
        if not regenerate:
            rows = rows.filter(renditions=[])
        for picture in rows.iterator(chunk_size=100):
            if limit is not None and run.made + len(run.failed) >= limit:
                return run
            label = f"{model._meta.verbose_name} {picture.pk} ({picture.image.name})"
            try:
                make_renditions(picture=picture)
            except (renditions.ImageRejectedError, OSError) as error:
                logger.error("Renditions: %s was skipped: %s", label, error)
                run.failed.append((label, str(error)))
            else:
                run.made += 1
    return run


def _store_renditions(
    storage: Storage,
    image_name: str,
    encoded: Sequence[EncodedRendition],
    written: list[str],
) -> list[dict[str, Any]]:
    entries = []
    for rendition in encoded:
        name = storage.save(
            renditions.rendition_name(image_name, rendition),
            ContentFile(rendition.data),
        )
        written.append(name)
        entries.append(renditions.entry(rendition, name))
    return entries


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete the file %s.", name, exc_info=True)
