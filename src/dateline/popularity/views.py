"""The counting endpoints: a beacon for browsers with JavaScript, a pixel without.

Both answer the same whether a view was counted, already counted this hour,
or came from a crawler; they never set a cookie and are never cached.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dateline.popularity import clients, services

if TYPE_CHECKING:
    from django.http import HttpRequest

# "item=123456789012345678" and room to spare.
BODY_AT_MOST = 256
BODY_TYPES = frozenset({"application/x-www-form-urlencoded", "text/plain"})
ID_DIGITS_AT_MOST = 18
# A transparent GIF of one pixel.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class BadViewError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@csrf_exempt  # no cookie is read or set: there is no session to forge
@never_cache
@require_POST
def count_view(request: HttpRequest) -> HttpResponse:
    """``POST /views/`` with ``item=<id>``, as ``navigator.sendBeacon`` sends it."""
    try:
        article_id = _item_from_body(request)
    except BadViewError as error:
        return _text(error.status, str(error))
    outcome = _record(request, article_id)
    if outcome is services.Outcome.NOT_PUBLIC:
        return _text(404, "No such item.")
    return HttpResponse(status=204)


@never_cache
@require_GET
def count_view_pixel(request: HttpRequest, pk: str) -> HttpResponse:
    """``GET /views/<id>.gif``: the same count, from a ``<noscript>`` image."""
    if _record(request, int(pk)) is services.Outcome.NOT_PUBLIC:
        return _text(404, "No such item.")
    return HttpResponse(PIXEL, content_type="image/gif")


def _record(request: HttpRequest, article_id: int) -> services.Outcome:
    return services.record_view(
        article_id=article_id,
        address=clients.client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _item_from_body(request: HttpRequest) -> int:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadViewError(400, "Bad Content-Length.") from None
    if length > BODY_AT_MOST:
        raise BadViewError(413, f"The body may hold {BODY_AT_MOST} bytes at most.")
    if length and request.content_type not in BODY_TYPES:
        raise BadViewError(415, "Send item=<id> as a form or as plain text.")
    body = request.read(BODY_AT_MOST + 1)
    if len(body) > BODY_AT_MOST:
        raise BadViewError(413, f"The body may hold {BODY_AT_MOST} bytes at most.")
    try:
        fields = parse_qs(body.decode("ascii"), strict_parsing=True, max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        raise BadViewError(400, "The body must be item=<id>.") from None
    values = fields.get("item", [])
    if len(values) != 1 or not values[0].isascii() or not values[0].isdigit():
        raise BadViewError(400, "The body must be item=<id>.")
    if len(values[0]) > ID_DIGITS_AT_MOST:
        return 0  # no item has such an id
    return int(values[0])


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        message, status=status, content_type="text/plain; charset=utf-8"
    )
