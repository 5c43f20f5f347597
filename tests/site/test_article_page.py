"""The article page: every element of the reference page, and bad input."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from dateline.content import services
from dateline.content.models import Article
from dateline.core.timefmt import machine_time
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

BODY = (
    "<p>First paragraph of the story.</p>"
    "<p>Second paragraph with a quote.</p>"
    "<p>Third paragraph.</p>"
    "<hr>"
    "<p>Page two begins here.</p>"
)


@pytest.fixture
def story(editor: User) -> Article:
    section = SectionFactory(name="World", slug="world")
    article = published_article(
        section=section,
        headline="Coralia and Valmora agree on fishing quotas",
        lead="The deal ends two years of disputes over the Northern Sea.",
        body=BODY,
        dateline_place="Port Azul",
        byline="Lena Holt",
        lead_photo=PhotoFactory(),
        urgency=3,
    )
    services.set_article_tags(
        article=article,
        topics=[TopicFactory(name="Fisheries talks", slug="fisheries")],
        persons=[PersonFactory(name="Ines Calder", slug="ines-calder")],
    )
    services.set_read_also(
        article=article,
        related=[
            published_article(headline=f"Related story {i}", section=section)
            for i in range(3)
        ],
    )
    services.save_article(
        article=article, actor=editor, correction_note="Corrected the quota figure."
    )
    article.refresh_from_db()
    return article


def get_page(client: Client, url: str) -> tuple[int, lxml_html.HtmlElement, str]:
    response = client.get(url)
    text = response.content.decode()
    return response.status_code, lxml_html.fromstring(text), text


def test_article_page_shows_every_element_of_the_reference_page(
    client: Client, story: Article
) -> None:
    status, doc, _text = get_page(client, story.get_absolute_url())
    assert status == 200
    assert doc.xpath("string(//a[@class='section-label'])") == "World"
    published = doc.xpath("//article//p[@class='article-meta']/time")[0]
    assert re.fullmatch(r"\w+ \d\d, \d\d:\d\d UTC([+-]\d+(:\d\d)?)?", published.text)
    assert published.get("datetime") == machine_time(story.published_at)
    assert "." not in published.get("datetime")  # whole seconds, as HTML allows
    assert doc.xpath("string(//span[@class='article-place'])") == "PORT AZUL"
    assert doc.xpath("string(//h1)") == story.headline
    assert doc.xpath("string(//p[@class='article-lead'])") == story.lead
    assert {a.text for a in doc.xpath("//ul[@class='share-links']//a")} >= {
        "Facebook",
        "X",
        "Telegram",
        "Email",
    }
    assert (
        doc.xpath("string(//nav[@class='article-pages']/p)")
        == "2 pages in this article"
    )
    figure = doc.xpath("//figure[@class='lead-photo']")[0]
    assert (
        figure.xpath("string(.//span[@class='credit'])") == "© Test Agency/Ola Fotograf"
    )
    image = figure.xpath(".//img")[0]
    assert image.get("alt") == "Three cargo ships on a grey sea."
    assert image.get("width") == "800"
    assert [
        a.text for a in doc.xpath("//section[@aria-labelledby='topics-title']//a")
    ] == ["Fisheries talks"]
    assert [
        a.text for a in doc.xpath("//section[@aria-labelledby='persons-title']//a")
    ] == ["Ines Calder"]
    assert "Corrected the quota figure." in doc.xpath(
        "string(//section[@class='corrections'])"
    )
    assert doc.xpath("//p[@class='article-updated']/time")


def test_body_opens_with_the_generated_agency_dateline(
    client: Client, story: Article, settings
) -> None:
    settings.DATELINE_AGENCY_SIGNATURE = "MNA"
    _, doc, _ = get_page(client, story.get_absolute_url())
    first = doc.xpath("//div[@class='article-body']/p[1]")[0]
    local = timezone.localtime(story.published_at)
    expected = f"PORT AZUL, {local:%B} {local.day}. /MNA/."
    assert first.xpath("string(span[@class='dateline'])") == expected
    assert first.text_content().startswith(expected + " First paragraph")


def test_read_also_sits_inside_the_body_after_the_second_paragraph(
    client: Client, story: Article
) -> None:
    _, doc, _ = get_page(client, story.get_absolute_url())
    children = doc.xpath("//div[@class='article-body']/*")
    tags = [(c.tag, c.get("class")) for c in children]
    assert tags[:4] == [("p", None), ("p", None), ("aside", "read-also"), ("p", None)]
    assert [a.text for a in children[2].xpath(".//a")] == [
        "Related story 0",
        "Related story 1",
        "Related story 2",
    ]


def test_a_body_opening_with_a_subheading_gets_its_own_dateline_line(
    client: Client, story: Article, editor: User
) -> None:
    story.body = "<h2>Background</h2><p>One.</p><p>Two.</p><p>Three.</p>"
    services.save_article(article=story, actor=editor)
    _, doc, _ = get_page(client, story.get_absolute_url())
    children = doc.xpath("//div[@class='article-body']/*")
    tags = [(c.tag, c.get("class")) for c in children]
    assert tags == [
        ("p", "dateline-only"),
        ("h2", None),
        ("p", None),
        ("p", None),
        ("aside", "read-also"),
        ("p", None),
    ]


def test_read_also_never_links_to_items_that_are_not_public(
    client: Client, story: Article, chief: User
) -> None:
    hidden = story.read_also_links.first().related
    services.withdraw_article(article=hidden, actor=chief, reason="test")
    _, doc, _ = get_page(client, story.get_absolute_url())
    assert hidden.headline not in doc.xpath("string(//aside[@class='read-also'])")


def hidden_items(chief: User) -> list[Article]:
    """One item in each state readers must never see."""
    hour = timedelta(hours=1)
    draft = ArticleFactory(headline="Hidden draft")
    submitted = ArticleFactory(
        headline="Hidden submitted", status=Article.Status.SUBMITTED
    )
    scheduled = published_article(headline="Hidden scheduled", ago=-hour)
    withheld = ArticleFactory(
        headline="Hidden withheld",
        status=Article.Status.PUBLISHED,
        pubstatus=Article.PubStatus.WITHHELD,
        published_at=timezone.now() - hour,
        version=1,
    )
    withdrawn = published_article(headline="Hidden withdrawn")
    services.withdraw_article(article=withdrawn, actor=chief, reason="test")
    return [draft, submitted, scheduled, withheld, withdrawn]


@pytest.mark.parametrize("preview", [False, True], ids=["public", "preview"])
def test_items_that_are_not_public_never_show_anywhere_on_the_page(
    client: Client, story: Article, chief: User, preview: bool
) -> None:
    hidden = hidden_items(chief)
    shown = published_article(headline="Shown related story", section=story.section)
    services.set_read_also(article=story, related=[*hidden, shown])
    if preview:
        client.force_login(chief)
        url = f"/preview/{story.pk}/"
    else:
        url = story.get_absolute_url()

    status, doc, text = get_page(client, url)

    assert status == 200
    assert doc.xpath("//aside[@class='read-also']//a/text()") == [shown.headline]
    for item in hidden:
        assert item.headline not in text
        assert f"/{item.pk}/" not in text


def test_second_page_has_the_rest_without_dateline_photo_or_read_also(
    client: Client, story: Article
) -> None:
    status, doc, _ = get_page(client, story.get_absolute_url() + "?page=2")
    assert status == 200
    assert (
        doc.xpath("string(//div[@class='article-body'])").strip()
        == "Page two begins here."
    )
    assert not doc.xpath("//figure[@class='lead-photo']")
    assert (
        doc.xpath("//nav[@class='article-pages']//a[@aria-current='page']")[0].text
        == "2"
    )


@pytest.mark.parametrize(
    "page", ["abc", "0", "3", "-1", "1.5", "99999999999", "", "\uff12"]
)
def test_bad_page_numbers_are_a_404_in_the_site_style(
    client: Client, story: Article, page: str
) -> None:
    response = client.get(story.get_absolute_url(), {"page": page})
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"sections-nav" in response.content


def test_wrong_section_slug_redirects_permanently_to_the_canonical_url(
    client: Client, story: Article
) -> None:
    response = client.get(f"/sport/{story.pk}/?page=2")
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url() + "?page=2"


@pytest.mark.parametrize(
    "path",
    [
        "/world/0/",
        "/world/999999/",
        "/world/abc/",
        "/world/123456789012345678901234567890/",
    ],
)
def test_unknown_or_non_numeric_ids_are_a_404(
    client: Client, story: Article, path: str
) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.SUBMITTED},
        {"status": Article.Status.PUBLISHED, "pubstatus": Article.PubStatus.WITHHELD},
    ],
    ids=["draft", "submitted", "withheld"],
)
def test_items_that_are_not_public_are_a_404(
    client: Client, fields: dict[str, str]
) -> None:
    article = ArticleFactory(
        published_at=timezone.now() - timedelta(hours=1), version=1, **fields
    )
    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_item_is_a_404_until_its_time(client: Client) -> None:
    article = published_article(ago=timedelta(hours=-1))
    assert client.get(article.get_absolute_url()).status_code == 404


def test_withdrawn_item_is_gone_without_its_text(
    client: Client, story: Article, chief: User
) -> None:
    services.withdraw_article(article=story, actor=chief, reason="legal")
    response = client.get(story.get_absolute_url())
    assert response.status_code == 410
    assert story.headline.encode() not in response.content


def test_head_has_canonical_open_graph_and_twitter_card(
    client: Client, story: Article
) -> None:
    _, doc, _ = get_page(client, story.get_absolute_url() + "?page=2")
    canonical = "http://testserver" + story.get_absolute_url()
    assert doc.xpath("//link[@rel='canonical']/@href") == [canonical]
    meta = {
        m.get("property") or m.get("name"): m.get("content")
        for m in doc.xpath("//meta")
    }
    assert meta["og:type"] == "article"
    assert meta["og:title"] == story.headline
    assert meta["og:url"] == canonical
    assert meta["og:image"].startswith("http://testserver/media/photos/")
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["description"] == story.lead


def test_json_ld_describes_the_news_article(client: Client, story: Article) -> None:
    _, doc, _ = get_page(client, story.get_absolute_url())
    blocks = [
        json.loads(text)
        for text in doc.xpath("//script[@type='application/ld+json']/text()")
    ]
    assert [block["@type"] for block in blocks] == ["NewsArticle", "BreadcrumbList"]
    data = blocks[0]
    assert data["headline"] == story.headline
    assert data["datePublished"] == machine_time(story.published_at)
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == [{"@type": "Person", "name": "Lena Holt"}]
    assert data["articleSection"] == "World"
    assert data["image"][0]["creditText"] == "© Test Agency/Ola Fotograf"


def test_beside_the_article_the_latest_news_and_top_stories(
    client: Client, story: Article
) -> None:
    newer = published_article(
        headline="Storm closes the coast road",
        ago=timedelta(minutes=5),
        lead_photo=PhotoFactory(),
        urgency=2,  # with no slots filled, TOP STORIES are the latest urgent
    )
    _, doc, _ = get_page(client, story.get_absolute_url())
    (layout,) = doc.xpath("//div[@class='article-layout']")
    main, side = layout.xpath("./div")
    assert main.get("class") == "article-main"
    assert main.xpath(".//article//h1/text()") == [story.headline]
    assert side.get("class") == "article-side"
    # The latest items, newest first, this one among them, and all news.
    (feed,) = side.xpath(".//section[@class='side-feed']")
    headlines = feed.xpath(".//a[@class='feed-headline']/text()")
    assert headlines[0] == "Storm closes the coast road"
    assert story.headline in headlines
    assert feed.xpath(".//p[@class='feed-more']/a/@href") == ["/news/"]
    # TOP STORIES, the first with a picture that waits its turn: the
    # article's own photo is the page's main one.
    (top,) = side.xpath(".//section[contains(@class, 'side-top-stories')]")
    assert top.xpath("string(.//h2)") == "Top stories"
    assert top.xpath(".//h3/a/text()") == [newer.headline, story.headline]
    assert top.xpath(".//img/@loading") == ["lazy"]
    assert not top.xpath(".//img[@fetchpriority]")


def test_article_page_costs_a_fixed_number_of_queries(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    url = story.get_absolute_url()
    client.get(url)  # the blocks around the article are made once, then kept
    # The article with its section and photo, its topics, persons, "Read
    # also" and corrections, in one statement (see content.article_sql).
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_query_count_does_not_grow_with_tags_and_links(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    section = story.section
    services.set_article_tags(
        article=story,
        topics=[TopicFactory() for _ in range(8)],
        persons=[PersonFactory() for _ in range(8)],
    )
    services.set_read_also(
        article=story, related=[published_article(section=section) for _ in range(6)]
    )
    url = story.get_absolute_url()
    client.get(url)  # the blocks around the article are made once, then kept
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_script_in_a_headline_is_shown_as_text(client: Client) -> None:
    article = published_article(
        headline="<script>alert(1)</script> headline",
        lead='"><img src=x onerror=alert(1)>',
    )
    _, _, text = get_page(client, article.get_absolute_url())
    assert "<script>alert(1)</script>" not in text
    assert "<img src=x" not in text


def test_preview_is_staff_only_uncached_and_noindex(
    client: Client, reporter: User, editor: User, other_reporter: User
) -> None:
    draft = ArticleFactory(created_by=reporter, headline="Unpublished scoop")
    url = f"/preview/{draft.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/newsroom/login/" in anonymous["Location"]

    client.force_login(other_reporter)
    assert client.get(url).status_code == 404

    client.force_login(reporter)
    own = client.get(url)
    assert own.status_code == 200
    assert b"Unpublished scoop" in own.content

    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    doc = lxml_html.fromstring(response.content)
    assert doc.xpath("//meta[@name='robots']/@content") == ["noindex, nofollow"]
    assert not doc.xpath("//script[@type='application/ld+json']")
    assert not doc.xpath("//link[@rel='canonical']")
