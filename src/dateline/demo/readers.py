"""Synthetic readers for the demo: a week of views, counted the real way.

Every view goes through ``popularity.services.record_view``, as a beacon's
would: drafts and scheduled items are refused, a reader counts once per
item and hour, and the counter in use (database or Redis) stores them. The
readers are invented: addresses from the documentation ranges (RFC 5737)
and a few common browsers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from dateline.content.models import Article
from dateline.popularity import services
from dateline.popularity.counters import get_counter
from dateline.popularity.selectors import forget_widget
from dateline.popularity.windows import HOUR, bucket_of

if TYPE_CHECKING:
    from datetime import datetime

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
)
NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
# Views an hour at the busiest and the quietest time of the day (UTC).
PEAK_VIEWS = 90
NIGHT_VIEWS = 15
# A story's pull halves every this many hours after publication.
HALF_LIFE_HOURS = 10.0


@dataclass(frozen=True)
class Replay:
    views: int
    counted: int


def replay_week(*, now: datetime, seed: int = 7) -> Replay:
    """Read the public items over the last seven days, hour by hour."""
    rng = random.Random(f"dateline-demo-readers:{seed}")  # noqa: S311 - not crypto
    items = list(
        Article.objects.filter(published_at__isnull=False).values_list(
            "id", "published_at"
        )
    )
    appeal = {pk: rng.lognormvariate(0, 0.9) for pk, _ in items}
    sent = counted = 0
    hour = bucket_of(now) - 7 * 24 * HOUR
    while hour <= now:
        available = [(pk, at) for pk, at in items if at is not None and at <= hour]
        if available:
            weights = [
                appeal[pk] * 0.5 ** ((hour - at) / HOUR / HALF_LIFE_HOURS)
                for pk, at in available
            ]
            # Busy by day, quiet by night.
            daylight = (1 - math.cos(2 * math.pi * (hour.hour - 3) / 24)) / 2
            views = round(NIGHT_VIEWS + (PEAK_VIEWS - NIGHT_VIEWS) * daylight)
            if hour == bucket_of(now):
                views = round(views * (now - hour) / HOUR)
            picks = rng.choices(available, weights=weights, k=views)
            for pk, _ in picks:
                at = hour + timedelta(seconds=rng.uniform(0, 3599))
                if at > now:
                    continue
                outcome = services.record_view(
                    article_id=pk,
                    address=f"{rng.choice(NETWORKS)}.{rng.randrange(1, 255)}",
                    user_agent=rng.choice(BROWSERS),
                    at=at,
                )
                sent += 1
                counted += outcome is services.Outcome.COUNTED
        hour += HOUR
    get_counter().flush()
    forget_widget()
    return Replay(views=sent, counted=counted)
