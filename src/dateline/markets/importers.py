"""Reading central banks' daily rate files: the ECB's euro reference rates
(eurofxref-daily.xml) and the Bank of Russia's daily rates (XML_daily.asp).

Each parser turns bytes into a ``RateSheet`` or raises ``RatesFileError``
saying what is wrong; nothing is written until a whole file has been read.
XML is parsed with defusedxml: a file cannot expand entities or reach out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException, ElementTree
from django.db import transaction

from dateline.core.fetch import fetch_url
from dateline.core.signals import rows_changed_in_bulk
from dateline.markets.models import Rate

# Bigger files are not rate sheets.
MAX_FILE_BYTES = 2_000_000
CURRENCY = re.compile(r"[A-Z]{3}")
ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


class RatesFileError(ValueError):
    """The file is not a rate sheet we can read; nothing was imported."""


@dataclass(frozen=True)
class RateSheet:
    source: str
    effective_on: date
    # (base, quote, rate): one base is worth ``rate`` quote.
    rates: list[tuple[str, str, Decimal]]


def parse_ecb(data: bytes) -> RateSheet:
    """The ECB's daily euro reference rates: 1 EUR = rate units of each currency."""
    root = _xml(data)
    days = root.findall(f".//{ECB_NS}Cube[@time]")
    if len(days) != 1:
        raise RatesFileError("An ECB daily file holds exactly one day of rates.")
    day = _date(days[0].get("time", ""), "%Y-%m-%d")
    rates = []
    for cube in days[0].findall(f"{ECB_NS}Cube"):
        currency = _currency(cube.get("currency", ""))
        rates.append(("EUR", currency, _positive(cube.get("rate", ""))))
    return _sheet(Rate.Source.ECB, day, rates)


def parse_cbr(data: bytes) -> RateSheet:
    """The Bank of Russia's daily rates: Nominal units of a currency = Value roubles."""
    root = _xml(data)
    if root.tag != "ValCurs":
        raise RatesFileError("A Bank of Russia file starts with <ValCurs>.")
    day = _date(root.get("Date", ""), "%d.%m.%Y")
    rates = []
    for valute in root.findall("Valute"):
        currency = _currency(valute.findtext("CharCode", ""))
        value = _positive(valute.findtext("Value", "").replace(",", "."))
        nominal = _positive(valute.findtext("Nominal", ""))
        rates.append((currency, "RUB", value / nominal))
    return _sheet(Rate.Source.CBR, day, rates)


PARSERS = {Rate.Source.ECB: parse_ecb, Rate.Source.CBR: parse_cbr}


def import_sheet(sheet: RateSheet, *, is_demo: bool = False) -> int:
    """Store a sheet's rates (replacing that day's from the same source)."""
    with transaction.atomic():
        Rate.objects.filter(
            source=sheet.source, effective_on=sheet.effective_on
        ).delete()
        Rate.objects.bulk_create(
            Rate(
                source=sheet.source,
                effective_on=sheet.effective_on,
                base=base,
                quote=quote,
                rate=rate.quantize(Decimal("1e-10")),
                is_demo=is_demo,
            )
            for base, quote, rate in sheet.rates
        )
        rows_changed_in_bulk.send(sender=Rate)
    return len(sheet.rates)


def import_from_url(source: str, url: str) -> RateSheet:
    """Fetch a source's daily file and store it; a bad file changes nothing.

    Raises FetchError or RatesFileError with a message fit for a log line.
    """
    sheet = PARSERS[Rate.Source(source)](fetch_url(url, max_bytes=MAX_FILE_BYTES))
    import_sheet(sheet)
    return sheet


def _xml(data: bytes) -> ElementTree.Element:
    if len(data) > MAX_FILE_BYTES:
        raise RatesFileError(f"The file is over {MAX_FILE_BYTES:,} bytes.")
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise RatesFileError(f"The file is not well-formed XML: {error}.") from None
    except DefusedXmlException as error:  # entities, DTDs, external references
        raise RatesFileError(f"The file was refused: {type(error).__name__}.") from None


def _date(text: str, pattern: str) -> date:
    try:
        return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
    except ValueError:
        raise RatesFileError(f"The file's date {text[:20]!r} is not a date.") from None


def _currency(text: str) -> str:
    code = text.strip()
    if not CURRENCY.fullmatch(code):
        raise RatesFileError(f"{code[:10]!r} is not an ISO 4217 currency code.")
    return code


def _positive(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise RatesFileError(f"{text[:20]!r} is not a number.") from None
    if not value.is_finite() or value <= 0 or value > Decimal("1e12"):
        raise RatesFileError(f"{text[:20]!r} is not a usable rate.")
    return value


def _sheet(source: str, day: date, rates: list[tuple[str, str, Decimal]]) -> RateSheet:
    if not rates:
        raise RatesFileError("The file holds no rates.")
    pairs = [(base, quote) for base, quote, _ in rates]
    if len(set(pairs)) != len(pairs):
        raise RatesFileError("The file lists a currency twice.")
    return RateSheet(source=source, effective_on=day, rates=rates)
