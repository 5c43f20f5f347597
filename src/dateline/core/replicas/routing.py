"""Where each read goes: the router, and the middleware that decides per request.

A request is a *public read* when it is a reader's (``core.readers``: a
GET or HEAD outside the newsroom, with nobody signed in). Its view reads
from a usable replica (``health``), chosen when the view is about to run,
so everything before it — the page cache's generation, a session — reads
the primary. Everything else reads the primary: other
requests, commands and worker jobs (no request at all), every read inside a
transaction on the primary, every read after the request has written, and
the tables that decide access or the page cache's outbox.

Two rules keep a reader from going back in time:

* a replica further behind than DATELINE_REPLICA_MAX_LAG_SECONDS, down, or
  paused is skipped (``health``);
* a page the page cache will keep under a generation is made from a replica
  only if the replica has replayed the primary's WAL position recorded when
  that generation started (``require_replayed``, called by the page cache
  before the view). The kept position answers without a query when it is
  far enough (replay only moves forward); otherwise one tiny query asks the
  replica, and if it is still behind the page is made from the primary.

A replica that fails mid-request (the view raises an error that says the
database is unavailable, on the replica's connection) is left alone for a
cool-off and the view runs again once, on the primary: the reader gets the
page, never the 503. Django's routers cannot retry a query; this middleware
is innermost so that it sees the view's failure before the outage middleware
turns it into a 503.
"""

from __future__ import annotations

import logging
import random
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections

from dateline.core import outage
from dateline.core.readers import is_reader_request
from dateline.core.replicas import health

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Model
    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

# Reads that decide who may do what, or what the page cache may serve: from
# the primary always (a revoked key, a changed password, the outbox).
PRIMARY_APPS = {
    "auth", "sessions", "axes", "otp_totp", "otp_static", "django_otp_webauthn",
    "pagecache", "django_tasks_database",
}  # fmt: skip
PRIMARY_MODELS = {"api.apikey"}
# An attribute of the request: the WAL position its page must reflect.
REQUIRED_LSN = "_dateline_replica_lsn"
UNKNOWN = -1  # a generation whose position is unknown: from the primary


@dataclass
class Route:
    """Where this request's reads go now."""

    alias: str = DEFAULT_DB_ALIAS
    # The view, to run it again on the primary if the replica fails.
    view: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = None
    retried: bool = False
    # This thread's connection to the primary, looked up once a request
    # (the handler's lookup costs more than the rest of a routing decision).
    primary: BaseDatabaseWrapper | None = None


_route: ContextVar[Route | None] = ContextVar("dateline_read_route", default=None)


def reads_from() -> str:
    """The alias this request's reads go to now (the primary outside one)."""
    route = _route.get()
    return route.alias if route is not None else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads to the request's replica, if it has one; all else to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        route = _route.get()
        if route is None or route.alias == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS
        meta = model._meta
        if meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS:
            return DEFAULT_DB_ALIAS
        primary = route.primary or connections[DEFAULT_DB_ALIAS]
        if primary.in_atomic_block:
            return DEFAULT_DB_ALIAS  # a read inside a write transaction
        return route.alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        route = _route.get()
        if route is not None:
            route.alias = DEFAULT_DB_ALIAS  # it reads its own writes from now on
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the same data, whichever copy it was read from

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def require_replayed(request: HttpRequest, lsn: int | None) -> None:
    """The page this request makes will be kept under a generation that
    started at ``lsn`` (None: unknown): a replica may make it only once it
    has replayed that far. For the page cache, before it makes the page."""
    if health.has_replicas():
        setattr(request, REQUIRED_LSN, UNKNOWN if lsn is None else lsn)


def choose_replica(required_lsn: int | None) -> str | None:
    """A usable replica that has replayed ``required_lsn`` (None: any), or
    None: read the primary. No query unless a standing is stale, or the
    kept position is short of ``required_lsn``."""
    if required_lsn == UNKNOWN:
        return None  # a generation started without a position: the primary
    usable = [
        found
        for alias in health.replica_aliases()
        if (found := health.standing(alias)) is not None and found.usable
    ]
    random.shuffle(usable)  # spread this process's readers
    for found in usable:
        if required_lsn is None or (found.replayed_lsn or 0) >= required_lsn:
            return found.alias
    if required_lsn is None:
        return None
    for found in usable:
        replayed = health.replayed_lsn(found.alias)
        if replayed is not None and replayed >= required_lsn:
            return found.alias
    return None


class ReplicaMiddleware:
    """Chooses where the view reads (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _route.set(Route())
        try:
            return self.get_response(request)
        finally:
            _route.reset(token)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        route = _route.get()
        if route is None or not is_reader_request(request):
            return
        alias = choose_replica(getattr(request, REQUIRED_LSN, None))
        if alias is not None:
            route.alias = alias
            route.view = (view, args, kwargs)
            route.primary = connections[DEFAULT_DB_ALIAS]

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        route = _route.get()
        if (
            route is None
            or route.view is None
            or route.retried
            or route.alias == DEFAULT_DB_ALIAS
            or not connections[route.alias].errors_occurred
            or not outage.is_unavailable(exception)
        ):
            return None
        replica = route.alias
        health.mark_down(replica, exception)
        route.alias, route.retried = DEFAULT_DB_ALIAS, True
        logger.warning(
            "Replica %s failed during %s %s; answered from the primary.",
            replica,
            request.method,
            request.path,
        )
        view, args, kwargs = route.view
        response: HttpResponse = view(request, *args, **kwargs)
        render = getattr(response, "render", None)
        if callable(render):
            response = render()
        return response
