"""What every public page's layout needs: the agency, its sections and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from dateline.agency.selectors import footer_pages
from dateline.content.selectors import navigation_sections
from dateline.places.selectors import city_for_request
from dateline.syndication.sources import news_source

if TYPE_CHECKING:
    from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "agency_name": settings.DATELINE_AGENCY_NAME,
        "language_code": settings.LANGUAGE_CODE,
        # Lazy: a page that does not render the navigation costs no query.
        "navigation_sections": SimpleLazyObject(navigation_sections),
        # The agency's pages the footer links: read when the footer's
        # fragment is made, once per site generation.
        "footer_pages": SimpleLazyObject(footer_pages),
        # Feeds announced in the page head; a section, topic or person page
        # puts its own first.
        "news_feed_links": SimpleLazyObject(lambda: news_source().links()),
        "header_currencies": settings.DATELINE_CURRENCIES,
        # The reader's city: cached, no query in the common case.
        "header_city": SimpleLazyObject(lambda: city_for_request(request)),
    }
