"""Signals any app may send; listeners (the page cache) live elsewhere."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a bulk write that ``post_save`` does not see (a day of exchange
# rates, say) changed what pages show. Sent inside the write's transaction.
rows_changed_in_bulk = Signal()
