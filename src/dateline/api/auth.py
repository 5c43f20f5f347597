"""Who is calling: a partner with a key, or anyone; and how often they may.

A request without a key is served, within the anonymous rate. Rates are
counted in the shared cache; while it is unreachable, in each process's own
memory with the same budgets (``dateline.core.blockcache``), so the API goes
on answering and a caller spread over N processes gets at most N times its
rate until the cache is back. A request
with a key that is not one of ours gets a 401, a revoked key a 403; both
are problem documents, like the 429 that a rate beyond the limit gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, BaseThrottle, SimpleRateThrottle

from dateline.api.models import ApiKey, hash_key
from dateline.core.blockcache import throttle_cache

if TYPE_CHECKING:
    from django.http import HttpRequest

ANONYMOUS_RATE = "60/m"
# Longer than any key we issue; longer ones are refused unread.
KEY_LENGTH_AT_MOST = 100


@dataclass(frozen=True)
class Partner:
    key_id: int
    name: str
    requests_per_minute: int

    def __str__(self) -> str:
        return f"partner {self.key_id}"


class PartnerKey(HttpBearer):
    """``Authorization: Bearer <key>``: the partner, or a 401/403."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" not in request.headers:
            return None  # anonymous: the next method lets it through
        found = super().__call__(request)
        if found is None:
            raise AuthenticationError
        return found

    def authenticate(self, request: HttpRequest, token: str) -> Partner:
        token = token.strip()
        if not token or len(token) > KEY_LENGTH_AT_MOST:
            raise AuthenticationError
        row = ApiKey.objects.filter(key_hash=hash_key(token)).first()
        if row is None:
            raise AuthenticationError
        if not row.is_active:
            raise HttpError(403, "This API key has been revoked.")
        return Partner(row.pk, row.name, row.requests_per_minute)


def anonymous(request: HttpRequest) -> bool:
    """Anyone may read, within the anonymous rate."""
    return True


class PartnerRateThrottle(SimpleRateThrottle):
    """Each key's own requests per minute."""

    scope = "partner"
    cache = throttle_cache

    def __init__(self) -> None:
        super().__init__("1/m")  # replaced per key in allow_request

    def allow_request(self, request: HttpRequest) -> bool:
        partner = getattr(request, "auth", None)
        if not isinstance(partner, Partner):
            return True
        self.num_requests, self.duration = partner.requests_per_minute, 60
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        partner = getattr(request, "auth", None)
        if not isinstance(partner, Partner):
            return None
        return self.cache_format % {"scope": self.scope, "ident": partner.key_id}


class AnonymousRateThrottle(AnonRateThrottle):
    """The anonymous rate, per client address."""

    cache = throttle_cache

    def get_cache_key(self, request: HttpRequest) -> str | None:
        # Anonymous callers carry ``auth = True`` (see ``anonymous``), which
        # the parent class would take for a signed-in caller.
        if isinstance(getattr(request, "auth", None), Partner):
            return None
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


def throttles() -> list[BaseThrottle]:
    return [PartnerRateThrottle(), AnonymousRateThrottle(ANONYMOUS_RATE)]
