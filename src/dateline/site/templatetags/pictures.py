"""``{% picture photo sizes="…" %}``: a picture with its renditions.

One <picture> with an AVIF and a WebP <source> and an <img> in the fallback
format, each with a ``srcset`` of the stored widths; width and height set so
the page does not shift as it loads; lazy unless it is the page's main
picture. A picture with no renditions yet is shown as its original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dateline.content.renditions import MODERN_TYPES

if TYPE_CHECKING:
    from django.utils.safestring import SafeString

    from dateline.content.renditions import HasRenditions

register = template.Library()

PRIORITY = mark_safe(' fetchpriority="high"')
LAZY = mark_safe(' loading="lazy" decoding="async"')
# The width of the fallback <img src> for browsers without srcset.
FALLBACK_WIDTH = 960


@register.simple_tag
def picture(
    image: HasRenditions | None,
    *,
    sizes: str = "100vw",
    priority: bool = False,
    css_class: str = "",
    alt: str | None = None,
) -> SafeString | str:
    """``priority`` marks the page's main picture: loaded at once, first."""
    if image is None or not image.image:
        return ""
    alt_text = image.alt_text if alt is None else alt
    loading = PRIORITY if priority else LAZY
    css = format_html(' class="{}"', css_class) if css_class else ""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in image.renditions:
        by_type.setdefault(entry["type"], []).append(entry)
    fallback = [
        entries for kind, entries in by_type.items() if kind not in MODERN_TYPES
    ]
    if not fallback:
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}"{}{}>',
            image.image.url,
            image.width,
            image.height,
            alt_text,
            css,
            loading,
        )
    storage = image.image.storage
    urls = {entry["name"]: storage.url(entry["name"]) for entry in image.renditions}

    def srcset(entries: list[dict[str, Any]]) -> str:
        return ", ".join(f"{urls[e['name']]} {e['width']}w" for e in entries)

    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        (
            (kind, srcset(by_type[kind]), sizes)
            for kind in MODERN_TYPES
            if kind in by_type
        ),
    )
    entries = sorted(fallback[0], key=lambda e: e["width"])
    largest = entries[-1]
    src = next((e for e in entries if e["width"] >= FALLBACK_WIDTH), largest)
    img = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}>',
        urls[src["name"]],
        srcset(entries),
        sizes,
        largest["width"],
        largest["height"],
        alt_text,
        css,
        loading,
    )
    return format_html("<picture>{}{}</picture>", sources, img)
