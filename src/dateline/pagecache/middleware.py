"""The page cache, checked before the heavy middleware (sessions, CSRF, auth).

An anonymous GET or HEAD is answered from the cache when the page is kept
for the current generation, with a 304 when the client's copy is the same.
Otherwise the page is made, given its caching headers, and kept if it may be:
a 200 with no cookie set, nothing private, no ``Vary`` beyond what the key
holds, and every page-changing cookie understood as sent.

A kept page is also kept as its address's *last good copy*, under a key
without the generation, for DATELINE_STALE_IF_ERROR_SECONDS. When making
a page fails (a 5xx: the database is down, core/outage.py answers 503), the
reader gets that copy instead, marked ``X-Page-Cache: stale`` (RFC 5861's
stale-if-error, which the ``Cache-Control`` of every kept page also offers
caches in front); with no copy, the error as made.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.db import Error as DatabaseFailure
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import cc_delim_re
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from dateline.core import compression, outage
from dateline.core.replicas.routing import require_replayed
from dateline.core.variants import noted_cookies, noted_tags
from dateline.pagecache import files, keys, store

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from django.http import HttpRequest

MAX_PAGE_BYTES = 2_000_000
# Shared caches (nginx's micro-cache, a CDN) may keep a page one second and
# serve it a little longer while they fetch a fresh one; browsers revalidate.
# ``shared_cache_control`` adds how long they may serve it when we fail.
SHARED_CACHE_CONTROL = "public, max-age=0, s-maxage=1, stale-while-revalidate=10"
# Headers that belong to one answer, not to the page; and the caching headers
# every kept page gets from the cache itself (``answer_of``), so that a page's
# own (a feed's max-age and ETag) never go out beside them: one rule for all.
NOT_KEPT = {
    "set-cookie", "date", "x-page-cache", "cache-control", "etag", "last-modified",
}  # fmt: skip
VARY_IN_KEY = {"cookie", "accept-encoding"}
# The page's headers a 304 repeats.
REPEATED_ON_304 = {"vary", "content-location", "surrogate-key", "cache-tag"}


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        visit = _visit_of(request) if settings.DATELINE_PAGE_CACHE else None
        if visit is None or not keys.is_cacheable(visit):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                # A member of staff may see what readers do not.
                response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        try:
            generation = store.current_generation()
        except DatabaseFailure as error:
            # Starting a generation reads the next scheduled release.
            if not outage.is_unavailable(error):
                raise
            return _last_good_or(request, visit, self.get_response(request))
        if generation is None:
            # The cache is down, or cannot yet be trusted (a change waits in
            # the outbox, or the database would not say what is scheduled):
            # make the page and keep nothing, its last good copy if it fails.
            return _last_good_or(request, visit, self.get_response(request))
        slot = files.current_slot()
        key = keys.page_key(visit, generation=files.key_token(generation, slot))
        page = store.read_page(key)
        hit = page is not None
        if page is None:
            # Kept under this generation: made from what it reflects, and
            # compressed small, once for all its readers.
            require_replayed(request, generation.lsn)
            compression.page_is_kept(request)
            response = self.get_response(request)
            if response.status_code >= 500:
                return _last_good_or(request, visit, response)
            if not _may_keep(request, visit, response):
                # Made for this request only (a cookie not understood, a 404,
                # a redirect): caches in front must not share it either.
                response.headers.setdefault("Cache-Control", "private, no-cache")
                return response
            page = _page_of(request, response)
            store.keep_page(key, page)
            if not request.META.get("QUERY_STRING"):
                # Only addresses without a query: they are as many as the
                # site's pages, while a query (?q=…) is the stranger's to
                # vary, and each copy lives for hours.
                store.keep_last_good(keys.last_good_key(visit), page)
        if hit and slot is not None:  # asked for again: worth a file
            path = files.file_path(visit)
            if path is not None:
                files.write_page(path, page, generation, slot, key=key)
        return _answer(request, page, generation, hit=hit)


def _last_good_or(
    request: HttpRequest, visit: keys.Visit, response: HttpResponse
) -> HttpResponse:
    """The page's last good copy in place of an error (a 5xx), else what
    was made."""
    if response.status_code < 500:
        return response
    page = store.read_last_good(keys.last_good_key(visit))
    if page is None:
        return response
    status, headers = stale_answer_of(request.META, page)
    return _response(page, status, headers)


def stale_answer_of(
    meta: Mapping[str, Any], page: store.Page
) -> tuple[int, list[tuple[str, str]]]:
    """The status and headers that answer from a last good copy: as a kept
    page's (``answer_of``), without a date (the generation is unknown), and
    marked stale."""
    if _is_unchanged(meta, page, None):
        status = 304
        headers = [(n, v) for n, v in page.headers if n.lower() in REPEATED_ON_304]
    else:
        status = page.status
        headers = list(page.headers)
    headers.append(("ETag", page.etag))
    headers.append(("Cache-Control", shared_cache_control()))
    headers.append(("X-Page-Cache", "stale"))
    return status, headers


@functools.cache
def shared_cache_control() -> str:
    """``SHARED_CACHE_CONTROL`` with stale-if-error (RFC 5861): caches in
    front may serve a page while we answer errors, as long as we keep its
    last good copy. Read once: a kept page's answer reads it every time."""
    seconds = settings.DATELINE_STALE_IF_ERROR_SECONDS
    if not seconds:
        return SHARED_CACHE_CONTROL
    return f"{SHARED_CACHE_CONTROL}, stale-if-error={seconds}"


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "DATELINE_STALE_IF_ERROR_SECONDS":
        shared_cache_control.cache_clear()


