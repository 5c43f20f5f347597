"""The adverts live now, one per placement, as the pages show them.

Every page asks for them, so they are kept in the shared cache for at most
FRESH_SECONDS and never past the next start or end of an advert; saving or
deleting an advert or a placement drops the cached set (see handlers). A page
therefore costs one query for its adverts at most once a minute, and none
otherwise. If the database or the cache fails, the page shows no adverts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import DatabaseError
from django.utils import timezone

from dateline.adverts.models import Advert, Placement
from dateline.adverts.sanitize import snippet_for_page
from dateline.core.blockcache import forget_block, shared

if TYPE_CHECKING:
    from datetime import datetime

    from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)

CACHE_KEY = "adverts:live"
FRESH_SECONDS = 60
# What an unavailable shared cache (Redis) raises through Django's cache API.

LANDMARK_LABELS = {
    # Each advert is a landmark of its own; their names differ so that a
    # page with several stays navigable (axe's landmark-unique rule).
    Placement.Key.HEADER: "Advertisement",
    Placement.Key.SIDEBAR: "Advertisement beside the article",
    Placement.Key.ARTICLE: "Advertisement in the article",
    Placement.Key.HOME: "Advertisement beside the news",
}


@dataclass(frozen=True)
class ShownAdvert:
    """What a page needs to show one advert; plain values, safe to cache."""

    placement: str
    landmark_label: str
    lazy: bool
    after_paragraph: int
    target_url: str = ""
    image_url: str = ""
    width: int = 0
    height: int = 0
    alt_text: str = ""
    snippet_html: str = ""

    @property
    def is_snippet(self) -> bool:
        return bool(self.snippet_html)

    @property
    def snippet(self) -> SafeString:
        return snippet_for_page(self.snippet_html, lazy=self.lazy)


def live_adverts(*, now: datetime | None = None) -> dict[str, ShownAdvert]:
    """The advert to show in each placement that has one, by placement key."""
    now = now or timezone.now()
    cached = shared.get(CACHE_KEY, label="Adverts")
    if cached is not None:
        valid_from, valid_until, shown = cached
        if valid_from <= now < valid_until:
            return dict(shown)
    try:
        shown, valid_until = choose_adverts(now=now)
    except DatabaseError:
        logger.warning("Adverts: the adverts could not be read.", exc_info=True)
        return {}
    timeout = max(1, int((valid_until - now).total_seconds()))
    shared.set(CACHE_KEY, (now, valid_until, shown), timeout, label="Adverts")
    return dict(shown)


def choose_adverts(*, now: datetime) -> tuple[dict[str, ShownAdvert], datetime]:
    """One query: the advert each placement shows at ``now``, and the moment
    until which that choice holds (the next start or end, FRESH_SECONDS at
    most)."""
    valid_until = now + timedelta(seconds=FRESH_SECONDS)
    shown: dict[str, ShownAdvert] = {}
    for advert in Advert.objects.not_over(now=now).select_related("placement"):
        if advert.starts_at > now:
            valid_until = min(valid_until, advert.starts_at)
            continue
        if advert.ends_at is not None:
            valid_until = min(valid_until, advert.ends_at)
        key = advert.placement.key
        if key not in shown and key in LANDMARK_LABELS:
            candidate = _shown(advert)
            if candidate is not None:
                shown[key] = candidate
    return shown, valid_until


def _shown(advert: Advert) -> ShownAdvert | None:
    """The advert as a page shows it; None if there is nothing to show."""
    key = Placement.Key(advert.placement.key)
    snippet = advert.kind == Advert.Kind.SNIPPET
    if (snippet and not advert.html.strip()) or (not snippet and not advert.image):
        return None
    return ShownAdvert(
        placement=key.value,
        landmark_label=LANDMARK_LABELS[key],
        lazy=key != Placement.Key.HEADER,
        after_paragraph=advert.placement.after_paragraph,
        target_url="" if snippet else advert.target_url,
        image_url="" if snippet else advert.image.url,
        width=0 if snippet else advert.width,
        height=0 if snippet else advert.height,
        alt_text="" if snippet else advert.alt_text,
        snippet_html=advert.html if snippet else "",
    )


def forget_live_adverts() -> None:
    """Drop the cached choice: the next page reads the adverts afresh."""
    forget_block(CACHE_KEY, label="Adverts")
