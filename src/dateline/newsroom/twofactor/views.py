"""The two-factor pages, in the newsroom's look: pass a second factor, enrol,
manage one's own devices.

They run no inline script: the passkey ceremony is django-otp-webauthn's
static scripts plus ours (newsroom/js/passkeys.js), under the strict policy
the public pages have, which these views set themselves.
"""

from __future__ import annotations

from base64 import b32encode
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.core import csp
from dateline.newsroom.twofactor import policy, services
from dateline.newsroom.twofactor.forms import CodeForm
from dateline.newsroom.twofactor.passkeys import passkeys_of

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django_otp.models import Device

TEMPLATES = "newsroom/twofactor"


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _next_url(request: HttpRequest) -> str:
    """Where to go once done: a path on this site, else the newsroom's index."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    page = {
        **admin.site.each_context(request),
        # The sidebar lists pages a person who owes a factor cannot open yet.
        "is_nav_sidebar_enabled": False,
        "next": _next_url(request),
        **context,
    }
    response = render(request, f"{TEMPLATES}/{template}", page, status=status)
    response["Content-Security-Policy"] = csp.own_policy()
    return response


@never_cache
@staff_member_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code or a passkey."""
    user = _user(request)
    if policy.owed(user) is not policy.Owed.VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(
            user=user, code=form.cleaned_data["code"]
        )
        if result.device is not None:
            otp_login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = services.backup_codes_left(user=user)
                messages.warning(
                    request,
                    _(
                        "You used a backup code; %(left)d are left. Make new ones "
                        "under Two-factor authentication when they run low."
                    )
                    % {"left": left},
                )
            return redirect(_next_url(request))
        if result.locked_until is not None:
            status = 429
            form.add_error(
                None, _("Too many wrong codes. Wait a few seconds and try again.")
            )
        else:
            status = 400
            form.add_error("code", _("This code is not right, or was used already."))
    elif request.method == "POST":
        status = 400
    return _render(
        request,
        "verify.html",
        {
            "title": _("Second step: confirm it is you"),
            "form": form,
            "has_authenticator": TOTPDevice.objects.filter(
                user=user, confirmed=True
            ).exists(),
            "has_passkey": passkeys_of(user.pk).exists(),
        },
        status=status,
    )


@never_cache
@staff_member_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up a first authenticator app or passkey; required of Editors and
    Chiefs when DATELINE_REQUIRE_TWO_FACTOR is on, before anything else."""
    user = _user(request)
    step = policy.owed(user)
    if step is policy.Owed.VERIFY:
        return redirect(_with_next("twofactor:verify", request))
    if step is None and policy.has_primary_device(user):
        return redirect("twofactor:devices")
    return _render(
        request,
        "enrol.html",
        {
            "title": _("Set up two-factor authentication"),
            "required": policy.must_use_two_factor(user),
        },
    )


@never_cache
@staff_member_required
def authenticator_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: a QR code (or the key as text), then its
    first code. The first device brings backup codes, shown once."""
    user = _user(request)
    if policy.owed(user) is policy.Owed.VERIFY:
        return redirect(_with_next("twofactor:verify", request))
    if request.method == "POST" and "start" in request.POST:
        services.start_authenticator(user=user)
        return redirect(_with_next("twofactor:totp-setup", request))
    device = services.pending_authenticator(user=user)
    if device is None:
        return redirect(_with_next("twofactor:enrol", request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            confirmed = services.confirm_authenticator(
                user=user, code=form.cleaned_data["code"]
            )
            if confirmed is not None:
                return _after_first_device(request, user, confirmed)
            form.add_error("code", _("This code is not right. Try the next one."))
    return _render(
        request,
        "authenticator.html",
        {
            "title": _("Add an authenticator app"),
            "form": form,
            "qr_code": _qr_svg(device.config_url),
            "secret": _grouped(_base32_secret(device)),
            "config_url": device.config_url,
        },
        status=status,
    )


def _after_first_device(
    request: HttpRequest, user: User, device: Device
) -> HttpResponse:
    if not policy.is_verified(user):
        otp_login(request, device)
    if StaticDevice.objects.filter(user=user).exists():
        messages.success(request, _("The authenticator app was added."))
        return redirect("twofactor:devices")
    return _backup_codes_page(request, user)


def _backup_codes_page(request: HttpRequest, user: User) -> HttpResponse:
    """New codes, shown in this answer only (never kept in the session)."""
    return _render(
        request,
        "backup_codes.html",
        {
            "title": _("Your backup codes"),
            "codes": services.make_backup_codes(user=user),
        },
    )


@never_cache
@staff_member_required
def devices(request: HttpRequest) -> HttpResponse:
    """One's own authenticator apps, passkeys and backup codes."""
    user = _user(request)
    step = policy.owed(user)
    if step is policy.Owed.VERIFY:
        return redirect(_with_next("twofactor:verify", request))
    if step is policy.Owed.ENROL:
        return redirect(_with_next("twofactor:enrol", request))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "backup-codes":
            if not policy.has_primary_device(user):
                raise PermissionDenied
            return _backup_codes_page(request, user)
        if action == "remove":
            _remove(request, user)
            return redirect("twofactor:devices")
        return _render(request, "devices.html", _devices_context(user), status=400)
    return _render(request, "devices.html", _devices_context(user))


def _remove(request: HttpRequest, user: User) -> None:
    kind, number = request.POST.get("kind"), request.POST.get("device", "")
    models = {"authenticator": TOTPDevice, "passkey": passkeys_of(user.pk).model}
    if kind not in models or not (
        number.isascii() and number.isdigit() and len(number) <= 18
    ):
        raise Http404
    device = models[kind].objects.filter(user=user, pk=int(number)).first()
    if device is None:
        raise Http404
    # The session stays verified when it was this device that verified it:
    # the person passed a factor here; django-otp would forget it otherwise.
    was_this_sessions = request.session.get(DEVICE_ID_SESSION_KEY) == (
        device.persistent_id
    )
    try:
        services.remove_device(user=user, device=device)
    except services.LastDeviceError:
        messages.error(
            request,
            _(
                "Your role needs two-factor authentication: add another "
                "authenticator app or passkey before removing this one."
            ),
        )
    else:
        messages.success(request, _("Removed “%(name)s”.") % {"name": device.name})
        remaining = next(devices_for_user(user), None)
        if was_this_sessions and remaining is not None:
            otp_login(request, remaining)


def _devices_context(user: User) -> dict[str, Any]:
    return {
        "title": _("Two-factor authentication"),
        "required": policy.must_use_two_factor(user),
        "authenticators": TOTPDevice.objects.filter(user=user, confirmed=True),
        "passkeys": passkeys_of(user.pk),
        "has_primary": policy.has_primary_device(user),
        "backup_codes_left": services.backup_codes_left(user=user),
    }


def _qr_svg(url: str) -> str:
    # segno draws the QR code as SVG here: no network, no script, no style.
    # Imported here: only the enrolment page needs it, and every worker that
    # never shows one would carry it.
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR code for an authenticator app")
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup of our own URL


def _base32_secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
