"""A city is checked like the newsroom's form checks it: a real IANA zone,
coordinates on Earth."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dateline.places.models import City
from dateline.places.services import add_city

pytestmark = pytest.mark.django_db


def city(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "slug": "dubai",
        "name": "Dubai",
        "country": "United Arab Emirates",
        "time_zone": "Asia/Dubai",
        "latitude": Decimal("25.2048"),
        "longitude": Decimal("55.2708"),
    }
    fields.update(overrides)
    return fields


def test_a_city_with_a_real_zone_and_coordinates_is_added() -> None:
    dubai = add_city(**city())
    assert str(dubai) == "Dubai, United Arab Emirates"
    assert dubai.is_active


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "Europe/helsinki", "UTC+3", "", "../../etc/passwd"]
)
def test_a_time_zone_that_is_not_an_iana_zone_is_refused(zone: str) -> None:
    with pytest.raises(ValidationError) as error:
        add_city(**city(time_zone=zone))
    assert "time_zone" in error.value.message_dict
    assert not City.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("latitude", Decimal("90.0001")),
        ("latitude", Decimal("-91")),
        ("longitude", Decimal("180.5")),
        ("longitude", Decimal("-181")),
    ],
)
def test_coordinates_off_the_globe_are_refused(field: str, value: Decimal) -> None:
    with pytest.raises(ValidationError) as error:
        add_city(**city(**{field: value}))
    assert field in error.value.message_dict


def test_the_database_refuses_coordinates_off_the_globe_too() -> None:
    with pytest.raises(IntegrityError):
        City.objects.create(**city(latitude=Decimal("95")))


def test_the_poles_and_the_date_line_are_on_the_globe() -> None:
    add_city(**city(slug="pole", latitude=Decimal(-90), longitude=Decimal(180)))
    assert City.objects.filter(slug="pole").exists()


def test_cities_are_listed_in_the_newsrooms_order() -> None:
    add_city(**city(slug="b", name="B", position=2))
    add_city(**city(slug="a", name="A", position=1))
    assert [c.slug for c in City.objects.all()] == ["a", "b"]
