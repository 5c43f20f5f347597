"""The currency converter's form: an amount and two currencies, all checked."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from dateline.markets import money


class ConverterForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.0001"),
        max_value=Decimal("1000000000000"),
        max_digits=17,
        decimal_places=4,
        initial=Decimal(100),
        # Text, not type=number: an amount typed wrong is shown back as typed,
        # which a number input cannot hold.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 12}),
    )
    source = forms.ChoiceField(label="From")
    target = forms.ChoiceField(label="To")

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, f"{code} — {money.name(code)}") for code in currencies]
        for name in ("source", "target"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = choices
