"""Editorial acts: every write to an article goes through one of these.

Each service is atomic, refuses a stale edit (optimistic locking on
``Article.revision``), records who did it and why in the article's history
(and, for an act by a person, in the audit log, in the same transaction),
and keeps the denormalized feed columns in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dateline.audit.services import Act, Origin, record_act
from dateline.content import access
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    Person,
    Topic,
)
from dateline.content.signals import article_changed

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from django.contrib.auth.models import User


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
    with transaction.atomic():
        # The state is the stored row's, not the one in hand: an old revision
        # (a revert) or a stale form must not bring a withdrawn item back.
        stored = (
            article
            if article.pk is None
            else Article.objects.select_for_update().get(pk=article.pk)
        )
        if stored.pubstatus == Article.PubStatus.CANCELED:
            raise WorkflowError("A withdrawn item cannot be published again.")
        now = timezone.now()
        when = at or article.published_at or now
        first_time = stored.status != Article.Status.PUBLISHED
        article.status = Article.Status.PUBLISHED
        article.pubstatus = stored.pubstatus
        article.published_at = when
        article.version = max(article.version, 1)
        reason = (
            "scheduled" if when > now else ("published" if first_time else "edited")
        )
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
