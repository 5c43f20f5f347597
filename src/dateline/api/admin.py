"""Partner keys in the newsroom: made here, shown once, revoked by unticking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from dateline.api.models import ApiKey
from dateline.audit.admin import AuditedAdmin

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    list_display = ("name", "prefix", "requests_per_minute", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "prefix")
    fields = ("name", "requests_per_minute", "is_active", "prefix", "created_at")
    readonly_fields = ("prefix", "created_at")

    def audit_summary(
        self, request: HttpRequest, obj: Any, act: str, message: str
    ) -> str:
        if act == "change" and not obj.is_active:
            return f"{message} {_('The key is revoked.')}"
        return message

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: ModelForm[Any], change: bool
    ) -> None:
        key = None if change else obj.new_key()
        super().save_model(request, obj, form, change)
        if key is not None:
            messages.warning(
                request,
                f"The API key for {obj.name} is {key} — copy it now: it is stored "
                "only as a hash and cannot be shown again.",
            )
