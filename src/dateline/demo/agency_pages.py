"""The demo agency's own pages (data/pages.toml): About, Contact and the
rules it works by, added through the agency's service."""

from __future__ import annotations

import tomllib

from django.conf import settings
from django.utils.html import escape

from dateline.agency.models import AgencyPage
from dateline.agency.services import add_agency_page
from dateline.demo.loader import DATA_DIR


def load_agency_pages() -> int:
    """Add the demo's pages; one the database already has (by slug) is left
    as the newsroom keeps it. Returns how many were added."""
    with (DATA_DIR / "pages.toml").open("rb") as handle:
        specs = tomllib.load(handle)["page"]
    agency = escape(settings.DATELINE_AGENCY_NAME)
    added = 0
    for position, spec in enumerate(specs):
        if AgencyPage.objects.filter(slug=spec["slug"]).exists():
            continue
        add_agency_page(
            slug=spec["slug"],
            title=spec["title"],
            body=spec["body"].strip().replace("{agency}", agency),
            position=position,
        )
        added += 1
    return added
