"""``dateline generate --articles N [--seed S]``: append a synthetic archive."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from dateline.demo import generate

PLAIN_EVERY = 30.0  # seconds between progress lines when stderr is not a terminal


class Command(BaseCommand):
    help = (
        "Append N synthetic items (with new topics, persons and a few photos) "
        "spread over the past at about 550 a day, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--articles",
            required=True,
            help=f"How many items to add (1 to {generate.MAX_ARTICLES:,}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="The same seed gives the same items (default 1).",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="Print no progress, only the summary.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed = options["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise CommandError("--seed must be a whole number.")
        try:
            articles = generate.check_count(options["articles"])
            self.stdout.write(f"Generating {articles:,} items with seed {seed}…")
            summary = self._generate(
                articles, seed, progress=not options["no_progress"]
            )
        except generate.GenerateError as error:
            raise CommandError(str(error)) from error
        if summary.sections_created:
            self.stdout.write(
                f"Created the {summary.sections_created} standard sections."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary.articles:,} item{'' if summary.articles == 1 else 's'} "
                f"({summary.public:,} public), "
                f"{summary.topics:,} topics, {summary.persons:,} persons and "
                f"{summary.photos} photos in {summary.seconds:,.1f} s "
                f"({summary.per_second:,.0f} items/s)."
            )
        )

    def _generate(
        self, articles: int, seed: int, *, progress: bool
    ) -> generate.GenerateSummary:
        """A progress bar on a terminal, plain lines in a log, or nothing."""
        if not progress:
            return generate.generate_archive(articles=articles, seed=seed)
        if self.stderr.isatty():
            with tqdm(
                total=articles, unit=" items", unit_scale=True, file=sys.stderr
            ) as bar:
                return generate.generate_archive(
                    articles=articles, seed=seed, progress=bar.update
                )
        return generate.generate_archive(
            articles=articles, seed=seed, progress=self._plain_progress(articles)
        )

    def _plain_progress(self, total: int) -> generate.Progress:
        """Progress as a line every PLAIN_EVERY seconds, for logs and pipes."""
        started = last = time.monotonic()
        done = 0

        def report(count: int) -> None:
            nonlocal done, last
            done += count
            moment = time.monotonic()
            if moment - last >= PLAIN_EVERY or done == total:
                last = moment
                rate = done / max(moment - started, 1e-9)
                self.stderr.write(
                    f"  {done:,} / {total:,} items ({done / total:.0%}), "
                    f"{rate:,.0f} items/s"
                )

        return report
