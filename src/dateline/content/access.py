"""Who may do what to an article: one place, used by the newsroom and the site.

Seeing an item in the newsroom: editors and chiefs see every item; a reporter
sees their own items in any state and everyone's public items, never another
reporter's draft, submitted, scheduled or withdrawn one. ``visible_articles``
is that rule as a queryset (the admin's lists, searches, counts, history and
autocomplete start from it) and ``can_view`` the same rule for a loaded row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from dateline.content.models import Article

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as StaffUser
    from django.db.models import QuerySet

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


def sees_every_item(user: User) -> bool:
    """Editors and chiefs (and whoever may preview any item) see every state."""
    return can_publish(user) or bool(
        user.is_active and user.has_perm("content.preview_article")
    )


def _is_newsroom_reader(user: User) -> bool:
    return bool(
        user.is_active
        and user.is_staff
        and (user.has_perm("content.view_article") or sees_every_item(user))
    )


def visible_articles(
    user: User, queryset: QuerySet[Article] | None = None
) -> QuerySet[Article]:
    """The items this person may see in the newsroom (see the module's rule)."""
    rows = Article.objects.all() if queryset is None else queryset
    if not _is_newsroom_reader(user):
        return rows.none()
    if sees_every_item(user):
        return rows
    public = Article.objects.public().values("pk")
    return rows.filter(Q(created_by_id=user.pk) | Q(pk__in=public))


def can_view(user: User, article: Article) -> bool:
    """``visible_articles`` for one loaded row."""
    if not _is_newsroom_reader(user):
        return False
    if sees_every_item(user) or article.created_by_id == user.pk:
        return True
    return article.is_public()


def can_preview(user: User, article: Article) -> bool:
    return can_view(user, article)


def get_article_for_user(user: User, pk: int) -> Article:
    """The article for a staff preview, or 404 — the same answer for "missing"
    and "not yours", so that ids of other people's drafts do not leak."""
    try:
        article = Article.objects.select_related("section", "lead_photo").get(pk=pk)
    except Article.DoesNotExist:
        raise Http404 from None
    if not can_view(user, article):
        raise Http404
    return article
