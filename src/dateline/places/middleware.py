"""Pages whose header showed the reader's city vary on the cookie holding it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.cache import patch_vary_headers

from dateline.places.selectors import city_was_read

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse


class CityCookieVaryMiddleware:
    """Adds ``Vary: Cookie`` where the header's city was rendered, so that a
    shared cache never serves one reader's city to another."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if city_was_read(request):
            patch_vary_headers(response, ["Cookie"])
        return response
