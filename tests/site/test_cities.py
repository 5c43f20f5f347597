"""The header's city: chosen on /cities/ with a plain form, kept in a cookie,
shown with its local time (and weather only when on and fresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.test import Client
from lxml import html

from dateline.places.models import City, WeatherObservation
from dateline.places.selectors import COOKIE_NAME
from tests.factories import SectionFactory
from tests.places.factories import three_cities

if TYPE_CHECKING:
    from django.http import HttpResponse

pytestmark = pytest.mark.django_db

# January: Helsinki at UTC+2, Tokyo at UTC+9, New York at UTC-5.
NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def cities() -> dict[str, City]:
    SectionFactory(name="World", slug="world")
    return three_cities()


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def header_city(response: HttpResponse) -> html.HtmlElement | None:
    found = html.fromstring(response.content).xpath('//div[@class="header-city"]')
    return found[0] if found else None


def header_text(response: HttpResponse) -> str:
    block = header_city(response)
    assert block is not None, "the header shows no city"
    return " ".join(block.text_content().split())


def store_weather(city: City, *, observed_at: datetime) -> None:
    WeatherObservation.objects.create(
        city=city,
        provider="open-meteo",
        observed_at=observed_at,
        fetched_at=observed_at,
        temperature=Decimal("-7.4"),
        weather_code=71,
        condition="Light snow",
        wind_speed=Decimal("18.3"),
    )


# --- the header ---------------------------------------------------------------


def test_the_header_shows_the_first_city_and_its_local_time(
    client: Client, cities: dict[str, City]
) -> None:
    response = client.get("/")
    assert header_text(response) == "Select the city: Helsinki 12:00 UTC+2"
    block = header_city(response)
    assert block is not None
    clock = block.xpath(".//time")[0]
    assert clock.get("datetime") == "2026-01-15T12:00+02:00"
    assert clock.get("data-city-clock") == "7200"
    link = block.xpath(".//a")[0]
    assert link.get("href") == "/cities/?next=/"
    scripts = html.fromstring(response.content).xpath("//script[@src]")
    assert any(s.get("src").endswith("site/js/city-clock.js") for s in scripts)
    assert "Cookie" in response["Vary"]


def test_the_default_city_setting_names_the_city_for_new_readers(
    client: Client, cities: dict[str, City], settings: Any
) -> None:
    settings.DATELINE_DEFAULT_CITY = "new-york"
    assert "New York 05:00 UTC-5" in header_text(client.get("/"))
    settings.DATELINE_DEFAULT_CITY = "atlantis"  # not a city: the first one
    assert "Helsinki" in header_text(client.get("/"))


def test_without_cities_the_header_shows_no_city_and_loads_no_clock(
    client: Client, db: None
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert header_city(response) is None
    assert b"city-clock.js" not in response.content


def test_a_half_hour_zone_shows_its_minutes(
    client: Client, cities: dict[str, City]
) -> None:
    from tests.places.factories import make_city

    make_city("new-delhi", "New Delhi", "India", "Asia/Kolkata", "28.6139", "77.2090")
    client.cookies[COOKIE_NAME] = "new-delhi"
    assert "New Delhi 15:30 UTC+5:30" in header_text(client.get("/"))


def test_summer_time_moves_the_offset(client: Client, cities: dict[str, City]) -> None:
    with time_machine.travel(datetime(2026, 7, 1, 10, 0, tzinfo=UTC), tick=False):
        assert "Helsinki 13:00 UTC+3" in header_text(client.get("/"))


# --- choosing without JavaScript -----------------------------------------------


def test_the_city_page_lists_the_cities_in_a_form_that_goes_back(
    client: Client, cities: dict[str, City]
) -> None:
    response = client.get("/cities/", {"next": "/world/?before=abc"})
    assert response.status_code == 200
    page = html.fromstring(response.content)
    radios = page.xpath('//form//input[@type="radio"][@name="city"]')
    assert [r.get("value") for r in radios] == ["helsinki", "tokyo", "new-york"]
    assert radios[0].get("checked") is not None  # the current (default) city
    for radio in radios:  # each has a label
        assert page.xpath(f'//label[@for="{radio.get("id")}"]')
    assert page.xpath('//input[@name="next"]')[0].get("value") == "/world/?before=abc"
    assert page.xpath('//input[@name="csrfmiddlewaretoken"]')
    text = " ".join(page.text_content().split())
    assert "Tokyo, Japan 19:00 UTC+9" in text
    assert response["Cache-Control"] == "private, no-store"


def test_choosing_a_city_keeps_it_in_a_cookie_and_goes_back(
    client: Client, cities: dict[str, City]
) -> None:
    response = client.post("/cities/", {"city": "tokyo", "next": "/world/"})
    assert response.status_code == 303
    assert response["Location"] == "/world/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == "tokyo"
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert int(cookie["max-age"]) > 300 * 24 * 3600
    page = client.get("/world/")
    assert header_text(page) == "Select the city: Tokyo 19:00 UTC+9"
    chosen = html.fromstring(client.get("/cities/").content).xpath(
        '//input[@type="radio"][@checked]'
    )
    assert [r.get("value") for r in chosen] == ["tokyo"]


def test_over_https_the_cookie_is_secure(
    client: Client, cities: dict[str, City]
) -> None:
    response = client.post("/cities/", {"city": "tokyo"}, secure=True)
    assert response.cookies[COOKIE_NAME]["secure"]


def test_the_form_needs_its_csrf_token(cities: dict[str, City]) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/cities/", {"city": "tokyo"})
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "/world/\r\nSet-Cookie: x=1",
        "evil.example",
        " /world/",
        "",
        "/" + "x" * 3000,
    ],
)
def test_going_back_goes_only_to_a_path_on_this_site(
    client: Client, cities: dict[str, City], target: str
) -> None:
    response = client.post("/cities/", {"city": "tokyo", "next": target})
    assert response.status_code == 303
    assert response["Location"] == "/"
    page = client.get("/cities/", {"next": target})
    hidden = html.fromstring(page.content).xpath('//input[@name="next"]')[0]
    assert hidden.get("value") == "/"


@pytest.mark.parametrize(
    "data",
    [
        {"city": "atlantis"},
        {"city": ""},
        {},
        {"city": "x" * 5000},
        {"city": "../../etc/passwd"},
        {"city": "Tokyo"},
    ],
)
def test_an_unknown_city_in_the_form_is_a_clear_400_and_no_cookie(
    client: Client, cities: dict[str, City], data: dict[str, str]
) -> None:
    response = client.post("/cities/", data)
    assert response.status_code == 400
    assert COOKIE_NAME not in response.cookies
    assert b"Choose one of the cities in the list." in response.content


def test_a_city_no_longer_offered_cannot_be_chosen(
    client: Client, cities: dict[str, City]
) -> None:
    cities["tokyo"].is_active = False
    cities["tokyo"].save()
    assert client.post("/cities/", {"city": "tokyo"}).status_code == 400


@pytest.mark.parametrize(
    "cookie", ["atlantis", "", "x" * 4000, "<script>", "tokyo\x00", "../tokyo"]
)
def test_a_garbage_cookie_is_ignored_for_the_default(
    client: Client, cities: dict[str, City], cookie: str
) -> None:
    client.cookies[COOKIE_NAME] = cookie
    response = client.get("/")
    assert response.status_code == 200
    assert "Helsinki" in header_text(response)
    assert client.get("/cities/").status_code == 200


def test_a_reader_whose_city_is_withdrawn_sees_the_default(
    client: Client, cities: dict[str, City]
) -> None:
    client.cookies[COOKIE_NAME] = "tokyo"
    assert "Tokyo" in header_text(client.get("/"))
    cities["tokyo"].is_active = False
    cities["tokyo"].save()  # the newsroom's save drops the cached list
    assert "Helsinki" in header_text(client.get("/"))


def test_other_methods_are_refused(client: Client, cities: dict[str, City]) -> None:
    assert client.put("/cities/").status_code == 405
    assert client.delete("/cities/").status_code == 405


# --- cost -----------------------------------------------------------------------


def test_the_header_city_costs_no_query_once_cached(
    client: Client, cities: dict[str, City], django_assert_num_queries: Any
) -> None:
    client.cookies[COOKIE_NAME] = "tokyo"
    client.get("/news/")  # the cities are read once, then cached
    with django_assert_num_queries(2):  # sections, rows: as without cities
        response = client.get("/news/")
    assert "Tokyo" in header_text(response)
    with django_assert_num_queries(0):  # the header's sections are kept
        assert client.get("/cities/").status_code == 200


def test_renaming_a_city_shows_at_once(client: Client, cities: dict[str, City]) -> None:
    client.get("/")
    cities["helsinki"].name = "Helsingfors"
    cities["helsinki"].save()
    assert "Helsingfors" in header_text(client.get("/"))


# --- weather ---------------------------------------------------------------------


def test_fresh_weather_is_shown_when_weather_is_on(
    client: Client, cities: dict[str, City], settings: Any
) -> None:
    settings.DATELINE_WEATHER_PROVIDER = "open-meteo"
    store_weather(cities["helsinki"], observed_at=NOW - timedelta(minutes=20))
    assert header_text(client.get("/")).endswith("12:00 UTC+2 -7 °C, Light snow")
    listing = " ".join(
        html.fromstring(client.get("/cities/").content).text_content().split()
    )
    assert "-7.4 °C, Light snow, wind 18.3 km/h" in listing


def test_stale_weather_is_hidden(
    client: Client, cities: dict[str, City], settings: Any
) -> None:
    settings.DATELINE_WEATHER_PROVIDER = "open-meteo"
    store_weather(cities["helsinki"], observed_at=NOW - timedelta(hours=3, minutes=1))
    assert header_text(client.get("/")) == "Select the city: Helsinki 12:00 UTC+2"
    assert "°C" not in client.get("/cities/").content.decode()


def test_with_weather_off_no_weather_is_shown_even_if_stored(
    client: Client, cities: dict[str, City], settings: Any
) -> None:
    settings.DATELINE_WEATHER_PROVIDER = ""
    store_weather(cities["helsinki"], observed_at=NOW - timedelta(minutes=5))
    for url in ("/", "/cities/"):
        text = client.get(url).content.decode()
        assert "°C" not in text
        assert "Light snow" not in text
    assert "and the weather" not in client.get("/cities/").content.decode()
