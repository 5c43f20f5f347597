"""Public pages. Thin: parse input, call a selector, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dateline.adverts.selectors import live_adverts
from dateline.content import access, selectors
from dateline.core.absolute import absolute_urls
from dateline.core.staticfiles import static_url
from dateline.core.variants import note_cookie, note_tags
from dateline.feed import filters
from dateline.feed import selectors as feed
from dateline.feed.cursor import InvalidCursorError, decode_cursor, encode_cursor
from dateline.partners.selectors import link_blocks_widget
from dateline.popularity.beacon import view_beacon
from dateline.popularity.selectors import most_read_widget
from dateline.site import agency_pages
from dateline.site.article_page import (
    PageOutOfRangeError,
    body_page,
    parse_page_number,
    share_links,
)
from dateline.syndication import jsonld
from dateline.syndication.sources import subject_source

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from dateline.content.models import Article, Section
    from dateline.feed.cursor import Cursor
    from dateline.feed.selectors import FeedPage

HOME_LATEST = 12
HOME_PER_SECTION = 4
HOME_TOP_STORIES = 5
# The article page's side column: the latest items and TOP STORIES.
SIDE_FEED_ITEMS = 10
SIDE_TOP_STORIES = 5
SECTION_TOP_STORIES = 4
FEED_PAGE_SIZE = 30
# The "Photo" and "Infographics" blocks on the home and article pages (their
# own listings: site/visual_pages.py).
GALLERY_BLOCK = 4
INFOGRAPHIC_BLOCK = 4


class InvalidFeedLinkError(Exception):
    """The ``before`` parameter is not a position we issued."""


def home(request: HttpRequest) -> HttpResponse:
    note_tags(request, "items")
    sections = selectors.navigation_sections()
    top_stories = _kept_top_stories(None, limit=HOME_TOP_STORIES)
    return render(
        request,
        "site/home.html",
        {
            "navigation_sections": sections,
            "top_stories": top_stories,
            "top_stories_day": _top_stories_day(),
            "latest": feed.news_feed(limit=HOME_LATEST).days,
            # Kept with TOP STORIES (``{% fragment "home-sections" %}``).
            "section_blocks": SimpleLazyObject(
                lambda: _home_section_blocks(sections, top_stories)
            ),
            "most_read": most_read_widget(),
            **_side_blocks(),
            "structured_data": [
                jsonld.script_json(
                    jsonld.website(
                        absolute=absolute_urls(request),
                        search_path=reverse("site:search"),
                    )
                ),
                jsonld.script_json(
                    jsonld.organization(
                        absolute=absolute_urls(request), logo_url=_logo_url(request)
                    )
                ),
            ],
        },
    )


def _home_section_blocks(
    sections: list[Section], top_stories: Iterable[Article]
) -> list[tuple[Section, list[Article]]]:
    """Each section's newest items, each story once on the front: a block
    leaves out what TOP STORIES shows, so it reads as many more as TOP
    STORIES can hold."""
    blocks = selectors.latest_by_section(
        sections, limit=HOME_PER_SECTION + HOME_TOP_STORIES, photos=True
    )
    shown = {item.pk for item in top_stories}
    kept = []
    for section in sections:
        items = [item for item in blocks[section.pk] if item.pk not in shown]
        if items:
            kept.append((section, items[:HOME_PER_SECTION]))
    return kept


def news_feed(request: HttpRequest) -> HttpResponse:
    """All news, newest first, in the sections the reader chose."""
    note_tags(request, "items")
    sections = selectors.navigation_sections()
    from_query = "sections" in request.GET
    if from_query:
        chosen = filters.parse_sections(request.GET.getlist("sections"), sections)
    else:
        chosen = filters.parse_cookie(
            request.COOKIES.get(filters.COOKIE_NAME), sections
        )
    raw_cookie = request.COOKIES.get(filters.COOKIE_NAME)
    note_cookie(
        request,
        filters.COOKIE_NAME,
        raw_cookie
        if from_query
        else (chosen.cookie_value if chosen.is_active else None),
    )
    try:
        page = feed.news_feed(
            section_ids=chosen.section_ids,
            before=before_cursor(request),
            limit=FEED_PAGE_SIZE,
        )
    except InvalidFeedLinkError:
        return invalid_feed_link(request, reverse("site:news-feed"))
    query = {"sections": chosen.query_value} if chosen.is_active else {}
    response = render_feed(
        request,
        "site/news_feed.html",
        page,
        query=query,
        context={
            "navigation_sections": sections,
            "filter": chosen,
            "feed_title": _("All news"),
            "show_section": True,
        },
    )
    patch_vary_headers(response, ["Cookie"])
    if from_query and not _is_partial(request):
        _remember_sections(request, response, chosen)
    return response


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    sections = selectors.navigation_sections()
    section = next((s for s in sections if s.slug == slug), None)
    if section is None:
        # The same top-level path answers the agency's own pages.
        return agency_pages.agency_page(request, slug)
    note_tags(request, "items", f"section-{section.slug}")
    try:
        page = feed.section_feed(
            section, before=before_cursor(request), limit=FEED_PAGE_SIZE
        )
    except InvalidFeedLinkError:
        return invalid_feed_link(request, section.get_absolute_url())
    top = None
    if page.is_first and not _is_partial(request):
        top = _kept_top_stories(section, limit=SECTION_TOP_STORIES)
    return render_feed(
        request,
        "site/section_detail.html",
        page,
        context={
            "navigation_sections": sections,
            "section": section,
            "current_section_slug": section.slug,
            "top_stories": top,
            "top_stories_day": _top_stories_day(),
            "feed_title": _("News feed"),
            "show_section": False,
            "feed_links": subject_source(section).links(),
            "structured_data": breadcrumbs(request, [(section.name, section)]),
        },
    )


def _kept_top_stories(section: Section | None, *, limit: int) -> Any:
    """TOP STORIES, read only when their fragment is made: the block is kept
    per site generation (``{% fragment "top-stories" %}``), and every change
    to an item, a slot or a section starts one. The day is among the values
    the fragment varies on, so the urgent items of the fallback, which age
    out of their 30-day window without a change, are read again daily."""
    return SimpleLazyObject(lambda: selectors.top_stories(section=section, limit=limit))


def _top_stories_day() -> str:
    return timezone.now().date().isoformat()


def _is_partial(request: HttpRequest) -> bool:
    """The script asks for the next rows only, to append them."""
    return request.GET.get("partial") == "1"


def before_cursor(request: HttpRequest) -> Cursor | None:
    """Where a feed page starts (``before``); InvalidFeedLinkError for a
    position we never issued."""
    token = request.GET.get("before")
    if token is None:
        return None
    try:
        return decode_cursor(token)
    except InvalidCursorError:
        raise InvalidFeedLinkError from None


def render_feed(
    request: HttpRequest,
    template: str,
    page: FeedPage,
    *,
    context: dict[str, Any],
    query: dict[str, str] | None = None,
) -> HttpResponse:
    """A feed page, or only its next rows when the script asks for them."""
    query = query or {}
    path = request.path
    more_url = None
    if page.next_cursor is not None:
        more_url = (
            f"{path}?{urlencode({**query, 'before': encode_cursor(page.next_cursor)})}"
        )
    this_query = dict(query)
    if page.before is not None:
        this_query["before"] = encode_cursor(page.before)
    context = {
        **context,
        "page": page,
        "days": page.days,
        "more_url": more_url,
        "first_url": f"{path}?{urlencode(query)}" if query else path,
        "page_url": f"{path}?{urlencode(this_query)}" if this_query else path,
    }
    if _is_partial(request):
        response = render(request, "site/includes/feed_chunk.html", context)
        response["X-Robots-Tag"] = "noindex"
        return response
    return render(request, template, context)


def invalid_feed_link(request: HttpRequest, first_url: str) -> HttpResponse:
    """The 400 page for a forged or damaged ``before``, linking to the feed's
    first page."""
    return render(
        request, "site/feed_link_invalid.html", {"first_url": first_url}, status=400
    )


def _remember_sections(
    request: HttpRequest, response: HttpResponse, chosen: filters.SectionFilter
) -> None:
    """Keep the reader's choice of sections for the next visit to /news/."""
    current = request.COOKIES.get(filters.COOKIE_NAME)
    if chosen.is_active:
        if current != chosen.cookie_value:
            response.set_cookie(
                filters.COOKIE_NAME,
                chosen.cookie_value,
                max_age=filters.COOKIE_MAX_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
    elif chosen.reset and current is not None:
        response.delete_cookie(filters.COOKIE_NAME, samesite="Lax")


def article_detail(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    detail = selectors.public_article_page(pk)
    if detail is None:
        if selectors.is_withdrawn(pk):
            return render(request, "site/article_withdrawn.html", status=410)
        raise Http404
    article = detail.article
    if section != article.section.slug:
        target = article.get_absolute_url()
        if request.GET:
            target += "?" + urlencode(request.GET, doseq=True)
        return HttpResponsePermanentRedirect(target)
    return render_article(request, article, preview=False, detail=detail)


def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The newsroom's look at an item in any state: staff only, never cached."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    article = access.get_article_for_user(request.user, pk)
    response = render_article(request, article, preview=True)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def render_article(
    request: HttpRequest,
    article: Article,
    *,
    preview: bool,
    detail: selectors.ArticleDetail | None = None,
) -> HttpResponse:
    """The article page, for readers and for the newsroom's preview
    (``detail``: what the page lists beside the article, if read with it)."""
    try:
        number = parse_page_number(request.GET.get("page"), article.page_count)
    except PageOutOfRangeError:
        raise Http404 from None
    if detail is None:
        detail = selectors.article_detail(article)
    note_tags(
        request,
        f"item-{article.pk}",
        f"section-{article.section.slug}",
        *(f"topic-{topic.slug}" for topic in detail.topics),
        *(f"person-{person.slug}" for person in detail.persons),
        *(f"item-{item.pk}" for item in detail.read_also),
    )
    absolute = absolute_urls(request)
    canonical = absolute(article.get_absolute_url())
    page_url = canonical + (f"?page={number}" if number > 1 else "")
    photo = article.lead_photo
    image_url = absolute(photo.image.url) if photo else None
    logo_url = _logo_url(request)
    adverts = live_adverts()
    in_body = adverts.get("article")
    context: dict[str, Any] = {
        "article": article,
        "detail": detail,
        "page": body_page(
            article,
            number,
            advert=render_to_string("adverts/includes/advert.html", {"advert": in_body})
            if in_body
            else None,
            advert_after=in_body.after_paragraph if in_body else 0,
        ),
        "adverts": adverts,
        "page_numbers": range(1, article.page_count + 1),
        "canonical_url": canonical,
        "page_url": page_url,
        "image_url": image_url,
        "share_links": share_links(url=canonical, title=article.headline),
        "preview": preview,
        "current_section_slug": article.section.slug,
        "most_read": None if preview else most_read_widget(),
        "view_beacon": None if preview else view_beacon(article.pk),
        **_side_column(),
        **_side_blocks(),
    }
    if article.published_at is not None and not preview:
        context["structured_data"] = breadcrumbs(
            request,
            [(article.section.name, article.section), (article.headline, canonical)],
        )
        context["jsonld"] = jsonld.script_json(
            jsonld.news_article(
                detail,
                url=canonical,
                absolute=absolute,
                logo_url=logo_url,
                image_url=image_url,
            )
        )
    return render(request, "site/article_detail.html", context)


def _side_column() -> dict[str, Any]:
    """The news feed and TOP STORIES beside an article, read only when their
    fragment ("article-side") is made: once per generation and day."""
    return {
        "side_feed": SimpleLazyObject(
            lambda: feed.news_feed(limit=SIDE_FEED_ITEMS).days
        ),
        "side_top_stories": SimpleLazyObject(
            lambda: selectors.top_stories(section=None, limit=SIDE_TOP_STORIES)
        ),
        "top_stories_day": _top_stories_day(),
    }


def _side_blocks() -> dict[str, Any]:
    """The partner links, Photo and Infographics blocks' data, read only
    when their fragment ("side-blocks") is made: once per generation."""
    return {
        "partner_blocks": SimpleLazyObject(link_blocks_widget),
        "galleries": SimpleLazyObject(
            lambda: selectors.recent_galleries(limit=GALLERY_BLOCK)
        ),
        "infographics": SimpleLazyObject(
            lambda: selectors.recent_infographics(limit=INFOGRAPHIC_BLOCK)
        ),
    }


def _logo_url(request: HttpRequest) -> str:
    return absolute_urls(request)(static_url("site/img/logo.png"))


def breadcrumbs(request: HttpRequest, trail: list[tuple[str, Any]]) -> list[SafeString]:
    """A BreadcrumbList from the home page down; each step a name and an
    object with a URL, or a URL."""
    absolute = absolute_urls(request)
    steps = [(settings.DATELINE_AGENCY_NAME, absolute("/"))]
    for name, target in trail:
        path = target if isinstance(target, str) else target.get_absolute_url()
        steps.append((name, absolute(path)))
    return [jsonld.script_json(jsonld.breadcrumbs(steps))]
