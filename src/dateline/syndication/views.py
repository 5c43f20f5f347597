"""Feed views: a source, a format, and a conditional GET."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, set_response_etag

from dateline.syndication import feeds
from dateline.syndication.sources import Format, Kind, news_source, source_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from dateline.syndication.sources import Source

# Feed readers poll; a minute's staleness is fine for them and for caches.
MAX_AGE_SECONDS = 60


def news_feed(request: HttpRequest, format: str) -> HttpResponse:
    return _serve(request, news_source(), Format(format))


def subject_feed(
    request: HttpRequest, kind: str, slug: str, format: str
) -> HttpResponse:
    return _serve(request, source_for(Kind(kind), slug), Format(format))


def _serve(request: HttpRequest, source: Source, format: Format) -> HttpResponse:
    response: HttpResponse
    if format is Format.JSON:
        response = HttpResponse(
            feeds.json_text(feeds.json_feed(request, source)),
            content_type=f"{format.media_type}; charset=utf-8",
        )
    else:
        response = feeds.SourceFeed(format)(request, source=source)
    # Only the ETag validates: a withdrawn item changes a feed without making
    # any remaining entry newer, so a date could answer 304 to a stale copy.
    if response.has_header("Last-Modified"):
        del response["Last-Modified"]
    response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    set_response_etag(response)
    return (
        get_conditional_response(request, etag=response["ETag"], response=response)
        or response
    )
