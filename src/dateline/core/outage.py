"""When the database is down, refuses, or the disk is full: a 503, never a 500.

A request that fails because the database cannot be reached or cannot
write (``is_unavailable``) is a temporary state of the service, not a bug:
it gets a 503 with ``Retry-After``, in the form its caller reads — an RFC
9457 problem document under the API, an error page in the newsroom, the
site's own page elsewhere (``503.html``, made without a query). The page
cache serves readers its last good copy of a page in front of this
(``dateline.pagecache.middleware``).

Two hooks catch the failures: ``DatabaseOutageMiddleware`` for a view (the
common case: quietly, with a warning in the log), and ``server_error``, the
URLconf's ``handler500``, for the rest (a session saved by its middleware
on a full disk, the page cache reading the generation).

What counts: any ``InterfaceError`` (a connection closed under us), any
``OperationalError`` of PostgreSQL (psycopg keeps syntax errors and the like
in ``ProgrammingError``), SQLite's operational errors that are about the
file (busy or locked past the busy timeout, cannot open, I/O error, disk
full, read-only) but not its ``no such table`` (a bug, kept a 500), and an
``OSError`` for a full disk (a session or an upload written to a file).

A pool of connections with none free (``DATELINE_DATABASE_POOL``,
core/database.py) is the same kind of state: psycopg_pool's ``PoolTimeout``
(or ``TooManyRequests``, a queue of waiters full) after the pool's timeout,
which Django raises as its ``OperationalError`` from the driver's, or
PgBouncer's ``query_wait_timeout`` (deploy/pgbouncer.ini). It gets a
503 saying the site is busy, with a shorter ``Retry-After``: a burst passes
in seconds.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
from typing import TYPE_CHECKING

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import defaults

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.http import HttpRequest

logger = logging.getLogger(__name__)

# What a client is told to wait before it tries again.
RETRY_AFTER_SECONDS = 30
# ... when every pooled connection was busy for the pool's whole timeout.
BUSY_RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"
PROBLEM_TYPE = "application/problem+json"
SITE_TEMPLATE = "503.html"  # the public site's (site/templates/503.html)
NEWSROOM_TEMPLATE = "newsroom/503.html"

# SQLite's primary result codes that mean the file, not the statement:
# BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
SQLITE_UNAVAILABLE = {5, 6, 7, 8, 10, 13, 14, 15}
SQLITE_FULL = 13
# The same by message, for an error without its code.
SQLITE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "unable to open database",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
    "out of memory",
)
# PostgreSQL's class 53 (insufficient resources): 53100 is disk_full.
PG_DISK_FULL = "53100"
DISK_FULL_MESSAGES = (
    "database or disk is full",
    "no space left on device",
    "could not extend file",
    "disk quota exceeded",
)
DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
# PgBouncer's when no server connection came within query_wait_timeout, and
# when max_client_conn clients are connected already.
PGBOUNCER_BUSY_MESSAGES = ("query_wait_timeout", "no more connections allowed")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and those it was raised from (Django wraps the driver's)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database (or the disk under it) cannot
    serve now, rather than that the code asked for something wrong."""
    return any(_is_unavailable_one(one) for one in _chain(error))


def is_pool_exhausted(error: BaseException) -> bool:
    """Whether ``error`` is (or was raised from) a connection pool that had
    no connection to lend in time: psycopg's in this process, or PgBouncer's
    (its errors are messages)."""
    pool = sys.modules.get("psycopg_pool")  # imported only where a pool is used
    kinds = (pool.PoolTimeout, pool.TooManyRequests) if pool is not None else ()
    return any(
        isinstance(one, kinds)
        or any(text in str(one) for text in PGBOUNCER_BUSY_MESSAGES)
        for one in _chain(error)
    )


def _is_unavailable_one(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in DISK_FULL_ERRNOS
    if isinstance(error, sqlite3.Error) and not isinstance(
        error, sqlite3.OperationalError
    ):
        return False
    if isinstance(error, sqlite3.OperationalError):
        return _is_sqlite_unavailable(error)
    if isinstance(error, InterfaceError):
        return True
    if isinstance(error, OperationalError):
        cause = error.__cause__
        if isinstance(cause, sqlite3.Error):
            return False  # the driver's error, judged on its own
        if cause is None:
            # Raised by Django itself, or without its driver's error: by the
            # message, as SQLite's are, or a connection that could not be made.
            message = str(error).lower()
            return any(text in message for text in SQLITE_MESSAGES) or (
                "connect" in message or "connection" in message
            )
        return True  # psycopg's OperationalError: the server, not the query
    return _is_psycopg_unavailable(error)


def _is_sqlite_unavailable(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in SQLITE_UNAVAILABLE
    message = str(error).lower()
    return any(text in message for text in SQLITE_MESSAGES)


def _is_psycopg_unavailable(error: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")
    if psycopg is None:
        return False
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def is_disk_full(error: BaseException) -> bool:
    for one in _chain(error):
        if isinstance(one, OSError) and one.errno in DISK_FULL_ERRNOS:
            return True
        code = getattr(one, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF == SQLITE_FULL:
            return True
        if getattr(one, "sqlstate", None) == PG_DISK_FULL:
            return True
        message = str(one).lower()
        if any(text in message for text in DISK_FULL_MESSAGES):
            return True
    return False


def unavailable_answer(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 for ``error``, in the form the caller of this path reads."""
    disk_full = is_disk_full(error)
    busy = not disk_full and is_pool_exhausted(error)
    if disk_full:
        detail = _(
            "The server's disk is full: nothing was saved. Try again once it has room."
        )
    elif busy:
        detail = _("The site is very busy just now. Please try again in a moment.")
    else:
        detail = _(
            "The database is not answering just now. Please try again in a moment."
        )
    response = _answer_for_path(request, detail, disk_full=disk_full)
    response["Retry-After"] = str(
        BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS
    )
    response["Cache-Control"] = "no-store"
    return response


def _answer_for_path(
    request: HttpRequest, detail: str, *, disk_full: bool
) -> HttpResponse:
    path = request.path_info
    if path.startswith(API_PREFIX):
        return problem_unavailable(detail)
    template = NEWSROOM_TEMPLATE if _is_newsroom(request) else SITE_TEMPLATE
    context = {"detail": detail, "disk_full": disk_full}
    try:
        # The template reads nothing from the database (tests count it).
        content = render_to_string(template, context, request=request)
    except Exception:  # the page of last resort must not fail in turn
        logger.exception("Outage: the %s page could not be rendered.", template)
        return HttpResponse(detail, status=503, content_type="text/plain")
    return HttpResponse(content, status=503)


def problem_unavailable(detail: str) -> JsonResponse:
    """An RFC 9457 problem document for a 503 (the API's errors' form)."""
    body = {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": detail,
    }
    response = JsonResponse(body, status=503, content_type=PROBLEM_TYPE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _is_newsroom(request: HttpRequest) -> bool:
    try:
        return request.path.startswith(reverse("admin:index"))
    except NoReverseMatch:
        return False


class DatabaseOutageMiddleware:
    """A view that fails for want of the database answers 503 (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_unavailable(exception):
            return None  # a bug: Django's 500, logged as one
        logger.warning(
            "Outage: %s %s answered 503: %s", request.method, request.path, exception
        )
        return unavailable_answer(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the 503 for an outage met outside a view, else
    Django's own 500 page."""
    error = sys.exception()
    if error is not None and is_unavailable(error):
        return unavailable_answer(request, error)
    try:
        return defaults.server_error(request)
    except TemplateDoesNotExist:  # pragma: no cover - Django falls back itself
        return HttpResponseServerError()
