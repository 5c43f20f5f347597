"""The site's icons and web app manifest, at the addresses clients ask.

``/favicon.ico`` is asked for by browsers, feed readers and crawlers that
never read a page's ``<link rel="icon">``. It is answered with the icon
itself rather than a redirect to its static copy: one request instead of
two for every such client, some of which do not follow a redirect for an
icon, and the bytes (a few KB) are read once per process. Pages link the
hashed static copy, which browsers keep for a year.

The icons in ``static/site/img/`` (``favicon.ico`` with 16, 32 and 48 px,
``icon-192.png``, ``icon-512.png`` and the opaque ``apple-touch-icon.png``)
were drawn once with Pillow from ``logo.svg``'s shapes and are committed as
they are.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from dateline.core.staticfiles import static_url

if TYPE_CHECKING:
    from django.http import HttpRequest

IMAGES = Path(__file__).resolve().parent / "static" / "site" / "img"
ICON_TYPE = "image/x-icon"  # as whitenoise and nginx serve the static copy
MANIFEST_TYPE = "application/manifest+json"
# The site's accent (site.css --accent) for the browser's own bars.
THEME_COLOR = "#0b4f8a"
BACKGROUND_COLOR = "#ffffff"
# What launchers show under an icon: longer names are cut.
SHORT_NAME_MAX = 12
# Browsers keep these a day (the page cache, when on, sets its own rule).
MAX_AGE = 86_400


@functools.cache
def _favicon_bytes() -> bytes:
    return (IMAGES / "favicon.ico").read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_favicon_bytes(), content_type=ICON_TYPE)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response


def short_name(name: str) -> str:
    """The agency's name if short enough for a launcher, else its first
    word (“Meridian News Agency” → “Meridian”), cut if need be."""
    if len(name) <= SHORT_NAME_MAX:
        return name
    words = name.split()
    return (words[0] if words else name)[:SHORT_NAME_MAX]


@require_safe
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the agency's name, its colours and icons."""
    name = settings.DATELINE_AGENCY_NAME
    home = reverse("site:home")
    manifest = {
        "name": name,
        "short_name": short_name(name),
        "lang": settings.LANGUAGE_CODE,
        "start_url": home,
        "scope": home,
        "display": "minimal-ui",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {
                "src": static_url("site/img/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": static_url("site/img/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": static_url("site/img/logo.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(manifest, ensure_ascii=False, indent=2),
        content_type=f"{MANIFEST_TYPE}; charset=utf-8",
    )
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
