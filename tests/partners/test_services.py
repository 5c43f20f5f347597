"""Refreshing partner feeds: upserts, dedupe, and bad input that changes nothing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from dateline.partners import services
from dateline.partners.importers import MAX_FEED_BYTES
from dateline.partners.models import Block, PartnerFeed, PartnerLink
from tests.loopback import serve
from tests.partners.factories import PartnerFeedFactory, PartnerLinkFactory, fixture

if TYPE_CHECKING:
    from collections.abc import Iterator

# The feeds are served on loopback, which fetches refuse unless trusted.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_from_loopback")]

NOW = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
PAGES = {
    "/rss.xml": (200, fixture("rss2.xml")),
    "/atom.xml": (200, fixture("atom.xml")),
    "/page.html": (200, fixture("html-page.xml")),
    "/huge.xml": (200, b" " * (MAX_FEED_BYTES + 10)),
    "/broken.xml": (500, b"Internal error"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(PAGES) as site:
        yield site.base


def links(feed: PartnerFeed) -> list[tuple[str, str]]:
    return list(feed.links.order_by("-published_at").values_list("guid", "title"))


def test_an_rss_feed_fills_its_block_with_the_feeds_outlet_and_sponsorship() -> None:
    feed = PartnerFeedFactory(
        name="Harbour Light", block=Block.PARTNER_NEWS, is_sponsored=True
    )
    result = services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    assert (result.created, result.updated, result.removed) == (3, 0, 0)
    assert links(feed) == [
        ("harbour-light-1002", "Port cranes & tugs: a record year"),
        ("harbour-light-1001", "Ferry timetable changes for the winter season"),
        ("harbour-light-1004", "Fishing fleet returns early"),
    ]
    assert set(
        feed.links.values_list("block", "outlet", "is_sponsored", "is_active")
    ) == {(Block.PARTNER_NEWS, "Harbour Light", True, True)}
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW
    # The javascript: entry was left out, and the feed says so.
    assert "1 entry left out" in feed.last_error
    assert not PartnerLink.objects.filter(url__icontains="javascript").exists()


def test_reading_the_same_feed_again_updates_without_duplicates() -> None:
    feed = PartnerFeedFactory()
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    again = services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    assert (again.created, again.updated) == (0, 0)
    assert feed.links.count() == 3

    later = services.refresh_partner_feed(
        feed=feed, data=fixture("rss2-later.xml"), now=NOW + timedelta(hours=1)
    )
    assert (later.created, later.updated) == (1, 1)  # a new one, a new title
    assert links(feed)[:2] == [
        ("harbour-light-1005", "Lighthouse keepers vote on new rota"),
        ("harbour-light-1002", "Port cranes & tugs: a record year"),
    ]
    assert feed.links.count() == 4  # the entry gone from the feed stays a while
    assert feed.links.get(guid="harbour-light-1001").title.endswith("(updated)")


def test_a_link_the_newsroom_hid_stays_hidden_after_a_refresh() -> None:
    feed = PartnerFeedFactory()
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    feed.links.filter(guid="harbour-light-1001").update(is_active=False, position=2)
    services.refresh_partner_feed(feed=feed, data=fixture("rss2-later.xml"), now=NOW)
    link = feed.links.get(guid="harbour-light-1001")
    assert (link.is_active, link.position) == (False, 2)


def test_an_atom_feed_is_read_and_a_future_date_becomes_now() -> None:
    feed = PartnerFeedFactory(url="https://www.example.org/northern-quarterly/atom.xml")
    result = services.refresh_partner_feed(feed=feed, data=fixture("atom.xml"), now=NOW)
    assert result.ok
    assert result.created == 3
    opera = feed.links.get(title="Opera house reopens after repairs")
    assert opera.published_at == NOW  # the feed said 2099
    rail = feed.links.get(title="Rail link plans go to public consultation")
    assert rail.url == "https://www.example.org/northern-quarterly/rail-consultation"
    assert feed.links.get(title__startswith="Glacier").published_at == datetime(
        2026, 11, 28, 8, tzinfo=UTC
    )


def test_a_feed_keeps_only_its_newest_links() -> None:
    feed = PartnerFeedFactory()
    for n in range(25):
        PartnerLinkFactory(
            feed=feed, guid=f"old-{n}", published_at=NOW - timedelta(days=30 + n)
        )
    result = services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    assert result.removed == 8
    assert feed.links.count() == 20
    assert feed.links.filter(guid__startswith="harbour-light").count() == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-xml.xml", "This is not an RSS or Atom feed"),
        ("html-page.xml", "This is not an RSS or Atom feed"),
        ("truncated.xml", "The feed could not be read"),
        ("javascript-links.xml", "None of the feed's 3 entries is usable"),
        ("empty-channel.xml", "The feed holds no entries"),
    ],
)
def test_a_broken_feed_leaves_the_links_as_they_were_and_says_why(
    name: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    feed = PartnerFeedFactory(name="Harbour Light")
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    before = list(feed.links.values_list("pk", "guid", "title", "url", "updated_at"))

    with caplog.at_level(logging.WARNING, logger="dateline.partners.services"):
        result = services.refresh_partner_feed(
            feed=feed, data=fixture(name), now=NOW + timedelta(hours=1)
        )

    assert not result.ok
    assert message in result.error
    assert (
        list(feed.links.values_list("pk", "guid", "title", "url", "updated_at"))
        == before
    )
    feed.refresh_from_db()
    assert message in feed.last_error
    assert feed.last_fetched_at == NOW + timedelta(hours=1)
    assert f"Partner feed 'Harbour Light' ({feed.url}): {message}" in caplog.text
    assert "Its links were left as they were." in caplog.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/broken.xml", "the server answered 500"),
        ("/missing.xml", "the server answered 404"),
        ("/huge.xml", "larger than 2,000,000 bytes; refused"),
        ("/page.html", "This is not an RSS or Atom feed"),
    ],
)
def test_an_address_that_fails_leaves_the_links_as_they_were(
    server: str, path: str, message: str
) -> None:
    feed = PartnerFeedFactory(url=f"{server}{path}")
    PartnerLinkFactory(feed=feed, guid="kept", title="Kept from before")
    result = services.refresh_partner_feed(feed=feed, now=NOW)
    assert message in result.error
    assert list(feed.links.values_list("title", flat=True)) == ["Kept from before"]
    feed.refresh_from_db()
    assert message in feed.last_error


def test_a_good_address_is_fetched_and_a_later_success_clears_the_problem(
    server: str,
) -> None:
    feed = PartnerFeedFactory(url=f"{server}/atom.xml", last_error="Old problem")
    result = services.refresh_partner_feed(feed=feed, now=NOW)
    assert result.ok
    assert result.created == 3
    feed.refresh_from_db()
    assert feed.last_error == ""


def test_one_broken_feed_does_not_stop_the_others(server: str) -> None:
    broken = PartnerFeedFactory(url=f"{server}/missing.xml")
    good = PartnerFeedFactory(url=f"{server}/rss.xml")
    resting = PartnerFeedFactory(url=f"{server}/atom.xml", is_active=False)
    results = services.refresh_partner_feeds(now=NOW)
    assert [(r.feed.pk, r.ok) for r in results] == [(broken.pk, False), (good.pk, True)]
    assert good.links.count() == 3
    assert not resting.links.exists()
    resting.refresh_from_db()
    assert resting.last_fetched_at is None


def test_an_unexpected_failure_in_one_feed_is_logged_in_full_shown_plainly_and_the_rest_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = PartnerFeedFactory(), PartnerFeedFactory()
    real = services.refresh_partner_feed

    def flaky(*, feed: PartnerFeed, **kwargs: object) -> services.FeedRefresh:
        if feed.pk == first.pk:
            raise RuntimeError("boom: connect to 10.0.0.7:5432 refused")
        return real(feed=feed, data=fixture("rss2.xml"), now=NOW)

    monkeypatch.setattr(services, "refresh_partner_feed", flaky)
    results = services.refresh_partner_feeds(now=NOW)
    assert [r.ok for r in results] == [False, True]
    # The newsroom and the command get plain words; the log has the rest.
    assert results[0].error == "The refresh failed (see the log)."
    assert second.links.count() == 3
    assert "the refresh failed" in caplog.text
    assert "10.0.0.7" in caplog.text


def test_changing_a_feed_moves_its_links_with_it() -> None:
    feed = PartnerFeedFactory(name="Old name")
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"), now=NOW)
    feed.name, feed.block, feed.is_sponsored = "New name", Block.PARTNER_NEWS, True
    services.save_partner_feed(feed=feed)
    assert set(feed.links.values_list("outlet", "block", "is_sponsored")) == {
        ("New name", Block.PARTNER_NEWS, True)
    }


def test_the_database_refuses_a_link_that_is_not_a_web_address() -> None:
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PartnerLinkFactory(url="javascript:alert(1)")
