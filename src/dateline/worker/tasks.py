"""The worker's own housekeeping."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

# Finished task results kept for the newsroom to look at.
KEEP_RESULTS = timedelta(days=14)


@task()
def prune_task_results_task() -> int:
    """Delete finished results of the database queue older than two weeks."""
    from django_tasks_db.models import DBTaskResult

    deleted, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=timezone.now() - KEEP_RESULTS)
        .delete()
    )
    return deleted
