"""Who owes a second factor, and which one: one place, read by the middleware,
the pages and the demo."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as StaffUser
    from django.db.models import QuerySet

    User = StaffUser | AnonymousUser

# Whoever holds one of these is an Editor or a Chief, whatever their group.
PRIVILEGED_PERMISSIONS = ("content.publish_article", "auth.change_user")


class Owed(StrEnum):
    """What a signed-in person must do before anything else."""

    VERIFY = "verify"  # has a device: pass it
    ENROL = "enrol"  # must have one and has none: set one up


def must_use_two_factor(user: User) -> bool:
    """Editors, Chiefs and superusers, when DATELINE_REQUIRE_TWO_FACTOR is on.
    Reporters may enrol; they are never required to."""
    if not settings.DATELINE_REQUIRE_TWO_FACTOR or not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or any(user.has_perm(permission) for permission in PRIVILEGED_PERMISSIONS)
    )


def has_primary_device(user: User) -> bool:
    """An authenticator app or a passkey, confirmed. Backup codes back one up
    and do not count on their own."""
    return bool(
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user_id=user.pk, confirmed=True).exists()
    )


def with_two_factor(users: QuerySet[StaffUser]) -> QuerySet[StaffUser]:
    """The users, each with ``has_two_factor``: an app or a passkey."""
    return users.annotate(
        has_two_factor=Exists(
            TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        )
        | Exists(WebAuthnCredential.objects.filter(user=OuterRef("pk"), confirmed=True))
    )


def has_any_device(user: User) -> bool:
    return has_primary_device(user) or bool(
        StaticDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
    )


def is_verified(user: Any) -> bool:
    """Whether this session passed a second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def owed(user: User) -> Owed | None:
    """What a signed-in person owes before reaching any page but these: a
    person with a device passes it (whatever the setting: enrolling means being
    asked), a person who must use two factors and has none enrols."""
    if not user.is_authenticated or is_verified(user):
        return None
    if has_any_device(user):
        return Owed.VERIFY
    if must_use_two_factor(user):
        return Owed.ENROL
    return None
