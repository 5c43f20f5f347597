"""Public pages. Thin: parse input, call a selector, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils.http import urlencode

from dateline.content import access, selectors
from dateline.content.models import Person, Section, Topic
from dateline.site.article_page import (
    PageOutOfRangeError,
    body_page,
    parse_page_number,
    share_links,
)
from dateline.syndication import jsonld

if TYPE_CHECKING:
    from django.http import HttpRequest

    from dateline.content.models import Article

LIST_LIMIT = 30
HOME_LATEST = 12
HOME_PER_SECTION = 4


def home(request: HttpRequest) -> HttpResponse:
    sections = selectors.navigation_sections()
    blocks = [
        (section, selectors.latest_in_section(section, limit=HOME_PER_SECTION))
        for section in sections
    ]
    return render(
        request,
        "site/home.html",
        {
            "latest": selectors.latest(limit=HOME_LATEST),
            "section_blocks": [(s, items) for s, items in blocks if items],
        },
    )


def section_detail(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    return render(
        request,
        "site/section_detail.html",
        {
            "section": section,
            "current_section_slug": section.slug,
            "articles": selectors.latest_in_section(section, limit=LIST_LIMIT),
        },
    )


def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    return render(
        request,
        "site/topic_detail.html",
        {
            "topic": topic,
            "articles": selectors.latest_for_topic(topic, limit=LIST_LIMIT),
        },
    )


def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person = get_object_or_404(Person, slug=slug)
    return render(
        request,
        "site/person_detail.html",
        {
            "person": person,
            "articles": selectors.latest_for_person(person, limit=LIST_LIMIT),
        },
    )


def article_detail(request: HttpRequest, section: str, pk: int) -> HttpResponse:
    article = selectors.public_article(pk)
    if article is None:
        if selectors.is_withdrawn(pk):
            return render(request, "site/article_withdrawn.html", status=410)
        raise Http404
    if section != article.section.slug:
        target = article.get_absolute_url()
        if request.GET:
            target += "?" + urlencode(request.GET, doseq=True)
        return HttpResponsePermanentRedirect(target)
    return render_article(request, article, preview=False)


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
    request: HttpRequest, article: Article, *, preview: bool
) -> HttpResponse:
    """The article page, for readers and for the newsroom's preview."""
    try:
        number = parse_page_number(request.GET.get("page"), article.page_count)
    except PageOutOfRangeError:
        raise Http404 from None
    detail = selectors.article_detail(article)
    canonical = request.build_absolute_uri(article.get_absolute_url())
    page_url = canonical + (f"?page={number}" if number > 1 else "")
    photo = article.lead_photo
    image_url = request.build_absolute_uri(photo.image.url) if photo else None
    logo_url = request.build_absolute_uri(static("site/img/logo.png"))
    context: dict[str, Any] = {
        "article": article,
        "detail": detail,
        "page": body_page(article, number),
        "page_numbers": range(1, article.page_count + 1),
        "canonical_url": canonical,
        "page_url": page_url,
        "image_url": image_url,
        "share_links": share_links(url=canonical, title=article.headline),
        "preview": preview,
        "current_section_slug": article.section.slug,
    }
    if article.published_at is not None:
        context["jsonld"] = jsonld.script_json(
            jsonld.news_article(
                detail,
                url=canonical,
                absolute=request.build_absolute_uri,
                logo_url=logo_url,
                image_url=image_url,
            )
        )
    return render(request, "site/article_detail.html", context)
