"""The 404 answer (the URLconf's ``handler404``).

A page in the site's style, with a search form and the latest news, for
whatever was not found: an address nothing answers, or a view's ``Http404``
(an unknown section or agency page, article id, topic or person). The
latest items are kept with the site's generation (``{% fragment %}``), so a
404 costs no query for them once the first has made them; they come from
the one publishing rule through the news feed, as everywhere.

A missing file under the static or media prefix gets a short plain answer
instead: a browser asking for a picture or a script has no use for a page,
and a stranger asking for many costs no query. The API answers its own 404s
(``dateline.api.errors``) and never reaches this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseNotFound
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from dateline.feed import selectors as feed

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

LATEST_ITEMS = 8


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_file_path(request.path):
        return HttpResponseNotFound(
            "Not found.\n", content_type="text/plain; charset=utf-8"
        )
    return render(
        request,
        "404.html",
        {
            # Read only when the fragment is made: once per generation and
            # day (the day headers name the year only when it is not this one).
            "latest": SimpleLazyObject(lambda: feed.news_feed(limit=LATEST_ITEMS).days),
            "latest_day": timezone.localdate().isoformat(),
        },
        status=404,
    )


def is_file_path(path: str) -> bool:
    """Whether ``path`` is under the static files' or the uploads' prefix."""
    for url in (settings.STATIC_URL, settings.MEDIA_URL):
        prefix = urlsplit(url or "").path
        if prefix not in {"", "/"} and path.startswith(prefix):
            return True
    return False
