"""``dateline demo [--reset]``: load the fictional demo agency."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dateline.demo import agency_pages, house_adverts, loader, readers
from dateline.popularity.counters import get_counter


class Command(BaseCommand):
    help = "Load the fictional demo agency and print the newsroom logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Delete all content (articles, photos, sections, topics, persons) "
                "first; refused when the database holds items the demo did not write."
            ),
        )
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="Where the site will be served, for the printed links.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            # The services' own log lines (each advert, each feed) would bury
            # the summary below; -v 2 shows them.
            logging.getLogger("dateline").setLevel(logging.WARNING)
        if options["reset"]:
            self.stdout.write("Removing all content and the demo accounts…")
            try:
                loader.reset()
            except loader.NotDemoContentError as error:
                raise CommandError(str(error)) from error
            get_counter().clear()
            house_adverts.remove_house_adverts()
        summary = loader.load()
        if summary.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo agency loaded: {summary.articles} items, "
                    f"{summary.published} of them public now."
                )
            )
            rates = loader.load_rates()
            self.stdout.write(
                f"Exchange rates: {rates} demo rates loaded through the importers."
            )
            feeds, links = loader.load_partners()
            self.stdout.write(
                f"Partner links: {feeds} demo feeds read through the importer, "
                f"{links} links in Partner News and In other media."
            )
            cities = loader.load_cities()
            self.stdout.write(
                f"Cities: {cities} for the header's city selector "
                "(local time; weather stays off in the demo)."
            )
            adverts = house_adverts.load_house_adverts(now=timezone.now())
            self.stdout.write(
                f"Advertising: {adverts} house adverts for the agency's own services."
            )
            galleries = loader.load_galleries()
            self.stdout.write(f"Photo galleries: {galleries} published.")
            infographics = loader.load_infographics()
            self.stdout.write(f"Infographics: {infographics} published.")
            pages = agency_pages.load_agency_pages()
            self.stdout.write(
                f"The agency's pages: {pages} (About, Contact…), linked from the footer."
            )
            replay = readers.replay_week(now=timezone.now())
            self.stdout.write(
                f"Most read: replayed a week of synthetic readers, "
                f"{replay.counted:,} views counted."
            )
        else:
            self.stdout.write(
                "The database already has content, so the demo was not loaded again "
                "(use --reset to start over)."
            )
        site = options["site_url"].rstrip("/")
        self.stdout.write(f"\nThe site:     {site}/")
        self.stdout.write(f"The newsroom: {site}/newsroom/  (fresh passwords each run)")
        for username, password, role in summary.logins:
            self.stdout.write(f"  {username:<9} {password}   {role}")
        if settings.DATELINE_REQUIRE_TWO_FACTOR:
            self.stdout.write(
                "Two-factor authentication is on: the chief and the editor set up "
                "an authenticator app (or a passkey, at http://localhost) at their "
                "first login."
            )
        else:
            self.stdout.write(
                "No second factor is asked while the site answers on loopback only "
                "(DATELINE_REQUIRE_TWO_FACTOR=true asks it of the chief and the editor)."
            )
        self.stdout.write("")
