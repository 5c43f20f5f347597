"""Reading the agency's pages: one by its slug, the footer's list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from dateline.agency.models import AgencyPage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FOOTER_FIELDS = ("id", "title", "slug", "position")


def agency_page(slug: str) -> AgencyPage | None:
    """The page at ``/<slug>/``, or None."""
    try:
        return AgencyPage.objects.get(slug=slug)
    except AgencyPage.DoesNotExist:
        return None


def footer_pages() -> list[AgencyPage]:
    """The pages the footer links, in the newsroom's order."""
    return list(AgencyPage.objects.in_footer().only(*FOOTER_FIELDS))


def page_holding(slug: str) -> StrOrPromise | None:
    """What holds ``slug`` among the pages, in words (for a section's form)."""
    title = AgencyPage.objects.filter(slug=slug).values_list("title", flat=True).first()
    if title is None:
        return None
    return _("the agency's page “%(title)s”") % {"title": title}
