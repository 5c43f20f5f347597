"""Kept pages answered before Django, by a wrapper around the WSGI application.

Through Django's handler a kept page still costs the handler, the request
signals, a response object and the middleware in front of the page cache:
about 0.4 ms on this machine, which caps one core at about 2,500 pages a
second. The wrapper answers a kept page from the environ instead, with the
same key, the same store and the same headers as the middleware
(``answer_of``), so a page is the same answer whichever of the two served it.
Anything it cannot answer at once — a miss, staff, a bypassed path, a bad
host, a generation that needs the database — goes to Django unchanged, and
the middleware handles it as before. ``dateline serve`` and any other WSGI
server get the wrapper through ``dateline.wsgi.application``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dateline.pagecache import keys, store
from dateline.pagecache.middleware import answer_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    StartResponse = Callable[..., Any]
    Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

STATUS_LINES = {
    status.value: f"{status.value} {status.phrase}" for status in HTTPStatus
}


class PageCacheApplication:
    def __init__(self, application: Application) -> None:
        self.application = application

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if settings.DATELINE_PAGE_CACHE and method in {"GET", "HEAD"}:
            kept = _kept_answer(environ)
            if kept is not None:
                status, headers, body = kept
                start_response(STATUS_LINES[status], headers)
                return [] if method == "HEAD" or status == 304 else [body]
        return self.application(environ, start_response)


def _kept_answer(
    environ: dict[str, Any],
) -> tuple[int, list[tuple[str, str]], bytes] | None:
    visit = keys.visit_of_environ(environ)
    if visit is None or not keys.is_cacheable(visit):
        return None
    generation = store.ready_generation()
    if generation is None:  # Django starts or looks up the generation
        return None
    page = store.read_page(keys.page_key(visit, generation=generation.token))
    if page is None:
        return None
    status, headers = answer_of(environ, page, generation, hit=True)
    return status, headers, page.content
