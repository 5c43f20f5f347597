"""The newsroom's cities: the choices readers get in the header."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dateline.core.timefmt import utc_offset_label
from dateline.places.models import City, is_time_zone

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


@admin.register(City)
class CityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "country",
        "time_zone",
        "local_time",
        "latest_weather",
        "position",
        "is_active",
    ]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "country"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "country", "slug"]
    readonly_fields = ["latest_weather"]
    fields = [
        "name",
        "slug",
        "country",
        "time_zone",
        "latitude",
        "longitude",
        "position",
        "is_active",
        "latest_weather",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[City]:
        return super().get_queryset(request).select_related("weather")

    @admin.display(description=_("local time"))
    def local_time(self, city: City) -> str:
        if not is_time_zone(city.time_zone):
            return "—"
        local = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(city.time_zone))
        return f"{local:%H:%M} {utc_offset_label(local, local.tzinfo)}"

    @admin.display(description=_("latest weather"))
    def latest_weather(self, city: City) -> str:
        try:
            observation = city.weather
        except City.weather.RelatedObjectDoesNotExist:
            return "—"
        observed = timezone.localtime(observation.observed_at)
        return (
            f"{observation.temperature} °C, {observation.condition}, wind "
            f"{observation.wind_speed} km/h (observed {observed:%Y-%m-%d %H:%M}, "
            f"{observation.provider})"
        )
