"""Logins in the audit log: successes, failures and lockouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.translation import gettext as _

from dateline.audit.services import Act, Origin, record_act

if TYPE_CHECKING:
    from django.http import HttpRequest

# A name typed at a failed login is kept this long at most.
NAME_MAX = 150


def logged_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    record_act(
        act=Act.LOGIN,
        actor=user,
        target=user,
        summary=_("Logged in."),
        origin=Origin.of(request),
    )


def login_failed(
    sender: Any,
    credentials: dict[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    if request is None:
        return  # not a login by someone at a client (a script, a test helper)
    name = str(credentials.get("username", ""))[:NAME_MAX]
    record_act(
        act=Act.LOGIN_FAILED,
        actor=None,
        actor_name=name,
        summary=_("Wrong name or password."),
        origin=Origin.of(request),
    )


def locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    record_act(
        act=Act.LOCKOUT,
        actor=None,
        actor_name=str(username or "")[:NAME_MAX],
        summary=_("Locked out after too many wrong passwords."),
        origin=Origin.of(request),
    )


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="audit-logged-in")
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit-locked-out")
