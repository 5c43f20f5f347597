"""``dateline serve``: the production server (granian, WSGI) with safety checks first.

Granian rather than gunicorn: measured on our pages (README, "Production
server"), it answers cheap requests (a cached page, robots.txt, static files)
faster (+16 to +41 % on robots.txt run for run, about 2x on static files),
keeps connections alive, and is no slower on uncached pages, where the time
goes to Django.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.core.config import insecure_settings

# A file every page links: if the manifest has no hashed name for it, no
# page can be rendered.
PROBE_STATIC_FILE = "site/css/site.css"


def default_workers() -> int:
    """One process per core: pages are CPU-bound (templates, local SQLite)."""
    return max(2, os.cpu_count() or 1)


# Threads per worker. granian reads and writes the sockets itself, so a thread
# only ever waits for a query; a second one contends for the GIL with
# granian's own threads (measured with kept pages answered before Django:
# 22,000–27,000 req/s with one, 17,000–20,000 with two; uncached pages the
# same or better with one). --threads 2 may help with a remote database.
DEFAULT_THREADS = 1


class Command(BaseCommand):
    help = "Serve Dateline with granian. Refuses to start on an insecure configuration."
    requires_system_checks = []  # run below, with the deploy checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000") or 8000)
        )
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help="Threads per worker process (default: %(default)s).",
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            help=(
                "Log every request. Off by default: the proxy in front logs them, "
                "and logging costs more than answering a kept page."
            ),
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip gathering static files (when a build step already did).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = options["host"], options["port"], options["workers"]
        threads = options["threads"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: a port is a number from 1 to 65535.")
        if workers < 1:
            raise CommandError("--workers: at least one worker is needed.")
        if threads < 1:
            raise CommandError("--threads: at least one thread per worker is needed.")
        problems = insecure_settings(
            debug=settings.DEBUG,
            secret_key_from_env=settings.DATELINE_SECRET_KEY_FROM_ENV,
            allowed_hosts=list(settings.ALLOWED_HOSTS),
            bind_host=host,
        )
        if problems:
            lines = "\n".join(f"  - {p}" for p in problems)
            raise CommandError(
                "Dateline will not start with this configuration:\n"
                f"{lines}\n(DATELINE_DEBUG=1 skips these checks on a developer's machine.)"
            )
        self.check(display_num_errors=False)
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        _check_static_files()
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(
            f"Dateline on http://{shown}:{port}/ with {workers} workers "
            f"of {threads} threads"
        )
        _run_granian(
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            access_log=options["access_log"],
        )


def _check_static_files() -> None:
    """Refuse to start when pages could not link their stylesheet: every page
    would be a 500 (the manifest of hashed names is missing or stale)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    try:
        staticfiles_storage.url(PROBE_STATIC_FILE)
    except ValueError:
        raise CommandError(
            f"The static files are not gathered in {settings.STATIC_ROOT} "
            f"(no hashed name for {PROBE_STATIC_FILE}): run `dateline "
            "collectstatic`, or start without --no-collectstatic."
        ) from None


def _run_granian(
    *, host: str, port: int, workers: int, threads: int, access_log: bool
) -> None:
    """Become granian's main process, without Django.

    This process has set up Django, run the checks and gathered the static
    files: about 120 MiB that granian's main process, which answers no
    request, would keep for as long as it serves, and that each forked worker
    would start from. ``exec`` replaces it (same pid, for systemd and for
    whoever sends the signals) with ``dateline.core.launch``, which imports
    granian only; the workers import the application themselves.
    """
    from django import db

    from dateline.core import launch

    db.connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    command = launch.command(
        host=host, port=port, workers=workers, threads=threads, access_log=access_log
    )
    os.execv(command[0], command)  # noqa: S606 - our own Python, our own module
