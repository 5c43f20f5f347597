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
Each gzip header also carries up to 100 random bytes ("Heal the BREACH",
as Django's own middleware does), so sizes do not line up across requests.
The newsroom (staff pages that show unpublished items and reflect search
terms) is not compressed at all: its few users do not need the bandwidth.
"""

from __future__ import annotations

import gzip
import secrets
from typing import TYPE_CHECKING

from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import patch_vary_headers
from zlib_ng import gzip_ng

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
# zlib-ng (a faster implementation of the same format than zlib): at Django's
# level 6, a 13.5 KB article page took 83 µs instead of zlib's 160 for the
# same size (3,643 bytes against 3,635). A page the page cache keeps is
# compressed once and sent many times: level 6. A page made for one answer
# (the page cache off, a search, an API list) is compressed on every request,
# where level 6 was 7–9% of an uncached article page's CPU: level 1, as
# nginx's gzip by default. On the 21 KB article page with its side column:
# level 6 143 µs for 4,899 bytes, level 2 86 µs for 5,370, level 1 47 µs
# for 6,671.
LEVEL = 6
LEVEL_FOR_ONE_ANSWER = 1
# Set on a request by the page cache when it will keep the page it makes.
_KEPT = "dateline_page_is_kept"
# Shorter answers gain nothing worth the header.
SHORTEST = 200


def compressible(content_type: str) -> bool:
    """True for text media types: text/*, JSON, XML and their +json/+xml kin."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return (
        kind.startswith("text/")
        or kind in COMPRESSIBLE
        or kind.endswith(("+xml", "+json"))
    )


def page_is_kept(request: HttpRequest) -> None:
    """Say that the page this request makes will be kept (by the page
    cache): it is compressed at ``LEVEL``, not ``LEVEL_FOR_ONE_ANSWER``."""
    request.__dict__[_KEPT] = True


def packed(content: bytes, *, max_random_bytes: int, level: int = LEVEL) -> bytes:
    """``content`` gzipped, with a random name of 0 to ``max_random_bytes - 1``
    bytes in its header so that its length says less about its text."""
    data: bytes = gzip_ng.compress(  # type: ignore[no-untyped-call]
        content, compresslevel=level, mtime=0
    )
    name = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    flags = data[3] | gzip.FNAME
    return data[:3] + bytes([flags]) + data[4:10] + name + data[10:]


class TextCompressionMiddleware(GZipMiddleware):
    """gzip for text answers outside the newsroom: Django's GZipMiddleware
    for streamed answers, zlib-ng (``packed``) for the rest."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith(UNCOMPRESSED_PATHS) or not compressible(
            response.get("Content-Type", "")
        ):
            return response
        if response.streaming:
            return super().process_response(request, response)
        content: bytes = response.content  # type: ignore[attr-defined]
        if len(content) < SHORTEST or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        level = LEVEL if request.__dict__.get(_KEPT) else LEVEL_FOR_ONE_ANSWER
        smaller = packed(content, max_random_bytes=self.max_random_bytes, level=level)
        if len(smaller) >= len(content):
            return response
        response.content = smaller  # type: ignore[attr-defined]
        response.headers["Content-Length"] = str(len(smaller))
        # The same entity in other bytes: a strong ETag becomes weak
        # (RFC 9110, 8.8.1), so conditional requests still match it.
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
