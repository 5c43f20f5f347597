"""The public API, version 1: items in IPTC ninjs, and what they are filed under."""

from __future__ import annotations

import functools
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.core.exceptions import TooManyFieldsSent
from django.utils.cache import get_conditional_response, set_response_etag
from ninja import NinjaAPI

from dateline.api import auth, errors
from dateline.api.v1 import items, taxonomy

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class DatelineAPI(NinjaAPI):
    """Every successful GET carries an ETag and answers 304 when it matches;
    every error is a problem document, and the OpenAPI document says so."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
            errors.PROBLEM_SCHEMA
        )
        problem = {
            errors.PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        for path in schema["paths"].values():
            for operation in path.values():
                # A key is optional: without one, the anonymous rate applies.
                if operation.get("security") and {} not in operation["security"]:
                    operation["security"].append({})
                responses = operation.setdefault("responses", {})
                for status in errors.DOCUMENTED_STATUSES:
                    responses[str(status)] = {
                        "description": HTTPStatus(status).phrase,
                        "content": problem,
                    }
                responses["304"] = {"description": "Not Modified (the ETag matched)"}
        return schema

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


def _problem_for_405(view: Any) -> Any:
    """Ninja answers a wrong method with a bare 405; make it a problem. And a
    query string of more fields than Django reads is a 400 problem too."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.GET  # noqa: B018 - parsed here, where its error is caught
        except TooManyFieldsSent:
            return errors.problem(400, "The query string has too many parameters.")
        response: HttpResponse = view(request, *args, **kwargs)
        if response.status_code == 405 and response.has_header("Allow"):
            allowed = response["Allow"]
            response = errors.problem(405, f"This resource takes {allowed} only.")
            response["Allow"] = allowed
        return response

    return wrapped


def urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns, every 4xx a problem document."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _problem_for_405(pattern.callback)
    return patterns, app_name, namespace
