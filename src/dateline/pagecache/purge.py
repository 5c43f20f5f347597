"""Telling caches in front of us (Varnish, nginx, a CDN) that pages changed.

Our own kept pages go stale by generation; a cache in front keeps a page for
one second (``s-maxage=1``), so without any purge it is fresh within about a
second anyway. A purge makes it fresh at once. None is configured by default.
With DATELINE_PURGE_URLS, each change to an item sends, from the worker,
``PURGE <path>`` to every listed cache for the pages the item is on, with
the tags in ``Surrogate-Key`` and ``xkey-purge`` (Varnish's xkey module).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

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
            request = urllib.request.Request(  # noqa: S310 - http(s), checked in settings
                base.rstrip("/") + path,
                method="PURGE",
                headers={
                    "Surrogate-Key": " ".join(purge.tags),
                    "xkey-purge": " ".join(purge.tags),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):  # noqa: S310
                    pass
            except urllib.error.HTTPError as error:
                if error.code != 404:  # nothing kept there: nothing to purge
                    failures.append(f"{base}{path}: the cache answered {error.code}")
            except (OSError, ValueError) as error:
                failures.append(f"{base}{path}: {error}")
    for failure in failures:
        logger.warning("Purge not done (the page expires within a second): %s", failure)
    return failures
