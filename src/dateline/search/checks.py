"""Deploy checks of the search index's table (core/checks.py says how they
run; ``missing_extensions`` there is the hook for an extension the search
would use)."""

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
    """The index (one row per item) has planner statistics."""
    from dateline.search.models import SearchEntry

    if not is_ours(app_configs, "search"):
        return []
    return list(statistics_warnings([SearchEntry._meta.db_table]))
