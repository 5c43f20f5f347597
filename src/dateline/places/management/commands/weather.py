"""``dateline weather refresh``: ask the weather provider about every city now.

The worker does the same every half hour; this is for operators (a first
fill after configuring a provider, or a check that it answers).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.places.services import refresh_weather


class Command(BaseCommand):
    help = (
        "Refresh the stored weather of every active city from the configured provider."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("refresh", help="Fetch the current weather for each city.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = refresh_weather()
        if not result.is_on:
            raise CommandError(
                "Weather is off: set DATELINE_WEATHER_PROVIDER=open-meteo to turn it on."
            )
        for slug, reason in result.failed:
            self.stderr.write(f"{slug}: {reason} Its stored weather was kept.")
        self.stdout.write(
            f"Weather refreshed for {len(result.updated)} "
            f"cit{'y' if len(result.updated) == 1 else 'ies'}"
            f" ({len(result.kept)} had nothing newer, {len(result.failed)} failed)."
        )
        if result.failed:
            raise CommandError(
                f"{len(result.failed)} of "
                f"{len(result.failed) + len(result.updated) + len(result.kept)} "
                "cities could not be refreshed."
            )
