"""``dateline partners refresh [--feed ID]``: read partner feeds now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.partners import services
from dateline.partners.models import PartnerFeed

if TYPE_CHECKING:
    from dateline.partners.services import FeedRefresh


class Command(BaseCommand):
    help = "Partner News and In other media: read the partners' RSS and Atom feeds."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        refresh = actions.add_parser(
            "refresh",
            help="Read every active feed now (or one, with --feed), as the worker does.",
        )
        refresh.add_argument(
            "--feed",
            type=int,
            metavar="ID",
            help="Only this feed (its number in the newsroom), active or not.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["feed"] is not None:
            feed = PartnerFeed.objects.filter(pk=options["feed"]).first()
            if feed is None:
                raise CommandError(
                    f"There is no partner feed {options['feed']}; the newsroom "
                    "lists them under Partner links → Partner feeds."
                )
            results = [services.refresh_partner_feed(feed=feed)]
        else:
            results = services.refresh_partner_feeds()
            if not results:
                self.stdout.write(
                    "No active partner feeds; add them in the newsroom under "
                    "Partner links → Partner feeds."
                )
                return
        for result in results:
            if result.ok:
                self.stdout.write(self._line(result))
            else:
                self.stderr.write(self._line(result))
        failed = [result for result in results if not result.ok]
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(results)} feed{'s' if len(results) != 1 else ''} "
                "could not be read; their links were left as they were."
            )

    def _line(self, result: FeedRefresh) -> str:
        name = f"{result.feed.name} ({result.feed.url})"
        if not result.ok:
            return f"{name}: {result.error}"
        line = f"{name}: {result.created} new, {result.updated} updated, {result.removed} removed."
        if result.skipped:
            line += f" {len(result.skipped)} entries left out: " + "; ".join(
                result.skipped[:3]
            )
            return self.style.WARNING(line)
        return self.style.SUCCESS(line)
