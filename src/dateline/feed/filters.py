"""The reader's choice of sections for the news feed.

The choice arrives as ``?sections=world,sport`` (or repeated ``sections``
parameters, as a plain HTML form sends them) and is remembered in a cookie.
Everything here is input from strangers: it is bounded, and unknown slugs are
reported back rather than trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from dateline.content.models import Section

COOKIE_NAME = "dateline_sections"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The word that asks for every section and forgets the remembered choice.
ALL = "all"
# Bounds on what a stranger may send: a query string this long already holds
# far more sections than any agency has.
MAX_RAW_LENGTH = 1000
MAX_SLUGS = 50
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


@dataclass(frozen=True)
class SectionFilter:
    """Which sections the feed shows; empty ``sections`` means all of them."""

    sections: tuple[Section, ...] = ()
    unknown: tuple[str, ...] = ()
    truncated: bool = False
    reset: bool = False

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(s.slug for s in self.sections)

    @property
    def is_active(self) -> bool:
        return bool(self.sections)

    @property
    def section_ids(self) -> list[int]:
        return [s.pk for s in self.sections]

    @property
    def query_value(self) -> str:
        """The value of ``sections`` in a shareable URL."""
        return ",".join(self.slugs)

    @property
    def cookie_value(self) -> str:
        return ".".join(self.slugs)


def parse_sections(values: Sequence[str], known: Iterable[Section]) -> SectionFilter:
    """Read ``sections`` values from a query string.

    Slugs may be comma-separated, repeated, or both. Unknown slugs are
    ignored and named in ``unknown``; past ``MAX_SLUGS`` the rest is dropped.
    """
    by_slug = {s.slug: s for s in known}
    raw = ",".join(values)
    truncated = len(raw) > MAX_RAW_LENGTH
    tokens = [t.strip() for t in raw[:MAX_RAW_LENGTH].split(",") if t.strip()]
    if len(tokens) > MAX_SLUGS:
        tokens, truncated = tokens[:MAX_SLUGS], True
    if all(t.lower() == ALL for t in tokens):
        # "sections=all", or a form sent with no box ticked: every section.
        return SectionFilter(reset=True, truncated=truncated)
    chosen: dict[str, Section] = {}
    unknown: list[str] = []
    for token in tokens:
        slug = token.lower()
        if slug in by_slug:
            chosen.setdefault(slug, by_slug[slug])
        elif slug != ALL and token not in unknown:
            # Shown back to the reader: keep only what a slug could be.
            unknown.append(token if _SLUG.match(token) else token[:60])
    ordered = tuple(s for s in by_slug.values() if s.slug in chosen)
    return SectionFilter(sections=ordered, unknown=tuple(unknown), truncated=truncated)


def parse_cookie(value: str | None, known: Iterable[Section]) -> SectionFilter:
    """The remembered choice; a damaged or stale cookie means all sections."""
    if not value or len(value) > MAX_RAW_LENGTH:
        return SectionFilter()
    by_slug = {s.slug: s for s in known}
    slugs = {t for t in value.split(".")[:MAX_SLUGS] if t in by_slug}
    return SectionFilter(sections=tuple(s for s in by_slug.values() if s.slug in slugs))
