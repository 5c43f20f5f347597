"""Who is reading, as far as counting needs: not a person, a passing digest.

A view is counted once per client, item and hour. The client is its address
and user agent, hashed with a key that changes every day and is held only in
memory (or in Redis, shared by the app processes): no cookie is set, nothing
about the reader is written to disk, and yesterday's digests cannot be
linked to today's.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from typing import TYPE_CHECKING

import crawleruseragents
from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

# Longer user agents are cut before matching; real ones are far shorter.
USER_AGENT_MAX = 512


@functools.lru_cache(maxsize=4096)
def is_crawler(user_agent: str) -> bool:
    """A robot by the maintained crawler-user-agents list, or no agent at all."""
    agent = user_agent.strip()[:USER_AGENT_MAX]
    return not agent or crawleruseragents.is_crawler(agent)


def client_address(request: HttpRequest) -> str:
    """The reader's address: the peer's, or the one the trusted proxies saw.

    With ``DATELINE_PROXY_HOPS`` = N, the N-th address from the right of
    X-Forwarded-For is the client as the outermost trusted proxy saw it;
    anything left of it was written by the client and is ignored.
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


def client_digest(key: bytes, *, address: str, user_agent: str, article_id: int) -> str:
    """The keyed digest that stands for "this client read this item"."""
    mac = hashlib.blake2b(key=key, digest_size=10)
    mac.update(f"{address}\n{user_agent[:USER_AGENT_MAX]}\n{article_id}".encode())
    return mac.hexdigest()
