"""The agency's pages for tests, added through the service (slugs checked)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dateline.agency.services import add_agency_page

if TYPE_CHECKING:
    from dateline.agency.models import AgencyPage


def make_page(
    slug: str,
    title: str,
    body: str = "<p>Who we are.</p>",
    *,
    position: int = 0,
    is_in_footer: bool = True,
) -> AgencyPage:
    return add_agency_page(
        slug=slug,
        title=title,
        body=body,
        position=position,
        is_in_footer=is_in_footer,
    )
