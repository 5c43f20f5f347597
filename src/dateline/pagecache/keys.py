"""Which requests the page cache answers, and the key of each page.

A key holds what really changes a page and nothing else: scheme, host, path,
the query parameters our pages read (any other parameter, a tracking tag or
a cache-buster, is left out, so it cannot make entries), the cookies that
change a page (the reader's city everywhere, the feed's sections on /news/),
whether the client takes gzip, and the site's generation.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

# Every query parameter a cached page reads (tests/pagecache checks that the
# views and their forms read no other).
KEY_PARAMS = frozenset(
    {
        # feeds and lists
        "sections", "before", "partial", "page",
        # search
        "q", "sort", "topic", "person", "since", "until", "from", "to",
        # the currency converter
        "amount", "source", "target",
    }
)  # fmt: skip

# Cookies that change pages: name -> the path prefix of the pages they change.
KEY_COOKIES = {"dateline_city": "/", "dateline_sections": "/news/"}

# Never answered from the cache: the newsroom, the API (keys and rate limits
# count every call), view counting, previews, files.
BYPASS_PREFIXES = ("/newsroom/", "/api/", "/views/", "/preview/", "/static/", "/media/")
MAX_QUERY_LENGTH = 2048
MAX_COOKIE_LENGTH = 200


def is_cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith(BYPASS_PREFIXES)
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
        and all(
            len(request.COOKIES.get(name, "")) <= MAX_COOKIE_LENGTH
            for name in KEY_COOKIES
        )
    )


def key_cookies(request: HttpRequest) -> dict[str, str]:
    """The cookies, of those that change pages, that this page's key holds."""
    return {
        name: request.COOKIES[name]
        for name, prefix in KEY_COOKIES.items()
        if name in request.COOKIES and request.path.startswith(prefix)
    }


def page_key(request: HttpRequest, *, generation: str) -> str:
    params = sorted(
        (name, value)
        for name, value in parse_qsl(
            request.META.get("QUERY_STRING", ""), keep_blank_values=True
        )
        if name in KEY_PARAMS
    )
    gzip = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    parts = [
        request.scheme or "http",
        request.get_host(),
        request.path,
        repr(params),
        repr(sorted(key_cookies(request).items())),
        "gzip" if gzip else "identity",
        settings.LANGUAGE_CODE,
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{digest}"
