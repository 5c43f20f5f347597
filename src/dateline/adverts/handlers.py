"""Drop the cached adverts whenever an advert or a placement changes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from dateline.adverts.models import Advert, Placement
from dateline.adverts.selectors import forget_live_adverts


def _changed(sender: Any, **kwargs: Any) -> None:
    # After the commit, so that no page refills the cache from the old rows.
    transaction.on_commit(forget_live_adverts)


def connect() -> None:
    for model in (Advert, Placement):
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"adverts-{model.__name__}-saved"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"adverts-{model.__name__}-deleted"
        )
