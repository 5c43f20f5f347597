"""Choosing the header's city: a city from the list, then back to the page
the reader came from (a path on this site, nowhere else)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_AT_MOST = 2000


class CityChoiceForm(forms.Form):
    city = forms.ChoiceField(
        error_messages={
            "required": "Choose one of the cities in the list.",
            "invalid_choice": "Choose one of the cities in the list.",
        }
    )

    def __init__(self, *args: Any, cities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["city"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(slug, slug) for slug in cities]


def same_site_path(value: object) -> str:
    """A path on this site to go back to; anything else is the home page."""
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or len(value) > NEXT_AT_MOST
        or any(char == "\\" or ord(char) < 0x20 or ord(char) == 0x7F for char in value)
        or not url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return "/"
    return value
