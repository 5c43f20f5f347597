"""What a page was made from, noted while it is made, for the page cache.

A cookie that changes a page (the reader's city, the feed's sections) is
part of the cache key. Where the code reads such a cookie, it notes the value
it understood; a response is kept only when every such cookie in the request
was understood exactly as sent, so that junk cookies never make cache entries.
Views also note the tags of what they show (``item-85``, ``section-world``),
which become the ``Surrogate-Key`` a CDN can purge by.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest


def note_cookie(request: HttpRequest, name: str, understood: str | None) -> None:
    """The page used cookie ``name`` and read it as ``understood`` (None:
    the value meant nothing and the default was used)."""
    noted: dict[str, str | None] = request.__dict__.setdefault("dateline_cookies", {})
    noted[name] = understood


def noted_cookies(request: HttpRequest) -> dict[str, str | None]:
    return dict(request.__dict__.get("dateline_cookies", {}))


def note_tags(request: HttpRequest, *tags: str) -> None:
    """The page shows these things; a change to any of them changes the page."""
    noted: list[str] = request.__dict__.setdefault("dateline_tags", [])
    noted.extend(tag for tag in tags if tag not in noted)


def noted_tags(request: HttpRequest) -> list[str]:
    return list(request.__dict__.get("dateline_tags", []))
