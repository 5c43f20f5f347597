"""Formatting only: values in, text out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dateline.core.timefmt import machine_and_display_time, machine_time

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from django.utils.safestring import SafeString

    from dateline.content.models import Article

register = template.Library()


@register.simple_tag
def newsroom_time(moment: datetime | None) -> SafeString | str:
    """<time> with the machine value and "September 06, 12:36 UTC+3"."""
    if moment is None:
        return ""
    # As format_html would make it, at half the cost: the machine value is
    # digits and signs, the shown one is escaped.
    machine, shown = machine_and_display_time(moment)
    return mark_safe(f'<time datetime="{machine}">{escape(shown)}</time>')  # noqa: S308


@register.filter
def capitals(value: str) -> str:
    return value.upper()


@register.filter(name="machine_time")
def machine_time_filter(moment: datetime | None) -> str:
    """The ISO 8601 value for meta tags, to the second."""
    return machine_time(moment) if moment else ""


# The feed's rows are the most repeated markup on the site (30 to a page, and
# every appended page); built here in one pass they cost a tenth of what the
# same markup costs as a template.
URGENT_AT_MOST = 3


@register.simple_tag
def _urgency(urgency: int) -> tuple[str, str]:
    """The CSS class and the label (with its text, not colour alone) that
    mark a flash or an urgent item; nothing for the rest."""
    if urgency == 1:
        return " is-flash", _FLAG.format(_("Flash"))
    if urgency <= URGENT_AT_MOST:
        return " is-urgent", _FLAG.format(_("Urgent"))
    return "", ""


def urgency_label(item: Article) -> SafeString:
    """The label before a headline on the fronts, as in the news feed."""
    return mark_safe(_urgency(item.urgency)[1])  # noqa: S308 - fixed markup


def feed_rows(items: Iterable[Article], *, show_section: bool = True) -> SafeString:
    """<li> rows of a feed: time, flag, headline, section, city, "updated"."""
    rows = []
    for item in items:
        moment = timezone.localtime(item.published_at)
        css, flag = _urgency(item.urgency)
        suffix = []
        if show_section:
            section = item.section
            suffix.append(
                _SECTION.format(
                    escape(section.get_absolute_url()), escape(section.name)
                )
            )
        if item.dateline_place:
            suffix.append(_PLACE.format(escape(item.dateline_place.upper())))
        if item.is_updated:
            suffix.append(_UPDATED.format(_("updated")))
        rows.append(
            _ROW.format(
                css=css,
                machine=moment.isoformat(timespec="seconds"),
                time=f"{moment:%H:%M}",
                flag=flag,
                url=escape(item.get_absolute_url()),
                headline=escape(item.headline),
                suffix="".join(suffix),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


_ROW = (
    '<li class="feed-item{css}">'
    '<time class="feed-time" datetime="{machine}">{time}</time> '
    '<span class="feed-text">{flag}'
    '<a class="feed-headline" href="{url}">{headline}</a> '
    '<span class="feed-suffix">{suffix}</span></span></li>\n'
)
_FLAG = '<strong class="feed-flag">{}</strong> '
_SECTION = '<a class="feed-section" href="{}">{}</a> '
_PLACE = '<span class="feed-place">{}</span> '
_UPDATED = '<span class="feed-updated">{}</span>'
