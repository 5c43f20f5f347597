"""schema.org structured data for pages (NewsArticle, the publisher)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from dateline.content.dateline import dateline_text
from dateline.core.timefmt import machine_time

if TYPE_CHECKING:
    from collections.abc import Callable

    from dateline.content.selectors import ArticleDetail

# As django.utils.html.json_script does: nothing in the data can end the <script>.
_JSON_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def script_json(data: dict[str, Any]) -> SafeString:
    """JSON safe to place inside <script type="application/ld+json">.

    Escaped with ``str.replace``, not ``str.translate`` with a table: on an
    article's 2 KB of JSON-LD that is 2 µs instead of 100 µs.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES:
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - escaped above


def publisher(*, absolute: Callable[[str], str], logo_url: str) -> dict[str, Any]:
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.DATELINE_AGENCY_NAME,
        "url": absolute("/"),
        "logo": {"@type": "ImageObject", "url": logo_url, "width": 512, "height": 512},
    }


def author_name(byline: str) -> str:
    """The name in a byline, without "By"."""
    name = byline.strip()
    return name[3:].strip() if name.lower().startswith("by ") else name


def news_article(
    detail: ArticleDetail,
    *,
    url: str,
    absolute: Callable[[str], str],
    logo_url: str,
    image_url: str | None,
) -> dict[str, Any]:
    """NewsArticle per the project's checklist (shared/standards/schema-org)."""
    article = detail.article
    if article.published_at is None:
        raise ValueError("Structured data is for published items only.")
    org = publisher(absolute=absolute, logo_url=logo_url)
    modified = max(
        [article.published_at]
        + ([article.updated_at] if article.updated_at else [])
        + [c.created_at for c in detail.corrections]
    )
    byline_name = author_name(article.byline)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.lead,
        "datePublished": machine_time(article.published_at),
        "dateModified": machine_time(modified),
        "dateline": dateline_text(
            place=article.dateline_place, moment=article.published_at
        ).rsplit(" /", 1)[0],
        "articleSection": article.section.name,
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
        "author": (
            [{"@type": "Person", "name": byline_name}]
            if byline_name
            else [{"@type": "Organization", "name": org["name"], "url": org["url"]}]
        ),
        "publisher": org,
        "copyrightHolder": {"@type": "Organization", "name": org["name"]},
    }
    photo = article.lead_photo
    if photo is not None and image_url:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": image_url,
                "width": photo.width,
                "height": photo.height,
                "caption": photo.caption,
                "creditText": photo.credit,
            }
        ]
    if detail.topics:
        data["about"] = [
            {"@type": "Thing", "name": t.name, "url": absolute(t.url)}
            for t in detail.topics
        ]
        data["keywords"] = [t.name for t in detail.topics]
    if detail.persons:
        data["mentions"] = [
            {"@type": "Person", "name": p.name, "url": absolute(p.url)}
            for p in detail.persons
        ]
    return data


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """A BreadcrumbList from (name, absolute URL) pairs, home first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name, "item": url}
            for n, (name, url) in enumerate(trail, start=1)
        ],
    }


def website(*, absolute: Callable[[str], str], search_path: str) -> dict[str, Any]:
    """The site, with the search a reader can run from a search engine."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.DATELINE_AGENCY_NAME,
        "url": absolute("/"),
        "inLanguage": settings.LANGUAGE_CODE,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute(search_path) + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def organization(*, absolute: Callable[[str], str], logo_url: str) -> dict[str, Any]:
    """The publisher on its own, for the home page."""
    return {
        "@context": "https://schema.org",
        **publisher(absolute=absolute, logo_url=logo_url),
    }
