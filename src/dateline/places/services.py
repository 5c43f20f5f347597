"""Writing cities and their weather."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dateline.places.models import City, WeatherObservation
from dateline.places.weather import WeatherError, configured_provider

if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    from dateline.places.weather import Weather, WeatherProvider

logger = logging.getLogger(__name__)


@dataclass
class WeatherRefresh:
    """What one refresh did: cities updated, kept (no newer observation) and
    failed, each failure with its reason."""

    is_on: bool = True
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def add_city(
    *,
    slug: str,
    name: str,
    country: str,
    time_zone: str,
    latitude: Decimal,
    longitude: Decimal,
    position: int = 0,
    is_active: bool = True,
) -> City:
    """A new city, checked like the newsroom's form checks it."""
    city = City(
        slug=slug,
        name=name,
        country=country,
        time_zone=time_zone,
        latitude=latitude,
        longitude=longitude,
        position=position,
        is_active=is_active,
    )
    city.full_clean()
    with transaction.atomic():
        city.save()
    return city


def store_weather(
    *, city: City, weather: Weather, provider: str, now: datetime | None = None
) -> bool:
    """Keep a city's newest observation; an older one than stored is ignored.
    True when stored."""
    now = now or timezone.now()
    with transaction.atomic():
        current = (
            WeatherObservation.objects.select_for_update().filter(city=city).first()
        )
        if current is not None and current.observed_at > weather.observed_at:
            return False
        WeatherObservation.objects.update_or_create(
            city=city,
            defaults={
                "provider": provider,
                "observed_at": weather.observed_at,
                "fetched_at": now,
                "temperature": weather.temperature,
                "weather_code": weather.weather_code,
                "condition": weather.condition,
                "wind_speed": weather.wind_speed,
            },
        )
    return True


def refresh_weather(
    *, now: datetime | None = None, provider: WeatherProvider | None = None
) -> WeatherRefresh:
    """Ask the weather provider about every active city and store what it says.

    For the worker, every 30 minutes or so; idempotent. A city whose answer
    is unusable keeps its stored weather and gets a log line naming it and
    the reason; the other cities are refreshed all the same. Does nothing
    when weather is off (DATELINE_WEATHER_PROVIDER unset).
    """
    provider = provider or configured_provider()
    if provider is None:
        logger.info("Weather is off (DATELINE_WEATHER_PROVIDER is not set).")
        return WeatherRefresh(is_on=False)
    result = WeatherRefresh()
    for city in City.objects.filter(is_active=True):
        try:
            weather = provider.current(city)
        except WeatherError as error:
            logger.warning(
                "Weather for %s (%s) from %s not refreshed: %s",
                city.name,
                city.slug,
                provider.name,
                error,
            )
            result.failed.append((city.slug, str(error)))
            continue
        except Exception as error:  # a provider's bug must not stop the others
            logger.exception(
                "Weather for %s (%s) from %s failed unexpectedly.",
                city.name,
                city.slug,
                provider.name,
            )
            result.failed.append((city.slug, f"unexpected error: {error!r}"))
            continue
        if store_weather(city=city, weather=weather, provider=provider.name, now=now):
            result.updated.append(city.slug)
        else:
            result.kept.append(city.slug)
    return result
