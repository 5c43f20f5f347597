"""Kept pages answered before Django, by a wrapper around the WSGI application.

Through Django's handler a kept page still costs the handler, the request
signals, a response object and the middleware: about 0.2 ms in process on
this machine, and under granian every microsecond of Python on a hit costs
several in throughput (it holds the GIL granian's own threads need). The
wrapper answers a kept page from the environ instead (7–11 µs), with the
same key, the same store and the same headers as the middleware
(``answer_of``), so a page is the same answer whichever of the two served it.
Anything it cannot answer at once — a miss, staff, a bypassed path, a bad
host, a generation that needs the database — goes to Django unchanged, and
the middleware handles it as before. ``dateline serve`` and any other WSGI
server get the wrapper through ``dateline.wsgi.application``.
"""

from __future__ import annotations

import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple

from dateline.pagecache import files, keys, store
from dateline.pagecache.middleware import answer_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    StartResponse = Callable[..., Any]
    Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

STATUS_LINES = {
    status.value: f"{status.value} {status.phrase}" for status in HTTPStatus
}


# Everything of the environ that the key, or the decision to look one up,
# depends on (a test records what keys.py reads and checks it is listed).
RAW_FIELDS = (
    "wsgi.url_scheme", "HTTP_HOST", "HTTP_X_FORWARDED_HOST", "SCRIPT_NAME",
    "SCRIPT_URL", "REDIRECT_URL", "PATH_INFO", "QUERY_STRING", "HTTP_COOKIE",
    "HTTP_ACCEPT_ENCODING", "HTTP_AUTHORIZATION",
)  # fmt: skip
# Requests of one generation remembered with their keys, at most. Junk
# requests only make the memory start afresh.
KNOWN_REQUESTS = 1000


class PageCacheApplication:
    def __init__(self, application: Application) -> None:
        self.application = application
        self.keys = KeyMemory(size=KNOWN_REQUESTS)
        files.start_keeper()  # when page files are on

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method in {"GET", "HEAD"} and keys.config().page_cache:
            kept = self._kept_answer(environ)
            if kept is not None:
                status, headers, body = kept
                start_response(STATUS_LINES[status], headers)
                return [] if method == "HEAD" or status == 304 else [body]
        return self.application(environ, start_response)

    def _kept_answer(
        self, environ: dict[str, Any]
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        generation = store.ready_generation()
        if generation is None:  # Django starts or looks up the generation
            return None
        memory = self.keys
        slot = files.current_slot()
        known = memory.key_for(environ, generation=files.key_token(generation, slot))
        if known is None:
            return None
        key, file_path = known
        conditional = (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
        )
        ready = None if conditional else memory.answers.get(key)
        if ready is not None and ready.page.expires_at > time.time():
            page = ready.page
            status, headers = page.status, ready.headers
        else:
            found = store.read_page(key)
            if found is None:
                return None
            page = found
            status, headers = answer_of(environ, page, generation, hit=True)
            if not conditional and generation.last_modified is not None:
                memory.keep_answer(key, Answer(page, headers))
        if file_path is not None and slot is not None and key not in memory.filed:
            # Made in another process, or before nginx lost the file.
            memory.filed.add(key)
            files.write_page(file_path, page, generation, slot, key=key)
        return status, headers, page.content


class Answer(NamedTuple):
    """A kept page's whole answer to an unconditional request: the same for
    every such request in a generation, once its Last-Modified is known."""

    page: store.Page
    headers: list[tuple[str, str]]


class Known(NamedTuple):
    """What a request seen before needs: its page key, and where its page is
    written as a file (None: not written, see pagecache/files.py)."""

    key: str
    file_path: str | None


class KeyMemory:
    """The page key of each request seen in this generation, by the raw
    values it was made from: a request seen before costs one tuple and one
    lookup instead of parsing its cookies and query and hashing them. None
    for a request the cache does not answer (staff, the newsroom, …)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.seen: dict[tuple[Any, ...], Known | None] = {}
        self.answers: dict[str, Answer] = {}  # by page key
        self.filed: set[str] = set()  # page keys written as files (or tried)
        self.made_for: tuple[str, keys.Config] | None = None

    def key_for(self, environ: dict[str, Any], *, generation: str) -> Known | None:
        config = keys.config()
        if self.made_for != (generation, config):
            # Replaced whole: other threads keep the old ones.
            self.seen, self.answers, self.filed = {}, {}, set()
            self.made_for = (generation, config)
        seen = self.seen
        proxy_header = config.proxy_ssl_header[0] if config.proxy_ssl_header else ""
        raw = (environ.get(proxy_header), *map(environ.get, RAW_FIELDS))
        try:
            return seen[raw]
        except KeyError:
            pass
        visit = keys.visit_of_environ(environ)
        known = (
            Known(keys.page_key(visit, generation=generation), files.file_path(visit))
            if visit is not None and keys.is_cacheable(visit)
            else None
        )
        if len(seen) >= self.size:
            seen.clear()
        seen[raw] = known
        return known

    def keep_answer(self, key: str, answer: Answer) -> None:
        answers = self.answers
        if len(answers) >= self.size:
            answers.clear()
        answers[key] = answer
