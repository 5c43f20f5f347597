"""Newsroom accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext as _

from dateline.audit.admin import AuditedAdmin

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


class NewsroomUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    """Chiefs manage newsroom accounts, but cannot make anyone a superuser."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def audit_summary(
        self, request: HttpRequest, obj: Any, act: str, message: str
    ) -> str:
        if act == "delete":
            return message
        roles = ", ".join(obj.groups.order_by("name").values_list("name", flat=True))
        return _(
            "%(message)s Roles now: %(roles)s; staff: %(staff)s; active: %(active)s."
        ) % {
            "message": message,
            "roles": roles or "—",
            "staff": _("yes") if obj.is_staff else _("no"),
            "active": _("yes") if obj.is_active else _("no"),
        }

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return fields


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)


class NewsroomGroupAdmin(AuditedAdmin, GroupAdmin):
    """Roles and their permissions: every change is in the audit log."""


admin.site.unregister(Group)
admin.site.register(Group, NewsroomGroupAdmin)
