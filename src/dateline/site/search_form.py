"""The search page's parameters: a stranger's input, checked before use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone

from dateline.core.dates import DayField, day_range
from dateline.search.backends.base import Sort
from dateline.search.query import printable
from dateline.search.selectors import MAX_PAGE

if TYPE_CHECKING:
    from datetime import datetime

# Longer text is cut by the parser, with a note; the form only refuses absurd
# sizes so that nobody makes us read megabytes.
MAX_RAW_QUERY = 64_000


class QueryField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Control characters (NUL among them) are nobody's search: they become
        # spaces, before any check, so that such a query still gets results.
        return str(super().to_python(printable(str(value or ""))))


class SearchForm(forms.Form):
    q = QueryField(required=False, strip=True, max_length=MAX_RAW_QUERY)
    sort = forms.ChoiceField(
        required=False,
        choices=[(Sort.RELEVANCE, "Relevance"), (Sort.DATE, "Date")],
    )
    topic = forms.SlugField(required=False, max_length=100)
    person = forms.SlugField(required=False, max_length=100)
    # "from" is a Python keyword: the field is named in add_prefix below.
    since = DayField(required=False, label="From")
    until = DayField(required=False, label="To")
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def add_prefix(self, field_name: str) -> str:
        return {"since": "from", "until": "to"}.get(field_name, field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The “from” date is after the “to” date.")
        return data

    @property
    def sort_order(self) -> Sort:
        return Sort(self.cleaned_data.get("sort") or Sort.RELEVANCE)

    @property
    def page_number(self) -> int:
        return int(self.cleaned_data.get("page") or 1)

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """The dates as newsroom-time instants: from the first day's start to
        the last day's end."""
        return day_range(
            self.cleaned_data.get("since"),
            self.cleaned_data.get("until"),
            timezone.get_current_timezone(),
        )
