"""``dateline renditions [--all] [--limit N]``: make missing picture renditions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dateline.content.services import generate_missing_renditions


class Command(BaseCommand):
    help = (
        "Make the renditions (smaller sizes in AVIF, WebP and JPEG or PNG) of every "
        "picture that has none yet, e.g. after importing an archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Make every picture's renditions afresh, not only missing ones.",
        )
        parser.add_argument(
            "--limit", type=int, default=None, help="Stop after this many pictures."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = generate_missing_renditions(
            regenerate=options["all"], limit=options["limit"]
        )
        for label, error in run.failed:
            self.stderr.write(f"Skipped {label}: {error}")
        self.stdout.write(
            f"{run.made} picture(s) given renditions, {len(run.failed)} skipped."
        )
