"""``dateline serve``: the production server (gunicorn) with a safety check first."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dateline.core.config import insecure_settings


def default_workers() -> int:
    return max(2, os.cpu_count() or 1)


class Command(BaseCommand):
    help = (
        "Serve Dateline with gunicorn. Refuses to start on an insecure configuration."
    )
    requires_system_checks = []  # run below, with the deploy checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", "8000") or 8000)
        )
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip gathering static files (when a build step already did).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port, workers = options["host"], options["port"], options["workers"]
        if not 0 < port < 65536:
            raise CommandError(f"--port {port}: a port is a number from 1 to 65535.")
        if workers < 1:
            raise CommandError("--workers: at least one worker is needed.")
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
        self.stdout.write(f"Dateline on http://{host}:{port}/ with {workers} workers")
        _run_gunicorn(host=host, port=port, workers=workers)


def _run_gunicorn(*, host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    from dateline.wsgi import application

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("graceful_timeout", 10)
            if "control_socket" in self.cfg.settings:  # gunicorn 27 and later
                # Keep gunicorn's control socket with the rest of our files,
                # not in the home directory.
                self.cfg.set("control_socket", str(settings.DATA_DIR / "gunicorn.ctl"))

        def load(self) -> Any:
            return application

    Server().run()
