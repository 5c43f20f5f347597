"""Adverts on the pages: labelled, in their placements, and nothing when empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from lxml import html as lxml_html

from dateline.content import services
from tests.adverts.factories import image_advert, placement, snippet_advert
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from django.test import Client
    from lxml.html import HtmlElement

    from dateline.content.models import Article

pytestmark = pytest.mark.django_db

BODY = "".join(f"<p>Paragraph {n}.</p>" for n in range(1, 7))


@pytest.fixture
def story() -> Article:
    article = published_article(
        section=SectionFactory(name="World", slug="world"),
        headline="Harbour reopens",
        body=BODY,
    )
    services.set_read_also(
        article=article,
        related=[published_article(section=article.section) for _ in range(3)],
    )
    return article


def page(client: Client, url: str) -> HtmlElement:
    response = client.get(url)
    assert response.status_code == 200
    return lxml_html.fromstring(response.content)


def adverts_on(doc: HtmlElement) -> dict[str, HtmlElement]:
    found = {}
    for aside in doc.xpath("//aside[contains(@class, 'advert ')]"):
        key = next(c[7:] for c in aside.get("class").split() if c.startswith("advert-"))
        found[key] = aside
    return found


def test_an_image_advert_is_labelled_and_links_as_sponsored(
    client: Client, story: Article
) -> None:
    image_advert("sidebar")
    aside = adverts_on(page(client, story.get_absolute_url()))["sidebar"]
    assert aside.get("aria-label", "").startswith("Advertisement")
    assert aside.xpath("string(p[@class='advert-label'])") == "Advertisement"
    (link,) = aside.xpath(".//a")
    assert link.get("href") == "https://archive.example/licensing"
    assert link.get("rel") == "sponsored noopener"
    (img,) = link.xpath("img")
    assert (img.get("width"), img.get("height")) == ("300", "250")
    assert img.get("alt") == "Archive photos for your newsroom"
    assert img.get("loading") == "lazy"
    assert img.get("src").startswith("/media/adverts/")


def test_the_header_advert_shows_on_every_page_and_loads_at_once(
    client: Client, story: Article
) -> None:
    image_advert("header")
    for url in ["/", "/news/", "/world/", story.get_absolute_url(), "/search/"]:
        doc = page(client, url)
        header = adverts_on(doc)["header"]
        assert header.get("aria-label") == "Advertisement"
        assert header.xpath(".//img")[0].get("loading") is None
        # Between the page header and the main content, a landmark of its own.
        assert header.getparent().tag == "body"
        assert header.getprevious().tag == "header"
        assert header.getnext().tag == "main"


def test_the_home_placement_shows_on_the_home_page_only(
    client: Client, story: Article
) -> None:
    snippet_advert("home")
    assert "home" in adverts_on(page(client, "/"))
    assert "home" not in adverts_on(page(client, story.get_absolute_url()))
    assert "home" not in adverts_on(page(client, "/news/"))


def test_the_in_article_advert_follows_the_placements_paragraph(
    client: Client, story: Article
) -> None:
    placement("article", after_paragraph=4)
    image_advert("article")
    doc = page(client, story.get_absolute_url())
    body = doc.xpath("//div[@class='article-body']")[0]
    blocks = [child for child in body if child.tag in {"p", "aside"}]
    kinds = [
        "advert" if "advert" in (b.get("class") or "") else
        "read-also" if "read-also" in (b.get("class") or "") else "p"
        for b in blocks
    ]  # fmt: skip
    assert kinds == ["p", "p", "read-also", "p", "p", "advert", "p", "p"]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (1, ["p", "advert", "p", "read-also", "p", "p", "p", "p"]),
        (2, ["p", "p", "read-also", "advert", "p", "p", "p", "p"]),
        (20, ["p", "p", "read-also", "p", "p", "p", "p", "advert"]),
    ],
)
def test_the_in_article_advert_keeps_clear_of_read_also(
    client: Client, story: Article, after: int, expected: list[str]
) -> None:
    placement("article", after_paragraph=after)
    snippet_advert("article")
    body = page(client, story.get_absolute_url()).xpath("//div[@class='article-body']")[
        0
    ]
    kinds = [
        "advert" if "advert" in (b.get("class") or "") else
        "read-also" if "read-also" in (b.get("class") or "") else "p"
        for b in body if b.tag in {"p", "aside"}
    ]  # fmt: skip
    assert kinds == expected


def test_every_page_of_a_long_article_carries_the_in_article_advert(
    client: Client,
) -> None:
    article = published_article(
        section=SectionFactory(slug="world"),
        body="<p>One.</p><p>Two.</p><p>Three.</p><p>Four.</p><hr><p>Five.</p>",
    )
    image_advert("article")
    for url in [article.get_absolute_url(), article.get_absolute_url() + "?page=2"]:
        assert "article" in adverts_on(page(client, url))


def test_a_snippet_is_shown_sanitized_with_sponsored_links(
    client: Client, story: Article
) -> None:
    advert = snippet_advert(
        "sidebar",
        html='<p>Try <a href="https://data.example/" onclick="x()">Meridian Data</a>'
        '<img src="https://data.example/a.png" width="120" height="60" alt="Data">'
        "</p><script>alert(1)</script>",
    )
    # A row written around the services is cleaned again when shown.
    type(advert).objects.filter(pk=advert.pk).update(
        html='<p onmouseover="x()">Raw <a href="javascript:alert(1)">row</a></p>'
        '<a href="https://data.example/">link</a>'
    )
    aside = adverts_on(page(client, story.get_absolute_url()))["sidebar"]
    markup = lxml_html.tostring(aside, encoding="unicode")
    assert "onmouseover" not in markup
    assert "javascript:" not in markup
    assert aside.xpath("string(p[@class='advert-label'])") == "Advertisement"
    assert [a.get("rel") for a in aside.xpath(".//a")] == ["sponsored noopener"] * 2


def test_an_empty_placement_renders_nothing_at_all(
    client: Client, story: Article
) -> None:
    for url in ["/", story.get_absolute_url(), "/news/"]:
        response = client.get(url)
        assert b"Advertisement" not in response.content
        assert b'class="advert' not in response.content


def test_each_advert_on_a_page_is_a_landmark_with_its_own_name(
    client: Client, story: Article
) -> None:
    for key in ["header", "sidebar", "article"]:
        image_advert(key)
    doc = page(client, story.get_absolute_url())
    labels = [aside.get("aria-label") for aside in adverts_on(doc).values()]
    assert len(labels) == 3
    assert len(set(labels)) == 3
    assert all(label.startswith("Advertisement") for label in labels)


def test_the_newsroom_preview_shows_the_adverts_a_reader_would_see(
    client: Client, story: Article, admin_user: object
) -> None:
    image_advert("article")
    client.force_login(admin_user)  # type: ignore[arg-type]
    doc = page(client, f"/preview/{story.pk}/")
    assert "article" in adverts_on(doc)
