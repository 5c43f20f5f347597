"""``dateline reindex``: rebuild the search index from the published items."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dateline.core.progress import progress
from dateline.search import indexing


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every published item. Searches keep "
        "answering from the old index until the new one is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Print no progress, only the summary.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = indexing.indexable().count()
        started = time.perf_counter()
        with progress(
            total, stderr=self.stderr, enabled=not options["no_progress"]
        ) as report:
            done = indexing.reindex(progress=report)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {done:,} item{'' if done == 1 else 's'} in {seconds:,.1f} s "
                f"({done / max(seconds, 1e-9):,.0f} items/s)."
            )
        )
