"""Days a stranger names (a search's "from" and "to") and the instants they span.

A day is taken in the newsroom's zone, from its first moment to the first
moment of the next. Python's dates end at 9999-12-31 and begin at 0001-01-01,
so the day after the last one, or the start of the first one written in UTC
from a zone ahead of it, cannot be made at all: an ``OverflowError``, which was
a 500. The form field below takes only days whose whole span is an instant in
every zone (UTC offsets stay within a day), and ``day_range`` is the one way
the forms turn days into instants.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from datetime import tzinfo

# The first and the last day whose span is an instant in any zone.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)


class DayField(forms.DateField):
    """A date that ``day_range`` can span; any other is the form's error."""

    def __init__(self, **kwargs: Any) -> None:
        message = format_lazy(
            _("Enter a date between {first} and {last}."),
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
        super().__init__(
            validators=[
                MinValueValidator(FIRST_DAY, message=message),
                MaxValueValidator(LAST_DAY, message=message),
            ],
            **kwargs,
        )


def day_range(
    first: date | None, last: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """From the start of ``first`` to the start of the day after ``last``, in
    ``zone``; None for a side not given. Both days within FIRST_DAY–LAST_DAY."""
    for day in (first, last):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(f"{day} is outside {FIRST_DAY}–{LAST_DAY}.")
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    return start, end
