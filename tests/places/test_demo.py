"""``dateline demo`` offers real cities with their zones; weather stays off."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

from dateline.demo import loader
from dateline.places.models import City, WeatherObservation, is_time_zone

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_demo_loads_real_cities_and_shows_local_time_without_weather(
    client: Client,
) -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Cities: 9 for the header's city selector" in out.getvalue()
    slugs = list(City.objects.values_list("slug", flat=True))
    assert slugs[0] == "helsinki"
    assert {"london", "new-york", "tokyo", "sydney"} <= set(slugs)
    assert all(is_time_zone(city.time_zone) for city in City.objects.all())
    assert not WeatherObservation.objects.exists()
    page = client.get("/").content.decode()
    assert "Select the city: </span>Helsinki</a>" in page
    assert "°C" not in page


def test_loading_the_cities_again_keeps_the_newsrooms_changes(db: None) -> None:
    loader.load_cities()
    City.objects.filter(slug="london").update(is_active=False, name="London (UK)")
    assert loader.load_cities() == 0
    london = City.objects.get(slug="london")
    assert (london.name, london.is_active) == ("London (UK)", False)
