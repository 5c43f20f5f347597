"""Newsroom time: everything readers see is in the newsroom's time zone.

The dates are put together here from the month's name rather than through
``django.utils.formats.date_format``: that reads the format modules and parses
the format string on every call, about 60 µs, and an article page shows three
dates (a tenth of its CPU with the page cache off). tests/core/test_timefmt.py
holds these equal to ``date_format`` in every month, in four languages and
four time zones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.dates import MONTHS

if TYPE_CHECKING:
    from datetime import datetime, tzinfo


def utc_offset_label(moment: datetime, zone: tzinfo | None = None) -> str:
    """ "UTC+3", "UTC-4:30" or "UTC" for the newsroom's offset at that moment
    (or another zone's)."""
    return _offset_label(timezone.localtime(moment, zone))


def _offset_label(local: datetime) -> str:
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
    # date_format(local, "F d, H:i")
    return f"{MONTHS[local.month]} {local:%d, %H:%M} {_offset_label(local)}"


def dateline_date(moment: datetime) -> str:
    """ "September 6", the date inside a dateline."""
    local = timezone.localtime(moment)
    return f"{MONTHS[local.month]} {local.day}"  # date_format(local, "F j")


def machine_time(moment: datetime) -> str:
    """ISO 8601 in newsroom time to the second, "2026-09-06T12:36:05+03:00":
    what ``<time datetime>``, OpenGraph and JSON-LD carry."""
    return timezone.localtime(moment).isoformat(timespec="seconds")
