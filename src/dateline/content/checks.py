"""Deploy checks of content's tables (core/checks.py says how they run)."""

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
    """The tables that grow with the archive have planner statistics."""
    from dateline.content.models import (
        Article,
        ArticlePerson,
        ArticleTopic,
        Correction,
        RelatedArticle,
    )

    if not is_ours(app_configs, "content"):
        return []
    models = (Article, ArticleTopic, ArticlePerson, RelatedArticle, Correction)
    return list(statistics_warnings([m._meta.db_table for m in models]))
