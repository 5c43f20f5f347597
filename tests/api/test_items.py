"""The public API: items as IPTC ninjs 3.1 (validated against the standard's
schema in ../shared/standards/ninjs/), filters, cursors, ETags and problem
documents."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
from django.utils import timezone
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

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

    from dateline.content.models import Section

pytestmark = pytest.mark.django_db

GEOJSON = "https://geojson.org/schema/GeoJSON.json"


@pytest.fixture
def ninjs_validator(standards_dir: str) -> Any:
    folder = os.path.join(standards_dir, "ninjs")
    with open(
        os.path.join(folder, "schemas", "ninjs-schema_3.1.json"), encoding="utf-8"
    ) as f:
        schema = json.load(f)
    with open(
        os.path.join(folder, "test_suite", "GeoJSON-schema.json"), encoding="utf-8"
    ) as f:
        geojson = Resource.from_contents(json.load(f), default_specification=DRAFT7)
    registry = Registry().with_resources([(GEOJSON, geojson), (GEOJSON + "#", geojson)])
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(
        schema, registry=registry, format_checker=validator_class.FORMAT_CHECKER
    )


@pytest.fixture
def world() -> Section:
    return SectionFactory(name="World", slug="world")


@pytest.fixture
def story(world: Section) -> Article:
    article = published_article(
        section=world,
        headline="Coralia and Valmora agree on fishing quotas",
        lead="The deal ends two years of disputes.",
        byline="By Lena Holt",
        dateline_place="Port Azul",
        lead_photo=PhotoFactory(),
        urgency=2,
    )
    services.set_article_tags(
        article=article,
        topics=[TopicFactory(name="Fisheries talks", slug="fisheries")],
        persons=[PersonFactory(name="Ines Calder", slug="ines-calder")],
    )
    return article


def get(client: Client, url: str, **headers: str) -> tuple[int, Any, Any]:
    response = client.get(url, **headers)
    is_json = "json" in response.get("Content-Type", "")
    body = json.loads(response.content) if response.content and is_json else None
    return response.status_code, body, response


def test_every_item_is_valid_ninjs_with_what_the_item_has(
    client: Client, story: Article, ninjs_validator: Any
) -> None:
    published_article(headline="A bare item", lead="", byline="")
    status, body, _ = get(client, "/api/v1/items")
    assert status == 200
    assert len(body["items"]) == 2
    for item in body["items"]:
        ninjs_validator.validate(item)
    status, item, _ = get(client, f"/api/v1/items/{story.pk}")
    assert status == 200
    ninjs_validator.validate(item)
    assert item["uri"] == f"http://testserver{story.get_absolute_url()}"
    assert item["headlines"] == [{"role": "main", "value": story.headline}]
    assert item["descriptions"] == [{"role": "summary", "value": story.lead}]
    assert item["bodies"][0]["contentType"] == "text/html"
    assert item["by"] == "By Lena Holt"
    assert item["located"] == "Port Azul"
    assert item["urgency"] == 2
    assert [s["name"] for s in item["subjects"]] == ["World", "Fisheries talks"]
    assert item["people"][0]["name"] == "Ines Calder"
    (photo,) = item["associations"]
    assert photo["type"] == "picture"
    assert photo["by"] == "© Test Agency/Ola Fotograf"
    assert photo["renditions"][0]["width"] == 800


def test_filters_narrow_the_list(
    client: Client, story: Article, world: Section
) -> None:
    other = published_article(headline="Sport result", urgency=5, ago=timedelta(days=3))

    def headlines(query: str) -> list[str]:
        status, body, _ = get(client, f"/api/v1/items?{query}")
        assert status == 200, (query, body)
        return [item["headlines"][0]["value"] for item in body["items"]]

    assert headlines("section=world") == [story.headline]
    assert headlines(f"section=world&section={other.section.slug}") == [
        story.headline,
        other.headline,
    ]
    assert headlines("topic=fisheries") == [story.headline]
    assert headlines("person=ines-calder") == [story.headline]
    assert headlines("topic=fisheries&person=ines-calder") == [story.headline]
    assert headlines("urgency=2") == [story.headline]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert headlines(f"since={since.replace('+', '%2B')}") == [story.headline]
    assert headlines(f"until={since.replace('+', '%2B')}") == [other.headline]


def test_cursor_pages_follow_one_another_without_gaps(
    client: Client, world: Section
) -> None:
    made = [published_article(section=world, headline=f"Item {n}") for n in range(5)]
    seen: list[str] = []
    url = "/api/v1/items?limit=2&section=world"
    while url:
        status, body, _ = get(client, url)
        assert status == 200
        seen += [item["uri"] for item in body["items"]]
        url = body["next"].removeprefix("http://testserver") if body["next"] else ""
    assert sorted(seen) == sorted(
        f"http://testserver{a.get_absolute_url()}" for a in made
    )
    assert len(seen) == len(set(seen)) == 5


def test_hidden_items_are_never_reachable(
    client: Client, story: Article, world: Section, chief
) -> None:
    draft = ArticleFactory(section=world)
    scheduled = published_article(section=world, ago=-timedelta(hours=1))
    withheld = published_article(section=world)
    Article.objects.filter(pk=withheld.pk).update(pubstatus=Article.PubStatus.WITHHELD)
    services.withdraw_article(article=story, actor=chief, reason="Legal")
    for article in (draft, scheduled, withheld, story):
        status, body, response = get(client, f"/api/v1/items/{article.pk}")
        assert status == 404
        assert response["Content-Type"] == "application/problem+json"
        assert body["status"] == 404
    _, body, _ = get(client, "/api/v1/items?section=world")
    assert body["items"] == []


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 422),
        ("limit=101", 422),
        ("limit=abc", 422),
        ("urgency=0", 422),
        ("urgency=10", 422),
        ("since=yesterday", 422),
        # Schema-valid date-times that UTC cannot hold: refused as a 400,
        # which schemathesis counts as accepting schema-valid input.
        ("since=0001-01-01T00:00:00%2B05:00", 400),
        ("until=9999-12-31T23:00:00-05:00", 400),
        ("since=0001-01-01T00:00:00.0%2B02:00&until=2000-04-01T03:00:01Z", 400),
        ("cursor=forged", 400),
        ("cursor=" + "x" * 300, 422),
        ("section=nowhere", 400),
        ("topic=nowhere", 400),
        ("person=nobody", 400),
        ("q=", 400),
        ("q=-alone", 400),
        ("q=talks&cursor=forged", 400),
        ("q=" + "w" * 600, 422),
        ("&".join(f"section=s{n}" for n in range(30)), 400),
        ("colour=red", 400),
        ("sections=world", 400),
        ("&".join(f"x{n}=1" for n in range(1500)), 400),
        ("junk=" + "z" * 10_000, 400),
    ],
)
def test_bad_parameters_are_a_problem_document(
    client: Client, story: Article, query: str, status: int
) -> None:
    code, body, response = get(client, f"/api/v1/items?{query}")
    assert code == status
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/items",
        "/api/v1/items/0",
        "/api/v1/items/99999999999999999999",
        "/api/v1/items/abc",
        "/api/v1/nothing",
    ],
)
def test_unknown_paths_and_ids_are_a_4xx_problem(client: Client, path: str) -> None:
    status, body, response = get(client, path)
    assert 400 <= status < 500
    assert response["Content-Type"] == "application/problem+json"
    assert body["status"] == status


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_methods_are_a_405_problem(client: Client, method: str) -> None:
    response = getattr(client, method)("/api/v1/items")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert "GET" in response["Allow"]


def test_lists_answer_304_while_unchanged(client: Client, story: Article) -> None:
    for url in [
        "/api/v1/items",
        "/api/v1/sections",
        "/api/v1/topics",
        "/api/v1/persons",
        "/api/v1/most-read/today",
    ]:
        _, _, first = get(client, url)
        assert first.status_code == 200, url
        status, _, _ = get(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert status == 304, url
    _, _, before = get(client, "/api/v1/items")
    published_article(headline="Fresh")
    status, _, _ = get(client, "/api/v1/items", HTTP_IF_NONE_MATCH=before["ETag"])
    assert status == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/sections?page=2",
        "/api/v1/topics?colour=red",
        "/api/v1/persons?limit=5",
        "/api/v1/most-read/now?x=1",
        "/api/v1/items/1?fields=all",
    ],
)
def test_every_operation_refuses_parameters_it_does_not_take(
    client: Client, story: Article, url: str
) -> None:
    status, body, response = get(client, url)
    assert status == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "Unknown query parameter" in body["detail"]


def test_sections_topics_and_persons_link_to_their_items(
    client: Client, story: Article
) -> None:
    _, sections, _ = get(client, "/api/v1/sections")
    (world,) = sections["items"]
    assert world["slug"] == "world"
    status, body, _ = get(client, world["items"].removeprefix("http://testserver"))
    assert status == 200
    assert len(body["items"]) == 1
    _, topics, _ = get(client, "/api/v1/topics")
    assert [t["slug"] for t in topics["items"]] == ["fisheries"]
    assert get(client, "/api/v1/topics?cursor=forged")[0] == 400


def test_the_openapi_document_describes_every_operation(client: Client) -> None:
    status, document, _ = get(client, "/api/v1/openapi.json")
    assert status == 200
    assert document["openapi"].startswith("3.")
    operations = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert operations == {
        "list_articles",
        "retrieve_article",
        "list_sections",
        "list_topics",
        "list_persons",
        "list_most_read",
    }
    assert client.get("/api/v1/docs").status_code == 200


def test_q_searches_through_the_search_index_with_cursors(
    client: Client, story: Article, world: Section
) -> None:
    matches = [
        published_article(
            section=world, headline=f"Quota talks round {n}", ago=timedelta(minutes=n)
        )
        for n in range(3)
    ]
    published_article(section=world, headline="Unrelated weather")
    draft = ArticleFactory(section=world, headline="Quota draft")
    seen: list[str] = []
    url = "/api/v1/items?q=quota&limit=2"
    while url:
        status, body, _ = get(client, url)
        assert status == 200, body
        seen += [item["headlines"][0]["value"] for item in body["items"]]
        url = body["next"].removeprefix("http://testserver") if body["next"] else ""
    assert seen == [a.headline for a in matches] + [story.headline]
    assert draft.headline not in seen
    _, body, _ = get(client, "/api/v1/items?q=quota&topic=fisheries")
    assert [i["headlines"][0]["value"] for i in body["items"]] == [story.headline]
    _, body, _ = get(client, "/api/v1/items?q=quota&urgency=2")
    assert [i["headlines"][0]["value"] for i in body["items"]] == [story.headline]


def test_most_read_lists_what_readers_read(client: Client, story: Article) -> None:
    from dateline.popularity.counters import get_counter
    from dateline.popularity.services import record_view

    for reader in range(3):
        record_view(
            article_id=story.pk,
            address=f"203.0.113.{reader}",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        )
    get_counter().flush()
    status, body, _ = get(client, "/api/v1/most-read/today")
    assert status == 200
    assert body["window"] == "today"
    assert [(i["headline"], i["views"]) for i in body["items"]] == [
        (story.headline, 3.0)
    ]


def test_the_list_costs_the_same_queries_whatever_its_length(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    get(client, "/api/v1/items")
    # the keyset page, the items with section and photo, their topics and persons
    with django_assert_num_queries(3):
        status, body, _ = get(client, "/api/v1/items")
    assert (status, len(body["items"])) == (200, 1)
    for i in range(30):
        article = published_article(headline=f"More {i}")
        services.set_article_tags(
            article=article,
            topics=[TopicFactory(name=f"Topic {i}", slug=f"topic-{i}")],
            persons=[PersonFactory(name=f"Person {i}", slug=f"person-{i}")],
        )
    with django_assert_num_queries(3):
        status, body, _ = get(client, "/api/v1/items?limit=25")
    assert (status, len(body["items"])) == (200, 25)
    assert body["items"][0]["subjects"][-1]["name"] == "Topic 29"
    assert body["items"][0]["people"][0]["name"] == "Person 29"
