"""Money as a reader sees it: a currency's name and an amount rounded as a
rate sheet would print it."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# ISO 4217 names of the currencies the ECB and the Bank of Russia quote.
NAMES = {
    "AED": _("UAE dirham"),
    "AMD": _("Armenian dram"),
    "AUD": _("Australian dollar"),
    "AZN": _("Azerbaijani manat"),
    "BGN": _("Bulgarian lev"),
    "BRL": _("Brazilian real"),
    "BYN": _("Belarusian rouble"),
    "CAD": _("Canadian dollar"),
    "CHF": _("Swiss franc"),
    "CNY": _("Chinese yuan renminbi"),
    "CZK": _("Czech koruna"),
    "DKK": _("Danish krone"),
    "EGP": _("Egyptian pound"),
    "EUR": _("Euro"),
    "GBP": _("Pound sterling"),
    "GEL": _("Georgian lari"),
    "HKD": _("Hong Kong dollar"),
    "HUF": _("Hungarian forint"),
    "IDR": _("Indonesian rupiah"),
    "ILS": _("Israeli new shekel"),
    "INR": _("Indian rupee"),
    "ISK": _("Icelandic króna"),
    "JPY": _("Japanese yen"),
    "KGS": _("Kyrgyz som"),
    "KRW": _("South Korean won"),
    "KZT": _("Kazakhstani tenge"),
    "MDL": _("Moldovan leu"),
    "MXN": _("Mexican peso"),
    "MYR": _("Malaysian ringgit"),
    "NOK": _("Norwegian krone"),
    "NZD": _("New Zealand dollar"),
    "PHP": _("Philippine peso"),
    "PLN": _("Polish złoty"),
    "QAR": _("Qatari riyal"),
    "RON": _("Romanian leu"),
    "RSD": _("Serbian dinar"),
    "RUB": _("Russian rouble"),
    "SEK": _("Swedish krona"),
    "SGD": _("Singapore dollar"),
    "THB": _("Thai baht"),
    "TJS": _("Tajikistani somoni"),
    "TMT": _("Turkmenistan manat"),
    "TRY": _("Turkish lira"),
    "UAH": _("Ukrainian hryvnia"),
    "USD": _("US dollar"),
    "UZS": _("Uzbekistani som"),
    "VND": _("Vietnamese dong"),
    "ZAR": _("South African rand"),
}


def name(code: str) -> str:
    """The currency's name, or its code where we know no name."""
    return str(NAMES.get(code, code))


def sensible(value: Decimal, *, places: int = 2, significant: int = 2) -> Decimal:
    """``value`` to ``places`` decimals; under one, to at least
    ``significant`` significant digits (a yen in euros is 0.0062, not 0.01)."""
    exponent = value.copy_abs().adjusted() if value else 0  # 0.006241 → -3
    shown = places if exponent >= 0 else max(places, significant - 1 - exponent)
    return value.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_EVEN)


def default_pair(codes: list[str], agency_codes: list[str]) -> tuple[str, str] | None:
    """The converter's first question: the agency's own currency (the first
    of ``DATELINE_CURRENCIES``) into the euro, or into the agency's second
    currency when its own is the euro; ``None`` where the sheets lack them."""
    own = next((code for code in agency_codes if code in codes), None)
    if own is None:
        return None
    other = (
        "EUR"
        if own != "EUR"
        else next(
            (code for code in agency_codes if code in codes and code != own), None
        )
    )
    if other is None or other not in codes:
        return None
    return own, other


def shown(value: Decimal, *, places: int = 2, significant: int = 2) -> str:
    """``sensible(value)`` in the site's number format, thousands grouped."""
    rounded = sensible(value, places=places, significant=significant)
    return number_format(rounded, force_grouping=True)


def shown_as_typed(value: Decimal) -> str:
    """An amount the reader typed, grouped, with no zeros it did not need:
    100 stays 100 and 2.50 is 2.5."""
    trimmed = value.normalize()
    if trimmed.as_tuple().exponent > 0:  # type: ignore[operator] # finite here
        trimmed = trimmed.quantize(Decimal(1))
    return number_format(trimmed, force_grouping=True)
