"""Newsroom time as readers see it: the dates put together from the month's
name say exactly what Django's date formatting says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import formats, timezone, translation

from dateline.core import timefmt
from dateline.site.templatetags.dateline_tags import newsroom_time

# Each month, around the turns of the day and the summer-time switches.
MOMENTS = [
    datetime(2026, month, day, hour, minute, 5, tzinfo=UTC)
    for month in range(1, 13)
    for day, hour, minute in [(1, 0, 0), (9, 21, 59), (28, 23, 30)]
] + [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC) + timedelta(minutes=step)
    for step in range(3)
]
ZONES = ["Europe/Helsinki", "America/St_Johns", "Asia/Kolkata", "UTC"]


@pytest.mark.parametrize("language", ["en", "fi", "de", "ru"])
@pytest.mark.parametrize("zone", ZONES)
def test_the_dates_read_as_django_formats_them(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zone):
        for moment in MOMENTS:
            local = timezone.localtime(moment)
            offset = timefmt.utc_offset_label(moment)
            assert timefmt.display_time(moment) == (
                f"{formats.date_format(local, 'F d, H:i')} {offset}"
            )
            assert timefmt.dateline_date(moment) == formats.date_format(local, "F j")


def test_the_reference_pages_words() -> None:
    moment = datetime(2026, 9, 6, 9, 36, tzinfo=UTC)
    with timezone.override("Europe/Helsinki"):
        assert timefmt.display_time(moment) == "September 06, 12:36 UTC+3"
        assert timefmt.dateline_date(moment) == "September 6"
        assert newsroom_time(moment) == (
            '<time datetime="2026-09-06T12:36:00+03:00">'
            "September 06, 12:36 UTC+3</time>"
        )
    with timezone.override("America/St_Johns"):
        assert timefmt.display_time(moment) == "September 06, 07:06 UTC-2:30"
    assert newsroom_time(None) == ""


def test_the_kept_month_names_follow_the_language_and_are_forgotten() -> None:
    with translation.override("de"):
        assert timefmt.month_name(3) == "März"
    with translation.override("en"):
        assert timefmt.month_name(3) == "March"
    assert timefmt._month_names
    with override_settings(LOCALE_PATHS=[]):
        # Django forgets its catalogues on this change, and so do we.
        assert not timefmt._month_names
