"""Passkeys (django-otp-webauthn) for the host the newsroom is reached at.

The relying party is the request's host without its port, and the one origin
accepted is the request's own: both come from a Host header Django has checked
against ALLOWED_HOSTS, so a page on another site cannot pass for ours.
Browsers take a host name (``localhost`` included), not an IP address, and
HTTPS beyond localhost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest


def relying_party_id(request: HttpRequest) -> str:
    host = request.get_host()
    if host.startswith("["):  # an IPv6 literal: never a valid relying party
        return host.partition("]")[0] + "]"
    return host.rsplit(":", 1)[0]


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        return [f"{self.request.scheme}://{self.request.get_host()}"]


def passkeys_of(user_id: int) -> QuerySet[WebAuthnCredential]:
    passkeys: QuerySet[WebAuthnCredential] = WebAuthnCredential.objects.filter(
        user_id=user_id, confirmed=True
    )
    return passkeys
