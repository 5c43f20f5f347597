"""HTML snippets for adverts: a strict allowlist, no script of any kind.

A snippet may hold text, emphasis, links and images; nothing that runs
(script, handlers, ``javascript:`` URLs), styles, frames, forms or embeds.
Links always carry ``rel="sponsored noopener"``. The snippet is cleaned when
saved and again when shown (with the placement's image loading), so a row
written by any other path is never shown raw.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe

SNIPPET_TAGS = {"a", "img", "p", "span", "strong", "em", "b", "i", "small", "br"}
SNIPPET_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
# Relative links stay (same site); any other scheme, data: included, goes.
SNIPPET_URL_SCHEMES = {"http", "https"}
LINK_REL = "sponsored noopener"

_DIMENSION = re.compile(r"[1-9][0-9]{0,3}")


def _keep_plain_attributes(tag: str, attribute: str, value: str) -> str | None:
    if attribute in {"width", "height"}:
        value = value.strip()
        return value if _DIMENSION.fullmatch(value) else None
    return value


def _cleaner(**extra: object) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=SNIPPET_TAGS,
        attributes=SNIPPET_ATTRIBUTES,
        url_schemes=SNIPPET_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=_keep_plain_attributes,
        **extra,  # type: ignore[arg-type]
    )


_STORED = _cleaner()
_SHOWN_LAZY = _cleaner(set_tag_attribute_values={"img": {"loading": "lazy"}})


def sanitize_snippet(html: str) -> str:
    """The snippet as stored: only the allowlisted markup, trimmed."""
    return str(_STORED.clean(html or "")).strip()


@lru_cache(maxsize=64)
def snippet_for_page(html: str, *, lazy: bool) -> SafeString:
    """The snippet as shown; images load lazily outside the header.

    Cleaning is a pure function of the snippet, so the result is remembered:
    pages show the same few snippets again and again, and cleaning one calls
    back into Python for each attribute.
    """
    cleaner = _SHOWN_LAZY if lazy else _STORED
    return mark_safe(cleaner.clean(html or "").strip())  # noqa: S308 - cleaned here
