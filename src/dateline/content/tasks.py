"""Background jobs for pictures: a thin adapter over content.pictures."""

from __future__ import annotations

import logging

from django.apps import apps
from django_tasks import task

from dateline.content import pictures

logger = logging.getLogger(__name__)


@task()
def make_renditions_task(model: str, pk: int, image_name: str) -> str:
    """Make the renditions of a picture saved without them (a big upload).

    Idempotent: a picture deleted since, replaced since (its new file has a
    job of its own) or already given renditions of this file is left alone.
    A picture that cannot be used is logged and the failure re-raised, so the
    job's result records it.
    """
    labels = {m._meta.label_lower for m in pictures.pictures_with_renditions()}
    if model not in labels:
        raise ValueError(f"{model!r} is not a model with renditions.")
    picture = apps.get_model(model)._default_manager.filter(pk=pk).first()
    if picture is None or picture.image.name != image_name:
        return "gone"
    if pictures.has_current_renditions(picture):
        return "done already"
    try:
        pictures.make_renditions(picture=picture)
    except Exception:
        logger.exception("Renditions of %s %s (%s) failed.", model, pk, image_name)
        raise
    return "made"
