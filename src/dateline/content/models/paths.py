"""Paths the site keeps for itself, and the remembered paths of sections and tags."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Callable

    from django_stubs_ext import StrOrPromise

# Top-level paths the site uses itself; a section slug may not take one.
RESERVED_SLUGS = frozenset(
    {
        "admin", "all", "api", "feeds", "galleries", "infographics", "media", "news",
        "newsroom", "persons", "preview",
        "rates", "robots.txt", "rss", "search", "sitemap.xml", "sitemaps", "static",
        "topics", "views", "favicon.ico",
        "cities", "manifest.webmanifest",
    }
)  # fmt: skip

# Other apps' pages answered at a top-level path (the agency's About,
# Contact…), by name: each says what holds a slug (“the page “About us””),
# or None. Content knows nothing of those apps; they register here.
_top_level_owners: dict[str, Callable[[str], StrOrPromise | None]] = {}


@lru_cache(maxsize=512)
def section_path(script_prefix: str, slug: str) -> str:
    """A section's path, remembered per script prefix and slug.

    The prefix is part of the key so that a site mounted under a sub-path
    (SCRIPT_NAME) still gets right links.
    """
    return reverse("site:section-detail", kwargs={"slug": slug})


def article_path(script_prefix: str, section_slug: str, pk: int) -> str:
    """An article's path: its section's (remembered) path and its id.

    A feed page links dozens of items: this spares resolving the URLconf for
    each. tests/content/test_urls.py holds it equal to reverse().
    """
    return f"{section_path(script_prefix, section_slug)}{pk}/"


@lru_cache(maxsize=8192)
def tag_path(script_prefix: str, route: str, slug: str) -> str:
    """A topic's or person's path (``route`` names which), remembered like
    ``section_path``: an article page links several of each."""
    return reverse(route, kwargs={"slug": slug})


def claim_top_level_slugs(
    name: str, owner: Callable[[str], StrOrPromise | None]
) -> None:
    """Keep sections off the slugs ``owner`` holds (registered once per
    ``name``, from the owning app's ``ready()``)."""
    _top_level_owners[name] = owner


def validate_reserved_slug(value: str) -> None:
    """Refuse a top-level slug the site uses itself."""
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is used by the site itself; choose another slug."),
            params={"slug": value},
            code="reserved",
        )


def validate_section_slug(value: str) -> None:
    """A section's slug is its top-level path: not one the site uses, nor
    one another app's page holds."""
    validate_reserved_slug(value)
    for owner in _top_level_owners.values():
        holder = owner(value)
        if holder is not None:
            raise ValidationError(
                _(
                    "“%(slug)s” is already the address of %(holder)s; choose another slug."
                ),
                params={"slug": value, "holder": holder},
                code="taken",
            )
