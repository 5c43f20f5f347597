"""Adverts in the newsroom (/newsroom/): placements' settings and the adverts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dateline.adverts import services
from dateline.adverts.forms import AdvertForm
from dateline.adverts.models import Advert, Placement
from dateline.audit.admin import AuditedAdmin

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Placement)
class PlacementAdmin(AuditedAdmin):
    """The placements exist because the templates have them: no adding or
    removing here, only their settings."""

    list_display = ["__str__", "where", "after_paragraph"]
    fields = ["key", "where", "after_paragraph"]
    readonly_fields = ["key", "where"]

    @admin.display(description=_("where it shows"))
    def where(self, placement: Placement) -> str:
        return placement.where

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Advert)
class AdvertAdmin(AuditedAdmin):
    form = AdvertForm
    list_display = [
        "name", "placement", "kind", "state", "priority", "starts_at", "ends_at",
        "thumbnail",
    ]  # fmt: skip
    list_filter = ["placement", "kind", "is_active"]
    list_select_related = ["placement"]
    search_fields = ["name", "target_url", "alt_text"]
    readonly_fields = ["thumbnail", "width", "height"]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "placement", "kind"],
                "description": _(
                    "Shown with the label “Advertisement”. When several adverts "
                    "are live in one placement, the highest priority shows (then "
                    "the one that started last), the same for every reader."
                ),
            },
        ),
        (_("When"), {"fields": ["starts_at", "ends_at", "is_active", "priority"]}),
        (
            _("Image with a link"),
            {
                "fields": [
                    "image",
                    "thumbnail",
                    "width",
                    "height",
                    "alt_text",
                    "target_url",
                ]
            },
        ),
        (_("HTML snippet"), {"fields": ["html"]}),
    ]

    @admin.display(description=_("state"))
    def state(self, advert: Advert) -> str:
        now = timezone.now()
        if not advert.is_active:
            return str(_("Switched off"))
        if advert.starts_at > now:
            return str(_("Scheduled"))
        if advert.ends_at is not None and advert.ends_at <= now:
            return str(_("Ended"))
        return str(_("Running"))

    @admin.display(description=_("preview"))
    def thumbnail(self, advert: Advert) -> str:
        if advert.kind != Advert.Kind.IMAGE or not advert.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="160">', advert.image.url, advert.alt_text
        )

    def save_model(
        self, request: HttpRequest, obj: Advert, form: ModelForm[Any], change: bool
    ) -> None:
        services.save_advert(advert=obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Advert) -> None:
        services.delete_advert(advert=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Advert]) -> None:
        for advert in queryset:
            services.delete_advert(advert=advert, actor=request.user)
