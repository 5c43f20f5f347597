"""Saving or deleting a city or its weather drops the cached city list.

A listener rather than a call in each writer: the newsroom admin, the services
and the demo all write cities, and none of them should know about the cache.
The copy is dropped at once and again on commit, so that a page rendered
during the transaction cannot put the old list back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.places.models import City, WeatherObservation
from dateline.places.selectors import forget_cities


@receiver(post_save, sender=City)
@receiver(post_delete, sender=City)
@receiver(post_save, sender=WeatherObservation)
@receiver(post_delete, sender=WeatherObservation)
def city_changed(**kwargs: Any) -> None:
    forget_cities()
    transaction.on_commit(forget_cities)
