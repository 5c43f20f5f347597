"""Deploy checks of Most read's tables (core/checks.py says how they run)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.checks import register

from dateline.core.checks import is_ours, statistics_warnings

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.apps import AppConfig
    from django.core.checks import CheckMessage


@register(deploy=True)
def check_statistics(
    app_configs: Iterable[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The views' buckets (a row per item and hour) have planner statistics."""
    from dateline.popularity.models import ViewBucket

    if not is_ours(app_configs, "popularity"):
        return []
    return list(statistics_warnings([ViewBucket._meta.db_table]))
