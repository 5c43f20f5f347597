"""Kept fragments: the blocks around an article are made once per site
generation, are exactly as fresh as a page made afresh, never mix readers,
and never take a page down."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import transaction
from django.template import engines
from django.test import override_settings
from django.utils import timezone
from jinja2 import TemplateSyntaxError
from lxml import html

from dateline.content import services
from dateline.content.models import VisualStatus
from dateline.pagecache import store
from dateline.places.selectors import COOKIE_NAME
from dateline.popularity.selectors import forget_widget
from dateline.site import fragments
from tests.factories import SectionFactory, published_article
from tests.places.factories import three_cities
from tests.popularity.test_widget import panel_headlines, read, widget
from tests.site.test_galleries import make_gallery
from tests.site.test_infographics import make_infographic

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

# Real commits: a fragment's freshness rests on what happens after commit.
pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:9/0",
    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
}


@pytest.fixture
def story() -> Article:
    return published_article(
        section=SectionFactory(name="World", slug="world"), headline="Harbour"
    )


def block_titles(client: Client, url: str, block: str) -> list[str]:
    page = html.fromstring(client.get(url).content)
    return [
        " ".join(a.text_content().split())
        for a in page.xpath(f"//section[@aria-labelledby='{block}']//a[@class]")
    ]


def side_feed(client: Client, url: str) -> list[str]:
    page = html.fromstring(client.get(url).content)
    return page.xpath("//section[@class='side-feed']//a[@class='feed-headline']/text()")


def test_the_article_pages_side_column_is_as_fresh_as_a_page_made_afresh(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    assert side_feed(client, url) == ["Harbour"]  # made, then kept
    ferries = published_article(headline="Ferries resume", ago=timedelta(0))
    assert side_feed(client, url) == ["Ferries resume", "Harbour"]
    services.withdraw_article(article=ferries, actor=None, reason="Wrong port.")
    assert side_feed(client, url) == ["Harbour"]
    later = published_article(headline="Port reopens", ago=timedelta(minutes=-30))
    assert side_feed(client, url) == ["Harbour"]  # scheduled: not yet
    with time_machine.travel(later.published_at + timedelta(seconds=1)):
        assert side_feed(client, url) == ["Port reopens", "Harbour"]


def test_a_published_gallery_shows_on_the_next_page_and_leaves_when_withdrawn(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    assert block_titles(client, url, "photo-block-title") == []
    gallery = make_gallery("harbour")
    assert block_titles(client, url, "photo-block-title") == ["Gallery harbour"]
    assert block_titles(client, "/", "photo-block-title") == ["Gallery harbour"]
    gallery.status = VisualStatus.WITHDRAWN
    services.save_visual(item=gallery)
    assert block_titles(client, url, "photo-block-title") == []
    assert block_titles(client, "/", "photo-block-title") == []


def test_a_published_infographic_shows_on_the_next_page_and_leaves_when_withdrawn(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    assert block_titles(client, url, "infographic-block-title") == []
    chart = make_infographic("quotas")
    assert block_titles(client, url, "infographic-block-title") == ["Chart quotas"]
    chart.status = VisualStatus.WITHDRAWN
    services.save_infographic(infographic=chart)
    assert block_titles(client, url, "infographic-block-title") == []


def test_a_scheduled_gallery_shows_once_its_time_comes_with_no_write(
    client: Client, story: Article
) -> None:
    make_gallery("later", ago=timedelta(minutes=-30))
    url = story.get_absolute_url()
    assert block_titles(client, url, "photo-block-title") == []
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert block_titles(client, url, "photo-block-title") == ["Gallery later"]


def test_a_change_that_rolls_back_keeps_the_fragments(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    url = story.get_absolute_url()
    gallery = make_gallery("harbour")
    client.get(url)

    def edit_then_fail() -> None:
        with transaction.atomic():
            gallery.title = "Never shown"
            services.save_visual(item=gallery)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        edit_then_fail()
    with django_assert_num_queries(1):  # the article's own one: blocks kept
        assert block_titles(client, url, "photo-block-title") == ["Gallery harbour"]


def test_most_read_shows_its_new_lists_at_once(client: Client) -> None:
    first = published_article(headline="First")
    second = published_article(headline="Second")
    read(first, 2)
    box = widget(client, second.get_absolute_url())
    assert box is not None
    assert panel_headlines(box, "today") == ["First"]
    read(second, 5)
    forget_widget()  # as when its minute is over
    cache.delete("popularity:most-read")
    box = widget(client, second.get_absolute_url())
    assert box is not None
    assert panel_headlines(box, "today") == ["Second", "First"]


def test_the_sections_navigation_marks_each_pages_own_section(
    client: Client, story: Article
) -> None:
    sport = published_article(section=SectionFactory(name="Sport", slug="sport"))
    for article, current in [(story, "World"), (sport, "Sport"), (story, "World")]:
        page = html.fromstring(client.get(article.get_absolute_url()).content)
        assert page.xpath("//nav[@class='sections-nav']//a[@aria-current]/text()") == [
            current
        ]


def test_two_readers_never_get_each_others_header(
    client: Client, story: Article
) -> None:
    three_cities()
    url = story.get_absolute_url()
    for city, name in [("tokyo", "Tokyo"), ("new-york", "New York"), ("x", "Helsinki")]:
        client.cookies[COOKIE_NAME] = city
        page = html.fromstring(client.get(url).content)
        (shown,) = page.xpath("//*[@class='header-city-name']")
        assert " ".join(shown.text_content().split()) == f"Select the city: {name}"


def test_the_article_page_costs_a_fixed_number_of_queries_first_and_then(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    url = story.get_absolute_url()
    # The first page: the article's one; the adverts and the header's cities
    # (then cached a while); Most read's lists (seven with the counter's own
    # upkeep, then cached a minute);
    # the blocks' fragments: sections, partner links, galleries, infographics,
    # the footer's agency pages; the side column's: the latest items, TOP
    # STORIES (slots, then urgent).
    with django_assert_num_queries(1 + 2 + 7 + 5 + 3):
        assert client.get(url).status_code == 200
    # Then: the article with its topics, persons, "Read also" and corrections.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    make_gallery("harbour")
    # A new generation (started when the gallery's write committed): the
    # fragments are made again, once: sections, galleries, infographics, the
    # footer's agency pages, the side column's three (the partner links come
    # from their own cache).
    with django_assert_num_queries(1 + 4 + 3):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("down", ["pages", "default", "both"])
def test_pages_still_show_every_block_when_a_cache_is_down(
    client: Client, story: Article, down: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_gallery("harbour")
    url = story.get_absolute_url()
    client.get(url)
    broken = {
        "pages": {"pages": UNREACHABLE},
        "default": {"default": UNREACHABLE},
        "both": {"pages": UNREACHABLE, "default": UNREACHABLE},
    }[down]
    with (
        override_settings(CACHES={**caches.settings, **broken}),
        caplog.at_level(logging.WARNING),
    ):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            page = html.fromstring(response.content)
            assert page.xpath("//nav[@class='sections-nav']//a/text()") == ["World"]
            assert block_titles(client, url, "photo-block-title") == ["Gallery harbour"]
    assert "unavailable" in caplog.text


def test_a_fragment_is_kept_per_generation_and_per_value() -> None:
    template = engines["jinja"].from_string(
        '{% fragment "probe", colour %}{{ colour }}{{ made.pop() }}{% endfragment %}'
    )
    made = ["third", "second", "first"]

    def render(colour: str) -> str:
        return template.render({"colour": colour, "made": made})

    assert render("red") == "redfirst"
    assert render("red") == "redfirst"  # kept: not made again
    assert render("blue") == "bluesecond"  # another value, another fragment
    caches["pages"].delete(store.GENERATION_KEY)  # a new generation
    assert render("red") == "redthird"


@pytest.mark.parametrize(
    "inside",
    [
        "{% block title %}x{% endblock %}",
        "{% if x %}{% block title %}x{% endblock %}{% endif %}",
    ],
)
def test_a_fragment_cannot_hold_a_block(inside: str) -> None:
    # Kept once per generation, a page's own block would show on every page.
    with pytest.raises(TemplateSyntaxError, match="cannot hold a"):
        engines["jinja"].from_string(
            '{% fragment "probe" %}' + inside + "{% endfragment %}"
        )


def test_a_fragment_needs_a_quoted_name() -> None:
    with pytest.raises(TemplateSyntaxError):
        engines["jinja"].from_string("{% fragment probe %}x{% endfragment %}")


def test_a_process_reads_each_fragment_from_the_shared_cache_once(
    client: Client, story: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_keys: list[str] = []
    shared_get = cache.get

    def spy(key: str, *args: object, **kwargs: object) -> object:
        read_keys.append(key)
        return shared_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", spy)
    url = story.get_absolute_url()
    client.get(url)
    assert [key for key in read_keys if key.startswith("fragment:")]
    read_keys.clear()
    # Another process made them: the shared cache has them, this one not.
    monkeypatch.setattr(fragments, "_process_copy", fragments._ProcessCopy())
    client.get(url)
    first = [key for key in read_keys if key.startswith("fragment:")]
    assert len(first) == len(set(first)) >= 5
    read_keys.clear()
    body = client.get(url).content
    assert not [key for key in read_keys if key.startswith("fragment:")]
    assert b"sections-nav" in body
    make_gallery("harbour")  # a new generation: read or made again, once
    assert block_titles(client, url, "photo-block-title") == ["Gallery harbour"]
    assert [key for key in read_keys if key.startswith("fragment:")]


def test_a_process_keeps_one_generations_fragments_a_bounded_number() -> None:
    copy = fragments._ProcessCopy()
    for n in range(fragments.KEPT_IN_PROCESS + 10):
        copy.keep("one", f"key-{n}", "html")
    assert copy.get("one", "key-0") == "html"
    assert copy.get("one", f"key-{fragments.KEPT_IN_PROCESS}") is None
    copy.keep("two", "key-0", "new")
    assert copy.get("one", "key-0") is None  # the old generation is dropped
    assert copy.get("two", "key-0") == "new"
