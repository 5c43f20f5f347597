"""The galleries' and infographics' listings and pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dateline.content import selectors

if TYPE_CHECKING:
    from django.http import HttpRequest

    from dateline.content.models import Gallery, GalleryPhoto

GALLERIES_PAGE_SIZE = 12
INFOGRAPHICS_PAGE_SIZE = 12
# The widths the slideshow's photo is shown at (site.css, "Gallery
# slideshow"): the whole screen on a phone, the column inside the page's
# margins on a tablet, at most 60rem from there up. Thumbnails in the strip
# are 4.5rem wide on a phone, 6rem from 48rem up; the narrowest rendition
# (320 px) covers them at any pixel density a screen has.
SLIDE_SIZES = "(min-width: 62rem) 60rem, (min-width: 48rem) calc(100vw - 2rem), 100vw"
THUMBNAIL_SIZES = "(min-width: 48rem) 6rem, 4.5rem"
THUMBNAIL_MAX_WIDTH = 320


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
    """A gallery's first photo, at the gallery's own address."""
    gallery = selectors.public_gallery(slug)
    if gallery is None:
        raise Http404
    return _slideshow(request, gallery, number=1)


def gallery_photo(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The gallery's photo at ``number`` (1-based), a page of its own.

    The first photo's one address is the gallery's: ``…/1/`` redirects there.
    A number past the last photo is a 404 rather than a redirect to the last:
    it names no photo, each address should be one page or none (a redirect
    for every number would be an endless space of soft 404s to crawlers),
    and a link to a photo the editor has since removed says so plainly.
    The URL's converter refuses 0, signs and long numbers before this runs.
    """
    gallery = selectors.public_gallery(slug)
    if gallery is None:
        raise Http404
    if number == 1:
        return redirect(gallery.get_absolute_url(), permanent=True)
    return _slideshow(request, gallery, number=number)


@dataclass(frozen=True, slots=True)
class Slide:
    """A photo of the slideshow: its number (from 1), its address, its row."""

    number: int
    url: str
    item: GalleryPhoto


def _slideshow(request: HttpRequest, gallery: Gallery, *, number: int) -> HttpResponse:
    items = selectors.gallery_photos(gallery)
    if number > max(len(items), 1):
        raise Http404
    first_url = gallery.get_absolute_url()
    slides = [
        Slide(
            number=index,
            url=first_url
            if index == 1
            else reverse(
                "site:gallery-photo", kwargs={"slug": gallery.slug, "number": index}
            ),
            item=item,
        )
        for index, item in enumerate(items, start=1)
    ]
    current = slides[number - 1] if slides else None
    return render(
        request,
        "site/gallery_detail.html",
        {
            "gallery": gallery,
            "slides": slides,
            "current": current,
            "count": len(slides),
            "previous": slides[number - 2] if number > 1 else None,
            "next": slides[number] if number < len(slides) else None,
            "slide_sizes": SLIDE_SIZES,
            "thumbnail_sizes": THUMBNAIL_SIZES,
            "thumbnail_max_width": THUMBNAIL_MAX_WIDTH,
        },
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
