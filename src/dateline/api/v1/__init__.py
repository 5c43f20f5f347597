"""The public API, version 1: items in IPTC ninjs, and what they are filed under."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.cache import get_conditional_response, set_response_etag
from ninja import NinjaAPI

from dateline.api import auth, errors
from dateline.api.v1 import items, taxonomy

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class DatelineAPI(NinjaAPI):
    """Every successful GET carries an ETag and answers 304 when it matches."""

    def create_response(
        self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            set_response_etag(response)
            response["Cache-Control"] = "public, max-age=30"
            return (
                get_conditional_response(
                    request, etag=response["ETag"], response=response
                )
                or response
            )
        return response


api = DatelineAPI(
    title="Dateline API",
    version="1",
    description=(
        "Public items as IPTC ninjs 3.1, newest first, with opaque cursors; "
        "sections, topics, persons and Most read. Errors are RFC 9457 problem "
        "documents."
    ),
    urls_namespace="api-v1",
    auth=[auth.PartnerKey(), auth.anonymous],
    throttle=auth.throttles(),
)
errors.install(api)
api.add_router("/", items.router)
api.add_router("/", taxonomy.router)
