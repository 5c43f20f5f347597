"""Reading partner feeds from fixture files (RSS 2.0 and Atom, written by us)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dateline.partners.importers import (
    KEEP_PER_FEED,
    MAX_FEED_BYTES,
    PartnerFeedError,
    parse_feed,
    plain_title,
)
from tests.partners.factories import fixture

ATOM_URL = "https://www.example.org/northern-quarterly/atom.xml"


def test_an_rss_feed_gives_its_entries_newest_first_as_plain_text() -> None:
    parsed = parse_feed(fixture("rss2.xml"))
    assert [(e.guid, e.url, e.title) for e in parsed.entries] == [
        (
            "harbour-light-1002",
            "https://www.example.com/harbour-light/record-year",
            "Port cranes & tugs: a record year",
        ),
        (
            "harbour-light-1001",
            "https://www.example.com/harbour-light/ferry-timetable",
            "Ferry timetable changes for the winter season",
        ),
        (
            "harbour-light-1004",
            "https://www.example.com/harbour-light/fleet-returns",
            "Fishing fleet returns early",
        ),
    ]
    assert parsed.entries[0].published_at == datetime(2026, 11, 28, 11, tzinfo=UTC)


def test_an_entry_with_a_javascript_link_is_left_out_and_named() -> None:
    parsed = parse_feed(fixture("rss2.xml"))
    assert all(e.url.startswith("https://") for e in parsed.entries)
    assert len(parsed.skipped) == 1
    assert "entry 3" in parsed.skipped[0]
    assert "not a web (http/https) address" in parsed.skipped[0]


def test_an_atom_feed_gives_plain_titles_and_resolves_relative_links() -> None:
    parsed = parse_feed(fixture("atom.xml"), base_url=ATOM_URL)
    by_title = {e.title: e for e in parsed.entries}
    assert set(by_title) == {
        "Opera house reopens after repairs",
        "Glacier survey finds faster melt",
        "Rail link plans go to public consultation",
    }
    rail = by_title["Rail link plans go to public consultation"]
    assert rail.url == "https://www.example.org/northern-quarterly/rail-consultation"
    assert rail.published_at == datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    assert rail.guid == "urn:uuid:6b1c2f0e-3a51-4f7e-9d1c-000000000012"
    assert not parsed.skipped


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-xml.xml", "not an RSS or Atom feed"),
        ("html-page.xml", "not an RSS or Atom feed"),
        ("truncated.xml", "could not be read (line 8"),
        ("javascript-links.xml", "None of the feed's 3 entries is usable"),
        ("empty-channel.xml", "holds no entries"),
    ],
)
def test_a_broken_feed_is_refused_with_a_reason(name: str, message: str) -> None:
    with pytest.raises(PartnerFeedError, match=message.replace("(", r"\(")):
        parse_feed(fixture(name))


def test_an_oversized_or_empty_body_is_refused() -> None:
    with pytest.raises(PartnerFeedError, match="over 2,000,000 bytes"):
        parse_feed(b" " * (MAX_FEED_BYTES + 1))
    with pytest.raises(PartnerFeedError, match="empty"):
        parse_feed(b"  \n")


def test_bytes_that_look_like_a_path_or_address_are_never_opened() -> None:
    # feedparser opens a bare string as a file or URL; we hand it a stream.
    for data in [b"/etc/passwd", b"https://www.example.com/feed.xml"]:
        with pytest.raises(PartnerFeedError, match="not an RSS or Atom feed"):
            parse_feed(data)


def test_only_the_newest_entries_are_kept() -> None:
    items = "".join(
        f"<item><title>Story {n}</title><link>https://www.example.com/{n}</link>"
        f"<pubDate>Sat, 28 Nov 2026 {n % 24:02d}:00:00 +0000</pubDate></item>"
        for n in range(30)
    )
    data = f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
    parsed = parse_feed(data.encode())
    assert len(parsed.entries) == KEEP_PER_FEED
    assert parsed.entries[0].title == "Story 23"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("  Two\n\tlines  ", "Two lines"),
        ("<img src=x onerror=alert(1)>Hello", "Hello"),
        ("a &lt; b &amp;&amp; c", "a < b && c"),
        ("x" * 400, "x" * 299 + "…"),
        ("bell\x07 and null\x00", "bell and null"),
    ],
)
def test_titles_become_one_line_of_plain_text(raw: str, shown: str) -> None:
    assert plain_title(raw) == shown


@pytest.mark.parametrize(
    ("name", "entries", "first_title"),
    [
        (
            "atom/heise-developer.atom",
            15,
            "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
        ),
        ("rss/guardian-us.rss", KEEP_PER_FEED, None),
        (
            "rss/oren-ru-windows-1251.xml",
            10,
            "В Бузулуке главные стройплощадки – детсад и Ледовый дворец",
        ),
        ("rss/uol-noticias-latin1-no-xml-declaration.rss", 15, None),
        ("rss/dailymail-mediacontent-declared-iso-8859-1-actually-utf8.xml", 1, None),
    ],
)
def test_real_publishers_feeds_with_encoding_traps_are_read(
    standards_dir: str, name: str, entries: int, first_title: str | None
) -> None:
    data = (Path(standards_dir) / "feeds" / name).read_bytes()
    parsed = parse_feed(data, base_url="https://www.example.com/feed.xml")
    assert len(parsed.entries) == entries
    assert not parsed.skipped
    assert all(e.url.startswith(("http://", "https://")) for e in parsed.entries)
    if first_title:
        assert parsed.entries[0].title == first_title


def test_a_real_feed_cut_off_by_a_server_error_is_refused(standards_dir: str) -> None:
    data = (
        Path(standards_dir) / "feeds" / "rss" / "reuters-truncated-not-well-formed.xml"
    ).read_bytes()
    with pytest.raises(PartnerFeedError, match="could not be read"):
        parse_feed(data)
