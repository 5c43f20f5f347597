"""RSS, Atom and JSON Feed for all news, a section, a topic and a person,
read by feedparser and lxml and checked against the JSON Feed 1.1 schema in
../shared/standards/jsonfeed/."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import feedparser
import jsonschema
import pytest
from lxml import etree
from lxml import html as lxml_html

from dateline.content import services
from dateline.content.models import Article
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Person, Section, Topic

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom", "json"]


@pytest.fixture
def world() -> Section:
    return SectionFactory(name="World", slug="world")


@pytest.fixture
def talks() -> Topic:
    return TopicFactory(name="Fisheries talks", slug="fisheries")


@pytest.fixture
def minister() -> Person:
    return PersonFactory(name="Ines Calder", slug="ines-calder")


@pytest.fixture
def story(world: Section, talks: Topic, minister: Person) -> Article:
    article = published_article(
        section=world,
        headline="Coralia and Valmora agree on fishing quotas",
        lead="The deal ends two years of disputes.",
        body="<p>PORT AZUL, Nov. 20 — The deal was signed at dawn.</p>",
        byline="By Lena Holt",
        lead_photo=PhotoFactory(),
    )
    services.set_article_tags(article=article, topics=[talks], persons=[minister])
    return article


def feed_urls(world: Section, talks: Topic, minister: Person) -> list[str]:
    return [
        f"/feeds/{path}.{fmt}"
        for path in [
            "news",
            f"sections/{world.slug}",
            f"topics/{talks.slug}",
            f"persons/{minister.slug}",
        ]
        for fmt in FORMATS
    ]


def parsed(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    if url.endswith(".json"):
        return json.loads(response.content)
    etree.fromstring(response.content)  # well-formed XML, or this raises
    result = feedparser.parse(response.content)
    assert not result.bozo, (url, result.get("bozo_exception"))
    return result


def titles(client: Client, url: str) -> list[str]:
    document = parsed(client, url)
    if url.endswith(".json"):
        return [item["title"] for item in document["items"]]
    return [entry.title for entry in document.entries]


def test_every_feed_lists_the_item_in_its_three_formats(
    client: Client, story: Article, world: Section, talks: Topic, minister: Person
) -> None:
    other = published_article(headline="Unrelated sport result")
    for url in feed_urls(world, talks, minister):
        found = titles(client, url)
        assert story.headline in found, url
        assert (other.headline in found) is url.startswith("/feeds/news."), url


def test_the_rss_item_carries_photo_credit_byline_categories_and_full_text(
    client: Client, story: Article
) -> None:
    (entry,) = parsed(client, "/feeds/news.rss").entries
    assert entry.link == f"http://testserver{story.get_absolute_url()}"
    assert entry.id == entry.link
    raw = etree.fromstring(client.get("/feeds/news.rss").content)
    assert raw.xpath("//item/guid/@isPermaLink") == ["true"]
    assert entry.author == "Lena Holt"
    assert [tag.term for tag in entry.tags] == ["World", "Fisheries talks"]
    assert entry.summary == story.lead
    assert "The deal was signed at dawn." in entry.content[0].value
    (media,) = entry.media_content
    assert media["url"].startswith("http://testserver/")
    assert media["medium"] == "image"
    assert (media["width"], media["height"]) == ("800", "450")
    assert entry.media_credit[0]["content"] == "© Test Agency/Ola Fotograf"


def test_the_atom_entry_has_its_dates_author_and_content(
    client: Client, story: Article
) -> None:
    document = parsed(client, "/feeds/news.atom")
    (entry,) = document.entries
    assert entry.title == story.headline
    assert entry.author == "Lena Holt"
    assert entry.published_parsed
    assert entry.updated_parsed
    assert "The deal was signed at dawn." in entry.content[0].value
    assert document.feed.links[0].href.startswith("http://testserver/")


def test_json_feeds_follow_the_json_feed_schema(
    client: Client,
    story: Article,
    world: Section,
    talks: Topic,
    minister: Person,
    standards_dir: str,
) -> None:
    path = os.path.join(standards_dir, "jsonfeed", "schema", "schema-v1.1.json")
    with open(path, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    for url in [u for u in feed_urls(world, talks, minister) if u.endswith(".json")]:
        document = parsed(client, url)
        jsonschema.validate(document, schema)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        (item,) = document["items"]
        assert item["authors"] == [{"name": "Lena Holt"}]
        assert item["image"].startswith("http://testserver/")
        assert item["tags"] == ["World", "Fisheries talks"]


def test_hidden_items_never_appear_and_a_withdrawn_one_leaves_at_once(
    client: Client,
    story: Article,
    world: Section,
    talks: Topic,
    minister: Person,
    chief,
) -> None:
    draft = ArticleFactory(section=world, headline="Draft about quotas")
    scheduled = published_article(
        section=world, headline="Scheduled about quotas", ago=-timedelta(hours=2)
    )
    withheld = published_article(section=world, headline="Withheld about quotas")
    Article.objects.filter(pk=withheld.pk).update(pubstatus=Article.PubStatus.WITHHELD)
    for article in (draft, scheduled, withheld):
        services.set_article_tags(article=article, topics=[talks], persons=[minister])
    services.withdraw_article(article=story, actor=chief, reason="Legal")
    for url in feed_urls(world, talks, minister):
        assert titles(client, url) == [], url


def test_unknown_slugs_kinds_and_formats_are_a_404(
    client: Client, world: Section
) -> None:
    for url in [
        "/feeds/sections/nowhere.rss",
        "/feeds/topics/nowhere.atom",
        "/feeds/persons/nobody.json",
        "/feeds/news.xml",
        "/feeds/authors/world.rss",
        f"/feeds/sections/{world.slug}.RSS",
        "/feeds/sections/a.b.rss",
    ]:
        assert client.get(url).status_code == 404, url


def test_a_feed_answers_304_until_it_changes(client: Client, story: Article) -> None:
    for url in ["/feeds/news.rss", "/feeds/news.atom", "/feeds/news.json"]:
        first = client.get(url)
        etag = first["ETag"]
        assert not first.has_header("Last-Modified")
        assert "max-age" in first["Cache-Control"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    etag = client.get("/feeds/news.rss")["ETag"]
    published_article(headline="Fresh news")
    fresh = client.get("/feeds/news.rss", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


def test_text_that_xml_cannot_hold_is_left_out_not_a_server_error(
    client: Client,
) -> None:
    article = published_article(headline="Plain")
    # The newsroom's forms clean this; an import or an old row might not.
    Article.objects.filter(pk=article.pk).update(
        headline="Vertical\x0btab and <b>markup</b> & more"
    )
    for url in ["/feeds/news.rss", "/feeds/news.atom"]:
        assert titles(client, url) == ["Verticaltab and <b>markup</b> & more"]
    assert titles(client, "/feeds/news.json") == [
        "Vertical\x0btab and <b>markup</b> & more"
    ]


def test_a_feed_costs_the_same_queries_whatever_its_length(
    client: Client, world: Section, talks: Topic, django_assert_max_num_queries
) -> None:
    for i in range(3):
        article = published_article(section=world, headline=f"Short {i}")
        services.set_article_tags(article=article, topics=[talks], persons=[])
    client.get("/feeds/topics/fisheries.rss")
    # the topic, its keyset page, the items with section and photo, their topics
    with django_assert_max_num_queries(4):
        client.get("/feeds/topics/fisheries.rss")
    for i in range(30):
        article = published_article(section=world, headline=f"More {i}")
        services.set_article_tags(article=article, topics=[talks], persons=[])
    with django_assert_max_num_queries(4):
        assert len(titles(client, "/feeds/topics/fisheries.rss")) == 30


def test_pages_announce_their_feeds(
    client: Client, story: Article, world: Section, talks: Topic
) -> None:
    def alternates(url: str) -> list[tuple[str, str]]:
        page = lxml_html.fromstring(client.get(url).content)
        return [
            (link.get("type"), link.get("href"))
            for link in page.xpath("//head/link[@rel='alternate']")
        ]

    news = [
        ("application/rss+xml", "/feeds/news.rss"),
        ("application/atom+xml", "/feeds/news.atom"),
        ("application/feed+json", "/feeds/news.json"),
    ]
    assert alternates("/") == news
    footer = lxml_html.fromstring(client.get("/").content).xpath("//footer//a/@href")
    assert "/sitemap.xml" in footer
    assert "/feeds/news.rss" in footer
    assert alternates(story.get_absolute_url()) == news
    assert alternates(f"/{world.slug}/") == [
        ("application/rss+xml", "/feeds/sections/world.rss"),
        ("application/atom+xml", "/feeds/sections/world.atom"),
        ("application/feed+json", "/feeds/sections/world.json"),
        *news,
    ]
    assert alternates(talks.get_absolute_url())[0] == (
        "application/rss+xml",
        "/feeds/topics/fisheries.rss",
    )


# Plain text a reader must see as written, whatever it looks like.
LITERAL_TEXTS = [
    "<svg/onload=alert(1)>",
    "Fish &amp; chips",
    "<b>bold</b> claims",
    '1 < 2 & "3" > 2',
]


def shown_text(value: str) -> str:
    """What a reader shows for an HTML field: its text, after checking that
    it holds no element at all."""
    holder = lxml_html.fragment_fromstring(value, create_parent="div")
    assert [element.tag for element in holder.iterdescendants()] == [], value
    return str(holder.text_content())


@pytest.mark.parametrize("text", LITERAL_TEXTS)
def test_plain_text_in_an_html_field_of_a_feed_is_shown_as_written(
    client: Client, text: str
) -> None:
    desk = SectionFactory(name=f"Desk {text}", slug="desk", description=f"On {text}")
    article = published_article(
        section=desk,
        headline=f"Headline {text}",
        lead=f"Lead {text}",
        byline=f"By Lena {text}",
        body="<p>The body is HTML.</p>",
        lead_photo=PhotoFactory(caption=f"Caption {text}", credit=f"Credit {text}"),
    )
    for fmt in ("rss", "atom"):
        document = parsed(client, f"/feeds/sections/desk.{fmt}")
        (entry,) = document.entries
        # HTML fields: the text, and no element.
        assert entry.summary_detail.type == "text/html"
        assert shown_text(entry.summary) == f"Lead {text}"
        if fmt == "rss":
            assert document.feed.subtitle_detail.type == "text/html"
            assert shown_text(document.feed.subtitle) == f"On {text}"
        else:
            assert document.feed.subtitle == f"On {text}"
        # Plain-text fields: the text as it is.
        assert entry.title == f"Headline {text}"
        assert entry.author == f"Lena {text}"
        assert entry.tags[0].term == f"Desk {text}"
        # The body is the one thing passed as HTML.
        (content,) = entry.content
        body = lxml_html.fragment_fromstring(content.value, create_parent="div")
        assert body.xpath("./p/text()") == ["The body is HTML."]
    raw = etree.fromstring(client.get("/feeds/sections/desk.rss").content)
    namespaces = {"media": "http://search.yahoo.com/mrss/"}
    (caption,) = raw.xpath("//media:description", namespaces=namespaces)
    assert caption.get("type") == "html"
    assert shown_text(caption.text) == f"Caption {text}"
    (credit,) = raw.xpath("//media:credit/text()", namespaces=namespaces)
    assert credit == f"Credit {text}"
    (item,) = parsed(client, "/feeds/sections/desk.json")["items"]
    # JSON Feed: title and summary are plain text; content_html the body.
    assert item["summary"] == article.lead
    assert item["title"] == article.headline
    assert item["content_html"] == article.body
