"""``dateline partners refresh``: what operators see."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dateline.core.fetch import FetchError
from dateline.partners import services
from tests.partners.factories import PartnerFeedFactory, fixture

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("partners", "refresh", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Addresses and what they answer (in place of the network)."""
    answers = {
        "https://www.example.com/good.xml": fixture("rss2-later.xml"),
        "https://www.example.com/page.xml": fixture("html-page.xml"),
    }

    def fake_fetch(url: str, **_: object) -> bytes:
        if url not in answers:
            raise FetchError(f"{url}: the server answered 404.")
        return answers[url]

    monkeypatch.setattr(services, "fetch_url", fake_fetch)
    return {url: url for url in answers}


def test_no_feeds_says_where_to_add_them() -> None:
    out, _ = run()
    assert "No active partner feeds" in out
    assert "Partner feeds" in out


def test_every_active_feed_is_read_and_reported(feeds: dict[str, str]) -> None:
    PartnerFeedFactory(name="Good One", url="https://www.example.com/good.xml")
    out, err = run()
    assert (
        "Good One (https://www.example.com/good.xml): 3 new, 0 updated, 0 removed."
        in out
    )
    assert not err


def test_a_failing_feed_is_named_and_the_command_fails(feeds: dict[str, str]) -> None:
    good = PartnerFeedFactory(name="Good One", url="https://www.example.com/good.xml")
    PartnerFeedFactory(name="Moved", url="https://www.example.com/page.xml")
    PartnerFeedFactory(name="Gone", url="https://www.example.com/gone.xml")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 3 feeds could not be read"):
        call_command("partners", "refresh", stdout=out, stderr=err)
    assert "Good One" in out.getvalue()
    assert (
        "Moved (https://www.example.com/page.xml): This is not an RSS or Atom feed"
        in err.getvalue()
    )
    assert (
        "Gone (https://www.example.com/gone.xml): the server answered 404."
        in err.getvalue()
    )
    assert good.links.count() == 3


def test_one_feed_by_number_even_when_switched_off(feeds: dict[str, str]) -> None:
    feed = PartnerFeedFactory(url="https://www.example.com/good.xml", is_active=False)
    PartnerFeedFactory(url="https://www.example.com/gone.xml")
    out, _ = run("--feed", str(feed.pk))
    assert "3 new" in out
    assert feed.links.count() == 3


def test_an_unknown_feed_number_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="There is no partner feed 999"):
        run("--feed", "999")


def test_a_feed_pointing_inside_is_refused_in_plain_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether a port inside answers or not, the operator reads the same line."""
    from tests.core.test_fetch import free_port
    from tests.loopback import resolve_as, serve

    resolve_as(monkeypatch, {"feeds.intranet.example": ["10.20.30.40"]})
    with serve({"/feed.xml": fixture("rss2.xml")}) as inside:
        open_port = inside.url("/feed.xml")
        PartnerFeedFactory(name="Open", url=open_port)
        PartnerFeedFactory(name="Closed", url=f"http://127.0.0.1:{free_port()}/")
        PartnerFeedFactory(name="Named", url="https://feeds.intranet.example/rss")
        PartnerFeedFactory(name="Metadata", url="http://169.254.169.254/latest/")
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match="4 of 4 feeds could not be read"):
            call_command("partners", "refresh", stdout=out, stderr=err)
        assert inside.requests == []
    lines = err.getvalue().splitlines()
    assert len(lines) == 4
    for line in lines:
        assert line.endswith(
            "): the address is not allowed (it points inside the network)."
        ), line
    assert "10.20.30.40" not in err.getvalue()
