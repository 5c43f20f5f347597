"""Which requests the page cache answers, and the key of each page.

A key holds what really changes a page and nothing else: scheme, host, path,
the query parameters our pages read (any other parameter, a tracking tag or
a cache-buster, is left out, so it cannot make entries), the cookies that
change a page (the reader's city everywhere, the feed's sections on /news/),
whether the client takes gzip, and the site's generation.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import parse_cookie

from dateline.core.hosts import is_valid_host

if TYPE_CHECKING:
    from collections.abc import Mapping

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
# In place of the generation: the last good copy of a page, whatever its
# generation, served while the page cannot be made (store.keep_last_good).
LAST_GOOD = "last-good"


class Config(NamedTuple):
    """The settings a key reads, read once: on every kept page, each read
    through Django's lazy settings costs more than the lookup it serves."""

    proxy_ssl_header: tuple[str, str] | None
    use_forwarded_host: bool
    session_cookie: str
    language: str
    page_cache: bool


@functools.cache
def config() -> Config:
    return Config(
        proxy_ssl_header=settings.SECURE_PROXY_SSL_HEADER,
        use_forwarded_host=settings.USE_X_FORWARDED_HOST,
        session_cookie=settings.SESSION_COOKIE_NAME,
        language=settings.LANGUAGE_CODE,
        page_cache=settings.DATELINE_PAGE_CACHE,
    )


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    config.cache_clear()


@dataclass(frozen=True, slots=True)
class Visit:
    """What the page cache reads of a request. Made from Django's request
    (the middleware) or straight from the WSGI environ (the wrapper in front
    of Django); both must give the same key for the same request."""

    method: str
    scheme: str
    host: str  # as sent; Django validates it before any page is kept under it
    path: str
    query: str
    cookies: dict[str, str]
    meta: Mapping[str, Any]


def visit_of_request(request: HttpRequest) -> Visit:
    return Visit(
        method=request.method or "",
        scheme=request.scheme or "http",
        host=request.get_host(),  # raises DisallowedHost: Django answers 400
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        cookies=request.COOKIES,
        meta=request.META,
    )


def visit_of_environ(environ: dict[str, Any]) -> Visit | None:
    """The visit as ``visit_of_request`` would see it, without a request
    object; None where only Django can tell (no Host header)."""
    host = _host_of(environ)
    if host is None:
        return None
    script_name = get_script_name(environ)  # as WSGIRequest makes request.path
    path_info = get_path_info(environ) or "/"
    return Visit(
        method=environ.get("REQUEST_METHOD", ""),
        scheme=_scheme_of(environ),
        host=host,
        path="{}/{}".format(script_name.rstrip("/"), path_info.replace("/", "", 1)),
        query=environ.get("QUERY_STRING", ""),
        cookies=parse_cookie(environ.get("HTTP_COOKIE", "")),
        meta=environ,
    )


def _scheme_of(environ: Mapping[str, Any]) -> str:
    """HttpRequest.scheme, read from the environ."""
    proxy_ssl_header = config().proxy_ssl_header
    if proxy_ssl_header:
        header, secure_value = proxy_ssl_header
        value = environ.get(header)
        if value is not None:
            return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
    return str(environ.get("wsgi.url_scheme", "http"))


def _host_of(environ: Mapping[str, Any]) -> str | None:
    """The host HttpRequest.get_host() would check, before it checks it;
    None for one that cannot be ours (a port that cannot exist): Django
    refuses it (core/hosts.py)."""
    if config().use_forwarded_host and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST")
    return str(host) if host is not None and is_valid_host(str(host)) else None


def is_cacheable(visit: Visit) -> bool:
    return (
        visit.method in {"GET", "HEAD"}
        and config().session_cookie not in visit.cookies
        and "HTTP_AUTHORIZATION" not in visit.meta
        and not visit.path.startswith(BYPASS_PREFIXES)
        and len(visit.query) <= MAX_QUERY_LENGTH
        and all(
            len(visit.cookies.get(name, "")) <= MAX_COOKIE_LENGTH
            for name in KEY_COOKIES
        )
    )


def key_cookies(visit: Visit) -> dict[str, str]:
    """The cookies, of those that change pages, that this page's key holds."""
    return {
        name: visit.cookies[name]
        for name, prefix in KEY_COOKIES.items()
        if name in visit.cookies and visit.path.startswith(prefix)
    }


def page_key(visit: Visit, *, generation: str) -> str:
    params = (
        sorted(
            (name, value)
            for name, value in parse_qsl(visit.query, keep_blank_values=True)
            if name in KEY_PARAMS
        )
        if visit.query
        else []
    )
    gzip = "gzip" in visit.meta.get("HTTP_ACCEPT_ENCODING", "")
    parts = [
        visit.scheme,
        visit.host,
        visit.path,
        repr(params),
        repr(sorted(key_cookies(visit).items())),
        "gzip" if gzip else "identity",
        config().language,
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"page:{generation}:{digest}"


def last_good_key(visit: Visit) -> str:
    """The key of the page's last good copy: its key without the generation."""
    return page_key(visit, generation=LAST_GOOD)
