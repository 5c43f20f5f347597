"""Feed views: a source, a format, and a conditional GET."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, set_response_etag

from dateline.core.absolute import absolute_urls
from dateline.core.variants import note_tags
from dateline.syndication import feeds, sitemaps
from dateline.syndication.sources import Format, Kind, news_source, source_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.http import HttpRequest

    from dateline.syndication.sources import Source

# Feed readers poll; a minute's staleness is fine for them and for caches.
MAX_AGE_SECONDS = 60
SITEMAP_MAX_AGE_SECONDS = 300


def news_feed(request: HttpRequest, format: str) -> HttpResponse:
    return _serve(request, news_source(), Format(format))


def subject_feed(
    request: HttpRequest, kind: str, slug: str, format: str
) -> HttpResponse:
    return _serve(request, source_for(Kind(kind), slug), Format(format))


def _serve(request: HttpRequest, source: Source, format: Format) -> HttpResponse:
    note_tags(request, "items")
    if source.slug is not None:
        note_tags(request, f"{source.kind.value}-{source.slug}")
    response: HttpResponse
    if format is Format.JSON:
        response = HttpResponse(
            feeds.json_text(feeds.json_feed(request, source)),
            content_type=f"{format.media_type}; charset=utf-8",
        )
    else:
        response = feeds.xml_feed(request, source, format)
    # Only the ETag validates (no Last-Modified): a withdrawn item changes a
    # feed without making any remaining entry newer, so a date could answer
    # 304 to a stale copy.
    response["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    set_response_etag(response)
    return (
        get_conditional_response(request, etag=response["ETag"], response=response)
        or response
    )


def sitemap_index(request: HttpRequest) -> StreamingHttpResponse:
    return _xml(sitemaps.index_lines(absolute_urls(request)))


def sitemap(request: HttpRequest, name: str) -> StreamingHttpResponse:
    """One file of the index: pages, news, tags-N or items-YYYY-MM[-N]."""
    absolute = absolute_urls(request)
    if name == "pages":
        return _xml(sitemaps.pages_lines(absolute))
    if name == "news":
        return _xml(sitemaps.news_lines(absolute))
    tags = re.fullmatch(r"tags-([1-9][0-9]{0,3})", name)
    if tags:
        number = int(tags.group(1))
        if number > sitemaps.tag_files():
            raise Http404
        return _xml(sitemaps.tags_lines(absolute, number))
    items = re.fullmatch(r"items-([0-9]{4})-([0-9]{2})(?:-([2-9]|[1-9][0-9]))?", name)
    if items:
        year, month, page = (
            int(items.group(1)),
            int(items.group(2)),
            int(items.group(3) or 1),
        )
        if not (1 <= month <= 12 and 1900 <= year <= 9998):
            raise Http404
        first = date(year, month, 1)
        if page > sitemaps.month_pages(first):
            raise Http404
        return _xml(sitemaps.month_lines(absolute, sitemaps.MonthFile(first, page)))
    raise Http404


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /newsroom/",
        "Disallow: /preview/",
        "Disallow: /views/",
        "",
        f"Sitemap: {absolute_urls(request)(reverse('sitemap-index'))}",
        f"Sitemap: {absolute_urls(request)(reverse('sitemaps:section', args=['news']))}",
    ]
    response = HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = f"public, max-age={SITEMAP_MAX_AGE_SECONDS}"
    return response


def _xml(lines: Iterator[str]) -> StreamingHttpResponse:
    """A sitemap whole or not at all: every row is read before the first
    byte, so a database that fails on the way is a 503 (core/outage.py),
    never a 200 cut off. It is still sent as a stream (from memory), so the
    page cache does not keep files of megabytes (docs/decisions/page-cache.md)."""
    body = "".join(lines).encode()
    response = StreamingHttpResponse(
        [body], content_type="application/xml; charset=utf-8"
    )
    response["Cache-Control"] = f"public, max-age={SITEMAP_MAX_AGE_SECONDS}"
    return response
