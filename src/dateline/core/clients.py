"""Where a request comes from: the client's address behind our own proxies.

One rule for every part that needs it (Most read's counting, login
throttling, the audit log), so that ``DATELINE_PROXY_HOPS`` means the same
everywhere.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

# Longer user agents are cut before they are kept or matched.
USER_AGENT_MAX = 512


def client_address(request: HttpRequest) -> str:
    """The client's address: the peer's, or the one the trusted proxies saw.

    With ``DATELINE_PROXY_HOPS`` = N, the N-th address from the right of
    X-Forwarded-For is the client as the outermost trusted proxy saw it;
    anything left of it was written by the client and is ignored. An address
    that is not one is "".
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops: int = settings.DATELINE_PROXY_HOPS
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def user_agent(request: HttpRequest) -> str:
    """The request's User-Agent, cut to a length worth keeping."""
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX]
