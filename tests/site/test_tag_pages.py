"""/persons/ and person pages, as /topics/ and topic pages are: an index A–Z
with this week's most-mentioned first, and each person's page with their
portrait, role and description when the newsroom gives them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from lxml import html

from dateline.content import services
from dateline.content.models import Article, Person
from dateline.site import tag_pages
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    jpeg_bytes,
    public_row,
    published_article,
)

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

    from dateline.content.models import Photo, Section

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 6, 12, 0, tzinfo=UTC)
# Every way an item in this week's window is still not public.
HIDDEN_KINDS = ["draft", "submitted", "scheduled", "withheld", "canceled", "withdrawn"]


def doc(response: HttpResponse) -> html.HtmlElement:
    assert response.status_code == 200
    return html.fromstring(response.content)


def chips(response: HttpResponse) -> list[str]:
    return [
        a.text.strip() for a in doc(response).xpath("//ul[@class='topic-chips']/li/a")
    ]


def a_to_z(response: HttpResponse) -> list[str]:
    return doc(response).xpath("//ul[@class='topic-index']/li/a/text()")


def feed_headlines(response: HttpResponse) -> list[str]:
    return doc(response).xpath("//a[@class='feed-headline']/text()")


def tag(article: Article, *persons: Person) -> Article:
    services.set_article_tags(article=article, topics=[], persons=persons)
    return article


def hidden_item(kind: str, section: Section, headline: str) -> Article:
    """An item of this week that readers must not see, of the given kind."""
    in_window = NOW - timedelta(days=1)
    if kind == "draft":
        return ArticleFactory(
            section=section, headline=headline, published_at=in_window
        )
    if kind == "submitted":
        return ArticleFactory(
            section=section,
            headline=headline,
            status=Article.Status.SUBMITTED,
            published_at=in_window,
        )
    if kind == "scheduled":
        return public_row(section, NOW + timedelta(hours=1), headline=headline)
    if kind in ("withheld", "canceled"):
        return public_row(section, in_window, headline=headline, pubstatus=kind)
    article = public_row(section, in_window, headline=headline)
    return services.withdraw_article(article=article, actor=None, reason="Wrong.")


def portrait(**fields: Any) -> Photo:
    """A portrait with its renditions, as the newsroom uploads one."""
    return services.create_photo(
        data=jpeg_bytes(800, 1000),
        name="portrait.jpg",
        credit="© Test Agency/Ola Fotograf",
        alt_text="Ines Calder at the Foreign Ministry.",
        **fields,
    )


@time_machine.travel(NOW, tick=False)
def test_persons_index_lists_everyone_a_to_z_with_this_weeks_most_mentioned_first(
    client: Client,
) -> None:
    section = SectionFactory()
    astor, marsh, aurel = (
        PersonFactory(name="Ruben Astor"),
        PersonFactory(name="Elena Marsh"),
        PersonFactory(name="Aurel III"),
    )
    calder = PersonFactory(name="Ines Calder")
    for i in range(3):
        tag(public_row(section, NOW - timedelta(days=1, minutes=i)), astor)
    tag(hidden_item("withdrawn", section, "Killed story"), astor)
    tag(public_row(section, NOW - timedelta(days=2)), marsh, astor)
    tag(public_row(section, NOW - timedelta(days=3)), calder)
    tag(public_row(section, NOW - timedelta(days=40)), aurel)  # last month
    response = client.get("/persons/")
    assert chips(response) == ["Ruben Astor", "Elena Marsh", "Ines Calder"]
    counts = doc(response).xpath("//ul[@class='topic-chips']//span/text()")
    assert counts == ["4 items", "1 item", "1 item"]  # the killed one not counted
    assert a_to_z(response) == [
        "Aurel III",
        "Elena Marsh",
        "Ines Calder",
        "Ruben Astor",
    ]
    page = doc(response)
    assert page.xpath("string(//h1)") == "Persons"
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "http://testserver/persons/"
    ]
    assert "Topic" not in page.xpath("string(//main)")


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
@time_machine.travel(NOW, tick=False)
def test_a_person_with_only_hidden_items_is_not_counted_and_shows_none_of_them(
    client: Client, kind: str
) -> None:
    section = SectionFactory()
    secret = PersonFactory(name="Zora Quiet", slug="zora-quiet")
    tag(hidden_item(kind, section, "Hidden story"), secret)
    index = client.get("/persons/")
    assert chips(index) == []
    assert a_to_z(index) == ["Zora Quiet"]  # a person is public; their items not
    assert "Hidden story" not in index.content.decode()
    page = client.get("/persons/zora-quiet/")
    assert feed_headlines(page) == []
    assert "Hidden story" not in page.content.decode()


@time_machine.travel(NOW, tick=False)
def test_persons_index_has_pages_and_this_week_only_on_the_first(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tag_pages, "TAG_INDEX_PAGE_SIZE", 2)
    section = SectionFactory()
    names = ["Ada Lindqvist", "Elena Marsh", "Hugo Maren", "Ruben Astor"]
    persons = [PersonFactory(name=name) for name in names]
    tag(public_row(section, NOW - timedelta(hours=2)), persons[3])
    first, second = client.get("/persons/"), client.get("/persons/", {"page": 2})
    assert (chips(first), a_to_z(first)) == (["Ruben Astor"], names[:2])
    assert (chips(second), a_to_z(second)) == ([], names[2:])
    pager = doc(second).xpath("//nav[@class='pager']")[0]
    assert pager.get("aria-label") == "Person pages"
    assert pager.xpath("a/@href") == ["?page=1"]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "%00", "9" * 40])
def test_persons_index_survives_bad_page_numbers_as_the_topics_index_does(
    client: Client, page: str
) -> None:
    PersonFactory(name="Only person")
    TopicFactory(name="Only topic")
    persons = client.get("/persons/", {"page": page})
    topics = client.get("/topics/", {"page": page})
    assert persons.status_code == topics.status_code == 200
    assert a_to_z(persons) == ["Only person"]
    assert a_to_z(topics) == ["Only topic"]


@pytest.mark.parametrize(
    "query", [{"page": "999"}, {"page": "abc"}, {"page": "-1"}, {"before": "x"}]
)
def test_a_person_page_answers_odd_page_links_as_a_topic_page_does(
    client: Client, query: dict[str, str]
) -> None:
    section = SectionFactory()
    person, topic = PersonFactory(slug="ines"), TopicFactory(slug="talks")
    article = published_article(section=section, headline="Talks resume")
    services.set_article_tags(article=article, topics=[topic], persons=[person])
    on_person = client.get("/persons/ines/", query)
    on_topic = client.get("/topics/talks/", query)
    assert on_person.status_code == on_topic.status_code < 500
    if on_person.status_code == 200:
        assert feed_headlines(on_person) == feed_headlines(on_topic) == ["Talks resume"]


@pytest.mark.parametrize(
    "url",
    [
        "/persons/nobody/",
        "/persons/Ines-Calder/",
        "/persons/" + "a" * 300 + "/",
        "/persons/ines-calder/extra/",
        "/topics/nope/",
    ],
)
def test_unknown_person_and_topic_slugs_are_the_sites_404(
    client: Client, url: str
) -> None:
    PersonFactory(slug="ines-calder")
    response = client.get(url)
    assert response.status_code == 404
    page = html.fromstring(response.content)
    assert page.xpath("string(//h1)") == "Page not found"
    assert page.xpath("//link[@rel='stylesheet']")  # in the site's style


def test_a_person_page_shows_their_portrait_role_and_description(
    client: Client,
) -> None:
    photo = portrait()
    person = PersonFactory(
        name="Ines Calder",
        slug="ines-calder",
        role="Foreign Minister of Valmora",
        description="A career diplomat.\n\nShe leads the fisheries talks.",
        photo=photo,
    )
    page = doc(client.get(person.get_absolute_url()))
    (header,) = page.xpath("//main//header[contains(@class, 'person-header')]")
    assert "has-portrait" in header.get("class").split()
    assert header.xpath("string(.//h1)") == "Ines Calder"
    assert header.xpath(".//p[@class='page-kind']/a/@href") == ["/persons/"]
    role = header.xpath(".//*[contains(@class, 'person-role')]/text()")
    assert role == ["Foreign Minister of Valmora"]
    assert header.xpath(".//*[@class='person-description']/p/text()") == [
        "A career diplomat.",
        "She leads the fisheries talks.",
    ]
    sizes = "(min-width: 48rem) 9rem, 6rem"
    sources = header.xpath(".//figure[@class='person-portrait']/picture//source")
    assert [s.get("type") for s in sources] == ["image/avif", "image/webp"]
    for source in sources:
        assert source.get("sizes") == sizes
        assert [c.split()[1] for c in source.get("srcset").split(", ")] == [
            "320w", "640w", "800w",
        ]  # fmt: skip
    (img,) = header.xpath(".//figure[@class='person-portrait']//img")
    assert img.get("sizes") == sizes
    assert img.get("srcset").count(".jpg") == 3
    assert (img.get("width"), img.get("height")) == ("800", "1000")
    assert img.get("alt") == "Ines Calder at the Foreign Ministry."
    assert img.get("fetchpriority") == "high"  # the page's main picture
    assert header.xpath("string(.//figcaption)").strip() == photo.credit


@pytest.mark.parametrize(
    ("role", "description"),
    [("", ""), ("Mayor of Arvenna", ""), ("", "Runs the capital.")],
)
def test_a_person_page_without_a_portrait_or_words_shows_no_empty_boxes(
    client: Client, role: str, description: str
) -> None:
    person = PersonFactory(name="Sofia Lanz", role=role, description=description)
    page = doc(client.get(person.get_absolute_url()))
    (header,) = page.xpath("//main//header[contains(@class, 'person-header')]")
    assert "has-portrait" not in header.get("class").split()
    assert not header.xpath(".//figure | .//picture | .//img")
    assert len(header.xpath(".//*[contains(@class, 'person-role')]")) == bool(role)
    assert len(header.xpath(".//*[@class='person-description']")) == bool(description)
    for element in header.iter():
        if element.tag in ("p", "div", "figure"):
            assert element.text_content().strip(), html.tostring(element)
    meta = page.xpath("//meta[@name='description']/@content")[0]
    assert meta.startswith(f"Sofia Lanz{', ' + role if role else ''}: news from")


@pytest.mark.django_db(transaction=True)  # the photo's files go once committed
def test_a_deleted_portrait_leaves_the_person_and_their_page(client: Client) -> None:
    photo = portrait()
    person = PersonFactory(slug="ines", photo=photo)
    assert doc(client.get("/persons/ines/")).xpath("//main//picture")
    services.delete_picture(picture=photo)
    person.refresh_from_db()
    assert person.photo is None
    assert not doc(client.get("/persons/ines/")).xpath("//main//picture")


def test_the_header_links_persons_and_marks_the_index_as_current(
    client: Client,
) -> None:
    for url, current in [("/persons/", "Persons"), ("/topics/", "Topics")]:
        nav = doc(client.get(url)).xpath("//nav[@class='utility-nav']//a")
        marked = [a.text for a in nav if a.get("aria-current") == "page"]
        assert marked == [current], url
        assert ("Persons", "/persons/") in [(a.text, a.get("href")) for a in nav]


@pytest.mark.django_db(transaction=True)  # each change commits, as in the newsroom
def test_this_weeks_persons_are_kept_like_this_weeks_topics_and_never_mixed_up(
    client: Client, django_assert_num_queries
) -> None:
    section = SectionFactory()
    calder, marsh = PersonFactory(name="Ines Calder"), PersonFactory(name="Elena Marsh")
    strike = TopicFactory(name="Harbour strike")
    with time_machine.travel(NOW, tick=False):
        article = public_row(section, NOW - timedelta(days=1))
        services.set_article_tags(article=article, topics=[strike], persons=[calder])
        # Both indexes in one generation and hour: each keeps its own block.
        assert chips(client.get("/topics/")) == ["Harbour strike"]
        assert chips(client.get("/persons/")) == ["Ines Calder"]
        assert chips(client.get("/topics/")) == ["Harbour strike"]
        with django_assert_num_queries(2):  # the A–Z page and its count
            client.get("/persons/")
        with django_assert_num_queries(2):  # the same as the topics index
            client.get("/topics/")
        for i in range(30):  # the week's count is kept, however many there are
            PersonFactory(name=f"Person {i:02}")
        article = public_row(section, NOW - timedelta(hours=1))
        services.set_article_tags(article=article, topics=[], persons=[marsh])
        assert chips(client.get("/persons/")) == ["Elena Marsh", "Ines Calder"]
        with django_assert_num_queries(2):
            client.get("/persons/")
    # Nothing changes, but a week later the window has moved on.
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        assert chips(client.get("/persons/")) == []


def test_person_pages_cost_a_fixed_number_of_queries_with_a_portrait(
    client: Client, django_assert_num_queries
) -> None:
    section = SectionFactory()
    person = PersonFactory(slug="ines", photo=portrait())
    for _ in range(5):
        tag(published_article(section=section), person)
    client.get("/persons/ines/")  # the header's cities and adverts, then cached
    # The person with their portrait, and their items; the header is kept.
    with django_assert_num_queries(2):
        client.get("/persons/ines/")
    assert len(feed_headlines(client.get("/persons/ines/"))) == 5
