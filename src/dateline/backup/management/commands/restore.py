"""``dateline restore PATH [--force]``: replace the site with a backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.backup import operations


class Command(BaseCommand):
    help = (
        "Restore a `dateline backup` archive: checks every checksum first, and "
        "refuses a site that has items, users or media files without --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive `dateline backup` wrote.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a site that is not empty (its items, users and media files).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = operations.restore_site(
                path=Path(options["path"]),
                force=options["force"],
                say=self.stderr.write,
            )
        except operations.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Restored:"))
        for line in summary.lines:
            self.stdout.write(f"  - {line}")
        self.stdout.write(
            "Restart the app servers and the worker: they keep the old secret key "
            "and their caches in memory."
        )
