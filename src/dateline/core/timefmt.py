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

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone, translation
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


# The months' names in each language the site has spoken since it started:
# Django's are lazy, and each use of one looks it up in the catalogue again.
_month_names: dict[str | None, tuple[str, ...]] = {}


def month_name(month: int) -> str:
    """ "September" for 9, in the active language."""
    language = translation.get_language()
    names = _month_names.get(language)
    if names is None:
        names = _month_names[language] = ("", *(str(MONTHS[m]) for m in range(1, 13)))
    return names[month]


@receiver(setting_changed)
def _forget_month_names(*, setting: str, **kwargs: object) -> None:
    # As Django forgets its catalogues (a test's override of these settings).
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _month_names.clear()


def display_time(moment: datetime) -> str:
    """ "September 06, 12:36 UTC+3", as on the reference page."""
    return _display(timezone.localtime(moment))


def _display(local: datetime) -> str:
    # date_format(local, "F d, H:i")
    return f"{month_name(local.month)} {local:%d, %H:%M} {_offset_label(local)}"


def machine_and_display_time(moment: datetime) -> tuple[str, str]:
    """``machine_time`` and ``display_time`` of one moment, which is turned
    into newsroom time once for both."""
    local = timezone.localtime(moment)
    return local.isoformat(timespec="seconds"), _display(local)


def dateline_date(moment: datetime) -> str:
    """ "September 6", the date inside a dateline."""
    local = timezone.localtime(moment)
    return f"{month_name(local.month)} {local.day}"  # date_format(local, "F j")


def machine_time(moment: datetime) -> str:
    """ISO 8601 in newsroom time to the second, "2026-09-06T12:36:05+03:00":
    what ``<time datetime>``, OpenGraph and JSON-LD carry."""
    return timezone.localtime(moment).isoformat(timespec="seconds")
