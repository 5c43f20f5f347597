"""The agency dateline that opens every body: "CITY, Month D. /AGENCY/."."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from dateline.core.timefmt import dateline_date

if TYPE_CHECKING:
    from datetime import datetime


def agency_signature() -> str:
    return f"/{settings.DATELINE_AGENCY_SIGNATURE}/"


def dateline_text(*, place: str, moment: datetime | None) -> str:
    """Built from the fields, never typed: the city in capitals, the newsroom date."""
    parts = []
    if place.strip():
        parts.append(place.strip().upper())
    if moment is not None:
        parts.append(dateline_date(moment))
    head = ", ".join(parts)
    return f"{head}. {agency_signature()}." if head else f"{agency_signature()}."
