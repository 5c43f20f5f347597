"""Fixtures for the places tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.places.factories import three_cities

if TYPE_CHECKING:
    from dateline.places.models import City


@pytest.fixture
def cities(db: None) -> dict[str, City]:
    return three_cities()


@pytest.fixture
def weather_on(settings: Any) -> None:
    """Weather configured, at an address nothing answers (tests never reach it)."""
    settings.DATELINE_WEATHER_PROVIDER = "open-meteo"
    settings.DATELINE_WEATHER_URL = "http://127.0.0.1:9/v1/forecast"
