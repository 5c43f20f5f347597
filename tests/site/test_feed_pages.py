"""/news/, section, topic, person and topics pages as a reader gets them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.models import Article, TopStory
from dateline.feed.filters import COOKIE_NAME
from dateline.site import tag_pages, views
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    public_row,
    published_article,
)

if TYPE_CHECKING:
    from django.http import HttpResponse
    from django.test import Client

    from dateline.content.models import Section

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 9, 6, 12, 0, tzinfo=UTC)


def doc(response: HttpResponse) -> html.HtmlElement:
    return html.fromstring(response.content)


def feed_headlines(response: HttpResponse) -> list[str]:
    assert response.status_code == 200
    return [
        a.text_content() for a in doc(response).xpath("//a[@class='feed-headline']")
    ]


def more_url(response: HttpResponse) -> str | None:
    links = doc(response).xpath("//a[@data-feed-more]/@href")
    return links[0] if links else None


@pytest.fixture
def desks() -> dict[str, Section]:
    return {
        "world": SectionFactory(name="World", slug="world"),
        "sport": SectionFactory(name="Sport", slug="sport"),
        "economy": SectionFactory(name="Economy", slug="economy"),
    }


@time_machine.travel(NOW, tick=False)
def test_all_news_shows_every_public_item_under_date_headers(
    client: Client, desks: dict[str, Section]
) -> None:
    public_row(
        desks["world"],
        NOW - timedelta(hours=1),
        headline="Today's story",
        dateline_place="Port Seline",
        urgency=1,
    )
    public_row(desks["sport"], NOW - timedelta(days=1), headline="Yesterday's story")
    ArticleFactory(section=desks["world"], headline="A draft")
    page = doc(client.get("/news/"))
    assert [h.text_content() for h in page.xpath("//h2[@class='feed-date']")] == [
        "September 06",
        "September 05",
    ]
    row = page.xpath("//li[contains(@class, 'feed-item')]")[0]
    assert "is-flash" in row.get("class")
    assert row.xpath("string(.//time)") == "14:00"  # Europe/Helsinki, UTC+3
    assert row.xpath("string(.//time/@datetime)") == "2026-09-06T14:00:00+03:00"
    assert row.xpath("string(.//*[@class='feed-flag'])") == "Flash"
    assert row.xpath("string(.//a[@class='feed-section'])") == "World"
    assert row.xpath("string(.//*[@class='feed-place'])") == "PORT SELINE"
    assert "A draft" not in page.text_content()


def test_updated_items_say_so_in_the_feed(
    client: Client, desks: dict[str, Section]
) -> None:
    article = published_article(section=desks["world"], ago=timedelta(hours=3))
    article.headline = "A corrected headline"
    services.save_article(article=article, actor=None)
    rows = doc(client.get("/news/")).xpath("//li[contains(@class, 'feed-item')]")
    assert rows[0].xpath("string(.//*[@class='feed-updated'])") == "updated"


def test_more_news_pages_through_everything_without_javascript(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "FEED_PAGE_SIZE", 4)
    same = timezone.now() - timedelta(hours=2)
    items = [public_row(desks["world"], same) for _ in range(6)]
    items += [public_row(desks["sport"], same - timedelta(minutes=i)) for i in range(5)]
    seen: list[str] = []
    url: str | None = "/news/"
    pages = 0
    while url:
        response = client.get(url)
        seen += feed_headlines(response)
        url = more_url(response)
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(a.headline for a in items)
    assert len(seen) == len(set(seen))


def test_a_deeper_page_offers_the_way_back_and_is_not_indexed(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "FEED_PAGE_SIZE", 2)
    for i in range(3):
        published_article(section=desks["world"], ago=timedelta(minutes=i + 1))
    first = client.get("/news/")
    assert not doc(first).xpath("//meta[@name='robots']")
    second = doc(client.get(more_url(first)))
    assert second.xpath("//a[text()='Back to the latest news']/@href") == ["/news/"]
    assert second.xpath("//meta[@name='robots']/@content") == ["noindex, follow"]
    assert second.xpath("//link[@rel='canonical']/@href") == ["http://testserver/news/"]


@time_machine.travel(NOW, tick=False)
def test_the_script_gets_only_the_next_rows_and_a_continued_day_is_marked(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "FEED_PAGE_SIZE", 2)
    for minutes in (10, 20, 30, 40):
        public_row(desks["world"], NOW - timedelta(minutes=minutes))
    public_row(desks["world"], NOW - timedelta(days=1))
    first = client.get("/news/")
    fragment = client.get(more_url(first) + "&partial=1")
    assert fragment.status_code == 200
    assert fragment["X-Robots-Tag"] == "noindex"
    text = fragment.content.decode()
    assert "<html" not in text
    assert "site-header" not in text
    chunk = html.fragment_fromstring(text, create_parent="div")
    days = chunk.xpath("//section[@class='feed-day']")
    assert days[0].get("data-day") == "2026-09-06"
    assert days[0].get("data-continued") is not None
    assert len(chunk.xpath("//li[contains(@class, 'feed-item')]")) == 2
    # The chunk says which page it is, for the address bar.
    url = chunk.xpath("//div[@data-feed-chunk]/@data-url")[0]
    assert url.startswith("/news/?before=")
    assert "partial" not in url
    assert chunk.xpath("//a[@data-feed-more]")


def test_the_script_is_loaded_and_the_feed_works_without_it(
    client: Client, desks: dict[str, Section]
) -> None:
    published_article(section=desks["world"])
    page = doc(client.get("/news/"))
    assert page.xpath("//script[contains(@src, 'site/js/feed.js')]/@defer")
    assert page.xpath("//form[@method='get']//input[@type='checkbox']")


@pytest.mark.parametrize(
    "before",
    [
        "abc",
        "1.2.3",
        "66103fc40cd5e.37.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%00",
        "x" * 5000,
        "",
    ],
)
@pytest.mark.parametrize("path", ["/news/", "/world/", "/topics/t/", "/persons/p/"])
def test_a_damaged_or_forged_cursor_is_a_400_that_says_so(
    client: Client, desks: dict[str, Section], before: str, path: str
) -> None:
    TopicFactory(slug="t")
    PersonFactory(slug="p")
    response = client.get(path, {"before": before})
    assert response.status_code == 400
    page = doc(response)
    assert page.xpath("string(//h1)") == "This link to older news is not valid"
    assert page.xpath("//main//a[text()='Go to the latest news']/@href") == [path]


def test_the_section_filter_is_shareable_and_remembered(
    client: Client, desks: dict[str, Section]
) -> None:
    for slug in ("world", "sport", "economy"):
        published_article(section=desks[slug], headline=f"{slug} story")
    response = client.get("/news/?sections=world,sport")
    assert sorted(feed_headlines(response)) == ["sport story", "world story"]
    assert response.cookies[COOKIE_NAME].value == "world.sport"
    assert response.cookies[COOKIE_NAME]["samesite"] == "Lax"
    assert "Cookie" in response["Vary"]
    checked = doc(response).xpath("//input[@type='checkbox' and @checked]/@value")
    assert checked == ["world", "sport"]

    # The next visit without parameters shows the same choice.
    again = client.get("/news/")
    assert sorted(feed_headlines(again)) == ["sport story", "world story"]
    assert COOKIE_NAME not in again.cookies  # nothing new to remember

    # The form as a browser sends it: a hidden empty value, then the boxes.
    form = client.get("/news/", {"sections": ["", "economy"]})
    assert feed_headlines(form) == ["economy story"]
    assert client.cookies[COOKIE_NAME].value == "economy"

    # One click resets it.
    reset_link = doc(form).xpath("//a[text()='Show all sections']/@href")[0]
    reset = client.get(reset_link)
    assert len(feed_headlines(reset)) == 3
    assert reset.cookies[COOKIE_NAME].value == ""  # deleted
    assert len(feed_headlines(client.get("/news/"))) == 3


def test_the_filter_carries_into_more_news(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "FEED_PAGE_SIZE", 1)
    for i in range(2):
        published_article(section=desks["world"], ago=timedelta(minutes=i + 1))
        published_article(section=desks["sport"], ago=timedelta(minutes=i + 1))
    first = client.get("/news/?sections=sport")
    url = more_url(first)
    assert "sections=sport" in url
    assert "Sport" in "".join(
        doc(client.get(url)).xpath("//a[@class='feed-section']/text()")
    )


def test_unknown_sections_are_ignored_and_the_page_says_so(
    client: Client, desks: dict[str, Section]
) -> None:
    published_article(section=desks["world"], headline="world story")
    published_article(section=desks["sport"], headline="sport story")
    response = client.get("/news/?sections=world,gardening")
    assert feed_headlines(response) == ["world story"]
    notice = doc(response).xpath("string(//div[@class='notice'])")
    assert "There is no section called “gardening”" in notice

    # Nothing known at all: every section, a notice, and the cookie untouched.
    client.cookies[COOKIE_NAME] = "sport"
    response = client.get("/news/?sections=<b>nope</b>")
    assert len(feed_headlines(response)) == 2
    assert b"<b>nope</b>" not in response.content
    assert COOKIE_NAME not in response.cookies


def test_an_oversized_filter_is_bounded_and_said(
    client: Client, desks: dict[str, Section]
) -> None:
    published_article(section=desks["world"], headline="world story")
    response = client.get("/news/", {"sections": "world," + "x," * 20_000})
    assert feed_headlines(response) == ["world story"]
    assert "only its first part was used" in doc(response).text_content()


def test_a_damaged_cookie_shows_all_news(
    client: Client, desks: dict[str, Section]
) -> None:
    published_article(section=desks["world"])
    client.cookies[COOKIE_NAME] = "\x7f" * 3000
    assert len(feed_headlines(client.get("/news/"))) == 1


@pytest.mark.parametrize("size", [2, 10, 30])
def test_feed_pages_cost_the_same_queries_whatever_their_size(
    client: Client,
    desks: dict[str, Section],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries,
    size: int,
) -> None:
    monkeypatch.setattr(views, "FEED_PAGE_SIZE", size)
    topic, person = TopicFactory(slug="t"), PersonFactory(slug="p")
    for i in range(35):
        article = public_row(desks["world"], timezone.now() - timedelta(minutes=i))
        services.set_article_tags(article=article, topics=[topic], persons=[person])
    first = client.get("/news/")
    deeper = more_url(first)
    client.get("/world/")  # makes its TOP STORIES, kept with the generation
    with django_assert_num_queries(2):  # sections, rows
        client.get("/news/")
    with django_assert_num_queries(2):
        client.get(deeper)
    with django_assert_num_queries(2):
        client.get("/news/?sections=world,sport")
    # sections, rows (TOP STORIES are kept with the generation, as the header)
    with django_assert_num_queries(2):
        client.get("/world/")
    with django_assert_num_queries(2):  # a deeper section page has no TOP STORIES
        client.get("/world/?" + deeper.split("?")[1])
    # topic, rows (the header's sections are kept with the header)
    with django_assert_num_queries(2):
        client.get("/topics/t/")
    with django_assert_num_queries(2):
        client.get("/persons/p/")


@pytest.mark.parametrize("extra_sections", [0, 6])
def test_home_costs_the_same_queries_whatever_the_number_of_sections(
    client: Client,
    desks: dict[str, Section],
    django_assert_num_queries,
    extra_sections: int,
) -> None:
    for i in range(extra_sections):
        desk = SectionFactory(name=f"Desk {i}", slug=f"desk-{i}")
        public_row(desk, timezone.now() - timedelta(minutes=i))
    for i in range(10):
        public_row(desks["world"], timezone.now() - timedelta(minutes=i))
    client.get("/")
    # sections, news feed (TOP STORIES, the section blocks, the Photo and
    # Infographics blocks are kept with the generation)
    with django_assert_num_queries(2):
        client.get("/")


def test_each_home_block_holds_its_sections_newest_public_items(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "HOME_PER_SECTION", 2)
    for i, headline in enumerate(["w newest", "w second", "w third"]):
        published_article(
            section=desks["world"], headline=headline, ago=timedelta(hours=i + 1)
        )
    published_article(section=desks["sport"], headline="s only")
    ArticleFactory(section=desks["sport"], headline="s draft")
    published_article(
        section=desks["sport"], headline="s scheduled", ago=-timedelta(hours=1)
    )
    page = doc(client.get("/"))
    blocks = {
        block.xpath("string(h2)"): [
            h.text_content() for h in block.xpath(".//*[@class='item-headline']")
        ]
        for block in page.xpath("//section[@class='home-section']")
    }
    assert blocks == {"World": ["w newest", "w second"], "Sport": ["s only"]}


# Committed for real: TOP STORIES are kept with the site's generation, which
# a commit changes.
@pytest.mark.django_db(transaction=True)
def test_section_page_is_headed_by_its_top_stories(
    client: Client, desks: dict[str, Section]
) -> None:
    world = desks["world"]
    routine = published_article(section=world, headline="Routine", urgency=5)
    urgent = published_article(
        section=world, headline="Urgent one", urgency=2, ago=timedelta(hours=2)
    )
    published_article(section=desks["sport"], headline="Sport urgent", urgency=1)
    top = doc(client.get("/world/")).xpath(
        "//section[@class='top-stories']//h3/a/text()"
    )
    assert top == ["Urgent one"]  # no slots yet: the section's latest urgent items

    TopStory.objects.create(section=world, article=routine, position=1)
    TopStory.objects.create(section=world, article=urgent, position=2)
    top = doc(client.get("/world/")).xpath(
        "//section[@class='top-stories']//h3/a/text()"
    )
    assert top == ["Routine", "Urgent one"]


def test_topic_and_person_pages_list_their_items_through_more_news(
    client: Client, desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tag_pages, "FEED_PAGE_SIZE", 2)
    topic, person = TopicFactory(slug="talks"), PersonFactory(slug="ines")
    tagged = []
    for i in range(5):
        article = published_article(
            section=desks["world"], ago=timedelta(minutes=i + 1)
        )
        services.set_article_tags(article=article, topics=[topic], persons=[person])
        tagged.append(article.headline)
    published_article(section=desks["world"], headline="Untagged")
    for path in ("/topics/talks/", "/persons/ines/"):
        seen: list[str] = []
        url: str | None = path
        while url:
            response = client.get(url)
            seen += feed_headlines(response)
            url = more_url(response)
        assert seen == tagged


@time_machine.travel(NOW, tick=False)
def test_topics_index_puts_this_weeks_topics_first(client: Client) -> None:
    section = SectionFactory()
    busy, quiet, old = (
        TopicFactory(name="Harbour strike"),
        TopicFactory(name="Budget"),
        TopicFactory(name="Archive affair"),
    )
    hidden_only = TopicFactory(name="Secret plans")
    for i in range(3):
        article = public_row(section, NOW - timedelta(days=1, minutes=i))
        services.set_article_tags(article=article, topics=[busy], persons=[])
    article = public_row(section, NOW - timedelta(days=2))
    services.set_article_tags(article=article, topics=[quiet, busy], persons=[])
    article = public_row(section, NOW - timedelta(days=40))
    services.set_article_tags(article=article, topics=[old], persons=[])
    draft = ArticleFactory(section=section)
    services.set_article_tags(article=draft, topics=[hidden_only], persons=[])
    page = doc(client.get("/topics/"))
    active = page.xpath("//ul[@class='topic-chips']/li/a")
    assert [a.text.strip() for a in active] == ["Harbour strike", "Budget"]
    assert "4 items" in active[0].text_content()
    every = page.xpath("//ul[@class='topic-index']/li/a/text()")
    assert every == ["Archive affair", "Budget", "Harbour strike", "Secret plans"]


@pytest.mark.django_db(transaction=True)  # each change commits, as in the newsroom
def test_this_weeks_topics_are_kept_until_a_change_or_the_next_hour(
    client: Client, django_assert_num_queries
) -> None:
    section = SectionFactory()
    strike, budget = TopicFactory(name="Harbour strike"), TopicFactory(name="Budget")

    def chips() -> list[str]:
        page = doc(client.get("/topics/"))
        return [a.text.strip() for a in page.xpath("//ul[@class='topic-chips']/li/a")]

    with time_machine.travel(NOW, tick=False):
        article = public_row(section, NOW - timedelta(days=1))
        services.set_article_tags(article=article, topics=[strike], persons=[])
        assert chips() == ["Harbour strike"]
        with django_assert_num_queries(2):  # the A–Z page and its count
            client.get("/topics/")
        # A change starts a generation: the block is counted again.
        article = public_row(section, NOW - timedelta(hours=1))
        services.set_article_tags(article=article, topics=[budget], persons=[])
        assert chips() == ["Budget", "Harbour strike"]  # as many; the newest first
    # Nothing changes, but a week later the window has moved on.
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        assert chips() == []


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "%00"])
def test_topics_index_survives_bad_page_numbers(client: Client, page: str) -> None:
    TopicFactory(name="Only topic")
    response = client.get("/topics/", {"page": page})
    assert response.status_code == 200
    assert "Only topic" in response.content.decode()


def test_header_links_the_news_feed_topics_persons_and_the_converter(
    client: Client, desks: dict[str, Section]
) -> None:
    page = doc(client.get("/news/"))
    links = page.xpath("//nav[@class='utility-nav']//a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("All news", "/news/"),
        ("Topics", "/topics/"),
        ("Persons", "/persons/"),
        ("Currency converter", "/rates/"),
    ]
    assert links[0].get("aria-current") == "page"


@pytest.mark.django_db(transaction=True)  # each change commits, as in the newsroom
def test_home_shows_curated_top_stories_then_falls_back_to_urgent_items(
    client: Client, desks: dict[str, Section], django_assert_max_num_queries
) -> None:
    calm = published_article(section=desks["world"], headline="Calm piece", urgency=6)
    published_article(
        section=desks["sport"],
        headline="Flash result",
        urgency=1,
        ago=timedelta(hours=3),
    )
    published_article(
        section=desks["world"], headline="Old flash", urgency=1, ago=timedelta(days=45)
    )

    def top() -> list[str]:
        return doc(client.get("/")).xpath(
            "//section[@class='top-stories']//h3/a/text()"
        )

    assert top() == ["Flash result"]  # urgent, and recent enough
    # The block is kept with the site's generation; each commit below starts
    # a new one, as every change to what pages show does.
    slot = TopStory.objects.create(article=calm, position=0)
    assert top() == ["Calm piece"]
    services.withdraw_article(article=calm, actor=None, reason="test")
    assert top() == ["Flash result"]  # a withdrawn slot goes dark
    slot.delete()
    assert top() == ["Flash result"]
    with django_assert_max_num_queries(2 + len(desks) + 2):
        client.get("/")


def test_the_news_feed_on_the_home_page_links_to_all_news(
    client: Client, desks: dict[str, Section]
) -> None:
    published_article(section=desks["world"], headline="Home feed item")
    page = doc(client.get("/"))
    latest = page.xpath("//section[@class='home-latest']")[0]
    assert latest.xpath(".//a[@class='feed-headline']/text()") == ["Home feed item"]
    assert latest.xpath(".//a[text()='All news']/@href") == ["/news/"]


def test_reserved_word_all_cannot_be_a_section_slug() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SectionFactory.build(slug="all").full_clean()


def test_feed_headlines_link_to_canonical_article_urls(
    client: Client, desks: dict[str, Section]
) -> None:
    article = published_article(section=desks["world"])
    hrefs = doc(client.get("/news/")).xpath("//a[@class='feed-headline']/@href")
    assert hrefs == [article.get_absolute_url()]
    assert re.fullmatch(r"/world/\d+/", hrefs[0])


def test_top_stories_never_show_a_hidden_item(
    client: Client, desks: dict[str, Section]
) -> None:
    world = desks["world"]
    scheduled = published_article(
        section=world, headline="Embargoed flash", urgency=1, ago=timedelta(hours=-1)
    )
    draft = ArticleFactory(section=world, headline="Draft flash", urgency=1)
    withheld = ArticleFactory(
        section=world,
        headline="Withheld flash",
        urgency=1,
        status=Article.Status.PUBLISHED,
        pubstatus=Article.PubStatus.WITHHELD,
        published_at=timezone.now() - timedelta(minutes=5),
        version=1,
    )
    for position, article in enumerate([scheduled, draft, withheld]):
        TopStory.objects.create(article=article, position=position)
        TopStory.objects.create(section=world, article=article, position=position)
    for url in ("/", "/world/"):
        page = doc(client.get(url))
        assert not page.xpath("//section[@class='top-stories']")
        assert "flash" not in page.text_content().lower()
