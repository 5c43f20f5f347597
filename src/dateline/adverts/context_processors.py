"""``adverts`` in every template: the advert of each placement, read lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.functional import SimpleLazyObject

from dateline.adverts.selectors import live_adverts

if TYPE_CHECKING:
    from django.http import HttpRequest


def adverts(request: HttpRequest) -> dict[str, Any]:
    # Lazy: a page that shows no placement (the newsroom, errors) costs nothing.
    return {"adverts": SimpleLazyObject(live_adverts)}
