"""The periodic jobs: the one module that says what runs when. It only enqueues.

Each job's next time lives in a PeriodicJob row, so a restart loses nothing
and a job whose time passed while no worker ran is enqueued once as soon as a
worker starts (catching up, without a burst for every missed period). Several
workers may run this at once: a conditional UPDATE lets exactly one of them
take each due run. Every job is idempotent, so a run more is harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from dateline.worker.models import PeriodicJob

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from django_tasks.base import Task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: Task[Any, Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    # False while the job is not configured (no source address, say).
    is_enabled: Callable[[], bool] = lambda: True


def periodic_jobs() -> list[Periodic]:
    from django_tasks_db import DatabaseBackend

    from dateline.markets.tasks import import_rates_task, rates_url
    from dateline.partners.tasks import has_active_feeds, refresh_partner_feeds_task
    from dateline.places.tasks import refresh_weather_task
    from dateline.places.weather import is_weather_on
    from dateline.worker.tasks import prune_task_results_task

    return [
        # Banks publish once a working day at different hours; every six hours
        # picks a new sheet up the same day, and a repeat replaces it unchanged.
        *(
            Periodic(
                name=f"import-rates-{source}",
                every=timedelta(hours=6),
                task=import_rates_task,
                kwargs={"source": source},
                is_enabled=_has_address(rates_url, source),
            )
            for source in ("ecb", "cbr")
        ),
        Periodic(
            name="refresh-partner-feeds",
            every=timedelta(minutes=15),
            task=refresh_partner_feeds_task,
            is_enabled=has_active_feeds,
        ),
        Periodic(
            name="refresh-weather",
            every=timedelta(minutes=30),
            task=refresh_weather_task,
            is_enabled=is_weather_on,
        ),
        Periodic(
            name="prune-task-results",
            every=timedelta(days=1),
            task=prune_task_results_task,
            is_enabled=lambda: isinstance(
                task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend
            ),
        ),
    ]


def _has_address(
    url_of: Callable[[str], str | None], source: str
) -> Callable[[], bool]:
    return lambda: bool(url_of(source))


def enqueue_due(*, now: datetime | None = None) -> list[str]:
    """Enqueue every enabled job whose time has come; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in periodic_jobs():
        if not job.is_enabled():
            continue
        state = _state(job.name, now=now)
        if state.next_run_at > now:
            continue
        with transaction.atomic():
            taken = PeriodicJob.objects.filter(
                pk=state.pk, next_run_at=state.next_run_at
            ).update(next_run_at=now + job.every, last_enqueued_at=now)
            if not taken:
                continue  # another worker enqueued this run
            result = job.task.enqueue(**job.kwargs)
            PeriodicJob.objects.filter(pk=state.pk).update(last_task_id=str(result.id))
        logger.info("Enqueued %s (next in %s).", job.name, job.every)
        enqueued.append(job.name)
    return enqueued


def _state(name: str, *, now: datetime) -> PeriodicJob:
    """The job's clock; a job never run before is due now."""
    try:
        with transaction.atomic():
            state, _ = PeriodicJob.objects.get_or_create(
                name=name, defaults={"next_run_at": now}
            )
    except IntegrityError:  # another worker created it a moment ago
        state = PeriodicJob.objects.get(name=name)
    return state
