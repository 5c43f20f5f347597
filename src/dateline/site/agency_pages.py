"""The agency's own pages (About, Contact…), at the top level like sections.

``views.section_detail`` answers ``/<slug>/``: a section when the slug is
one (from the list the header reads anyway, so a section page costs no
query more), else the agency's page with that slug, else a 404. Slugs are
kept apart by validation (``dateline.agency.models``); were they ever not,
the section would win.
"""

from __future__ import annotations

from html import unescape
from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import render
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from dateline.agency import selectors
from dateline.content.bodytext import is_paragraph, plain_text, top_level_blocks

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


# What a search engine shows under a result's title.
DESCRIPTION_LENGTH = 160


def agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = selectors.agency_page(slug)
    if page is None:
        raise Http404
    return render(
        request,
        "site/agencypage_detail.html",
        {
            "agency_page": page,
            "body": mark_safe(page.body),  # noqa: S308 - stored sanitized
            "description": description(page.body),
        },
    )


def description(body: str) -> str:
    """The first paragraph's words, for search engines' snippets."""
    first = next((b for b in top_level_blocks(body) if is_paragraph(b)), None)
    text = unescape(strip_tags(first)) if first is not None else plain_text(body)
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)
