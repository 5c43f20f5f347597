"""``dateline backup PATH [--force]``: the whole site in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.backup import operations


class Command(BaseCommand):
    help = (
        "Back up the database, the media files, the secret key file and Most "
        "read's Redis counters into one archive, while the site runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            help=(
                "The archive's file name (.tar, or .tar.gz / .tgz for gzip), or a "
                "directory for a dated name inside it."
            ),
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace an existing file at PATH."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = operations.back_up_site(
                path=Path(options["path"]),
                force=options["force"],
                say=self.stderr.write,
            )
        except operations.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
