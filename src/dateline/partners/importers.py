"""Reading a partner's RSS or Atom feed into plain entries.

feedparser reads the bytes only (wrapped in a stream, so that it never takes
them for an address or a file name to open). What comes out is checked: web
links only, titles as plain text of bounded length, one entry per id and link.
A feed that yields nothing usable raises ``PartnerFeedError`` saying why.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from xml.sax import SAXParseException

import feedparser  # type: ignore[import-untyped]
import nh3

if TYPE_CHECKING:
    import time

# Bigger answers are not a partner's headlines.
MAX_FEED_BYTES = 2_000_000
# The newest entries kept per feed.
KEEP_PER_FEED = 20
TITLE_MAX = 300
URL_MAX = 1000
GUID_MAX = 500
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class PartnerFeedError(ValueError):
    """The bytes are not a feed we can use; nothing was imported."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    url: str
    title: str
    published_at: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    entries: list[FeedEntry]
    # Entries left out, each with the reason, for the log.
    skipped: list[str] = field(default_factory=list)


def parse_feed(data: bytes, *, base_url: str = "") -> ParsedFeed:
    """The usable entries of an RSS or Atom document, newest first.

    ``base_url`` (the feed's address) resolves relative entry links.
    """
    if len(data) > MAX_FEED_BYTES:
        raise PartnerFeedError(f"The feed is over {MAX_FEED_BYTES:,} bytes.")
    if not data.strip():
        raise PartnerFeedError("The feed is empty.")
    # The bytes are taken as XML whatever the server called them; the XML
    # declaration names the encoding. The feed's address resolves relative links.
    headers = {"content-type": "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    problem = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else ""
    if not parsed.get("version"):
        detail = f" ({problem})" if problem else ""
        raise PartnerFeedError(f"This is not an RSS or Atom feed{detail}.")
    if not parsed.entries:
        if problem:
            raise PartnerFeedError(f"The feed could not be read ({problem}).")
        raise PartnerFeedError("The feed holds no entries.")
    entries: list[FeedEntry] = []
    skipped: list[str] = []
    guids: set[str] = set()
    urls: set[str] = set()
    for number, raw in enumerate(parsed.entries, start=1):
        try:
            entry = _entry(raw)
        except PartnerFeedError as error:
            skipped.append(f"entry {number}: {error}")
            continue
        if entry.guid in guids or entry.url in urls:
            continue  # the same story twice in one feed
        guids.add(entry.guid)
        urls.add(entry.url)
        entries.append(entry)
    if not entries:
        if problem:
            raise PartnerFeedError(f"The feed could not be read ({problem}).")
        raise PartnerFeedError(
            f"None of the feed's {len(parsed.entries)} entries is usable "
            f"({'; '.join(skipped[:3])})."
        )
    entries.sort(key=_newest_first)
    return ParsedFeed(entries=entries[:KEEP_PER_FEED], skipped=skipped)


def _entry(raw: Any) -> FeedEntry:
    url = web_address(str(raw.get("link") or ""))
    title = plain_title(str(raw.get("title") or ""))
    if not title:
        raise PartnerFeedError("it has no title")
    guid = str(raw.get("id") or "").strip() or url
    if len(guid) > GUID_MAX:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    # Read the dict itself: feedparser's own lookup maps one key to the other
    # with a deprecation warning.
    when = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
    return FeedEntry(guid=guid, url=url, title=title, published_at=_instant(when))


def web_address(text: str) -> str:
    """An absolute http(s) address, or PartnerFeedError."""
    url = text.strip()
    if not url:
        raise PartnerFeedError("it has no link")
    scheme, _, rest = url.partition(":")
    if scheme.lower() not in ("http", "https") or not rest.startswith("//"):
        raise PartnerFeedError(
            f"its link {url[:60]!r} is not a web (http/https) address"
        )
    if len(url) > URL_MAX:
        raise PartnerFeedError(f"its link is over {URL_MAX} characters")
    if any(char.isspace() for char in url) or _CONTROL.search(url):
        raise PartnerFeedError("its link holds spaces or control characters")
    return url


def plain_title(text: str) -> str:
    """A title as plain text on one line, at most TITLE_MAX characters."""
    # RSS titles carry HTML as often as not, whatever the feed declares:
    # tags (and what script and style elements hold) go, the text stays.
    text = html.unescape(nh3.clean(text, tags=set()))
    text = _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    if len(text) > TITLE_MAX:
        text = text[: TITLE_MAX - 1].rstrip() + "…"
    return text


def _instant(when: time.struct_time | None) -> datetime | None:
    if when is None:
        return None
    try:
        return datetime(*when[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _newest_first(entry: FeedEntry) -> float:
    return -entry.published_at.timestamp() if entry.published_at else 0.0


def _describe(problem: object) -> str:
    if isinstance(problem, SAXParseException):
        return f"line {problem.getLineNumber()}: {problem.getMessage()}"
    return (str(problem) or type(problem).__name__)[:200]
