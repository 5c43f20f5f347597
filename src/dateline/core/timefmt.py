"""Newsroom time: everything readers see is in the newsroom's time zone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import formats, timezone

if TYPE_CHECKING:
    from datetime import datetime, tzinfo


def utc_offset_label(moment: datetime, zone: tzinfo | None = None) -> str:
    """ "UTC+3", "UTC-4:30" or "UTC" for the newsroom's offset at that moment
    (or another zone's)."""
    local = timezone.localtime(moment, zone)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def display_time(moment: datetime) -> str:
    """ "September 06, 12:36 UTC+3", as on the reference page."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'F d, H:i')} {utc_offset_label(local)}"


def dateline_date(moment: datetime) -> str:
    """ "September 6", the date inside a dateline."""
    return formats.date_format(timezone.localtime(moment), "F j")


def machine_time(moment: datetime) -> str:
    """ISO 8601 in newsroom time to the second, "2026-09-06T12:36:05+03:00":
    what ``<time datetime>``, OpenGraph and JSON-LD carry."""
    return timezone.localtime(moment).isoformat(timespec="seconds")
