"""Galleries and infographics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dateline.content.models import (
    Gallery,
    GalleryPhoto,
    Infographic,
    Photo,
    Visual,
    VisualStatus,
)
from dateline.content.pictures import save_picture
from dateline.core.signals import rows_changed_in_bulk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.contrib.auth.models import User

    from dateline.content.renditions import EncodedRendition


def save_visual(*, item: Visual, actor: User | None = None) -> Visual:
    """Save a gallery or an infographic; published without a time means now."""
    if item.status == VisualStatus.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    with transaction.atomic():
        item.save()
    return item


def set_gallery_photos(
    *, gallery: Gallery, photos: Sequence[tuple[Photo, str]]
) -> None:
    """Replace a gallery's photos: (photo, caption in this gallery), in order.
    The rows are written in bulk, which ``post_save`` does not see: pages that
    show the gallery (each photo's page among them) learn of it by
    ``rows_changed_in_bulk``."""
    with transaction.atomic():
        gallery.gallery_photos.all().delete()
        GalleryPhoto.objects.bulk_create(
            GalleryPhoto(
                gallery=gallery, photo=photo, position=position, caption=caption
            )
            for position, (photo, caption) in enumerate(photos)
        )
        fill_gallery_cover(gallery=gallery)
        rows_changed_in_bulk.send(sender=GalleryPhoto)


def fill_gallery_cover(*, gallery: Gallery) -> None:
    """The cover is one of the gallery's photos: the editor's pick, or the first."""
    ids = list(
        gallery.gallery_photos.order_by("position", "id").values_list(
            "photo_id", flat=True
        )
    )
    if gallery.cover_id in ids:
        return
    gallery.cover_id = ids[0] if ids else None
    Gallery.objects.filter(pk=gallery.pk).update(cover_id=gallery.cover_id)


def save_infographic(
    *,
    infographic: Infographic,
    actor: User | None = None,
    encoded: Sequence[EncodedRendition] | None = None,
) -> Infographic:
    """Add or change an infographic; a new picture gets its renditions at once.
    Its data table is checked first (the model's rule)."""
    from dateline.content.datatable import validate_data_table

    validate_data_table(infographic.data_table)
    if (
        infographic.status == VisualStatus.PUBLISHED
        and infographic.published_at is None
    ):
        infographic.published_at = timezone.now()
    save_picture(picture=infographic, encoded=encoded)
    return infographic