def _visit_of(request: HttpRequest) -> keys.Visit | None:
    try:
        return keys.visit_of_request(request)
    except DisallowedHost:  # answered 400 further in
        return None


def _may_keep(request: HttpRequest, visit: keys.Visit, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if len(response.content) > MAX_PAGE_BYTES:
        return False
    control = {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if control & {"private", "no-store", "no-cache"}:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not vary <= VARY_IN_KEY:
        return False
    understood = noted_cookies(request)
    return all(
        understood.get(name, "\0") == value
        for name, value in keys.key_cookies(visit).items()
    )


def _page_of(request: HttpRequest, response: HttpResponse) -> store.Page:
    content = bytes(response.content)
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in NOT_KEPT
    ]
    tags = noted_tags(request)
    if tags:
        headers.append(("Surrogate-Key", " ".join(tags)))
        headers.append(("Cache-Tag", ",".join(tags)))
    return store.Page(
        status=response.status_code,
        headers=headers,
        content=content,
        etag=store.etag_of(content),
    )


def _answer(
    request: HttpRequest, page: store.Page, generation: store.Generation, *, hit: bool
) -> HttpResponse:
    status, headers = answer_of(request.META, page, generation, hit=hit)
    return _response(page, status, headers)


def _response(
    page: store.Page, status: int, headers: list[tuple[str, str]]
) -> HttpResponse:
    """A kept page as an answer: its body, or a 304 without one."""
    response: HttpResponse = (
        HttpResponseNotModified()
        if status == 304
        else HttpResponse(page.content, status=status)
    )
    for name, value in headers:
        response[name] = value
    return response


def answer_of(
    meta: Mapping[str, Any],
    page: store.Page,
    generation: store.Generation,
    *,
    hit: bool,
) -> tuple[int, list[tuple[str, str]]]:
    """The status and headers that answer a request from a kept page: the
    page's own, or a 304 with those a 304 must repeat (RFC 9110 §15.4.5),
    plus the validators and caching headers. Shared by the middleware and
    the WSGI wrapper, so that a hit is the same answer either way."""
    last_modified = generation.last_modified
    if _is_unchanged(meta, page, last_modified):
        status = 304
        headers = [(n, v) for n, v in page.headers if n.lower() in REPEATED_ON_304]
    else:
        status = page.status
        headers = list(page.headers)
    headers.append(("ETag", page.etag))
    if last_modified is not None:
        headers.append(("Last-Modified", _http_date(last_modified)))
    headers.append(("Cache-Control", shared_cache_control()))
    headers.append(("X-Page-Cache", "hit" if hit else "miss"))
    return status, headers


@functools.lru_cache(maxsize=16)
def _http_date(seconds: int) -> str:
    return http_date(seconds)  # one generation's date, for every page of it


def _is_unchanged(
    meta: Mapping[str, Any], page: store.Page, last_modified: int | None
) -> bool:
    """RFC 9110 §13.2.2: If-None-Match first; If-Modified-Since only without it."""
    if_none_match = meta.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or quote_etag(page.etag) in tags
    if_modified_since = meta.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since is None or last_modified is None:
        return False
    since = parse_http_date_safe(if_modified_since)
    return since is not None and since >= last_modified
