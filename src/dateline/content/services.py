"""Editorial acts: every write to an article goes through one of these.

Each service is atomic, refuses a stale edit (optimistic locking on
``Article.revision``), records who did it and why in the article's history,
and keeps the denormalized feed columns in step.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dateline.content import access
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    Gallery,
    GalleryPhoto,
    Infographic,
    Person,
    Photo,
    Topic,
    Visual,
    VisualStatus,
)
from dateline.content.pictures import (
    RenditionRun as RenditionRun,
)
from dateline.content.pictures import (
    create_photo as create_photo,
)
from dateline.content.pictures import (
    delete_picture as delete_picture,
)
from dateline.content.pictures import (
    generate_missing_renditions as generate_missing_renditions,
)
from dateline.content.pictures import (
    make_renditions as make_renditions,
)
from dateline.content.pictures import (
    pictures_with_renditions as pictures_with_renditions,
)
from dateline.content.pictures import (
    save_photo as save_photo,
)
from dateline.content.pictures import (
    save_picture,
)
from dateline.content.signals import article_changed

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from django.contrib.auth.models import User

    from dateline.content.renditions import EncodedRendition

logger = logging.getLogger(__name__)

# Fields whose change, on a live item, is an update the reader is told about.
TEXT_FIELDS = ("headline", "lead", "body", "dateline_place")


class StaleArticleError(Exception):
    """Someone saved the article after this edit started."""

    def __init__(self, article: Article, *, expected: int, current: int) -> None:
        super().__init__(
            f"Article {article.pk} is at revision {current}, the edit began at {expected}."
        )
        self.article = article
        self.expected = expected
        self.current = current


class WorkflowError(Exception):
    """The act does not apply to the article in its present state."""


def _commit(
    article: Article,
    *,
    actor: User | None,
    expected_revision: int | None,
    reason: str,
    now: datetime,
    force_update: bool = False,
) -> Article:
    if article._state.adding:
        if article.created_by_id is None and actor is not None:
            article.created_by = actor
        article.revision = 1
    else:
        previous = Article.objects.select_for_update().get(pk=article.pk)
        if expected_revision is not None and previous.revision != expected_revision:
            raise StaleArticleError(
                article, expected=expected_revision, current=previous.revision
            )
        article.revision = previous.revision + 1
        if previous.is_public(now=now):
            article.version = previous.version + 1
            text_changed = any(
                getattr(previous, field) != getattr(article, field)
                for field in TEXT_FIELDS
            )
            if text_changed or force_update:
                article.updated_at = now
    article._history_user = actor  # type: ignore[attr-defined]
    article._change_reason = reason  # type: ignore[attr-defined]
    article.save()
    _sync_link_times(article)
    article_changed.send(sender=Article, article=article)
    return article


def _sync_link_times(article: Article) -> None:
    ArticleTopic.objects.filter(article=article).update(
        published_at=article.published_at
    )
    ArticlePerson.objects.filter(article=article).update(
        published_at=article.published_at
    )


def save_article(
    *,
    article: Article,
    actor: User | None,
    expected_revision: int | None = None,
    correction_note: str = "",
) -> Article:
    """Create or change an article without changing its workflow state.

    A correction note on a live item records a public correction and marks the
    item updated.
    """
    if (
        actor is not None
        and article.pk is not None
        and not access.can_edit(actor, article)
    ):
        raise PermissionDenied("You may not edit this article.")
    correction_note = correction_note.strip()
    now = timezone.now()
    with transaction.atomic():
        if correction_note:
            if actor is not None and not access.can_publish(actor):
                raise PermissionDenied("Only editors publish corrections.")
            if (
                article.pk is None
                or not Article.objects.public(now=now).filter(pk=article.pk).exists()
            ):
                raise WorkflowError("Only a published item can be corrected.")
        reason = (
            "corrected"
            if correction_note
            else ("created" if article.pk is None else "edited")
        )
        _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason=reason,
            now=now,
            force_update=bool(correction_note),
        )
        if correction_note:
            Correction.objects.create(
                article=article, note=correction_note, created_at=now, created_by=actor
            )
    return article


def set_article_tags(
    *,
    article: Article,
    topics: Iterable[Topic],
    persons: Iterable[Person],
) -> None:
    """Tag an article, carrying its publication time onto the links for feeds."""
    through = {"published_at": article.published_at}
    with transaction.atomic():
        article.topics.set(list(topics), through_defaults=through)
        article.persons.set(list(persons), through_defaults=through)
        _sync_link_times(article)
        article_changed.send(sender=Article, article=article)


def set_read_also(*, article: Article, related: Iterable[Article]) -> None:
    """Replace the "Read also" links, in the given order."""
    from dateline.content.models import RelatedArticle

    with transaction.atomic():
        article.read_also_links.all().delete()
        RelatedArticle.objects.bulk_create(
            RelatedArticle(article=article, related=other, position=position)
            for position, other in enumerate(related)
            if other.pk != article.pk
        )


def submit_article(
    *,
    article: Article,
    actor: User | None,
    expected_revision: int | None = None,
) -> Article:
    """A reporter hands a draft to the editors."""
    if article.status == Article.Status.PUBLISHED:
        raise WorkflowError("A published item cannot be submitted again.")
    if (
        actor is not None
        and article.pk is not None
        and not access.can_edit(actor, article)
    ):
        raise PermissionDenied("You may not submit this article.")
    article.status = Article.Status.SUBMITTED
    with transaction.atomic():
        return _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason="submitted",
            now=timezone.now(),
        )


def publish_article(
    *,
    article: Article,
    actor: User | None,
    at: datetime | None = None,
    expected_revision: int | None = None,
) -> Article:
    """Publish now, or schedule by giving a future time (``at`` or the row's own)."""
    if actor is not None and not access.can_publish(actor):
        raise PermissionDenied("Only editors publish.")
    if article.pubstatus == Article.PubStatus.CANCELED:
        raise WorkflowError("A withdrawn item cannot be published again.")
    now = timezone.now()
    when = at or article.published_at or now
    first_time = article.status != Article.Status.PUBLISHED
    article.status = Article.Status.PUBLISHED
    article.published_at = when
    article.version = max(article.version, 1)
    reason = "scheduled" if when > now else ("published" if first_time else "edited")
    with transaction.atomic():
        return _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason=reason,
            now=now,
        )


def withdraw_article(
    *,
    article: Article,
    actor: User | None,
    reason: str,
    expected_revision: int | None = None,
) -> Article:
    """Kill an item: it leaves every public path at once and for good."""
    if actor is not None and not access.can_withdraw(actor):
        raise PermissionDenied("Only the chief editor withdraws items.")
    if not reason.strip():
        raise WorkflowError("Say why the item is withdrawn.")
    article.pubstatus = Article.PubStatus.CANCELED
    with transaction.atomic():
        return _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason=f"withdrawn: {reason.strip()}"[:100],
            now=timezone.now(),
        )


# --- Galleries and infographics -------------------------------------------------


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
    """Replace a gallery's photos: (photo, caption in this gallery), in order."""
    with transaction.atomic():
        gallery.gallery_photos.all().delete()
        GalleryPhoto.objects.bulk_create(
            GalleryPhoto(
                gallery=gallery, photo=photo, position=position, caption=caption
            )
            for position, (photo, caption) in enumerate(photos)
        )
        fill_gallery_cover(gallery=gallery)


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
