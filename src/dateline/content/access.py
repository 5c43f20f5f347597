"""Who may do what to an article: one place, used by the newsroom and the site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from dateline.content.models import Article

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as StaffUser

    User = StaffUser | AnonymousUser


def can_publish(user: User) -> bool:
    """Editors and chiefs publish, schedule, correct and edit every item."""
    return bool(user.is_active and user.has_perm("content.publish_article"))


def can_withdraw(user: User) -> bool:
    return bool(user.is_active and user.has_perm("content.withdraw_article"))


def can_edit(user: User, article: Article) -> bool:
    """Editors edit everything; a reporter edits only their own drafts."""
    if not (user.is_active and user.has_perm("content.change_article")):
        return False
    if can_publish(user):
        return True
    return article.created_by_id == user.pk and article.status == Article.Status.DRAFT


def can_preview(user: User, article: Article) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    if can_publish(user) or user.has_perm("content.preview_article"):
        return True
    return bool(article.created_by_id == user.pk)


def get_article_for_user(user: User, pk: int) -> Article:
    """The article for a staff preview, or 404 — the same answer for "missing"
    and "not yours", so that ids of other people's drafts do not leak."""
    try:
        article = Article.objects.select_related("section", "lead_photo").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None
    if not can_preview(user, article):
        raise Http404
    return article
