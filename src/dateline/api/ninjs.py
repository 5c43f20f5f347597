"""Items as IPTC ninjs 3.1 (News in JSON), the format agencies' partners read.

ninjs 3.1 is the newest stable version in ../shared/standards/ninjs/ (3.x
property names are camelCase). Only what an item really has is emitted: an
item without a photo has no association, an item without a byline no "by".
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import get_script_prefix, reverse

if TYPE_CHECKING:
    from collections.abc import Callable

    from dateline.content.models import Article

# A topic or person as an item carries it: (name, slug).
Tag = tuple[str, str]


def tag_path(route: str, slug: str) -> str:
    """A topic's or person's page, without resolving the URLconf per tag."""
    return _tag_paths(get_script_prefix(), route).replace("/-/", f"/{slug}/", 1)


@functools.lru_cache(maxsize=16)
def _tag_paths(script_prefix: str, route: str) -> str:
    return reverse(route, kwargs={"slug": "-"})


NINJS_VERSION = "3.1"


def item_uri(absolute: Callable[[str], str], article: Article) -> str:
    """The item's identifier: its canonical page, which never changes."""
    return absolute(article.get_absolute_url())


def item(
    article: Article,
    *,
    absolute: Callable[[str], str],
    topics: list[Tag],
    persons: list[Tag],
) -> dict[str, Any]:
    """One public item as a ninjs 3.1 news object."""
    if article.published_at is None:
        raise ValueError("Only published items are served.")
    agency = settings.DATELINE_AGENCY_NAME
    modified = article.updated_at or article.published_at
    data: dict[str, Any] = {
        "uri": item_uri(absolute, article),
        "type": "text",
        "representationType": "full",
        "version": str(article.version),
        "firstCreated": article.published_at.isoformat(timespec="seconds"),
        "versionCreated": modified.isoformat(timespec="seconds"),
        "pubStatus": "usable",
        "urgency": article.urgency,
        "language": settings.LANGUAGE_CODE,
        "copyrightHolder": agency,
        "copyrightNotice": f"© {agency}",
        "headlines": [{"role": "main", "value": article.headline}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": article.body}],
        "subjects": [
            {
                "name": article.section.name,
                "rel": "section",
                "uri": absolute(article.section.get_absolute_url()),
            },
            *(
                {
                    "name": name,
                    "rel": "about",
                    "uri": absolute(tag_path("site:topic-detail", slug)),
                }
                for name, slug in topics
            ),
        ],
        "altIds": [{"role": "id", "value": str(article.pk)}],
    }
    if article.lead:
        data["descriptions"] = [{"role": "summary", "value": article.lead}]
    if article.byline:
        data["by"] = article.byline
    if article.dateline_place:
        data["located"] = article.dateline_place
    if persons:
        data["people"] = [
            {
                "name": name,
                "rel": "mentions",
                "uri": absolute(tag_path("site:person-detail", slug)),
            }
            for name, slug in persons
        ]
    photo = article.lead_photo
    if photo is not None:
        url = absolute(photo.image.url)
        picture: dict[str, Any] = {
            "name": "leadPhoto",
            "rel": "leadPhoto",
            "uri": url,
            "type": "picture",
            "renditions": [
                {
                    "name": "original",
                    "href": url,
                    "contentType": photo.media_type,
                    "width": photo.width,
                    "height": photo.height,
                }
            ],
        }
        if photo.caption:
            picture["descriptions"] = [{"role": "caption", "value": photo.caption}]
        if photo.credit:
            picture["by"] = photo.credit
        if photo.alt_text:
            picture.setdefault("descriptions", []).append(
                {"role": "alternative", "value": photo.alt_text}
            )
        data["associations"] = [picture]
    return data
