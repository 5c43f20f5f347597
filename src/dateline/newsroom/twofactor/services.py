"""The two-factor acts: set up an authenticator app, make backup codes, pass a
second factor, remove a device, and the Chief's reset of someone's devices.

Codes are checked by django-otp's devices, row-locked while they are checked:
a code once accepted is refused after (TOTP keeps the last time step used, a
backup code is deleted), and every refusal makes the next try wait longer
(1, 2, 4, … seconds, django-otp's throttling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from dateline.audit.services import Act, Origin, record_act
from dateline.newsroom.twofactor import policy

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import User
    from django_otp.models import Device

BACKUP_CODES = 10
BACKUP_DEVICE_NAME = "Backup codes"


class LastDeviceError(Exception):
    """A person who must use two factors cannot remove their last device."""


@dataclass(frozen=True)
class Verification:
    device: Device | None
    locked_until: datetime | None = None


def start_authenticator(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator-app device (a fresh random key);
    any earlier unconfirmed one is dropped."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(
            user=user, name=str(_("Authenticator app")), confirmed=False
        )


def pending_authenticator(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).last()


def confirm_authenticator(*, user: User, code: str) -> TOTPDevice | None:
    """The pending device, confirmed, if the code is its current one."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .last()
        )
        if device is None or not device.verify_token(normalize(code)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device


def make_backup_codes(*, user: User) -> list[str]:
    """Ten new one-use codes, replacing any earlier ones; shown once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
        return codes


def backup_codes_left(*, user: User) -> int:
    left: int = StaticToken.objects.filter(
        device__user=user, device__confirmed=True
    ).count()
    return left


def normalize(code: str) -> str:
    """What people type: spaces and dashes dropped, any case."""
    return "".join(code.split()).replace("-", "").lower()[:32]


def verify_second_factor(*, user: User, code: str) -> Verification:
    """The device that accepts this code (an authenticator app's or a backup
    code), or why none did."""
    code = normalize(code)
    if not code:
        return Verification(device=None)
    locked: list[datetime] = []
    with transaction.atomic():
        devices: list[Device] = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        for device in devices:
            allowed, why = device.verify_is_allowed()
            if not allowed:
                if why and why.get("locked_until"):
                    locked.append(why["locked_until"])
                continue
            if device.verify_token(code):
                return Verification(device=device)
    return Verification(device=None, locked_until=max(locked) if locked else None)


def remove_device(*, user: User, device: Device) -> None:
    """Remove one of the person's own devices. Backup codes go with the last
    authenticator app or passkey: they back one up."""
    with transaction.atomic():
        if device.user_id != user.pk:
            raise PermissionDenied
        primary = isinstance(device, TOTPDevice | WebAuthnCredential)
        if primary and policy.must_use_two_factor(user):
            others = (
                TOTPDevice.objects.filter(user=user, confirmed=True)
                .exclude(pk=device.pk if isinstance(device, TOTPDevice) else None)
                .count()
                + WebAuthnCredential.objects.filter(user=user, confirmed=True)
                .exclude(
                    pk=device.pk if isinstance(device, WebAuthnCredential) else None
                )
                .count()
            )
            if not others:
                raise LastDeviceError
        device.delete()
        if primary and not policy.has_primary_device(user):
            StaticDevice.objects.filter(user=user).delete()


def reset_two_factor(
    *, user: User, actor: User | None, origin: Origin | None = None
) -> int:
    """Remove every device of ``user`` (a lost phone): they enrol afresh at
    their next request, and any session they had verified is verified no more.
    ``actor`` is the Chief, or None from ``dateline twofactor reset`` (the
    audit log then names the command line). Returns how many devices went."""
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
        record_act(
            act=Act.RESET_TWO_FACTOR,
            actor=actor,
            actor_name="" if actor is not None else "dateline twofactor reset",
            target=user,
            summary=str(
                _("%(count)s two-factor devices removed.") % {"count": removed}
            ),
            origin=origin,
        )
        return removed
