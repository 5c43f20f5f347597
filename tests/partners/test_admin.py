"""Partner links and feeds in the newsroom: who may do what, and forms that hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from dateline.core.fetch import FetchError
from dateline.partners import services
from dateline.partners.models import Block, PartnerFeed, PartnerLink
from tests.partners.factories import PartnerFeedFactory, PartnerLinkFactory, fixture

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

LINKS = "/newsroom/partners/partnerlink/"
FEEDS = "/newsroom/partners/partnerfeed/"


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
