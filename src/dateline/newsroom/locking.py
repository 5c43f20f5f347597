"""Optimistic locking for the newsroom: tell an editor what changed meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import strip_tags
from django.utils.text import Truncator

if TYPE_CHECKING:
    from dateline.content.models import Article

# Fields an editor cares about; bookkeeping (revision, version…) is left out.
WATCHED_FIELDS = (
    "headline", "lead", "body", "dateline_place", "byline", "section",
    "lead_photo", "urgency", "status", "pubstatus", "published_at",
)  # fmt: skip


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


def _shown(value: object) -> str:
    text = strip_tags(str(value)) if value not in (None, "") else "—"
    return Truncator(text).chars(80)


def changes_since(article: Article, revision: int) -> tuple[str, list[FieldChange]]:
    """Who saved last, and the fields that differ from the given revision."""
    history = article.history.order_by("-history_id")
    latest = history.first()
    then = history.filter(revision=revision).first()
    who = ""
    if latest is not None and latest.history_user is not None:
        who = latest.history_user.get_username()
    if latest is None or then is None:
        return who, []
    delta = latest.diff_against(then, included_fields=list(WATCHED_FIELDS))
    changes = [
        FieldChange(
            label=str(
                getattr(
                    article._meta.get_field(change.field), "verbose_name", change.field
                )
            ),
            old=_shown(change.old),
            new=_shown(change.new),
        )
        for change in delta.changes
    ]
    return who, changes
