"""NewsArticle structured data, checked against schema.org 30.0 and the checklist
in ../shared/standards/schema-org/newsarticle-checklist.md."""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

import extruct
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from dateline.content import services
from dateline.syndication.jsonld import script_json
from tests.factories import (
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

    from dateline.content.models import Article

pytestmark = pytest.mark.django_db

ANCESTORS = {
    "schema:NewsArticle",
    "schema:Article",
    "schema:CreativeWork",
    "schema:Thing",
}


def _ids(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {item["@id"] for item in items if isinstance(item, dict)}


@pytest.fixture
def vocabulary(standards_dir: str) -> dict[str, set[str]]:
    """property name → the classes it may be used on."""
    path = os.path.join(
        standards_dir, "schema-org", "vocabulary", "schemaorg-current-https.jsonld"
    )
    with open(path, encoding="utf-8") as handle:
        graph = json.load(handle)["@graph"]
    return {
        node["@id"].removeprefix("schema:"): _ids(node.get("schema:domainIncludes", []))
        for node in graph
        if node.get("@type") == "rdf:Property"
    }


@pytest.fixture
def article(editor: User) -> Article:
    item = published_article(
        section=SectionFactory(name="Business & Economy", slug="economy"),
        headline="National Bank holds its key rate",
        lead="Inflation eased for a third month.",
        byline="By Petra Nylund",
        dateline_place="Arvenna",
        lead_photo=PhotoFactory(),
    )
    services.set_article_tags(
        article=item,
        topics=[TopicFactory(name="Interest rates")],
        persons=[PersonFactory(name="Mira Solberg")],
    )
    services.save_article(
        article=item, actor=editor, correction_note="Corrected the rate."
    )
    item.refresh_from_db()
    return item


def extract(client: Client, article: Article) -> tuple[dict[str, Any], str]:
    response = client.get(article.get_absolute_url())
    text = response.content.decode()
    data = extruct.extract(
        text,
        base_url="http://testserver/",
        syntaxes=["json-ld", "microdata"],
        uniform=True,
    )
    news = [d for d in data["json-ld"] if d.get("@type") == "NewsArticle"]
    assert len(news) == 1, "exactly one NewsArticle on the page"
    assert not data["microdata"]
    return news[0], text


def test_every_emitted_property_exists_on_news_article_or_its_ancestors(
    client: Client, article: Article, vocabulary: dict[str, set[str]]
) -> None:
    data, _ = extract(client, article)
    for prop in data:
        if prop.startswith("@"):
            continue
        assert prop in vocabulary, f"{prop} is not a schema.org property"
        assert vocabulary[prop] & ANCESTORS, (
            f"{prop} is not used on NewsArticle or its ancestors"
        )


def test_fields_match_what_the_page_shows(client: Client, article: Article) -> None:
    from lxml import html

    data, text = extract(client, article)
    doc = html.fromstring(text)
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == doc.xpath("string(//h1)")
    assert data["description"] == doc.xpath("string(//p[@class='article-lead'])")
    shown_time = doc.xpath("//p[@class='article-meta']/time/@datetime")[0]
    assert datetime.fromisoformat(data["datePublished"]) == datetime.fromisoformat(
        shown_time
    )
    assert data["author"] == [{"@type": "Person", "name": "Petra Nylund"}]
    assert data["articleSection"] == "Business & Economy"
    assert data["dateline"].startswith("ARVENNA, ")
    assert data["about"][0]["name"] == "Interest rates"
    assert (
        data["about"][0]["url"]
        == "http://testserver/topics/" + article.topics.get().slug + "/"
    )
    assert data["mentions"][0]["name"] == "Mira Solberg"


def test_dates_carry_an_offset_and_modified_follows_the_correction(
    client: Client, article: Article
) -> None:
    data, _ = extract(client, article)
    published = datetime.fromisoformat(data["datePublished"])
    modified = datetime.fromisoformat(data["dateModified"])
    assert published.utcoffset() is not None
    assert modified.utcoffset() is not None
    assert modified > published
    assert modified == article.corrections.get().created_at.replace(microsecond=0)


def test_image_and_publisher_logo_are_described(
    client: Client, article: Article
) -> None:
    data, _ = extract(client, article)
    image = data["image"][0]
    assert image["@type"] == "ImageObject"
    assert image["url"].startswith("http://testserver/media/")
    assert image["width"] * image["height"] >= 50_000
    assert image["creditText"] == article.lead_photo.credit
    publisher = data["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert publisher["logo"]["url"].endswith(".png")
    from django.contrib.staticfiles import finders

    assert finders.find(
        publisher["logo"]["url"].removeprefix("http://testserver/static/")
    )


def test_without_a_byline_the_agency_is_the_author(client: Client) -> None:
    item = published_article(byline="")
    data, _ = extract(client, item)
    assert data["author"][0]["@type"] == "Organization"


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client: Client) -> None:
    item = published_article(headline="</script><script>alert(1)</script>")
    data, text = extract(client, item)
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in text


def test_script_json_leaves_no_character_that_could_end_the_script() -> None:
    data = {"headline": "</script><!-- a & b -->", "about": [{"name": "<>&"}]}
    text = script_json(data)
    assert not set(text) & set("<>&")
    assert json.loads(text) == data


def json_ld(client: Client, url: str) -> list[dict[str, Any]]:
    text = client.get(url).content.decode()
    found = extruct.extract(
        text, base_url="http://testserver/", syntaxes=["json-ld"], uniform=True
    )["json-ld"]
    return list(found)


def of_type(blocks: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (found,) = [block for block in blocks if block.get("@type") == kind]
    return found


def assert_known_properties(
    node: dict[str, Any], classes: set[str], vocabulary: dict[str, set[str]]
) -> None:
    for prop in node:
        if prop.startswith("@") or prop == "query-input":
            continue  # query-input is Google's annotation of SearchAction
        assert prop in vocabulary, f"{prop} is not a schema.org property"
        assert vocabulary[prop] & classes, f"{prop} is not used on {classes}"


def test_the_home_page_describes_the_site_its_search_and_its_publisher(
    client: Client, vocabulary: dict[str, set[str]]
) -> None:
    blocks = json_ld(client, "/")
    site = of_type(blocks, "WebSite")
    assert site["url"] == "http://testserver/"
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    assert template == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert (
        client.get(template.replace("{search_term_string}", "quotas")).status_code
        == 200
    )
    assert_known_properties(
        site, {"schema:WebSite", "schema:CreativeWork", "schema:Thing"}, vocabulary
    )
    organization = of_type(blocks, "NewsMediaOrganization")
    logo = organization["logo"]["url"]
    assert logo.startswith("http://testserver/static/")
    assert finders.find(logo.removeprefix("http://testserver/static/"))


def test_article_section_topic_and_person_pages_carry_breadcrumbs(
    client: Client, article: Article, vocabulary: dict[str, set[str]]
) -> None:
    topic = article.topics.get()
    person = article.persons.get()
    expected = {
        article.get_absolute_url(): ["Business & Economy", article.headline],
        "/economy/": ["Business & Economy"],
        topic.get_absolute_url(): ["Topics", topic.name],
        person.get_absolute_url(): ["Persons", person.name],
    }
    for url, names in expected.items():
        trail = of_type(json_ld(client, url), "BreadcrumbList")
        steps = trail["itemListElement"]
        assert [step["position"] for step in steps] == list(range(1, len(names) + 2))
        assert [step["name"] for step in steps] == [
            settings.DATELINE_AGENCY_NAME,
            *names,
        ]
        assert steps[-1]["item"] == f"http://testserver{url}"
        for step in steps:
            assert client.get(step["item"]).status_code == 200, step
            assert_known_properties(
                step,
                {"schema:ListItem", "schema:Intangible", "schema:Thing"},
                vocabulary,
            )
