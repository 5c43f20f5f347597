"""The Most read widget on pages: three lists, cached, and never a failed page."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from lxml import html as lxml_html

from dateline.popularity import selectors
from dateline.popularity.beacon import view_beacon
from dateline.popularity.counters import get_counter, use_counter
from dateline.popularity.counters.redis import RedisViewCounter
from dateline.popularity.services import record_view
from tests.factories import published_article

if TYPE_CHECKING:
    from django.test import Client

    from dateline.content.models import Article

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"

pytestmark = pytest.mark.django_db


def read(article: Article, readers: int) -> None:
    for reader in range(readers):
        record_view(
            article_id=article.pk, address=f"203.0.113.{reader}", user_agent=BROWSER
        )
    get_counter().flush()


def widget(client: Client, url: str) -> lxml_html.HtmlElement | None:
    page = lxml_html.fromstring(client.get(url).content)
    found = page.xpath("//*[@data-most-read]")
    return found[0] if found else None


def panel_headlines(box: lxml_html.HtmlElement, slug: str) -> list[str]:
    return [a.text_content() for a in box.xpath(f".//*[@id='most-read-{slug}']//ol//a")]


@pytest.fixture
def stories() -> list[Article]:
    made = [
        published_article(headline=f"Story {n}", ago=timedelta(days=3, hours=n))
        for n in range(9)
    ]
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        read(made[8], 9)  # read two days ago: this week only
    for n in range(8):
        read(made[n], n + 1)
    return made


def test_home_and_article_pages_show_all_three_lists_from_the_server(
    client: Client, stories: list[Article]
) -> None:
    for url in ["/", stories[0].get_absolute_url()]:
        box = widget(client, url)
        assert box is not None, url
        tabs = [a.text_content() for a in box.xpath(".//*[@data-most-read-tabs]//a")]
        assert tabs == ["Now", "Today", "This week"]
        for link, slug in zip(
            box.xpath(".//*[@data-most-read-tabs]//a"),
            ["now", "today", "week"],
            strict=True,
        ):
            assert link.get("href") == f"#most-read-{slug}"
        expected = [f"Story {n}" for n in range(7, 0, -1)]
        assert panel_headlines(box, "now") == expected
        assert panel_headlines(box, "today") == expected
        assert panel_headlines(box, "week") == ["Story 8", *expected[:6]]


def test_the_widget_is_hidden_until_something_is_read(client: Client) -> None:
    story = published_article()
    assert widget(client, "/") is None
    assert widget(client, story.get_absolute_url()) is None


def test_article_pages_carry_the_beacon_and_the_pixel(client: Client) -> None:
    story = published_article()
    page = lxml_html.fromstring(client.get(story.get_absolute_url()).content)
    (marker,) = page.xpath("//*[@data-view-beacon]")
    assert marker.get("data-view-beacon") == "/views/"
    assert marker.get("data-view-item") == str(story.pk)
    assert f'src="/views/{story.pk}.gif"' in lxml_html.tostring(page).decode()
    assert page.xpath("//script[contains(@src, 'views.js')]")


@pytest.mark.parametrize("prefix", ["/", "/agency/"])
def test_the_remembered_beacon_paths_are_the_urlconfs(prefix: str) -> None:
    set_script_prefix(prefix)
    try:
        for pk in [1, 42, 123456789012345678]:
            assert view_beacon(pk) == (
                reverse("popularity:count-view"),
                reverse("popularity:count-view-pixel", args=[pk]),
            )
        assert view_beacon(42)[0] == f"{prefix}views/"
    finally:
        set_script_prefix("/")


def test_the_newsroom_preview_sends_no_beacon(client: Client, editor) -> None:
    story = published_article()
    client.force_login(editor)
    text = client.get(f"/preview/{story.pk}/").content.decode()
    assert "data-view-beacon" not in text
    assert f"/views/{story.pk}.gif" not in text


def test_lists_stay_cached_for_a_minute_then_are_recomputed(
    client: Client, stories: list[Article]
) -> None:
    assert widget(client, "/") is not None
    read(stories[0], 50)
    box = widget(client, "/")
    assert box is not None
    assert panel_headlines(box, "now")[0] == "Story 7"
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        box = widget(client, "/")
    assert box is not None
    assert panel_headlines(box, "now")[0] == "Story 0"


def test_a_fresh_widget_costs_a_page_no_query(stories: list[Article]) -> None:
    from django.db import connection

    assert selectors.most_read_widget()
    with CaptureQueriesContext(connection) as queries:
        assert selectors.most_read_widget()
    assert len(queries) == 0


def test_only_one_process_recomputes_a_stale_widget(stories: list[Article]) -> None:
    from django.db import connection

    first = selectors.most_read_widget()
    assert first
    selectors._last_good = None  # another process, with nothing of its own
    assert cache.add(selectors.LOCK_KEY, 1)  # someone else is recomputing
    with (
        time_machine.travel(timezone.now() + timedelta(seconds=90)),
        CaptureQueriesContext(connection) as queries,
    ):
        shown = selectors.most_read_widget()
    assert len(queries) == 0
    assert shown == first  # the stale lists, while the other finishes


def test_a_computation_costs_a_fixed_number_of_queries(stories: list[Article]) -> None:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        selectors.most_read()
    few = len(queries)
    for n in range(30):
        read(published_article(headline=f"More {n}"), 1)
    selectors.forget_widget()
    with CaptureQueriesContext(connection) as queries:
        selectors.most_read()
    assert len(queries) == few


def test_a_failing_redis_leaves_the_last_lists_or_hides_the_widget(
    client: Client, stories: list[Article], caplog: pytest.LogCaptureFixture
) -> None:
    good = widget(client, "/")
    assert good is not None
    use_counter(RedisViewCounter("redis://127.0.0.1:9/0", flush_after=None))
    with (
        caplog.at_level(logging.WARNING),
        time_machine.travel(timezone.now() + timedelta(seconds=61)),
    ):
        response = client.get("/")
        assert response.status_code == 200
        box = widget(client, stories[0].get_absolute_url())
        assert box is not None
        assert panel_headlines(box, "now") == panel_headlines(good, "now")
        selectors.forget_widget()  # a process that never had lists
        assert client.get("/").status_code == 200
        assert widget(client, "/") is None
    assert "could not be computed" in caplog.text


def test_an_unreachable_shared_cache_still_shows_the_lists(
    client: Client, stories: list[Article], caplog: pytest.LogCaptureFixture
) -> None:
    from django.test import override_settings

    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    down = {"default": unreachable, "pages": unreachable}
    with override_settings(CACHES=down), caplog.at_level(logging.WARNING):
        box = widget(client, "/")
    assert box is not None
    assert panel_headlines(box, "today")[0] == "Story 7"
    assert "the cache is unavailable" in caplog.text


@pytest.mark.django_db(transaction=True)  # the generation is renewed on commit
def test_a_withdrawn_item_leaves_most_read_at_once_in_every_process(
    client: Client, stories: list[Article]
) -> None:
    from dateline.content import services

    top = stories[7]
    box = widget(client, "/")
    assert box is not None
    assert panel_headlines(box, "now")[0] == "Story 7"
    services.withdraw_article(article=top, actor=None, reason="Legal advice")
    # This process and another that kept the lists (here: the shared copy).
    selectors._last_good = None
    for url in ["/", stories[0].get_absolute_url()]:
        box = widget(client, url)
        assert box is not None
        for slug in ("now", "today", "week"):
            assert "Story 7" not in panel_headlines(box, slug), (url, slug)
    api = client.get("/api/v1/most-read/now").json()
    assert "Story 7" not in [item["headline"] for item in api["items"]]
    assert next(item["headline"] for item in api["items"]) == "Story 6"


@pytest.mark.django_db(transaction=True)
def test_the_first_page_of_a_new_generation_checks_the_lists_once(
    stories: list[Article],
) -> None:
    from django.db import connection

    from dateline.pagecache.store import pages_changed

    assert selectors.most_read_widget()
    pages_changed(reason="a test")  # outside a transaction: at once
    with CaptureQueriesContext(connection) as queries:
        assert selectors.most_read_widget()
    assert len(queries) == 1  # which of the kept items are still public
    with CaptureQueriesContext(connection) as queries:
        assert selectors.most_read_widget()
    assert len(queries) == 0


def test_without_a_generation_the_kept_lists_are_checked_on_each_read(
    stories: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline.content.models import Article as ArticleModel

    assert selectors.most_read_widget()
    monkeypatch.setattr(selectors, "current_generation", lambda: None)
    ArticleModel.objects.filter(pk=stories[7].pk).update(pubstatus="canceled")
    shown = selectors.most_read_widget()
    assert shown is not None
    assert all(e.headline != "Story 7" for item in shown for e in item.entries)


def test_each_lists_first_line_shows_its_lead_photo_and_no_other_does(
    client: Client, stories: list[Article]
) -> None:
    from tests.factories import PhotoFactory

    for story in stories:
        story.lead_photo = PhotoFactory()
        story.save(update_fields=["lead_photo"])
    box = widget(client, "/")
    assert box is not None
    for slug in ["now", "today", "week"]:
        lines = box.xpath(f".//*[@id='most-read-{slug}']//ol/li")
        photos = [
            bool(line.xpath(".//img[@class='most-read-photo']")) for line in lines
        ]
        assert photos == [True] + [False] * 6, slug
        (thumbnail,) = lines[0].xpath(".//img")
        assert thumbnail.get("loading") == "lazy"
        assert thumbnail.get("alt") == ""  # the headline beside says what it shows
