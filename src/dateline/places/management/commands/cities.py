"""``dateline cities``: the cities readers can choose, with their local time
and the weather stored for each."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from dateline.core.timefmt import utc_offset_label
from dateline.places.models import City, is_time_zone
from dateline.places.selectors import WEATHER_FRESH_FOR
from dateline.places.weather import is_weather_on

if TYPE_CHECKING:
    from datetime import datetime


class Command(BaseCommand):
    help = "List the cities of the header's city selector."

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        cities = list(City.objects.select_related("weather"))
        if not cities:
            self.stdout.write("No cities yet: add them in the newsroom (Cities).")
            return
        for city in cities:
            if is_time_zone(city.time_zone):
                local = now.astimezone(zoneinfo.ZoneInfo(city.time_zone))
                clock = f"{local:%H:%M} {utc_offset_label(local, local.tzinfo)}"
            else:
                clock = f"unknown time zone {city.time_zone!r}"
            state = "" if city.is_active else "  (not offered)"
            self.stdout.write(
                f"{city.slug:<20} {city.name}, {city.country}: {clock}{state}"
            )
            self.stdout.write(f"{'':<20} {_weather_line(city, now)}")
        if not is_weather_on():
            self.stdout.write(
                "\nWeather is off (DATELINE_WEATHER_PROVIDER is not set)."
            )


def _weather_line(city: City, now: datetime) -> str:
    try:
        observation = city.weather
    except City.weather.RelatedObjectDoesNotExist:
        return "no weather stored"
    age = now - observation.observed_at
    hours = age.total_seconds() / 3600
    stale = " — too old to show" if age > WEATHER_FRESH_FOR else ""
    return (
        f"{observation.temperature} °C, {observation.condition}, wind "
        f"{observation.wind_speed} km/h, observed {hours:.1f} h ago "
        f"({observation.provider}){stale}"
    )
