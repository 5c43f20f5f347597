"""The Host a request names: Django's ALLOWED_HOSTS check, and a port that exists.

Django's ``request.get_host()`` refuses a name outside ALLOWED_HOSTS and a
Host it cannot read (``:abc``, ``::1`` without brackets), but takes any
digits as the port: ``127.0.0.1:99999`` passed, and every absolute URL of
the answer (feeds, sitemaps, canonical links, the API's ``next``) carried
it, where the page cache could keep it. Here a port must be one a server can
listen on (1–65535, written without leading zeros) and a name no longer than
DNS allows; anything else is refused the way Django refuses a host it does
not serve (``DisallowedHost``: a 400, logged to ``django.security``), by the
middleware first in the list, before the page cache, and again wherever an
absolute URL is made.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import DisallowedHost
from django.http.request import split_domain_port

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

# A port as servers listen on them; the range is checked below.
_PORT = re.compile(r"[1-9][0-9]{0,4}")
MAX_PORT = 65535
# The longest name DNS can resolve.
MAX_NAME_LENGTH = 253


def is_valid_host(host: str) -> bool:
    """A Host Django can read, with a port that exists and a name DNS allows
    (whether the name is one of ours is ALLOWED_HOSTS' question)."""
    name, port = split_domain_port(host)
    if not name or len(name) > MAX_NAME_LENGTH:
        return False
    return not port or (_PORT.fullmatch(port) is not None and int(port) <= MAX_PORT)


def checked_host(request: HttpRequest) -> str:
    """``request.get_host()``, refusing a bad port or name as Django refuses
    a host it does not serve."""
    host = request.get_host()  # raises DisallowedHost for ALLOWED_HOSTS
    if not is_valid_host(host):
        raise DisallowedHost(
            f"Invalid HTTP_HOST header: {host[:300]!r}. "
            "The port must be 1-65535 and the name at most 253 characters."
        )
    return host


class HostCheckMiddleware:
    """First in the list: a request naming a host we do not serve, or a port
    that cannot exist, is a 400 before anything keeps or echoes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        checked_host(request)
        return self.get_response(request)
