"""``dateline generate --articles N [--seed S]``: append a synthetic archive."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max

from dateline.content.models import Article
from dateline.core import progress as core_progress
from dateline.demo import generate
from dateline.search import indexing
from dateline.search.backends import get_backend


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
        show_progress = not options["no_progress"]
        try:
            articles = generate.check_count(options["articles"])
            self.stdout.write(f"Generating {articles:,} items with seed {seed}…")
            newest_before = Article.objects.aggregate(newest=Max("pk"))["newest"] or 0
            summary = self._generate(articles, seed, progress=show_progress)
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
        # Generated rows bypass the editorial acts that keep the index in step.
        self.stdout.write("Indexing them for search…")
        started = time.perf_counter()
        new_items = Article.objects.filter(pk__gt=newest_before)
        with core_progress.progress(
            summary.public, stderr=self.stderr, enabled=show_progress
        ) as report:
            indexed = indexing.index_items(new_items, progress=report)
        get_backend().optimize()
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {indexed:,} item{'' if indexed == 1 else 's'} "
                f"in {time.perf_counter() - started:,.1f} s."
            )
        )

    def _generate(
        self, articles: int, seed: int, *, progress: bool
    ) -> generate.GenerateSummary:
        with core_progress.progress(
            articles, stderr=self.stderr, enabled=progress
        ) as report:
            return generate.generate_archive(
                articles=articles, seed=seed, progress=report
            )
