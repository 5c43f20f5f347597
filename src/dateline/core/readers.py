"""Readers' requests, and the newsroom's middleware they skip.

A request is a *reader's* when it is a GET or HEAD outside the newsroom
(``/newsroom/``, the admin and its sign-in pages) and carries no session
cookie: nobody is signed in, and what it asks for is the same for every
reader (the page cache keeps it for all of them). The replica router sends
such requests' reads to a replica (``core.replicas.routing``).

Sessions, authentication, the second factor, messages and django-axes are
the newsroom's: on a reader's request they make a session nobody reads, a
user who is anonymous, a message store that stays empty, and check a lockout
that only a sign-in can cause. ``NewsroomMiddleware`` runs them
(``NEWSROOM_MIDDLEWARE``, in that order) around the rest of the chain for
every other request, and lets a reader's go straight on with ``request.user``
an ``AnonymousUser`` (the staff preview sends it to sign in, as before).
Measured with callgrind on an uncached article page, the six layers were 8%
of its instructions (docs/decisions/article-sql.md, "Third pass").

A reader's request has no ``request.session`` and no message store: a
public view that wrote to either would lose what it wrote, so it fails
loudly instead. CSRF stays in the main chain (the city form is a reader's).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import convert_exception_to_response
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.apps import AppConfig
    from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD"})
# Hooks the handler collects from MIDDLEWARE only: a newsroom middleware with
# one of these would silently lose it here.
HANDLER_HOOKS = ("process_view", "process_exception", "process_template_response")


def is_reader_request(request: HttpRequest) -> bool:
    """A GET or HEAD outside the newsroom, with nobody signed in."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path_info.startswith(newsroom_prefix())
    )


@functools.cache
def newsroom_prefix() -> str:
    """The admin's path as ``path_info`` shows it: without the script prefix
    the site may be served under (which ``reverse`` puts in front)."""
    try:
        url = reverse("admin:index")
    except NoReverseMatch:  # pragma: no cover - the admin is always mounted
        return "/newsroom/"
    return "/" + url.removeprefix(get_script_prefix())


class NewsroomMiddleware:
    """``NEWSROOM_MIDDLEWARE`` around the rest of the chain, except for a
    reader's request (``is_reader_request``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.readers = get_response
        handler: Callable[[HttpRequest], Any] = get_response
        for path in reversed(settings.NEWSROOM_MIDDLEWARE):
            middleware = import_string(path)(handler)
            hooks = [hook for hook in HANDLER_HOOKS if hasattr(middleware, hook)]
            if hooks:
                raise ImproperlyConfigured(
                    f"NEWSROOM_MIDDLEWARE: {path} has {', '.join(hooks)}, which "
                    "only a middleware listed in MIDDLEWARE gets called; list it "
                    "there instead."
                )
            handler = convert_exception_to_response(middleware)
        self.newsroom = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_reader_request(request):
            request.user = AnonymousUser()
            return self.readers(request)
        response: HttpResponse = self.newsroom(request)
        return response


# What Django's admin (admin.E408-E410) and django-axes (axes.W002) look for
# in MIDDLEWARE, silenced there in the settings and checked here instead.
REQUIRED = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
)


@register
def check_newsroom_middleware(
    app_configs: Iterable[AppConfig] | None, **kwargs: Any
) -> list[Error]:
    """``dateline.E028``: the newsroom's middleware is missing one that the
    admin or sign-in throttling needs, or nothing runs it."""
    listed = set(getattr(settings, "NEWSROOM_MIDDLEWARE", ()))
    missing = [path for path in REQUIRED if path not in listed]
    if f"{__name__}.NewsroomMiddleware" not in settings.MIDDLEWARE:
        missing = list(REQUIRED)
    if not missing:
        return []
    return [
        Error(
            f"The newsroom needs {', '.join(missing)} run for it.",
            hint="List them in NEWSROOM_MIDDLEWARE and "
            f"{__name__}.NewsroomMiddleware in MIDDLEWARE (core/readers.py).",
            id="dateline.E028",
        )
    ]
