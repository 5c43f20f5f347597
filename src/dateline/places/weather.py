"""Weather providers: where the header's weather comes from.

A provider turns a city into the current ``Weather`` there, or raises
``WeatherError`` saying what was wrong (the server, the answer, a value).
Providers are called by ``services.refresh_weather`` only, never while a page
is rendered. One implementation: Open-Meteo's public JSON forecast API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from dateline.core.fetch import FetchError, fetch_url

if TYPE_CHECKING:
    from dateline.places.models import City

# An answer for one place is a few hundred bytes.
MAX_ANSWER_BYTES = 64_000
# Beyond the records ever measured on Earth (-89.2 °C, 56.7 °C; gusts of
# about 400 km/h): a value outside is a broken answer, not weather.
TEMPERATURE_RANGE = (Decimal(-95), Decimal(65))
WIND_RANGE = (Decimal(0), Decimal(450))
# An observation from further ahead than this is a broken clock.
FUTURE_TOLERANCE = timedelta(hours=1)
# The grid cell the provider answers for lies near the city asked about.
COORDINATE_TOLERANCE = Decimal(1)

# The WMO weather interpretation codes (WW) that forecast APIs report.
WMO_CONDITIONS: dict[int, str] = {
    0: "Clear sky",
    1: "Mainly clear",
    2: "Partly cloudy",
    3: "Overcast",
    45: "Fog",
    48: "Freezing fog",
    51: "Light drizzle",
    53: "Drizzle",
    55: "Heavy drizzle",
    56: "Light freezing drizzle",
    57: "Freezing drizzle",
    61: "Light rain",
    63: "Rain",
    65: "Heavy rain",
    66: "Light freezing rain",
    67: "Freezing rain",
    71: "Light snow",
    73: "Snow",
    75: "Heavy snow",
    77: "Snow grains",
    80: "Light showers",
    81: "Showers",
    82: "Violent showers",
    85: "Light snow showers",
    86: "Snow showers",
    95: "Thunderstorm",
    96: "Thunderstorm with hail",
    99: "Thunderstorm with heavy hail",
}


class WeatherError(Exception):
    """No usable weather for a city; the message says why, for a log line."""


@dataclass(frozen=True)
class Weather:
    """Current weather at a place, in °C and km/h."""

    observed_at: datetime
    temperature: Decimal
    weather_code: int
    wind_speed: Decimal

    @property
    def condition(self) -> str:
        return WMO_CONDITIONS[self.weather_code]


class WeatherProvider(Protocol):
    """Anything that reports the current weather in a city."""

    name: str

    def current(self, city: City) -> Weather:
        """The weather there now; raises ``WeatherError`` when there is none."""
        ...


class OpenMeteo:
    """Open-Meteo's forecast API (api.open-meteo.com, or a self-hosted copy)."""

    name = "open-meteo"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def url(self, city: City) -> str:
        query = urlencode(
            {
                "latitude": f"{city.latitude:.4f}",
                "longitude": f"{city.longitude:.4f}",
                "current": "temperature_2m,weather_code,wind_speed_10m",
                "temperature_unit": "celsius",
                "wind_speed_unit": "kmh",
                "timezone": "GMT",
            }
        )
        return f"{self.base_url}?{query}"

    def current(self, city: City) -> Weather:
        try:
            data = fetch_url(self.url(city), max_bytes=MAX_ANSWER_BYTES)
        except FetchError as error:
            raise WeatherError(str(error)) from None
        return parse_open_meteo(
            data,
            latitude=Decimal(city.latitude),
            longitude=Decimal(city.longitude),
        )


def parse_open_meteo(
    data: bytes,
    *,
    latitude: Decimal,
    longitude: Decimal,
    now: datetime | None = None,
) -> Weather:
    """The ``current`` block of an Open-Meteo forecast answer, checked."""
    now = now or timezone.now()
    try:
        answer = json.loads(data, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise WeatherError(f"The answer is not JSON ({error}).") from None
    if not isinstance(answer, dict):
        raise WeatherError("The answer is not a JSON object.")
    if answer.get("error"):
        reason = str(answer.get("reason", "no reason given"))[:200]
        raise WeatherError(f"The provider answered with an error: {reason}")
    for key, asked in (("latitude", latitude), ("longitude", longitude)):
        if key in answer and abs(_number(answer, key) - asked) > COORDINATE_TOLERANCE:
            raise WeatherError(
                f"The answer is for another place ({key} {answer[key]})."
            )
    current = answer.get("current")
    if not isinstance(current, dict):
        raise WeatherError("The answer has no 'current' block.")
    units = answer.get("current_units", {})
    if not isinstance(units, dict):
        raise WeatherError("The answer's 'current_units' is not an object.")
    for key, unit in (("temperature_2m", "°C"), ("wind_speed_10m", "km/h")):
        if key in units and units[key] != unit:
            raise WeatherError(f"{key} is in {str(units[key])[:20]!r}, not {unit}.")
    offset = answer.get("utc_offset_seconds", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > 86_400:
        raise WeatherError("The answer's utc_offset_seconds is not an offset.")
    observed_at = _time(current.get("time"), offset)
    if observed_at > now + FUTURE_TOLERANCE:
        raise WeatherError(f"The observation time {observed_at} is in the future.")
    temperature = _in_range(current, "temperature_2m", TEMPERATURE_RANGE)
    wind_speed = _in_range(current, "wind_speed_10m", WIND_RANGE)
    code = current.get("weather_code")
    if (
        not isinstance(code, int)
        or isinstance(code, bool)
        or code not in WMO_CONDITIONS
    ):
        raise WeatherError(
            f"weather_code {str(code)[:20]!r} is not a WMO weather code."
        )
    return Weather(
        observed_at=observed_at,
        temperature=temperature.quantize(Decimal("0.1")),
        weather_code=code,
        wind_speed=wind_speed.quantize(Decimal("0.1")),
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _number(block: dict[str, Any], key: str) -> Decimal:
    value = block.get(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise WeatherError(f"{key} is missing or not a number.")
    return Decimal(value)


def _in_range(
    block: dict[str, Any], key: str, bounds: tuple[Decimal, Decimal]
) -> Decimal:
    value = _number(block, key)
    if not bounds[0] <= value <= bounds[1]:
        raise WeatherError(f"{key} {value} is not believable.")
    return value


def _time(text: object, offset: int) -> datetime:
    if not isinstance(text, str) or len(text) > 40:
        raise WeatherError("The observation has no time.")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise WeatherError(f"The observation time {text!r} is not a time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC) - timedelta(seconds=offset)
    return moment.astimezone(UTC)


PROVIDERS = {OpenMeteo.name: OpenMeteo}


def configured_provider() -> WeatherProvider | None:
    """The provider the settings name, or None: weather is off."""
    name = settings.DATELINE_WEATHER_PROVIDER
    if not name:
        return None
    return PROVIDERS[name](settings.DATELINE_WEATHER_URL)


def is_weather_on() -> bool:
    return bool(settings.DATELINE_WEATHER_PROVIDER)
