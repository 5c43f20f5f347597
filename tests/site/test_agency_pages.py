"""The agency's pages at the top level, beside the sections, and the footer
that links them with the sections, the feeds and the sitemap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lxml import html

from tests.agency.factories import make_page
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from django.test import Client

    from dateline.agency.models import AgencyPage
    from dateline.content.models import Section

# Real commits: the footer is kept per site generation, which starts after
# a commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world() -> Section:
    section = SectionFactory(name="World", slug="world")
    published_article(section=section, headline="Harbour talks resume")
    return section


@pytest.fixture
def about() -> AgencyPage:
    return make_page(
        "about",
        "About us",
        "<h2>Who we are</h2><p>The agency of <strong>Valmora</strong>. Write to "
        '<a href="mailto:desk@agency.example">the desk</a>.</p>',
    )


def page(client: Client, url: str) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def footer_links(doc: html.HtmlElement, column: str) -> list[tuple[str, str]]:
    return [
        (a.text_content(), a.get("href"))
        for a in doc.xpath(f"//footer//div[contains(@class, '{column}')]//a")
    ]


def test_an_agency_page_is_shown_at_its_top_level_address(
    client: Client, world: Section, about: AgencyPage
) -> None:
    doc = page(client, "/about/")
    assert doc.xpath("string(//title)") == "About us — Meridian News Agency"
    assert doc.xpath("string(//main//h1)") == "About us"
    body = doc.xpath("//div[@class='agency-page-body']")[0]
    assert body.xpath("string(h2)") == "Who we are"
    assert body.xpath("string(.//strong)") == "Valmora"
    assert body.xpath(".//a/@href") == ["mailto:desk@agency.example"]
    assert doc.xpath("//link[@rel='canonical']/@href") == ["http://testserver/about/"]
    assert doc.xpath("//meta[@name='description']/@content") == [
        "The agency of Valmora. Write to the desk."
    ]
    assert doc.xpath("//p[@class='agency-page-updated']/time/@datetime")
    # The section beside it is still the section.
    assert page(client, "/world/").xpath("string(//main//h1)") == "World"


@pytest.mark.parametrize("url", ["/no-such-page/", "/About/", "/about-us/"])
def test_an_unknown_top_level_slug_is_a_404_never_a_500(
    client: Client, world: Section, about: AgencyPage, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_section_page_costs_no_query_more_and_a_page_two(
    client: Client, world: Section, about: AgencyPage, django_assert_num_queries
) -> None:
    client.get("/world/")  # the header's cities, the adverts, the fragments
    client.get("/about/")
    with django_assert_num_queries(3):  # and the 404's latest news, once
        assert client.get("/nowhere/").status_code == 404
    with django_assert_num_queries(2):  # sections (the header's too), its feed
        client.get("/world/")
    with django_assert_num_queries(2):  # sections (not one), the page
        client.get("/about/")
    with django_assert_num_queries(2):  # sections (not one), no page: a 404
        assert client.get("/nowhere/").status_code == 404


def test_the_footer_lists_the_sections_the_agencys_pages_feeds_and_sitemap(
    client: Client, world: Section, about: AgencyPage
) -> None:
    SectionFactory(name="Sport", slug="sport")
    make_page("contact", "Contact", position=1)
    make_page("corrections", "Corrections policy", position=2)
    make_page("jobs", "Jobs", position=3, is_in_footer=False)
    doc = page(client, "/")
    assert footer_links(doc, "footer-sections") == [
        ("World", "/world/"),
        ("Sport", "/sport/"),
    ]
    assert footer_links(doc, "footer-pages") == [
        ("About us", "/about/"),
        ("Contact", "/contact/"),
        ("Corrections policy", "/corrections/"),
    ]
    feeds = footer_links(doc, "footer-feeds")
    assert feeds[-1] == ("Sitemap", "/sitemap.xml")
    assert [href for _, href in feeds[:-1]] == [
        "/feeds/news.rss",
        "/feeds/news.atom",
        "/feeds/news.json",
    ]
    assert "© Meridian News Agency" in doc.xpath("string(//footer)")
    # A section's page lists its own feeds first, then the site's.
    section_feeds = footer_links(page(client, "/world/"), "footer-feeds")
    assert [href for _, href in section_feeds[:3]] == [
        "/feeds/sections/world.rss",
        "/feeds/sections/world.atom",
        "/feeds/sections/world.json",
    ]
    assert footer_links(page(client, "/jobs/"), "footer-pages")[-1] == (
        "Corrections policy",
        "/corrections/",
    )


def test_the_footer_changes_as_soon_as_a_page_or_a_section_does(
    client: Client, world: Section, about: AgencyPage
) -> None:
    assert footer_links(page(client, "/"), "footer-pages") == [("About us", "/about/")]
    assert footer_links(page(client, "/"), "footer-pages") == [("About us", "/about/")]
    about.title = "About the agency"
    about.save()
    contact = make_page("contact", "Contact", position=1)
    assert footer_links(page(client, "/"), "footer-pages") == [
        ("About the agency", "/about/"),
        ("Contact", "/contact/"),
    ]
    contact.is_in_footer = False
    contact.save()
    assert footer_links(page(client, "/"), "footer-pages") == [
        ("About the agency", "/about/")
    ]
    world.name = "World news"
    world.save()
    assert footer_links(page(client, "/"), "footer-sections") == [
        ("World news", "/world/")
    ]
    about.delete()
    doc = page(client, "/")
    assert footer_links(doc, "footer-pages") == []
    assert not doc.xpath("//footer//h2[text()='The agency']")
