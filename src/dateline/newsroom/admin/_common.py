"""What the newsroom's ModelAdmins share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest


def staff_user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def rendition_summary(picture: Any) -> str:
    """E.g. "image/avif, image/webp, image/jpeg at 320, 640, 960, 1200 px"."""
    entries = picture.renditions
    if not entries:
        return str(_("None yet: run “dateline renditions”."))
    types = list(dict.fromkeys(e["type"] for e in entries))
    widths = sorted({e["width"] for e in entries})
    return f"{', '.join(types)} at {', '.join(map(str, widths))} px"
