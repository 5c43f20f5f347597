"""The agency's pages are kept like every public page, and a change to one
shows at once: on the page itself and in every kept page's footer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lxml import html

from dateline.agency.models import AgencyPage
from tests.agency.factories import make_page

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]


def footer_pages(client: Client, url: str) -> list[str]:
    doc = html.fromstring(client.get(url).content.decode())
    return doc.xpath("//footer//div[contains(@class, 'footer-pages')]//a/text()")


def test_an_agency_page_is_kept_and_an_edit_shows_at_once(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    page = make_page("contact", "Contact", "<p>Call +999 21 555 0100.</p>")
    assert client.get("/contact/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        kept = client.get("/contact/")
    assert kept["X-Page-Cache"] == "hit"
    assert "555 0100" in kept.content.decode()

    page.body = "<p>Call +999 21 555 0199.</p>"
    page.save()
    fresh = client.get("/contact/")
    assert fresh["X-Page-Cache"] == "miss"
    assert "555 0199" in fresh.content.decode()
    assert "555 0100" not in fresh.content.decode()


def test_a_deleted_page_is_gone_at_once_from_its_address_and_every_footer(
    client: Client, story: Article
) -> None:
    make_page("about", "About us")
    make_page("contact", "Contact", position=1)
    for url in ["/", "/about/", story.get_absolute_url()]:
        assert footer_pages(client, url) == ["About us", "Contact"]
        assert client.get(url)["X-Page-Cache"] == "hit"
    AgencyPage.objects.get(slug="about").delete()
    assert client.get("/about/").status_code == 404
    for url in ["/", "/contact/", story.get_absolute_url()]:
        assert footer_pages(client, url) == ["Contact"]


def test_a_renamed_page_is_renamed_in_every_kept_footer(
    client: Client, story: Article
) -> None:
    page = make_page("about", "About us")
    assert footer_pages(client, "/") == ["About us"]
    assert client.get("/")["X-Page-Cache"] == "hit"
    page.title = "About the agency"
    page.save()
    assert footer_pages(client, "/") == ["About the agency"]


def test_the_favicon_and_manifest_keep_their_types_when_kept(client: Client) -> None:
    for url, content_type in [
        ("/favicon.ico", "image/x-icon"),
        ("/manifest.webmanifest", "application/manifest+json; charset=utf-8"),
    ]:
        client.get(url)
        kept = client.get(url)
        assert kept.status_code == 200
        assert kept["X-Page-Cache"] == "hit"
        assert kept["Content-Type"] == content_type
