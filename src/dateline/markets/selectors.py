"""Converting amounts with the newest official rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from dateline.markets import money
from dateline.markets.models import Rate

if TYPE_CHECKING:
    from datetime import date

# Each source's rates are against one currency.
PIVOTS = {Rate.Source.ECB: "EUR", Rate.Source.CBR: "RUB"}


@dataclass(frozen=True)
class Sheet:
    """A source's rates of one day, as the value of one unit in its pivot."""

    source: str
    pivot: str
    effective_on: date
    values: dict[str, Decimal]
    is_demo: bool = False

    @property
    def source_name(self) -> str:
        return str(Rate.Source(self.source).label)

    def rows(self) -> list[SheetRow]:
        """Every currency but the pivot, A to Z, both ways round."""
        return [
            SheetRow(
                code=code,
                name=money.name(code),
                in_pivot=money.shown(value, places=4, significant=4),
                per_pivot=money.shown(1 / value, places=4, significant=4),
            )
            for code, value in sorted(self.values.items())
            if code != self.pivot
        ]


@dataclass(frozen=True)
class SheetRow:
    code: str
    name: str
    in_pivot: str  # one unit of the currency in the pivot
    per_pivot: str  # one unit of the pivot in the currency


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    from_currency: str
    to_currency: str
    result: Decimal
    sheet: Sheet

    @property
    def shown_amount(self) -> str:
        return money.shown_as_typed(self.amount)

    @property
    def shown_result(self) -> str:
        return money.shown(self.result)


def latest_sheets() -> list[Sheet]:
    """Each source's newest day of rates, newest first."""
    sheets = []
    for source, pivot in PIVOTS.items():
        newest = (
            Rate.objects.filter(source=source)
            .order_by("-effective_on")
            .values_list("effective_on", flat=True)
            .first()
        )
        if newest is None:
            continue
        values = {pivot: Decimal(1)}
        is_demo = False
        for base, quote, rate, demo in Rate.objects.filter(
            source=source, effective_on=newest
        ).values_list("base", "quote", "rate", "is_demo"):
            is_demo = is_demo or demo
            if base == pivot:  # 1 pivot = rate units: one unit is 1/rate pivots
                values[quote] = Decimal(1) / rate
            elif quote == pivot:  # 1 unit = rate pivots
                values[base] = rate
        sheets.append(
            Sheet(
                source=source,
                pivot=pivot,
                effective_on=newest,
                values=values,
                is_demo=is_demo,
            )
        )
    return sorted(sheets, key=lambda sheet: sheet.effective_on, reverse=True)


def currencies(sheets: list[Sheet]) -> list[str]:
    return sorted({code for sheet in sheets for code in sheet.values})


def convert(
    amount: Decimal, from_currency: str, to_currency: str, sheets: list[Sheet]
) -> Conversion | None:
    """The amount in the other currency by the newest sheet that has both."""
    for sheet in sheets:
        if from_currency in sheet.values and to_currency in sheet.values:
            value = amount * sheet.values[from_currency] / sheet.values[to_currency]
            return Conversion(
                amount=amount,
                from_currency=from_currency,
                to_currency=to_currency,
                result=value,
                sheet=sheet,
            )
    return None
