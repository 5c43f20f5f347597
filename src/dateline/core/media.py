"""``/media/``: uploads answered as what they are, and never as a page.

Used where the app serves its own uploads (``DATELINE_SERVE_MEDIA``, one
machine); ``deploy/nginx.conf`` sends the same headers. Django's static file
view does the reading (conditional GET included); around it:

- the media type comes from the file's extension, and only for the image
  types the site stores (``core.images.MEDIA_TYPES``); anything else is
  ``application/octet-stream`` with ``Content-Disposition: attachment``;
- ``X-Content-Type-Options: nosniff`` and a policy that lets the answer run
  nothing and load nothing but pictures, in a sandbox (``MEDIA_POLICY``),
  even when opened on its own in a tab;
- a year's caching: stored names are never reused;
- any path a stranger can send gets a 404 (missing, a directory, too long,
  a NUL byte, a climb out of the folder) and a method other than GET or
  HEAD a 405, never a 500.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

from dateline.core.images import MEDIA_TYPES

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

MEDIA_POLICY = "default-src 'none'; img-src 'self'; sandbox"
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Longest path and path segment looked up (file systems allow 4096 and 255
# bytes; the names we make are under 100 characters).
MAX_PATH_BYTES = 1024
MAX_SEGMENT_BYTES = 255


def media_headers(response: HttpResponseBase, path: str) -> HttpResponseBase:
    """The headers every /media/ answer carries (see the module)."""
    media_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower().lstrip("."))
    if media_type is None:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    else:
        response["Content-Type"] = media_type
        if "Content-Disposition" in response:  # FileResponse's "inline; filename=…"
            del response["Content-Disposition"]
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_POLICY
    return response


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponseBase:
    if not is_plausible_path(path):
        raise Http404
    try:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    except (OSError, ValueError, SuspiciousFileOperation):
        raise Http404 from None
    if response.status_code == 200:
        response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return media_headers(response, path)


def is_plausible_path(path: str) -> bool:
    """Whether a path could name a stored file at all: short enough, no NUL,
    no climb, no empty, dot or dot-dot segment."""
    encoded = path.encode("utf-8", "surrogateescape")
    if not path or len(encoded) > MAX_PATH_BYTES or "\x00" in path:
        return False
    segments = path.split("/")
    return all(
        segment not in {"", ".", ".."}
        and len(segment.encode("utf-8", "surrogateescape")) <= MAX_SEGMENT_BYTES
        and "\\" not in segment
        for segment in segments
    )
