"""Reading cities for pages: the header's city, the city list.

The header is on every page, so the active cities (with their latest weather)
are read once into the shared cache and served from there; saving a city or a
weather observation drops the cached copy (see ``signals``). In the common
case a page costs no query for its city.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from dateline.core.blockcache import cached_block, forget_block
from dateline.core.timefmt import utc_offset_label
from dateline.core.variants import note_cookie
from dateline.places.models import City, is_time_zone
from dateline.places.weather import is_weather_on

if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    from django.http import HttpRequest

logger = logging.getLogger(__name__)

# The reader's choice: a city's slug.
COOKIE_NAME = "dateline_city"
COOKIE_MAX_AGE = 365 * 24 * 3600
CACHE_KEY = "places:cities:v1"
# A safety net: changes made around the models' signals (queryset updates in
# a shell) show within this time.
CACHE_SECONDS = 15 * 60
# What an unavailable shared cache (Redis) raises through Django's cache API.
# Weather older than this is not shown: no weather beats stale weather.
WEATHER_FRESH_FOR = timedelta(hours=3)
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")


@dataclass(frozen=True)
class WeatherEntry:
    observed_at: datetime
    temperature: Decimal
    condition: str
    wind_speed: Decimal


@dataclass(frozen=True)
class CityEntry:
    """An active city as pages need it: plain data, kept in the cache."""

    slug: str
    name: str
    country: str
    time_zone: str
    weather: WeatherEntry | None


@dataclass(frozen=True)
class CityNow:
    """A city with its local time (and fresh weather, when weather is on)."""

    city: CityEntry
    local_time: datetime
    utc_offset: str
    weather: WeatherEntry | None

    @property
    def slug(self) -> str:
        return self.city.slug

    @property
    def name(self) -> str:
        return self.city.name

    @property
    def offset_seconds(self) -> int:
        offset = self.local_time.utcoffset()
        return int(offset.total_seconds()) if offset else 0

    @property
    def clock(self) -> str:
        """ "14:05": the local time, as the header shows it."""
        return f"{self.local_time:%H:%M}"

    @property
    def machine_time(self) -> str:
        """ "2026-09-06T14:05+03:00", for ``<time datetime>``."""
        return self.local_time.isoformat(timespec="minutes")


def active_cities() -> list[CityEntry]:
    """Every city offered to readers, in the newsroom's order: from the cache,
    or one query."""
    return cached_block(CACHE_KEY, _read_cities, seconds=CACHE_SECONDS, label="Cities")


def _read_cities() -> list[CityEntry]:
    cities = []
    for city in City.objects.filter(is_active=True).select_related("weather"):
        if not is_time_zone(city.time_zone):  # written around the validation
            logger.warning(
                "Cities: %s has no usable time zone (%r); not offered.",
                city.slug,
                city.time_zone,
            )
            continue
        cities.append(
            CityEntry(
                slug=city.slug,
                name=city.name,
                country=city.country,
                time_zone=city.time_zone,
                weather=_weather_entry(city),
            )
        )
    return cities


def _weather_entry(city: City) -> WeatherEntry | None:
    try:
        observation = city.weather
    except City.weather.RelatedObjectDoesNotExist:
        return None
    return WeatherEntry(
        observed_at=observation.observed_at,
        temperature=observation.temperature,
        condition=observation.condition,
        wind_speed=observation.wind_speed,
    )


def forget_cities() -> None:
    """Drop the cached cities; the next page reads them afresh."""
    forget_block(CACHE_KEY, label="Cities")


def find_city(cities: list[CityEntry], slug: object) -> CityEntry | None:
    """The active city with this slug; anything else a stranger sends is None."""
    if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
        return None
    return next((city for city in cities if city.slug == slug), None)


def default_city(cities: list[CityEntry]) -> CityEntry | None:
    """DATELINE_DEFAULT_CITY if it names an active city, else the first one."""
    return find_city(cities, settings.DATELINE_DEFAULT_CITY) or next(iter(cities), None)


def city_now(city: CityEntry, *, now: datetime | None = None) -> CityNow:
    now = now or timezone.now()
    local = now.astimezone(zoneinfo.ZoneInfo(city.time_zone))
    weather = city.weather
    if weather is not None and (
        not is_weather_on() or now - weather.observed_at > WEATHER_FRESH_FOR
    ):
        weather = None
    return CityNow(
        city=city,
        local_time=local,
        utc_offset=utc_offset_label(local, zone=local.tzinfo),
        weather=weather,
    )


def reader_city(
    chosen_slug: str | None, *, now: datetime | None = None
) -> CityNow | None:
    """The reader's city (from their cookie) or the default; None when no city
    is offered."""
    cities = active_cities()
    return _shown_city(cities, find_city(cities, chosen_slug), now=now)


def _shown_city(
    cities: list[CityEntry], chosen: CityEntry | None, *, now: datetime | None = None
) -> CityNow | None:
    """The chosen city, else the default, as it is now."""
    city = chosen or default_city(cities)
    return city_now(city, now=now) if city is not None else None


def city_for_request(request: HttpRequest) -> CityNow | None:
    """The header's city for this reader; marks the request so that the
    response varies on the cookie it was chosen by. Reads the cities once."""
    request.dateline_city_read = True  # type: ignore[attr-defined]
    raw = request.COOKIES.get(COOKIE_NAME)
    cities = active_cities()
    chosen = find_city(cities, raw)
    note_cookie(request, COOKIE_NAME, chosen.slug if chosen else None)
    return _shown_city(cities, chosen)


def city_was_read(request: HttpRequest) -> bool:
    return bool(getattr(request, "dateline_city_read", False))


def cities_now(*, now: datetime | None = None) -> list[CityNow]:
    now = now or timezone.now()
    return [city_now(city, now=now) for city in active_cities()]
