"""Background jobs for caches in front of us: a thin adapter over purge."""

from __future__ import annotations

from django_tasks import task

from dateline.pagecache.purge import Purge, send_purge


@task()
def purge_pages_task(paths: list[str], tags: list[str]) -> int:
    """PURGE an item's pages at every configured cache; failures are logged."""
    return len(send_purge(Purge(paths=paths, tags=tags)))
