"""``dateline rates import --source ecb|cbr FILE_OR_URL``: load a day of rates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.core.fetch import FetchError, read_location
from dateline.markets.importers import (
    MAX_FILE_BYTES,
    PARSERS,
    RatesFileError,
    import_sheet,
)


class Command(BaseCommand):
    help = "Import official exchange rates: the ECB's euro reference rates or the Bank of Russia's."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="Read one daily rates file.")
        load.add_argument("--source", required=True, choices=sorted(PARSERS))
        load.add_argument("location", help="A file path, or an http(s) URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = read_location(options["location"], max_bytes=MAX_FILE_BYTES)
        except FetchError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
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
