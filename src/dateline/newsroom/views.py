"""The newsroom's own pages beside the admin: the login lockout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

LOCKOUT_STATUS = 429


def lockout(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a locked-out login gets (django-axes' AXES_LOCKOUT_CALLABLE).

    The page names no account and says nothing of whether the name exists:
    an unknown name is counted and locked out the same way as a real one.
    """
    context = {
        **admin.site.each_context(request),
        "title": "",
        "cooloff_minutes": settings.DATELINE_LOGIN_COOLOFF_MINUTES,
    }
    response = TemplateResponse(
        request, "newsroom/lockout.html", context, status=LOCKOUT_STATUS
    )
    response["Retry-After"] = str(settings.DATELINE_LOGIN_COOLOFF_MINUTES * 60)
    response["Cache-Control"] = "private, no-store"
    return response.render()
