"""Writing the agency's pages outside the newsroom's form (the demo)."""

from __future__ import annotations

from django.db import transaction

from dateline.agency.models import AgencyPage


def add_agency_page(
    *, slug: str, title: str, body: str, position: int = 0, is_in_footer: bool = True
) -> AgencyPage:
    """A new page, checked as the newsroom's form checks it (its slug free)."""
    page = AgencyPage(
        slug=slug,
        title=title,
        body=body,
        position=position,
        is_in_footer=is_in_footer,
    )
    page.full_clean()
    with transaction.atomic():
        page.save()
    return page
