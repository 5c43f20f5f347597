"""The search page: ranked results with counts, filters and snippets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from dateline.content import selectors
from dateline.content.models import Person, Topic
from dateline.core.variants import note_tags
from dateline.feed import filters
from dateline.search import selectors as search_selectors
from dateline.search.backends.base import Filters, Sort
from dateline.site.search_form import SearchForm

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def search(request: HttpRequest) -> HttpResponse:
    """Search the archive: ranked results with counts, filters and snippets."""
    note_tags(request, "items")
    sections = selectors.navigation_sections()
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"navigation_sections": sections, "form": form}
    if not form.is_valid():
        return render(request, "site/search_results.html", context, status=400)
    chosen = filters.parse_sections(request.GET.getlist("sections"), sections)
    topic = _tag_or_none(Topic, form.cleaned_data["topic"])
    person = _tag_or_none(Person, form.cleaned_data["person"])
    since, until = form.time_range()
    text = form.cleaned_data["q"]
    context.update({"filter": chosen, "topic": topic, "person": person, "text": text})
    if (form.cleaned_data["topic"] and topic is None) or (
        form.cleaned_data["person"] and person is None
    ):
        context["unknown_tag"] = True
        return render(request, "site/search_results.html", context, status=404)
    if not text:
        return render(request, "site/search_results.html", context)
    results = search_selectors.search_articles(
        text,
        filters=Filters(
            section_ids=tuple(chosen.section_ids),
            topic_id=topic.pk if topic else None,
            person_id=person.pk if person else None,
            since=since,
            until=until,
        ),
        sort=form.sort_order,
        page=form.page_number,
        sections=sections,
    )
    query = {
        key: value
        for key, value in {
            "q": text,
            "sort": form.cleaned_data.get("sort") or "",
            "sections": chosen.query_value,
            "topic": topic.slug if topic else "",
            "person": person.slug if person else "",
            "from": request.GET.get("from", "") if since else "",
            "to": request.GET.get("to", "") if until else "",
        }.items()
        if value
    }
    context.update(
        {
            "results": results,
            "query": query,
            "search_url": _search_url(query),
            "next_url": _search_url({**query, "page": str(results.page + 1)})
            if results.has_next
            else None,
            "previous_url": _search_url({**query, "page": str(results.page - 1)})
            if results.page > 1
            else None,
            "all_sections_url": _search_url(
                {k: v for k, v in query.items() if k != "sections"}
            ),
            "section_links": [
                (section, count, _search_url({**query, "sections": section.slug}))
                for section, count in results.by_section
            ],
            "sort_urls": {
                value: _search_url({**query, "sort": value}) for value in Sort
            },
        }
    )
    response = render(request, "site/search_results.html", context)
    if results.page > 1 and not results.results:
        response.status_code = 404
    return response


def _tag_or_none(model: type[Topic] | type[Person], slug: str) -> Any:
    return model.objects.filter(slug=slug).first() if slug else None


def _search_url(query: dict[str, str]) -> str:
    return f"{reverse('site:search')}?{urlencode(query)}"
