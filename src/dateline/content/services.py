"""Editorial acts: every write to an article goes through one of these.

Each service is atomic, refuses a stale edit (optimistic locking on
``Article.revision``), records who did it and why in the article's history,
and keeps the denormalized feed columns in step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dateline.audit.services import Act, Origin, record_act
from dateline.content import access, renditions
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
from dateline.content.signals import article_changed

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from django.contrib.auth.models import User
    from django.core.files.storage import Storage

    from dateline.content.renditions import EncodedRendition, HasRenditions

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
    origin: Origin | None = None,
) -> Article:
    """Create or change an article without changing its workflow state.

    A correction note on a live item records a public correction and marks the
    item updated.

    A person (``actor``) may save only what they may edit as it is stored, and
    their save keeps the stored state (status, pubstatus and, unless they
    publish, the publication time), whatever the row in hand says: a form
    built from an old revision (the history's "revert") cannot unpublish,
    republish or reschedule an item. Publishing, submitting and withdrawing
    are their own acts.
    """
    correction_note = correction_note.strip()
    now = timezone.now()
    with transaction.atomic():
        if actor is not None and not article._state.adding:
            stored = Article.objects.select_for_update().filter(pk=article.pk).first()
            if stored is None or not access.can_edit(actor, stored):
                raise PermissionDenied("You may not edit this article.")
            _keep_workflow_state(article, stored, actor=actor)
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
            _record(
                Act.CORRECT,
                article,
                actor,
                origin,
                _("Corrected “%(headline)s”: %(note)s")
                % {"headline": article.headline, "note": correction_note},
            )
    return article


def _record(
    act: str, article: Article, actor: User | None, origin: Origin | None, summary: str
) -> None:
    """An editorial act by a person goes into the audit log, in its transaction
    (acts of the system itself, actor None, are in the article's history)."""
    if actor is not None:
        record_act(act=act, actor=actor, target=article, summary=summary, origin=origin)


def _keep_workflow_state(article: Article, stored: Article, *, actor: User) -> None:
    article.status = stored.status
    article.pubstatus = stored.pubstatus
    if not access.can_publish(actor) or (
        stored.status == Article.Status.PUBLISHED and article.published_at is None
    ):
        article.published_at = stored.published_at


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
    origin: Origin | None = None,
) -> Article:
    """A reporter hands a draft to the editors (checked on the stored row)."""
    with transaction.atomic():
        stored = article
        if not article._state.adding:
            found = Article.objects.select_for_update().filter(pk=article.pk).first()
            if found is None:
                raise PermissionDenied("You may not submit this article.")
            stored = found
        if stored.status == Article.Status.PUBLISHED:
            raise WorkflowError("A published item cannot be submitted again.")
        if actor is not None and not article._state.adding:
            if not access.can_edit(actor, stored):
                raise PermissionDenied("You may not submit this article.")
            article.pubstatus = stored.pubstatus
        article.status = Article.Status.SUBMITTED
        _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason="submitted",
            now=timezone.now(),
        )
        _record(
            Act.SUBMIT,
            article,
            actor,
            origin,
            _("Submitted “%(headline)s” to the editors.")
            % {"headline": article.headline},
        )
        return article


def publish_article(
    *,
    article: Article,
    actor: User | None,
    at: datetime | None = None,
    expected_revision: int | None = None,
    origin: Origin | None = None,
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
        _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason=reason,
            now=now,
        )
        if reason == "scheduled":
            local = timezone.localtime(when)
            _record(
                Act.SCHEDULE,
                article,
                actor,
                origin,
                _("Scheduled “%(headline)s” for %(time)s.")
                % {"headline": article.headline, "time": f"{local:%Y-%m-%d %H:%M %Z}"},
            )
        elif reason == "published":
            _record(
                Act.PUBLISH,
                article,
                actor,
                origin,
                _("Published “%(headline)s”.") % {"headline": article.headline},
            )
        return article


def withdraw_article(
    *,
    article: Article,
    actor: User | None,
    reason: str,
    expected_revision: int | None = None,
    origin: Origin | None = None,
) -> Article:
    """Kill an item: it leaves every public path at once and for good."""
    if actor is not None and not access.can_withdraw(actor):
        raise PermissionDenied("Only the chief editor withdraws items.")
    if not reason.strip():
        raise WorkflowError("Say why the item is withdrawn.")
    article.pubstatus = Article.PubStatus.CANCELED
    with transaction.atomic():
        _commit(
            article,
            actor=actor,
            expected_revision=expected_revision,
            reason=f"withdrawn: {reason.strip()}"[:100],
            now=timezone.now(),
        )
        _record(
            Act.WITHDRAW,
            article,
            actor,
            origin,
            _("Withdrew “%(headline)s”: %(reason)s")
            % {"headline": article.headline, "reason": reason.strip()},
        )
        return article


# --- Pictures and their renditions ---------------------------------------------


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
