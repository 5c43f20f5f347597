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

import crawleruseragents

from dateline.core.clients import USER_AGENT_MAX, client_address

__all__ = ["USER_AGENT_MAX", "client_address", "client_digest", "is_crawler"]


@functools.lru_cache(maxsize=4096)
def is_crawler(user_agent: str) -> bool:
    """A robot by the maintained crawler-user-agents list, or no agent at all."""
    agent = user_agent.strip()[:USER_AGENT_MAX]
    return not agent or crawleruseragents.is_crawler(agent)


def client_digest(key: bytes, *, address: str, user_agent: str, article_id: int) -> str:
    """The keyed digest that stands for "this client read this item"."""
    mac = hashlib.blake2b(key=key, digest_size=10)
    mac.update(f"{address}\n{user_agent[:USER_AGENT_MAX]}\n{article_id}".encode())
    return mac.hexdigest()
