"""Formatting only: values in, text out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.html import format_html

from dateline.core.timefmt import display_time, machine_time

if TYPE_CHECKING:
    from datetime import datetime

    from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def newsroom_time(moment: datetime | None) -> SafeString | str:
    """<time> with the machine value and "September 06, 12:36 UTC+3"."""
    if moment is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', machine_time(moment), display_time(moment)
    )


@register.filter
def capitals(value: str) -> str:
    return value.upper()


@register.filter(name="machine_time")
def machine_time_filter(moment: datetime | None) -> str:
    """The ISO 8601 value for meta tags, to the second."""
    return machine_time(moment) if moment else ""
