"""``{% picture photo sizes="…" %}``: a picture with its renditions.

One <picture> with an AVIF and a WebP <source> and an <img> in the fallback
format, each with a ``srcset`` of the stored widths; width and height set so
the page does not shift as it loads; lazy unless it is the page's main
picture. A picture with no renditions yet is shown as its original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.encoding import filepath_to_uri
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from dateline.content.renditions import MODERN_TYPES

if TYPE_CHECKING:
    from django.core.files.storage import Storage
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
    max_width: int | None = None,
) -> SafeString | str:
    """``priority`` marks the page's main picture: loaded at once, first.
    ``max_width`` leaves wider renditions out of the ``srcset`` (a small
    thumbnail needs only the narrowest, and a strip of them stays light);
    the narrowest of each format is always offered."""
    if image is None or not image.image:
        return ""
    alt_text = image.alt_text if alt is None else alt
    loading = PRIORITY if priority else LAZY
    css = format_html(' class="{}"', css_class) if css_class else ""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in image.renditions:
        by_type.setdefault(entry["type"], []).append(entry)
    if max_width is not None:
        by_type = {
            kind: _up_to(entries, max_width) for kind, entries in by_type.items()
        }
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
    urls = rendition_urls(
        image.image.storage,
        [e["name"] for entries in by_type.values() for e in entries],
    )

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


def _up_to(entries: list[dict[str, Any]], max_width: int) -> list[dict[str, Any]]:
    narrow = [e for e in entries if e["width"] <= max_width]
    return narrow or [min(entries, key=lambda e: e["width"])]


def rendition_urls(storage: Storage, names: list[str]) -> dict[str, str]:
    """Each rendition's URL, from one ``storage.url()`` call.

    A picture's renditions lie side by side, and a storage's URL for a plain
    name is its base URL followed by the quoted name; so the first URL gives
    the base and the others are joined to it. Names that are not plain, or a
    storage whose URL is not of that shape (a signed URL), get a call each.
    """
    if not names:
        return {}
    first = storage.url(names[0])
    quoted = filepath_to_uri(names[0])
    if not first.endswith(quoted) or not all(map(_is_plain, names)):
        return {name: storage.url(name) for name in names}
    base = first[: len(first) - len(quoted)]
    return {name: base + filepath_to_uri(name) for name in names}


def _is_plain(name: str) -> bool:
    return not name.startswith("/") and ".." not in name and "\\" not in name
