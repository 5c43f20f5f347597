"""Newsroom accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from dateline.audit.admin import AuditedAdmin
from dateline.audit.services import Origin
from dateline.newsroom.admin._common import staff_user
from dateline.newsroom.twofactor import policy as twofactor_policy
from dateline.newsroom.twofactor import services as twofactor_services

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse


class NewsroomUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    """Chiefs manage newsroom accounts, but cannot make anyone a superuser;
    they reset the two-factor devices of someone who lost theirs."""

    actions = ["reset_two_factor"]
    list_display = [
        "username", "email", "first_name", "last_name", "is_staff", "two_factor",
    ]  # fmt: skip

    @admin.display(description=_("two-factor"), boolean=True)
    def two_factor(self, user: User) -> bool:
        """Has an authenticator app or a passkey (annotated: no query a row)."""
        return bool(getattr(user, "has_two_factor", False))

    @admin.action(
        description=_("Reset two-factor devices (they set up new ones at next use)"),
        permissions=["change"],
    )
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = staff_user(request)
        for user in queryset:
            twofactor_services.reset_two_factor(
                user=user, actor=actor, origin=Origin.of(request)
            )
        self.message_user(
            request,
            _("Two-factor devices reset for %(names)s.")
            % {"names": ", ".join(user.get_username() for user in queryset)},
            messages.WARNING,
        )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Django's view is not atomic like the add and change views: the new
        # password and its audit entry commit together or not at all.
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = twofactor_policy.with_two_factor(super().get_queryset(request))
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
