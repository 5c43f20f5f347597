"""Rates files in the ECB's and the Bank of Russia's formats (fixtures written
by us in those public formats), the import command, and conversions."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dateline.markets.importers import RatesFileError, parse_cbr, parse_ecb
from dateline.markets.models import Rate
from dateline.markets.selectors import convert, latest_sheets

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rates"
ECB = FIXTURES / "ecb-daily.xml"
CBR = FIXTURES / "cbr-daily.xml"


def load(source: str, path: Path | str) -> str:
    out = StringIO()
    call_command("rates", "import", "--source", source, str(path), stdout=out)
    return out.getvalue()


def test_the_ecb_file_gives_euro_rates() -> None:
    sheet = parse_ecb(ECB.read_bytes())
    assert str(sheet.effective_on) == "2026-11-27"
    assert ("EUR", "USD", Decimal("1.0500")) in sheet.rates
    assert len(sheet.rates) == 5


def test_the_bank_of_russia_file_gives_rouble_rates_per_unit() -> None:
    sheet = parse_cbr(CBR.read_bytes())
    assert str(sheet.effective_on) == "2026-11-28"
    assert ("JPY", "RUB", Decimal("0.5925")) in sheet.rates  # 100 yen = 59.25 roubles


def test_the_command_imports_and_a_second_run_replaces_the_day() -> None:
    assert "Imported 5 rates of 2026-11-27 from ecb" in load("ecb", ECB)
    load("ecb", ECB)
    assert Rate.objects.filter(source="ecb").count() == 5


def test_conversions_use_the_newest_sheet_with_both_currencies() -> None:
    load("ecb", ECB)
    sheets = latest_sheets()
    done = convert(Decimal("100"), "USD", "EUR", sheets)
    assert done is not None
    assert done.result.quantize(Decimal("0.0001")) == Decimal("95.2381")
    assert done.shown_result == "95.24"  # a sum of money: two decimals
    crossed = convert(Decimal("100"), "USD", "GBP", sheets)
    assert crossed is not None
    assert crossed.shown_result == "80.00"
    load("cbr", CBR)  # a day newer, and it has USD and EUR too
    newer = convert(Decimal("100"), "USD", "EUR", latest_sheets())
    assert newer is not None
    assert newer.sheet.source == "cbr"
    assert newer.result.quantize(Decimal("0.0001")) == Decimal("95.2632")
    yen = convert(Decimal("1000"), "JPY", "RUB", latest_sheets())
    assert yen is not None
    assert yen.shown_result == "592.50"
    assert convert(Decimal("1"), "USD", "XAU", latest_sheets()) is None


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<ValCurs Date="28.11.2026"><Valute><CharCode>USD</CharCode><Nominal>1</Nominal><Value>&lol2;</Value></Valute></ValCurs>"""


@pytest.mark.parametrize(
    ("source", "data"),
    [
        ("ecb", b"not xml at all"),
        ("ecb", b"<Envelope/>"),
        ("ecb", ECB.read_bytes().replace(b"2026-11-27", b"27/11/2026")),
        ("ecb", ECB.read_bytes().replace(b"'USD'", b"'usd'")),
        ("ecb", ECB.read_bytes().replace(b"'1.0500'", b"'-1.05'")),
        ("ecb", ECB.read_bytes().replace(b"'1.0500'", b"'NaN'")),
        ("ecb", ECB.read_bytes().replace(b"'1.0500'", b"'Infinity'")),
        ("ecb", ECB.read_bytes().replace(b"'JPY'", b"'USD'")),
        ("cbr", BOMB),
        ("cbr", b"<ValCurs Date='28.11.2026'></ValCurs>"),
        (
            "cbr",
            CBR.read_bytes().replace(
                b"<Nominal>100</Nominal>", b"<Nominal>0</Nominal>"
            ),
        ),
        ("cbr", b"<" + b"x" * 3_000_000 + b"/>"),
        ("cbr", ECB.read_bytes()),
    ],
)
def test_a_bad_file_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, source: str, data: bytes
) -> None:
    load("ecb", ECB)
    before = list(Rate.objects.values_list("source", "base", "quote", "rate"))
    bad = tmp_path / "rates.xml"
    bad.write_bytes(data)
    with pytest.raises(CommandError, match="Nothing was imported"):
        load(source, bad)
    assert list(Rate.objects.values_list("source", "base", "quote", "rate")) == before


def test_the_parsers_say_what_is_wrong() -> None:
    with pytest.raises(RatesFileError, match="not an ISO 4217"):
        parse_ecb(ECB.read_bytes().replace(b"'USD'", b"'US1'"))


@pytest.mark.parametrize(
    "location", ["/no/such/file.xml", "http://127.0.0.1:9/rates.xml"]
)
def test_an_unreadable_location_is_a_clear_error(location: str) -> None:
    with pytest.raises(CommandError, match=location.split("/")[-1]):
        load("ecb", location)


def test_an_unknown_source_is_refused() -> None:
    with pytest.raises(CommandError):
        load("fed", ECB)


