"""A signed-in person who owes a second factor reaches nothing else.

Not only the newsroom: every path but the two-factor pages, the passkey
ceremony they need, logging out and static files answers with a redirect to
the step owed (or a 403 for a request that is not a page). So the previews, the
newsroom's JSON endpoints and any staff page added later are covered without
being listed. Readers never have a session and pay one cookie lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import Error as DatabaseError
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dateline.core import outage
from dateline.newsroom.twofactor import policy

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


def allowed_prefixes(step: policy.Owed) -> tuple[str, ...]:
    """The paths open to a person who owes this step."""
    common = [
        reverse("admin:logout"),
        reverse("otp_webauthn:js-i18n-catalog"),
        str(settings.STATIC_URL),
    ]
    if step is policy.Owed.VERIFY:
        return (
            reverse("twofactor:verify"),
            reverse("otp_webauthn:credential-authentication-begin"),
            reverse("otp_webauthn:credential-authentication-complete"),
            *common,
        )
    return (
        reverse("twofactor:enrol"),
        reverse("twofactor:totp-setup"),
        reverse("otp_webauthn:credential-registration-begin"),
        reverse("otp_webauthn:credential-registration-complete"),
        *common,
    )


def wants_page(request: HttpRequest) -> bool:
    """A browser's navigation, which a redirect helps; not a script's fetch."""
    return request.method in {"GET", "HEAD"} and not (
        request.headers.get("x-requested-with") == "XMLHttpRequest"
        or request.path_info.endswith(("/autocomplete/", "/jsi18n/"))
    )


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)  # a reader: no session, no user
        try:
            step = policy.owed(request.user)  # the first read of the session
        except (DatabaseError, OSError) as error:
            # Here, not in a view, so the outage middleware's hook would not
            # see it: answered 503 in the newsroom's form the same way.
            if not outage.is_unavailable(error):
                raise
            return outage.unavailable_answer(request, error)
        if step is None or request.path.startswith(allowed_prefixes(step)):
            return self.get_response(request)
        if not wants_page(request):
            return JsonResponse(
                {"detail": _("Pass the second factor first.")}, status=403
            )
        target = reverse(
            "twofactor:verify" if step is policy.Owed.VERIFY else "twofactor:enrol"
        )
        return HttpResponseRedirect(
            f"{target}?{urlencode({'next': request.get_full_path()})}"
        )
