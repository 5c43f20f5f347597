"""``dateline backup`` and ``dateline restore``: the whole site in one archive."""
