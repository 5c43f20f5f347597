"""gzip for the text Dateline writes: pages, feeds, sitemaps and API answers.

Static files are not compressed here: whitenoise serves them precompressed
(gzip made by ``collectstatic``) before a request reaches this middleware,
and nginx does the same from STATIC_ROOT with ``gzip_static``. Pictures and
other binary answers (uploads served by Django, the view pixel) are left
alone: they are compressed already, and gzipping them only costs time.

BREACH: an attacker who can make a victim's browser send requests with
chosen text reflected in a compressed page can learn a secret on the same
page from the compressed sizes. Public pages carry no secret: most carry no
form at all, and the forms that do (the city selector) carry Django's CSRF
token, which is masked afresh for every response, so it never repeats.
Django's middleware also adds up to 100 random bytes to each gzip header
("Heal the BREACH"), so sizes do not line up across requests. The newsroom
(staff pages that show unpublished items and reflect search terms) is not
compressed at all: its few users do not need the bandwidth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.middleware.gzip import GZipMiddleware

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

COMPRESSIBLE = frozenset(
    {
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
)
UNCOMPRESSED_PATHS = ("/newsroom/",)


def compressible(content_type: str) -> bool:
    """True for text media types: text/*, JSON, XML and their +json/+xml kin."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return (
        kind.startswith("text/")
        or kind in COMPRESSIBLE
        or kind.endswith(("+xml", "+json"))
    )


class TextCompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for text answers outside the newsroom only."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith(UNCOMPRESSED_PATHS) or not compressible(
            response.get("Content-Type", "")
        ):
            return response
        return super().process_response(request, response)
