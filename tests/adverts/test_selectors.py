"""Which advert shows, when, and what it costs a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from dateline.adverts import selectors, services
from dateline.adverts.selectors import forget_live_adverts, live_adverts
from tests.adverts.factories import image_advert, snippet_advert

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> time_machine.Coordinates:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_an_advert_shows_only_inside_its_window(
    clock: time_machine.Coordinates,
) -> None:
    image_advert(
        "sidebar",
        starts_at=NOON + timedelta(hours=1),
        ends_at=NOON + timedelta(hours=2),
    )
    assert "sidebar" not in live_adverts()
    clock.move_to(NOON + timedelta(hours=1))
    assert "sidebar" in live_adverts()
    clock.move_to(NOON + timedelta(hours=1, minutes=59, seconds=59))
    assert "sidebar" in live_adverts()
    clock.move_to(NOON + timedelta(hours=2))
    assert "sidebar" not in live_adverts()


def test_the_cached_choice_never_outlives_a_start_or_an_end(
    clock: time_machine.Coordinates,
) -> None:
    """No save happens at a boundary, so nothing drops the cache: the cached
    choice must expire there by itself, not a minute later."""
    image_advert("header", name="Ends soon", ends_at=NOON + timedelta(seconds=20))
    image_advert("sidebar", name="Starts soon", starts_at=NOON + timedelta(seconds=30))
    assert set(live_adverts()) == {"header"}
    clock.shift(21)
    assert set(live_adverts()) == set()
    clock.shift(10)
    assert set(live_adverts()) == {"sidebar"}


def test_a_switched_off_advert_does_not_show(clock: time_machine.Coordinates) -> None:
    image_advert("sidebar", is_active=False)
    assert live_adverts() == {}


def test_the_highest_priority_shows_then_the_latest_start_for_everyone(
    clock: time_machine.Coordinates,
) -> None:
    image_advert("sidebar", alt_text="Old", starts_at=NOON - timedelta(days=2))
    image_advert("sidebar", alt_text="Newer", starts_at=NOON - timedelta(days=1))
    assert live_adverts()["sidebar"].alt_text == "Newer"
    image_advert(
        "sidebar", alt_text="Paid more", priority=5, starts_at=NOON - timedelta(days=9)
    )
    forget_live_adverts()
    # The same choice on every read: rotation per request would defeat caching.
    assert {live_adverts()["sidebar"].alt_text for _ in range(5)} == {"Paid more"}


def test_adverts_cost_one_query_a_minute_and_none_in_between(
    clock: time_machine.Coordinates, django_assert_num_queries
) -> None:
    image_advert("header")
    snippet_advert("sidebar")
    with django_assert_num_queries(1):
        assert set(live_adverts()) == {"header", "sidebar"}
    with django_assert_num_queries(0):
        assert set(live_adverts()) == {"header", "sidebar"}
    clock.shift(selectors.FRESH_SECONDS - 1)
    with django_assert_num_queries(0):
        live_adverts()
    clock.shift(1)
    with django_assert_num_queries(1):
        live_adverts()


def test_an_empty_set_is_cached_too(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert live_adverts() == {}
    with django_assert_num_queries(0):
        assert live_adverts() == {}


def test_saving_or_deleting_an_advert_drops_the_cached_choice(
    django_capture_on_commit_callbacks,
) -> None:
    assert live_adverts() == {}
    with django_capture_on_commit_callbacks(execute=True):
        advert = image_advert("sidebar")
    assert "sidebar" in live_adverts()
    with django_capture_on_commit_callbacks(execute=True):
        advert.is_active = False
        services.save_advert(advert=advert, actor=None)
    assert "sidebar" not in live_adverts()
    with django_capture_on_commit_callbacks(execute=True):
        advert.is_active = True
        services.save_advert(advert=advert, actor=None)
    assert "sidebar" in live_adverts()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_advert(advert=advert, actor=None)
    assert live_adverts() == {}


def test_a_database_failure_shows_no_adverts_instead_of_failing_the_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise DatabaseError("connection lost")

    monkeypatch.setattr(selectors, "choose_adverts", broken)
    assert live_adverts() == {}
    response = client.get("/search/")
    assert response.status_code == 200
    assert b"Advertisement" not in response.content


def test_pages_add_one_query_for_adverts_only_when_the_minute_is_up(
    client: Client,
) -> None:
    image_advert("header")
    snippet_advert("home")
    client.get("/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/")
    forget_live_adverts()
    with CaptureQueriesContext(connection) as cold:
        response = client.get("/")
    assert response.content.count(b'<p class="advert-label">Advertisement</p>') == 2
    assert len(cold.captured_queries) == len(warm.captured_queries) + 1
    assert not any("adverts_" in q["sql"] for q in warm.captured_queries)
    assert sum("adverts_advert" in q["sql"] for q in cold.captured_queries) == 1


def test_an_article_page_with_every_placement_filled_costs_no_more_queries(
    client: Client,
) -> None:
    from tests.factories import SectionFactory, published_article

    article = published_article(
        section=SectionFactory(slug="world"), body="<p>One.</p><p>Two.</p>"
    )
    url = article.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    for key in ["header", "sidebar", "article"]:
        image_advert(key)
    forget_live_adverts()
    client.get(url)
    with CaptureQueriesContext(connection) as with_adverts:
        response = client.get(url)
    assert response.content.count(b'class="advert-label"') == 3
    assert len(with_adverts.captured_queries) == len(without.captured_queries)
