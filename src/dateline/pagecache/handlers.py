"""What makes every kept page stale: any change to what pages show.

Listeners, so that content, the blocks and the newsroom know nothing of the
page cache. Each change starts a new generation once its transaction commits;
a change that rolls back changes nothing.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from dateline.content.signals import article_changed
from dateline.core.blockcache import cache_failures
from dateline.core.signals import rows_changed_in_bulk
from dateline.pagecache.purge import purge_for_article
from dateline.pagecache.store import pages_changed
from dateline.pagecache.tasks import purge_pages_task

if TYPE_CHECKING:
    from dateline.content.models import Article

logger = logging.getLogger(__name__)

# The apps whose rows pages show. (Most read is counted outside the cache:
# its lists are a minute old at most, as is a kept page.)
SHOWN_APPS = ("content", "partners", "adverts", "places", "markets", "agency")
# Rows of those apps that no page shows.
NOT_SHOWN = {"HistoricalArticle"}


def connect() -> None:
    article_changed.connect(_article_changed, dispatch_uid="pagecache-article")
    rows_changed_in_bulk.connect(_row_changed, dispatch_uid="pagecache-bulk")
    for label in SHOWN_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__ in NOT_SHOWN:
                continue
            uid = f"pagecache-{label}-{model.__name__}"
            post_save.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-del")
            m2m_changed.connect(_row_changed, sender=model, dispatch_uid=f"{uid}-m2m")


def _article_changed(sender: Any, *, article: Article, **kwargs: Any) -> None:
    pages_changed(reason="an item changed")
    if settings.DATELINE_PURGE_URLS:
        purge = purge_for_article(article)
        transaction.on_commit(
            lambda: _enqueue_purge(paths=purge.paths, tags=purge.tags)
        )


def _enqueue_purge(*, paths: list[str], tags: list[str]) -> None:
    """The act has committed: a queue that is down (RQ on Redis) costs the
    purge, which caches in front make up for within a second, never the
    editor's answer."""
    try:
        purge_pages_task.enqueue(paths=paths, tags=tags)
    except cache_failures(DatabaseError):
        logger.warning("Page cache: the purge could not be queued.", exc_info=True)


def _row_changed(sender: Any, **kwargs: Any) -> None:
    pages_changed(reason=f"a {sender.__name__} changed")
