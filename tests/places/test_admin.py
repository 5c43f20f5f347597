"""The newsroom keeps the cities: chiefs edit them, editors look."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dateline.places.models import City

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Dubai",
    "slug": "dubai",
    "country": "United Arab Emirates",
    "time_zone": "Asia/Dubai",
    "latitude": "25.2048",
    "longitude": "55.2708",
    "position": "3",
    "is_active": "on",
}


def test_a_chief_adds_a_city_and_readers_can_choose_it(
    client: Client, chief: User
) -> None:
    client.force_login(chief)
    response = client.post("/newsroom/places/city/add/", FORM)
    assert response.status_code == 302
    assert City.objects.get(slug="dubai").time_zone == "Asia/Dubai"
    client.logout()
    assert client.post("/cities/", {"city": "dubai"}).status_code == 303


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Asia/Atlantis", "is not an IANA time zone"),
        ("latitude", "91", "less than or equal to 90"),
        ("longitude", "-180.5", "greater than or equal to -180"),
    ],
)
def test_the_form_refuses_an_unknown_zone_or_coordinates_off_the_globe(
    client: Client, chief: User, field: str, value: str, message: str
) -> None:
    client.force_login(chief)
    response = client.post("/newsroom/places/city/add/", {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not City.objects.exists()


def test_the_city_list_shows_each_citys_local_time(
    client: Client, chief: User, cities: dict[str, City]
) -> None:
    client.force_login(chief)
    response = client.get("/newsroom/places/city/")
    assert response.status_code == 200
    assert "UTC+9" in response.content.decode()


def test_editors_look_at_cities_but_do_not_change_them(
    client: Client, editor: User, reporter: User, cities: dict[str, City]
) -> None:
    client.force_login(editor)
    assert client.get("/newsroom/places/city/").status_code == 200
    assert client.post("/newsroom/places/city/add/", FORM).status_code == 403
    client.force_login(reporter)
    assert client.get("/newsroom/places/city/").status_code == 403
