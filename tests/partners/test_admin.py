"""Partner links and feeds in the newsroom: who may do what, and forms that hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from dateline.core.fetch import FetchError
from dateline.partners import services
from dateline.partners.models import Block, PartnerFeed, PartnerLink
from tests.core.test_fetch import free_port
from tests.loopback import resolve_as, serve
from tests.partners.factories import PartnerFeedFactory, PartnerLinkFactory, fixture

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

# What the newsroom's forms resolve names to (tests use no DNS).
NAMES = {
    "www.example.org": ["93.184.215.14"],
    "feeds.intranet.example": ["192.168.4.20"],
    "mixed.example": ["93.184.215.14", "fd00::20"],
}

LINKS = "/newsroom/partners/partnerlink/"
FEEDS = "/newsroom/partners/partnerfeed/"


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> None:
    resolve_as(monkeypatch, NAMES)


def link_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "block": Block.OTHER_MEDIA,
        "title": "Pilots share their storm checklist",
        "url": "https://www.example.net/herald/storm-checklist",
        "outlet": "Example Herald",
        "published_at_0": "2026-11-28",
        "published_at_1": "10:00:00",
        "position": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_the_pages_load_for_a_chief(client: Client, chief: User) -> None:
    feed = PartnerFeedFactory()
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"))
    by_hand = PartnerLinkFactory()
    client.force_login(chief)
    for url in [
        LINKS,
        f"{LINKS}add/",
        f"{LINKS}{by_hand.pk}/change/",
        f"{LINKS}{feed.links.first().pk}/change/",
        f"{LINKS}?feed__isempty=1",
        FEEDS,
        f"{FEEDS}add/",
        f"{FEEDS}{feed.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url


def test_an_editor_keeps_links_but_only_a_chief_adds_feeds(
    client: Client, editor: User, reporter: User
) -> None:
    client.force_login(editor)
    assert client.get(f"{LINKS}add/").status_code == 200
    assert client.get(FEEDS).status_code == 200
    assert client.get(f"{FEEDS}add/").status_code == 403
    client.force_login(reporter)
    assert client.get(LINKS).status_code == 403


def test_only_a_chief_may_read_feeds_now(client: Client, editor: User) -> None:
    feed = PartnerFeedFactory()
    client.force_login(editor)
    assert b"refresh_now" not in client.get(FEEDS).content
    client.post(FEEDS, {"action": "refresh_now", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.last_fetched_at is None


def test_an_editor_adds_a_link_by_hand(client: Client, editor: User) -> None:
    client.force_login(editor)
    response = client.post(f"{LINKS}add/", link_form())
    assert response.status_code == 302
    link = PartnerLink.objects.get()
    assert (link.outlet, link.feed, link.origin) == (
        "Example Herald",
        None,
        PartnerLink.Origin.NEWSROOM,
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://www.example.net/file",
        "data:text/html,hi",
        "/relative/path",
    ],
)
def test_an_address_that_is_not_a_web_page_is_refused_by_the_form(
    client: Client, editor: User, url: str
) -> None:
    client.force_login(editor)
    response = client.post(f"{LINKS}add/", link_form(url=url))
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not PartnerLink.objects.exists()


def test_a_feeds_link_can_be_hidden_but_its_text_is_the_feeds(
    client: Client, chief: User
) -> None:
    feed = PartnerFeedFactory()
    services.refresh_partner_feed(feed=feed, data=fixture("rss2.xml"))
    link = feed.links.get(guid="harbour-light-1001")
    client.force_login(chief)
    response = client.post(
        f"{LINKS}{link.pk}/change/",
        link_form(title="Rewritten", position="1", is_active=""),
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.title == "Ferry timetable changes for the winter season"
    assert (link.position, link.is_active) == (1, False)


def test_a_chief_adds_a_feed_and_reads_it_now(
    client: Client, chief: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "fetch_url", lambda url, **_: fixture("atom.xml"))
    client.force_login(chief)
    response = client.post(
        f"{FEEDS}add/",
        {
            "name": "Northern Quarterly",
            "url": "https://www.example.org/northern-quarterly/atom.xml",
            "block": Block.PARTNER_NEWS,
            "is_sponsored": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    feed = PartnerFeed.objects.get()
    response = client.post(
        FEEDS,
        {"action": "refresh_now", "_selected_action": [feed.pk]},
        follow=True,
    )
    assert "Northern Quarterly: 3 new links, 0 updated." in response.content.decode()
    assert set(feed.links.values_list("block", "is_sponsored")) == {
        (Block.PARTNER_NEWS, True)
    }


def test_reading_a_broken_feed_now_says_what_is_wrong(
    client: Client, chief: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(url: str, **_: object) -> bytes:
        raise FetchError(f"{url}: the server answered 503.")

    monkeypatch.setattr(services, "fetch_url", refuse)
    feed = PartnerFeedFactory(name="Harbour Light")
    client.force_login(chief)
    response = client.post(
        FEEDS, {"action": "refresh_now", "_selected_action": [feed.pk]}, follow=True
    )
    text = response.content.decode()
    assert "Harbour Light:" in text
    assert "the server answered 503. Its links were left as they were." in text
    assert "the server answered 503" in client.get(FEEDS).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:6379/",
        "http://127.0.0.1:8000/newsroom/",
        "http://10.0.0.5/feed.xml",
        "http://[::1]/feed.xml",
        "https://feeds.intranet.example/rss",
        "https://mixed.example/rss",
    ],
)
def test_a_chief_cannot_add_a_feed_that_points_inside_the_network(
    client: Client, chief: User, url: str
) -> None:
    client.force_login(chief)
    response = client.post(
        f"{FEEDS}add/",
        {"name": "Inside", "url": url, "block": Block.PARTNER_NEWS, "is_active": "on"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "This address is not allowed: it points inside the network." in text
    assert "192.168.4.20" not in text
    assert not PartnerFeed.objects.exists()


def test_reading_a_feed_inside_now_says_so_alike_for_an_open_and_a_closed_port(
    client: Client, chief: User
) -> None:
    """A feed saved while its name pointed outside may point inside later."""
    with serve({"/feed.xml": fixture("rss2.xml")}) as inside:
        opened = PartnerFeedFactory(name="Open port", url=inside.url("/feed.xml"))
        closed = PartnerFeedFactory(
            name="Closed port", url=f"http://127.0.0.1:{free_port()}/feed.xml"
        )
        client.force_login(chief)
        response = client.post(
            FEEDS,
            {"action": "refresh_now", "_selected_action": [opened.pk, closed.pk]},
            follow=True,
        )
        assert inside.requests == []
    text = response.content.decode()
    refused = "the address is not allowed (it points inside the network)."
    assert f"Open port: {refused} Its links were left as they were." in text
    assert f"Closed port: {refused} Its links were left as they were." in text
    opened.refresh_from_db()
    closed.refresh_from_db()
    assert opened.last_error == closed.last_error == refused
