"""Open-Meteo's answers (a fixture we wrote in its documented shape), read and
checked; a loopback server stands in for the provider."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dateline.places.weather import (
    OpenMeteo,
    WeatherError,
    configured_provider,
    parse_open_meteo,
)
from tests.loopback import serve

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dateline.places.models import City
    from tests.loopback import Site

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "weather"
    / "open-meteo-current.json"
)
HELSINKI = {"latitude": Decimal("60.1699"), "longitude": Decimal("24.9384")}
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def answer(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    for key, value in changes.items():
        if key in data["current"]:
            data["current"][key] = value
        else:
            data[key] = value
    return data


def parse(data: dict[str, Any] | bytes) -> Any:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return parse_open_meteo(raw, now=NOW, **HELSINKI)


def test_the_fixture_gives_the_current_weather_in_celsius_and_kmh() -> None:
    weather = parse(FIXTURE.read_bytes())
    assert weather.observed_at == datetime(2026, 1, 15, 9, 45, tzinfo=UTC)
    assert weather.temperature == Decimal("-7.4")
    assert weather.weather_code == 71
    assert weather.condition == "Light snow"
    assert weather.wind_speed == Decimal("18.3")


def test_a_time_in_local_time_is_read_with_its_offset() -> None:
    weather = parse(answer(utc_offset_seconds=7200, time="2026-01-15T11:45"))
    assert weather.observed_at == datetime(2026, 1, 15, 9, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"<html>Bad gateway</html>", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"error": true, "reason": "Latitude must be in range"}', "Latitude must"),
        (json.dumps({"latitude": 60.2}).encode(), "no 'current' block"),
        (answer(current=[1]), "no 'current' block"),
        (answer(temperature_2m=None), "temperature_2m is missing"),
        (answer(temperature_2m="12"), "temperature_2m is missing or not a number"),
        (answer(temperature_2m=True), "temperature_2m is missing or not a number"),
        (answer(temperature_2m=612.5), "temperature_2m 612.5 is not believable"),
        (answer(temperature_2m=-140), "not believable"),
        (answer(wind_speed_10m=-3), "wind_speed_10m -3 is not believable"),
        (answer(wind_speed_10m=9000), "not believable"),
        (answer(weather_code=42), "not a WMO weather code"),
        (answer(weather_code="71"), "not a WMO weather code"),
        (answer(time="yesterday"), "is not a time"),
        (answer(time=None), "has no time"),
        (answer(time="2026-01-15T14:00"), "in the future"),
        (answer(latitude=-33.9), "another place"),
        (answer(utc_offset_seconds="GMT"), "not an offset"),
        (
            answer(current_units={"temperature_2m": "°F", "wind_speed_10m": "km/h"}),
            "not °C",
        ),
        (b'{"current": {"temperature_2m": NaN}}', "not JSON"),
        (b'{"current": {"temperature_2m": Infinity}}', "not JSON"),
        (b"[" * 100_000, "not JSON"),
    ],
)
def test_a_broken_answer_is_refused_with_a_reason(
    payload: dict[str, Any] | bytes, reason: str
) -> None:
    with pytest.raises(WeatherError, match=reason):
        parse(payload)


def test_weather_is_off_unless_a_provider_is_named(settings: Any) -> None:
    settings.DATELINE_WEATHER_PROVIDER = ""
    assert configured_provider() is None
    settings.DATELINE_WEATHER_PROVIDER = "open-meteo"
    settings.DATELINE_WEATHER_URL = "https://weather.example.net/v1/forecast"
    provider = configured_provider()
    assert isinstance(provider, OpenMeteo)
    assert provider.base_url == "https://weather.example.net/v1/forecast"


# --- over HTTP ----------------------------------------------------------------


@pytest.fixture(scope="module")
def provider() -> Iterator[Site]:
    with serve({}) as site:
        yield site


@pytest.mark.usefixtures("fetch_from_loopback")
def test_the_provider_asks_for_the_citys_coordinates_and_reads_the_answer(
    provider: Site, cities: dict[str, City], time_machine: Any
) -> None:
    time_machine.move_to(NOW, tick=False)
    provider.pages["/v1/forecast"] = (200, FIXTURE.read_bytes())
    provider.requests.clear()
    weather = OpenMeteo(f"{provider.base}/v1/forecast").current(cities["helsinki"])
    assert weather.temperature == Decimal("-7.4")
    asked = parse_qs(urlsplit(provider.requests[0]).query)
    assert asked["latitude"] == ["60.1699"]
    assert asked["longitude"] == ["24.9384"]
    assert asked["current"] == ["temperature_2m,weather_code,wind_speed_10m"]


@pytest.mark.usefixtures("fetch_from_loopback")
def test_an_http_error_from_the_provider_is_a_weather_error(
    provider: Site, cities: dict[str, City]
) -> None:
    provider.pages["/down"] = (503, b'{"error": true}')
    with pytest.raises(WeatherError, match="answered 503"):
        OpenMeteo(f"{provider.base}/down").current(cities["helsinki"])


@pytest.mark.usefixtures("fetch_from_loopback")
def test_an_oversized_answer_is_refused_not_read(
    provider: Site, cities: dict[str, City]
) -> None:
    provider.pages["/huge"] = (200, b" " * 100_000 + FIXTURE.read_bytes())
    with pytest.raises(WeatherError, match="larger than"):
        OpenMeteo(f"{provider.base}/huge").current(cities["helsinki"])


def test_a_provider_address_inside_the_network_is_refused(
    cities: dict[str, City],
) -> None:
    with pytest.raises(WeatherError, match=r"not allowed \(it points inside"):
        OpenMeteo("http://169.254.169.254/v1/forecast").current(cities["helsinki"])
