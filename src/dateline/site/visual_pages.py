"""The galleries' and infographics' listings and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from dateline.content import selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

GALLERIES_PAGE_SIZE = 12
INFOGRAPHICS_PAGE_SIZE = 12


def _listing_page(request: HttpRequest, rows: Any, size: int) -> Any:
    """A page of a listing; a page number we never link to is a 404."""
    paginator = Paginator(rows, size)
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise Http404
    number = int(raw)
    if number < 1 or (number > 1 and number > paginator.num_pages):
        raise Http404
    return paginator.get_page(number)


def gallery_list(request: HttpRequest) -> HttpResponse:
    """Public galleries, newest first, a page of them at a time."""
    page = _listing_page(request, selectors.gallery_listing(), GALLERIES_PAGE_SIZE)
    return render(request, "site/gallery_list.html", {"galleries": page})


def gallery_detail(request: HttpRequest, slug: str) -> HttpResponse:
    gallery = selectors.public_gallery(slug)
    if gallery is None:
        raise Http404
    return render(
        request,
        "site/gallery_detail.html",
        {"gallery": gallery, "photos": selectors.gallery_photos(gallery)},
    )


def infographic_list(request: HttpRequest) -> HttpResponse:
    """Public infographics, newest first, a page of them at a time."""
    page = _listing_page(
        request, selectors.infographic_listing(), INFOGRAPHICS_PAGE_SIZE
    )
    return render(request, "site/infographic_list.html", {"infographics": page})


def infographic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    infographic = selectors.public_infographic(slug)
    if infographic is None:
        raise Http404
    return render(request, "site/infographic_detail.html", {"infographic": infographic})
