"""Time-ordered keys: an item's publication millisecond and a few bits of its id.

    key = milliseconds << 12 | (id mod 4096), then the next free value on a clash

A key's order is publication order, to the millisecond, so that "newest
first", a date range and "published by now" are ranges of one integer. The
bound for "now" takes every key of the current millisecond: a count may
include an item scheduled for later in that millisecond, but no page shows
it, since the items found are read through the publishing rule again.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

LOW_BITS = 12
LOW_MASK = (1 << LOW_BITS) - 1


def _milliseconds(moment: datetime) -> int:
    return math.floor(moment.timestamp() * 1000)


def item_key(published_at: datetime, article_id: int) -> int:
    return (_milliseconds(published_at) << LOW_BITS) | (article_id & LOW_MASK)


def first_key(moment: datetime) -> int:
    """The smallest key of an item published at ``moment`` or later."""
    return _milliseconds(moment) << LOW_BITS


def last_key(moment: datetime) -> int:
    """The largest key of an item published at ``moment`` or earlier."""
    return (_milliseconds(moment) << LOW_BITS) | LOW_MASK


def key_seconds(key: int) -> float:
    return (key >> LOW_BITS) / 1000
