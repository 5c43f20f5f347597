"""Reactions to changes of partner links and feeds."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dateline.partners.selectors import forget_blocks


def on_partner_change(sender: type, **kwargs: Any) -> None:
    """A link or feed was saved or deleted: the blocks show it after commit."""
    transaction.on_commit(forget_blocks, using=kwargs.get("using"))
