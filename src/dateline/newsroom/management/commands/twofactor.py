"""``dateline twofactor reset USERNAME``: for a person locked out of the
newsroom (a lost phone and lost backup codes) whom no Chief can reset — a
superuser, or the only Chief."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.newsroom.twofactor import services


class Command(BaseCommand):
    help = "Two-factor authentication: remove a person's devices."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reset = actions.add_parser(
            "reset",
            help="Remove every device of this person; they set up new ones at "
            "their next login.",
        )
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"There is no user {options['username']!r}.")
        removed = services.reset_two_factor(user=user, actor=None)
        self.stdout.write(
            f"Removed {removed} two-factor device{'s' if removed != 1 else ''} "
            f"of {user.username}; they set up new ones at their next login."
        )