def test_the_converter_page_converts_with_a_plain_form(client) -> None:
    assert (
        "No exchange rates have been loaded yet"
        in client.get("/rates/").content.decode()
    )
    load("ecb", ECB)
    load("cbr", CBR)
    page = client.get("/rates/", {"amount": "100", "source": "USD", "target": "EUR"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "100 USD = 95.26 EUR" in text
    assert "Central Bank of Russia" in text
    assert "European Central Bank" in text


@pytest.mark.parametrize(
    "query",
    [
        {"amount": "abc", "source": "USD", "target": "EUR"},
        {"amount": "-5", "source": "USD", "target": "EUR"},
        {"amount": "1e400", "source": "USD", "target": "EUR"},
        {"amount": "10000000000000", "source": "USD", "target": "EUR"},
        {"amount": "1.123456", "source": "USD", "target": "EUR"},
        {"amount": "100", "source": "XXX", "target": "EUR"},
        {"amount": "100", "source": "USD"},
        {"amount": "100", "source": "USD\x00", "target": "EUR"},
    ],
)
def test_bad_converter_input_is_a_400_that_says_so(
    client, query: dict[str, str]
) -> None:
    load("ecb", ECB)
    page = client.get("/rates/", query)
    assert page.status_code == 400
    assert "Please check the amount and the currencies" in page.content.decode()


def test_every_page_has_the_header_converter(client) -> None:
    from lxml import html

    load("ecb", ECB)
    page = html.fromstring(client.get("/").content)
    (form,) = page.xpath("//form[@data-converter]")
    assert form.get("action") == "/rates/"
    assert form.xpath(".//select[@name='source']/option/text()") == [
        "USD", "EUR", "RUB", "GBP", "JPY"
    ]  # fmt: skip
    query = {
        field.get("name"): field.get("value")
        or field.xpath("string(option[@selected])")
        for field in form.xpath(".//input[@name] | .//select[@name]")
    }
    assert query == {"amount": "100", "source": "USD", "target": "EUR"}
    answer = client.get("/rates/", query)
    assert "100 USD = 95.24 EUR" in answer.content.decode()
    # The header keeps its shape on the converter's own page.
    converter = html.fromstring(client.get("/rates/").content)
    assert converter.xpath("//form[@data-converter]")


def test_the_header_converter_follows_the_setting(client, settings) -> None:
    settings.DATELINE_CURRENCIES = ["CHF", "SEK"]
    text = client.get("/").content.decode()
    assert "<option selected>CHF</option>" in text
    settings.DATELINE_CURRENCIES = []
    assert "data-converter" not in client.get("/").content.decode()


@pytest.mark.usefixtures("fetch_from_loopback")
def test_the_command_reads_a_bank_address_and_names_one_that_fails() -> None:
    from tests.loopback import serve

    with serve({"/daily.xml": CBR.read_bytes(), "/down.xml": (503, b"")}) as bank:
        assert "from cbr" in load("cbr", bank.url("/daily.xml"))
        with pytest.raises(CommandError, match=r"answered 503\. Nothing was imported"):
            load("cbr", bank.url("/down.xml"))
    assert Rate.objects.filter(source="cbr").exists()


@pytest.mark.parametrize(
    "address", ["http://169.254.169.254/latest/", "http://localhost:8080/daily.xml"]
)
def test_the_command_refuses_an_address_inside_the_network(address: str) -> None:
    with pytest.raises(CommandError) as error:
        load("ecb", address)
    assert str(error.value) == (
        f"{address}: the address is not allowed (it points inside the network). "
        "Nothing was imported."
    )


def test_the_converter_starts_with_the_agency_currency_into_euros(
    client, settings
) -> None:
    from lxml import html

    load("ecb", ECB)
    settings.DATELINE_CURRENCIES = ["GBP", "USD"]
    page = html.fromstring(client.get("/rates/").content)
    form = page.xpath("//form[@class='converter-form']")[0]
    chosen = {
        select.get("name"): select.xpath("string(option[@selected]/@value)")
        for select in form.xpath(".//select")
    }
    assert chosen == {"source": "GBP", "target": "EUR"}
    assert form.xpath("string(.//option[@value='GBP'])") == "GBP — Pound sterling"
    # The question the form starts with is answered, with its source and day.
    status = page.xpath("string(//*[@data-conversion])")
    assert "100 GBP = 119.05 EUR" in status
    assert "European Central Bank's rates of" in status
    settings.DATELINE_CURRENCIES = ["EUR", "USD"]
    page = html.fromstring(client.get("/rates/").content)
    assert "100 EUR = 105.00 USD" in page.xpath("string(//*[@data-conversion])")


def test_the_rate_sheets_round_as_a_bank_prints() -> None:
    from dateline.markets.money import sensible, shown

    assert shown(Decimal("1234567.891")) == "1,234,567.89"
    assert shown(Decimal("0.006241")) == "0.0062"  # a yen in euros, not 0.01
    assert shown(Decimal("0.006241"), places=4, significant=4) == "0.006241"
    assert sensible(Decimal("160.234")) == Decimal("160.23")
    assert sensible(Decimal("0")) == Decimal("0.00")


def test_the_sheet_table_shows_each_currency_both_ways(client) -> None:
    from lxml import html

    load("ecb", ECB)
    page = html.fromstring(client.get("/rates/").content)
    rows = {
        row.xpath("string(th/span[@class='rate-code'])"): [
            cell.text_content() for cell in row.xpath("td")
        ]
        for row in page.xpath("//table[@class='rate-table']/tbody/tr")
    }
    assert "EUR" not in rows  # the pivot is the table's unit, not a row
    assert rows["USD"] == ["0.9524", "1.0500"]
    assert "European Central Bank" in page.xpath(
        "string(//section[@class='rate-sheet']/h2)"
    )
