"""stale-if-error: while a page cannot be made for want of the database,
readers get its last good copy, marked stale, for DATELINE_STALE_IF_ERROR_SECONDS;
after that, or with none kept, the 503 page."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client, override_settings

from dateline.pagecache.middleware import shared_cache_control
from tests.factories import published_article

if TYPE_CHECKING:
    from collections.abc import Iterator

    from dateline.content.models import Article, Section

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]

# Past a kept page's life (DATELINE_PAGE_CACHE_SECONDS is 60).
MINUTES_LATER = timedelta(minutes=5)


@contextlib.contextmanager
def database_down() -> Iterator[None]:
    def refuse(*args: Any) -> Any:
        raise OperationalError("unable to open database file")

    with connection.execute_wrapper(refuse):
        yield


def test_a_page_that_cannot_be_made_is_answered_from_its_last_good_copy(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    made = client.get(url)
    assert made["X-Page-Cache"] == "miss"
    assert "stale-if-error=21600" in made["Cache-Control"]
    with time_machine.travel(MINUTES_LATER), database_down():
        stale = client.get(url)
        assert stale.status_code == 200
        assert stale["X-Page-Cache"] == "stale"
        assert stale.content == made.content
        assert stale["ETag"] == made["ETag"]
        assert stale["Content-Type"] == made["Content-Type"]
        assert "stale-if-error=21600" in stale["Cache-Control"]
        again = client.get(url, headers={"If-None-Match": made["ETag"]})
        assert again.status_code == 304
        # A page never made has no copy: the site's 503 page.
        never = client.get("/news/")
        assert never.status_code == 503
        assert never["Retry-After"]
        assert never["Cache-Control"] == "no-store"


def test_no_last_good_copy_is_kept_for_an_address_with_a_query(
    client: Client, story: Article
) -> None:
    """A query is a stranger's to vary (?q=…), and each copy lives for hours:
    such pages get the 503 page, never a copy kept for each query."""
    url = story.section.get_absolute_url() + "?page=2"
    assert client.get(url)["X-Page-Cache"] == "miss"
    with time_machine.travel(MINUTES_LATER), database_down():
        assert client.get(url).status_code == 503


def test_the_last_good_copy_is_the_newest_page_made(
    client: Client, story: Article, world: Section
) -> None:
    client.get("/world/")
    published_article(section=world, headline="Ferry strike called off")
    assert b"Ferry strike called off" in client.get("/world/").content
    with time_machine.travel(MINUTES_LATER), database_down():
        stale = client.get("/world/")
    assert stale["X-Page-Cache"] == "stale"
    assert b"Ferry strike called off" in stale.content


def test_the_last_good_copy_goes_after_stale_if_error_seconds(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    with override_settings(DATELINE_STALE_IF_ERROR_SECONDS=600):
        made = client.get(url)
        assert "stale-if-error=600" in made["Cache-Control"]
        with time_machine.travel(timedelta(seconds=590)), database_down():
            assert client.get(url)["X-Page-Cache"] == "stale"
        with time_machine.travel(timedelta(seconds=610)), database_down():
            assert client.get(url).status_code == 503


def test_no_last_good_copy_is_kept_when_stale_if_error_is_off(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    with override_settings(DATELINE_STALE_IF_ERROR_SECONDS=0):
        made = client.get(url)
        assert "stale-if-error" not in made["Cache-Control"]
        with time_machine.travel(MINUTES_LATER), database_down():
            assert client.get(url).status_code == 503
    assert "stale-if-error=21600" in shared_cache_control()


def test_a_scheduled_item_due_while_the_database_is_down_serves_the_copy(
    client: Client, story: Article, world: Section
) -> None:
    """The first request after a scheduled time starts a generation, which
    looks up the next release in the database."""
    published_article(section=world, headline="Embargoed", ago=timedelta(minutes=-2))
    made = client.get("/world/")
    assert made["X-Page-Cache"] == "miss"
    with time_machine.travel(MINUTES_LATER), database_down():
        stale = client.get("/world/")
    assert stale.status_code == 200
    assert stale["X-Page-Cache"] == "stale"
