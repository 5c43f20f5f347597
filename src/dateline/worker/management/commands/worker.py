"""``dateline worker``: run the background queue and the periodic jobs.

One process both enqueues periodic jobs when they are due (a thread that looks
every few seconds) and runs what is queued: from the database table by
default, from Redis (RQ) with DATELINE_TASK_QUEUE=redis. Run as many as the
load needs; ``--once`` runs what is due and queued, then exits (for cron).

A third thread empties the page cache's outbox twice a second: changes
committed while Redis was unreachable, which no kept page may outlive once
it answers again (``dateline.pagecache.store``). It runs beside the queue, not
on it, because with DATELINE_TASK_QUEUE=redis the queue is down with Redis.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from dateline.core.blockcache import cache_failures
from dateline.pagecache.store import catch_up_pending_changes
from dateline.worker.schedule import enqueue_due

logger = logging.getLogger("dateline.worker")

# How often the page cache's outbox is looked at (one cheap query).
CATCH_UP_EVERY_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Run background jobs: the task queue and the periodic jobs "
        "(exchange rates, partner feeds, weather)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Enqueue the periodic jobs that are due, run everything queued, exit.",
        )
        parser.add_argument(
            "--schedule-every",
            type=_seconds,
            default=10.0,
            help="Seconds between looks at the periodic jobs (default 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = _queue_runner(once=options["once"])
        if options["once"]:
            catch_up_pages()
            names = enqueue_due()
            self.stdout.write(f"Periodic jobs enqueued: {', '.join(names) or 'none'}.")
            run()
            self.stdout.write("The queue is empty.")
            return
        self.stdout.write(
            f"Worker started ({type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__}); "
            "Ctrl+C stops it."
        )
        threading.Thread(
            target=_schedule_loop,
            args=(options["schedule_every"],),
            name="dateline-schedule",
            daemon=True,
        ).start()
        threading.Thread(
            target=_catch_up_loop,
            args=(CATCH_UP_EVERY_SECONDS,),
            name="dateline-page-cache-outbox",
            daemon=True,
        ).start()
        run()


def _queue_runner(*, once: bool) -> Any:
    """A function that runs the configured backend's queue."""
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db import DatabaseBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["*"],
            interval=1.0,
            batch=once,
            backend_name=backend.alias,
            startup_delay=not once,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if not once:
            worker.configure_signals()
        return worker.run
    if type(backend).__name__ == "RQBackend":
        import django_rq
        from django_tasks_rq import Job

        # Jobs run in this process, as on the database queue: no fork with
        # the parent's database connections. Run more workers for more room.
        rq_worker = django_rq.get_worker(
            *sorted(backend.queues), job_class=Job, worker_class="rq.SimpleWorker"
        )
        return lambda: rq_worker.work(burst=once, with_scheduler=True)
    if isinstance(backend, ImmediateBackend):
        raise CommandError(
            "DATELINE_TASK_QUEUE=immediate runs jobs where they are enqueued; "
            "a worker has nothing to run."
        )
    raise CommandError(f"The task backend {type(backend).__name__} has no worker here.")


def _schedule_loop(every: float) -> None:
    while True:
        try:
            enqueue_due()
        except Exception:
            # The queue's worker goes on; the next look tries again.
            logger.exception("Could not enqueue the periodic jobs")
        finally:
            close_old_connections()
        time.sleep(every)


def catch_up_pages() -> bool:
    """One look at the page cache's outbox; False while it cannot be emptied."""
    try:
        catch_up_pending_changes()
    except cache_failures(DatabaseError):
        logger.warning(
            "The page cache's outbox waits: the cache is still unreachable.",
            exc_info=True,
        )
        return False
    finally:
        close_old_connections()
    return True


def _catch_up_loop(every: float) -> None:
    while True:
        # Once a second at most while it fails, with a warning each time.
        time.sleep(every if catch_up_pages() else max(every, 1.0))


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 1 <= seconds <= 3600:
        raise CommandError("--schedule-every: a number of seconds from 1 to 3600.")
    return seconds
