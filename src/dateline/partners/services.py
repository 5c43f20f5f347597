"""Writing partner links: refreshing feeds, and keeping a feed's links in step.

``refresh_partner_feeds`` is what the worker runs every few minutes. A feed
that cannot be read or used keeps the links it had; the problem goes to the
log and to the feed's "last problem", which the newsroom shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from dateline.core.fetch import FetchError, fetch_url
from dateline.partners.importers import (
    KEEP_PER_FEED,
    MAX_FEED_BYTES,
    PartnerFeedError,
    parse_feed,
)
from dateline.partners.models import PartnerFeed, PartnerLink

if TYPE_CHECKING:
    from datetime import datetime

    from dateline.partners.importers import FeedEntry

logger = logging.getLogger(__name__)

# A feed's clock may run ahead a little; further ahead, the entry is dated now
# (a date years away would pin it to the top of the block).
CLOCK_SLACK = timedelta(minutes=10)


@dataclass(frozen=True)
class FeedRefresh:
    """What one refresh of a feed did."""

    feed: PartnerFeed
    created: int = 0
    updated: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def refresh_partner_feeds(*, now: datetime | None = None) -> list[FeedRefresh]:
    """Read every active feed; one feed's failure never stops the others."""
    now = now or timezone.now()
    results = []
    for feed in PartnerFeed.objects.filter(is_active=True).order_by("pk"):
        try:
            results.append(refresh_partner_feed(feed=feed, now=now))
        except Exception:  # a bug or a database outage, not bad input
            # The traceback goes to the log; the newsroom and the command get
            # plain words, never an exception's text (it may name the inside).
            logger.exception(
                "Partner feed %r (%s): the refresh failed.", feed.name, feed.url
            )
            results.append(
                FeedRefresh(
                    feed=feed, error=gettext("The refresh failed (see the log).")
                )
            )
    return results


def refresh_partner_feed(
    *, feed: PartnerFeed, data: bytes | None = None, now: datetime | None = None
) -> FeedRefresh:
    """Read a feed (its address, or ``data`` when given) and store its links.

    On bad input nothing but the feed's "last read" and "last problem" changes.
    """
    now = now or timezone.now()
    try:
        if data is None:
            data = fetch_url(feed.url, max_bytes=MAX_FEED_BYTES)
        parsed = parse_feed(data, base_url=feed.url)
    except (FetchError, PartnerFeedError) as error:
        # The address is in the log line and beside the feed; not twice.
        message = str(error).removeprefix(f"{feed.url}: ")
        logger.warning(
            "Partner feed %r (%s): %s Its links were left as they were.",
            feed.name,
            feed.url,
            message,
        )
        PartnerFeed.objects.filter(pk=feed.pk).update(
            last_fetched_at=now, last_error=message
        )
        # Signals do not see update(); the blocks need no refresh for it.
        feed.last_fetched_at, feed.last_error = now, message
        return FeedRefresh(feed=feed, error=message)
    if parsed.skipped:
        logger.warning(
            "Partner feed %r (%s): %d entr%s left out: %s.",
            feed.name,
            feed.url,
            len(parsed.skipped),
            "y" if len(parsed.skipped) == 1 else "ies",
            "; ".join(parsed.skipped[:5]),
        )
    return _store(feed=feed, entries=parsed.entries, skipped=parsed.skipped, now=now)


def _store(
    *, feed: PartnerFeed, entries: list[FeedEntry], skipped: list[str], now: datetime
) -> FeedRefresh:
    created = updated = 0
    with transaction.atomic():
        # One refresh of a feed at a time (the worker may overlap itself).
        feed = PartnerFeed.objects.select_for_update().get(pk=feed.pk)
        existing = {link.guid: link for link in feed.links.all()}
        by_url = {link.url: link for link in existing.values()}
        for entry in entries:
            link = existing.get(entry.guid) or by_url.get(entry.url)
            published_at = _published(entry.published_at, now=now)
            if link is None:
                PartnerLink.objects.create(
                    feed=feed,
                    guid=entry.guid,
                    block=feed.block,
                    title=entry.title,
                    url=entry.url,
                    outlet=feed.name,
                    is_sponsored=feed.is_sponsored,
                    published_at=published_at or now,
                    created_at=now,
                )
                created += 1
                continue
            changes = {
                "guid": entry.guid,
                "title": entry.title,
                "url": entry.url,
                "published_at": published_at or link.published_at,
            }
            if any(getattr(link, name) != value for name, value in changes.items()):
                for name, value in changes.items():
                    setattr(link, name, value)
                link.save(update_fields=[*changes, "updated_at"])
                updated += 1
        keep = feed.links.order_by("-published_at", "-pk").values_list("pk", flat=True)[
            :KEEP_PER_FEED
        ]
        removed, _ = feed.links.exclude(pk__in=list(keep)).delete()
        feed.last_fetched_at = now
        feed.last_error = (
            f"{len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} left out: "
            + "; ".join(skipped[:5])
            if skipped
            else ""
        )
        feed.save(update_fields=["last_fetched_at", "last_error"])
    logger.info(
        "Partner feed %r: %d new, %d updated, %d removed.",
        feed.name,
        created,
        updated,
        removed,
    )
    return FeedRefresh(
        feed=feed, created=created, updated=updated, removed=removed, skipped=skipped
    )


def _published(when: datetime | None, *, now: datetime) -> datetime | None:
    if when is None:
        return None
    return now if when > now + CLOCK_SLACK else when


def save_partner_feed(*, feed: PartnerFeed) -> None:
    """Save a feed from the newsroom; its links follow its block, outlet name
    and sponsorship."""
    with transaction.atomic():
        feed.save()
        feed.links.exclude(
            block=feed.block, outlet=feed.name, is_sponsored=feed.is_sponsored
        ).update(block=feed.block, outlet=feed.name, is_sponsored=feed.is_sponsored)
