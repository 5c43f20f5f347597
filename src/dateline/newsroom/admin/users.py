"""Newsroom accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


class NewsroomUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Chiefs manage newsroom accounts, but cannot make anyone a superuser."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return fields


admin.site.unregister(User)
admin.site.register(User, NewsroomUserAdmin)
