"""RFC 9457 problem details: every error of the API is one JSON document.

``type`` is "about:blank" with the HTTP status's own title, unless a more
specific problem says otherwise; ``detail`` says what to change.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import Error as DatabaseFailure
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dateline.core import outage

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from ninja import NinjaAPI

PROBLEM_TYPE = "application/problem+json"
# The errors any operation may answer with (503: the database is down).
DOCUMENTED_STATUSES = (400, 401, 403, 404, 422, 429, 503)
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "location": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def problem(status: int, detail: str, **extra: Any) -> JsonResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


def install(api: NinjaAPI) -> None:
    """Answer every error the API can meet with a problem document."""

    def invalid(request: HttpRequest, error: Any) -> HttpResponse:
        errors = [
            {
                "location": ".".join(str(part) for part in e.get("loc", ())),
                "message": str(e.get("msg", "invalid")),
            }
            for e in error.errors
        ]
        return problem(422, "The request's parameters are not valid.", errors=errors)

    def http_error(request: HttpRequest, error: Any) -> HttpResponse:
        return problem(error.status_code, str(error))

    def not_found(request: HttpRequest, error: Any) -> HttpResponse:
        return problem(404, str(error) or "Not found.")

    def unauthenticated(request: HttpRequest, error: Any) -> HttpResponse:
        return problem(401, "An API key is needed here.")

    def unavailable(request: HttpRequest, error: Any) -> HttpResponse:
        if not outage.is_unavailable(error):
            raise error  # a bug: Django's 500
        return outage.unavailable_answer(request, error)

    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(DatabaseFailure, unavailable)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other path under /api/: a problem, not the site's HTML page."""
    return problem(404, "No such API resource; see /api/v1/docs.")


def reject_unknown_parameters(request: HttpRequest, known: set[str]) -> None:
    """A parameter this operation does not take is a 400, not silently ignored."""
    unknown = sorted(set(request.GET) - known)
    if unknown:
        names = ", ".join(name[:40] for name in unknown[:5])
        raise HttpError(400, f"Unknown query parameter: {names}.")


def signed_position(value: int, *, salt: str) -> str:
    """A paging position as an opaque token only this API can have made."""
    return signing.dumps(value, salt=salt)


def read_position(token: str, *, salt: str) -> int:
    """The position in a token from ``signed_position``; a 400 for any other."""
    try:
        return int(signing.loads(token, salt=salt))
    except (signing.BadSignature, ValueError, TypeError):
        raise HttpError(400, "The cursor is not one this API issued.") from None
