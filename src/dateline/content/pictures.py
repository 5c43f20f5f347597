"""Pictures (photos, infographics): stored safely, and their renditions made.

A new picture is made safe in the request that uploads it
(``core.images.clean_image``: decoded under a pixel cap, at most
``core.images.MAX_SIDE`` on its long side, written again from its pixels in its
own format) and stored under a name the server makes
(``core.uploads.SafeImageField``). A small picture gets its renditions in the
same request; a bigger one gets them from the worker
(``content.tasks.make_renditions_task``, enqueued once the save is committed),
and until then pages show the stored copy itself, which is safe and no larger
than ``MAX_SIDE``. The services re-exported by ``content.services`` are the
ones callers use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction

from dateline.content import renditions
from dateline.content.models import Infographic, Photo
from dateline.core import images

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.contrib.auth.models import User
    from django.core.files.storage import Storage

    from dateline.content.renditions import EncodedRendition, HasRenditions

logger = logging.getLogger(__name__)

# A picture of at most this many pixels (as stored) gets its renditions in
# the request that saves it: 2,000 by 1,500 costs a few tens of MB and under a
# second. Bigger ones get them from the worker.
RENDITIONS_IN_REQUEST_PIXELS = 3_000_000


def clean_upload(image: Any) -> images.CleanImage | None:
    """The picture just assigned to an image field, made safe; None when the
    field still holds its stored file. Refuses an oversized file unread, and
    anything that is not an acceptable picture (ImageRejectedError)."""
    if not image or image._committed:
        return None
    content = image.file
    if isinstance(content, images.CleanImage):  # cleaned by the upload form
        return content
    renditions.check_size(image.size)
    content.seek(0)
    data: bytes = content.read()
    content.seek(0)
    return clean_picture(data)


def clean_picture(data: bytes) -> images.CleanImage:
    """A picture's bytes made safe, or ImageRejectedError saying why."""
    renditions.check_size(len(data))
    return images.clean_image(data, max_pixels=renditions.MAX_PIXELS)


def save_picture(
    *,
    picture: HasRenditions,
    encoded: Sequence[EncodedRendition] | None = None,
) -> None:
    """Save a row with a picture (a photo, an infographic); with a new picture,
    make it safe and store it first, with its renditions when it is small (or
    ``encoded`` is given) and otherwise asking the worker for them.

    A picture that is not acceptable raises ImageRejectedError before anything
    is written; if storing fails half-way, the files written are removed and no
    row is saved. The files a replaced picture leaves behind are removed once
    the change is committed.
    """
    clean = clean_upload(picture.image)
    if clean is None:
        with transaction.atomic():
            picture.save()
        return
    if encoded is None and clean.width * clean.height <= RENDITIONS_IN_REQUEST_PIXELS:
        encoded = renditions.encode_renditions(clean.read())
        clean.seek(0)
    model: Any = type(picture)
    old = None
    if picture.pk is not None:
        old = model._default_manager.filter(pk=picture.pk).first()
    storage = picture.image.storage
    written: list[str] = []
    try:
        with transaction.atomic():
            picture.image.save(clean.name or "picture", clean, save=False)
            stored = picture.image.name or ""
            written.append(stored)
            picture.renditions = (
                _store_renditions(storage, stored, encoded, written) if encoded else []
            )
            picture.save()
            if not encoded:
                label = model._meta.label_lower
                transaction.on_commit(
                    lambda: _enqueue_renditions(label, picture.pk, stored)
                )
    except BaseException:
        _delete_files(storage, written)
        raise
    if old is not None:
        leftovers = [old.image.name, *(e["name"] for e in old.renditions)]
        transaction.on_commit(lambda: _delete_files(storage, leftovers))


def _enqueue_renditions(label: str, pk: Any, image_name: str) -> None:
    from dateline.content.tasks import make_renditions_task

    try:
        make_renditions_task.enqueue(label, pk, image_name)
    except Exception:  # the picture is saved; `dateline renditions` catches up
        logger.exception(
            "Renditions of %s %s could not be queued; run `dateline renditions`.",
            label,
            pk,
        )


def save_photo(
    *,
    photo: Photo,
    actor: User | None = None,
    encoded: Sequence[EncodedRendition] | None = None,
) -> Photo:
    """Add or change a photo; a new picture is made safe and gets renditions."""
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
    acceptable picture raises ImageRejectedError and nothing is written. The
    name is only the sender's; the file is stored under one the server makes.
    """
    photo = Photo(
        image=clean_picture(data),
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


def has_current_renditions(picture: HasRenditions) -> bool:
    """Whether the picture's renditions were made from its present file."""
    prefix = renditions.rendition_prefix(picture.image.name or "")
    return bool(picture.renditions) and all(
        e["name"].startswith(prefix) for e in picture.renditions
    )


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
