"""Writes: the newsroom saves and removes adverts through these."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from dateline.adverts.images import clean_advert_image
from dateline.core.images import CleanImage

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from dateline.adverts.models import Advert

logger = logging.getLogger(__name__)


def save_advert(
    *, advert: Advert, actor: AbstractBaseUser | AnonymousUser | None
) -> Advert:
    """Validate (image checks, http(s) link, schedule), sanitize and save.

    Raises ValidationError and writes nothing when the advert is not valid. A
    new image is stored as written again from its pixels, under a name the
    server makes.
    """
    if advert.image and not advert.image._committed:
        content = advert.image.file
        if not isinstance(content, CleanImage):
            try:
                advert.image = clean_advert_image(content)
            except ValidationError as error:
                raise ValidationError({"image": error.error_list}) from None
    with transaction.atomic():
        advert.full_clean()
        created = advert.pk is None
        advert.save()
    logger.info(
        "Advert %r (%s) %s by %s.",
        advert.name,
        advert.pk,
        "created" if created else "changed",
        getattr(actor, "username", None) or "the system",
    )
    return advert


def delete_advert(
    *, advert: Advert, actor: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Remove the advert and its image file (once the removal is committed)."""
    name, pk, image = advert.name, advert.pk, advert.image
    with transaction.atomic():
        advert.delete()
        if image:
            storage, path = image.storage, image.name
            transaction.on_commit(lambda: storage.delete(path))
    logger.info(
        "Advert %r (%s) deleted by %s.",
        name,
        pk,
        getattr(actor, "username", None) or "the system",
    )
