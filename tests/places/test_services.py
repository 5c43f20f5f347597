"""refresh_weather, as the worker runs it: every city asked, good answers
stored, a bad answer logged and that city's weather left as it was."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import CommandError, call_command

from dateline.core.fetch import FetchError
from dateline.places import weather as weather_module
from dateline.places.models import WeatherObservation
from dateline.places.services import refresh_weather
from dateline.places.weather import Weather, WeatherError

if TYPE_CHECKING:
    from dateline.places.models import City

FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "weather"
    / "open-meteo-current.json"
)
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def observed(minutes_ago: int, temperature: str = "3.5", code: int = 2) -> Weather:
    return Weather(
        observed_at=NOW - timedelta(minutes=minutes_ago),
        temperature=Decimal(temperature),
        weather_code=code,
        wind_speed=Decimal("11.0"),
    )


@dataclass
class FakeProvider:
    """Answers per city slug: a Weather, or an exception to raise."""

    answers: dict[str, Weather | Exception]
    name: str = "fake"
    asked: list[str] = field(default_factory=list)

    def current(self, city: City) -> Weather:
        self.asked.append(city.slug)
        answer = self.answers[city.slug]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def test_every_active_city_gets_its_weather_stored(cities: dict[str, City]) -> None:
    cities["tokyo"].is_active = False
    cities["tokyo"].save()
    provider = FakeProvider(
        {"helsinki": observed(15, "-7.4", 71), "new-york": observed(5, "12.0", 3)}
    )
    result = refresh_weather(provider=provider)
    assert provider.asked == ["helsinki", "new-york"]
    assert result.updated == ["helsinki", "new-york"]
    helsinki = WeatherObservation.objects.get(city=cities["helsinki"])
    assert helsinki.temperature == Decimal("-7.4")
    assert helsinki.condition == "Light snow"
    assert helsinki.provider == "fake"
    assert helsinki.fetched_at == NOW


def test_a_bad_answer_is_logged_and_leaves_that_citys_weather_while_others_refresh(
    cities: dict[str, City], caplog: pytest.LogCaptureFixture
) -> None:
    refresh_weather(
        provider=FakeProvider(
            {slug: observed(60) for slug in ("helsinki", "tokyo", "new-york")}
        )
    )
    with caplog.at_level(logging.WARNING, logger="dateline.places.services"):
        result = refresh_weather(
            provider=FakeProvider(
                {
                    "helsinki": WeatherError("temperature_2m 612.5 is not believable."),
                    "tokyo": RuntimeError("a bug in a provider"),
                    "new-york": observed(5, "12.0", 3),
                }
            )
        )
    assert result.updated == ["new-york"]
    assert [slug for slug, _ in result.failed] == ["helsinki", "tokyo"]
    assert (
        "Weather for Helsinki (helsinki) from fake not refreshed: temperature_2m 612.5"
        in caplog.text
    )
    assert "Weather for Tokyo (tokyo) from fake failed unexpectedly" in caplog.text
    kept = WeatherObservation.objects.get(city=cities["helsinki"])
    assert kept.temperature == Decimal("3.5")
    assert kept.observed_at == NOW - timedelta(minutes=60)
    assert WeatherObservation.objects.get(city=cities["new-york"]).temperature == 12


def test_an_older_observation_never_replaces_a_newer_one(
    cities: dict[str, City],
) -> None:
    refresh_weather(provider=FakeProvider({s: observed(5) for s in cities}))
    result = refresh_weather(
        provider=FakeProvider({s: observed(50, "-30.0") for s in cities})
    )
    assert result.kept == ["helsinki", "tokyo", "new-york"]
    assert not WeatherObservation.objects.filter(temperature=Decimal("-30.0")).exists()


def test_refreshing_twice_with_the_same_answer_keeps_one_row_per_city(
    cities: dict[str, City],
) -> None:
    provider = FakeProvider({s: observed(5) for s in cities})
    refresh_weather(provider=provider)
    refresh_weather(provider=provider)
    assert WeatherObservation.objects.count() == 3


def test_with_weather_off_nothing_is_asked_or_stored(
    cities: dict[str, City], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATELINE_WEATHER_PROVIDER = ""

    def no_network(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("weather is off: nothing may be fetched")

    monkeypatch.setattr(weather_module, "fetch_url", no_network)
    result = refresh_weather()
    assert not result.is_on
    assert not WeatherObservation.objects.exists()


def test_the_configured_provider_fetches_through_the_fetch_helper(
    cities: dict[str, City], weather_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, int]] = []

    def fetch(url: str, *, max_bytes: int) -> bytes:
        asked.append((url, max_bytes))
        if "latitude=35.6762" in url:
            raise FetchError(f"{url}: the server answered 502.")
        return FIXTURE.read_bytes().replace(b"60.16", b"0").replace(b"24.94", b"0")

    monkeypatch.setattr(weather_module, "fetch_url", fetch)
    monkeypatch.setattr(weather_module, "COORDINATE_TOLERANCE", Decimal(360))
    result = refresh_weather()
    assert result.updated == ["helsinki", "new-york"]
    assert result.failed[0][0] == "tokyo"
    assert "answered 502" in result.failed[0][1]
    assert all(url.startswith("http://127.0.0.1:9/v1/forecast?") for url, _ in asked)
    assert all(cap == weather_module.MAX_ANSWER_BYTES for _, cap in asked)


def test_the_command_says_what_it_refreshed_and_fails_when_a_city_failed(
    cities: dict[str, City], weather_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def current(self: object, city: City) -> Weather:
        if city.slug == "tokyo":
            raise WeatherError("The answer is not JSON.")
        return observed(5)

    monkeypatch.setattr(weather_module.OpenMeteo, "current", current)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 3 cities could not be refreshed"):
        call_command("weather", "refresh", stdout=out, stderr=err)
    assert "Weather refreshed for 2 cities" in out.getvalue()
    assert (
        "tokyo: The answer is not JSON. Its stored weather was kept." in err.getvalue()
    )


def test_the_command_says_how_to_turn_weather_on(db: None) -> None:
    with pytest.raises(CommandError, match="DATELINE_WEATHER_PROVIDER=open-meteo"):
        call_command("weather", "refresh")


def test_the_cities_command_lists_local_times_and_weather(
    cities: dict[str, City],
) -> None:
    refresh_weather(provider=FakeProvider({s: observed(240) for s in cities}))
    out = StringIO()
    call_command("cities", stdout=out)
    text = out.getvalue()
    assert "helsinki             Helsinki, Finland: 12:00 UTC+2" in text
    assert "Tokyo, Japan: 19:00 UTC+9" in text
    assert "New York, United States: 05:00 UTC-5" in text
    assert "observed 4.0 h ago (fake) — too old to show" in text
    assert "Weather is off" in text
