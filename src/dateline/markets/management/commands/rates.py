"""``dateline rates import --source ecb|cbr FILE_OR_URL``: load a day of rates."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.markets.importers import (
    MAX_FILE_BYTES,
    PARSERS,
    RatesFileError,
    import_sheet,
)

FETCH_TIMEOUT_SECONDS = 20


class Command(BaseCommand):
    help = "Import official exchange rates: the ECB's euro reference rates or the Bank of Russia's."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Read one daily rates file.")
        load.add_argument("--source", required=True, choices=sorted(PARSERS))
        load.add_argument("location", help="A file path, or an http(s) URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = _read(options["location"])
        try:
            sheet = PARSERS[options["source"]](data)
        except RatesFileError as error:
            raise CommandError(
                f"{options['location']}: {error} Nothing was imported."
            ) from None
        count = import_sheet(sheet)
        self.stdout.write(
            f"Imported {count} rate{'s' if count != 1 else ''} of {sheet.effective_on} "
            f"from {options['source']}."
        )


def _read(location: str) -> bytes:
    if location.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(  # noqa: S310 - http(s) only, checked above
                location, timeout=FETCH_TIMEOUT_SECONDS
            ) as response:
                return bytes(response.read(MAX_FILE_BYTES + 1))
        except OSError as error:
            raise CommandError(f"{location}: could not be fetched ({error}).") from None
    path = Path(location)
    if not path.is_file():
        raise CommandError(f"{location}: no such file.")
    with path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)
