"""Telling caches in front of us (Varnish, nginx, a CDN) that pages changed.

Our own kept pages go stale by generation; a cache in front keeps a page for
one second (``s-maxage=1``), so without any purge it is fresh within about a
second anyway. A purge makes it fresh at once. None is configured by default.
With DATELINE_PURGE_URLS, each change to an item sends, from the worker,
``PURGE <path>`` to every listed cache for the pages the item is on, with
the tags in ``Surrogate-Key`` and ``xkey-purge`` (Varnish's xkey module).

The request goes through ``core.fetch`` like every outbound one, with one
difference: the caches are usually on this machine or network (a local
Varnish or nginx) by design, and an address named in DATELINE_PURGE_URLS was
put there by the operator, not by a stranger, so it may point inside.
Nothing else can: the paths come from the item, the host from the setting,
and a purge follows no redirect.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from dateline.core.fetch import FetchError, send_request

if TYPE_CHECKING:
    from dateline.content.models import Article

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Purge:
    paths: list[str]
    tags: list[str]


def purge_for_article(article: Article) -> Purge:
    """The pages an item is on, and their tags (as the views note them)."""
    subjects = [
        *((f"topic-{t.slug}", t.get_absolute_url()) for t in article.topics.all()),
        *((f"person-{p.slug}", p.get_absolute_url()) for p in article.persons.all()),
    ]
    return Purge(
        paths=[
            article.get_absolute_url(),
            reverse("site:home"),
            reverse("site:news-feed"),
            article.section.get_absolute_url(),
            *(path for _, path in subjects),
        ],
        tags=[
            f"item-{article.pk}",
            "items",
            f"section-{article.section.slug}",
            *(tag for tag, _ in subjects),
        ],
    )


def send_purge(purge: Purge) -> list[str]:
    """PURGE each path at each configured cache; the failures, as log lines."""
    failures = []
    for base in settings.DATELINE_PURGE_URLS:
        for path in purge.paths:
            url = base.rstrip("/") + path
            try:
                status = send_request(
                    "PURGE",
                    url,
                    headers={
                        "Surrogate-Key": " ".join(purge.tags),
                        "xkey-purge": " ".join(purge.tags),
                    },
                    timeout=TIMEOUT_SECONDS,
                    allow_inside=True,  # named by the operator: see above
                )
            except FetchError as error:
                failures.append(str(error))
                continue
            # 404: nothing kept there, nothing to purge.
            if status >= 300 and status != 404:
                failures.append(f"{url}: the cache answered {status}")
    for failure in failures:
        logger.warning("Purge not done (the page expires within a second): %s", failure)
    return failures
