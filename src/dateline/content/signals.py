"""Signals for listeners that content must not know about (search, caches).

``article_changed`` is sent inside the editorial act's transaction, after the
article row and its tags are written: a listener that writes to the database
commits or rolls back together with the act.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``article``: created, edited, submitted, published, scheduled,
# withdrawn or re-tagged.
article_changed = Signal()
