"""The page cache: readers get kept pages, every change makes them stale at
once, conditional requests get 304, and nothing a stranger sends can poison
the cache or fill it."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.http import http_date

from dateline.content import services
from dateline.content.models import TopStory
from dateline.pagecache import store
from tests.factories import SectionFactory, published_article
from tests.places.factories import three_cities

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from dateline.content.models import Article, Section

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]


def get(client: Client, url: str, **headers: str) -> Response:
    return client.get(url, headers=headers)


def test_a_readers_second_visit_is_answered_from_the_cache_with_no_query(
    client: Client, story: Article, django_assert_num_queries
) -> None:
    first = get(client, "/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = get(client, "/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert "s-maxage=1" in second["Cache-Control"]
    assert "stale-while-revalidate" in second["Cache-Control"]
    assert get(client, story.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.head(story.get_absolute_url())["X-Page-Cache"] == "hit"


def test_publishing_makes_every_list_fresh_at_once(
    client: Client, story: Article, world: Section
) -> None:
    pages = ["/", "/news/", "/world/", "/feeds/news.rss"]
    for url in pages:
        get(client, url)
        assert get(client, url)["X-Page-Cache"] == "hit"
    published_article(
        section=world, headline="Ferry strike called off", ago=timedelta(0)
    )
    for url in pages:
        response = get(client, url)
        assert response["X-Page-Cache"] == "miss", url
        assert b"Ferry strike called off" in response.content, url


def test_a_withdrawn_item_leaves_its_page_and_every_list_at_once(
    client: Client, story: Article
) -> None:
    url = story.get_absolute_url()
    for page in (url, "/", "/news/"):
        get(client, page)
        assert b"Harbour talks resume" in get(client, page).content
    services.withdraw_article(article=story, actor=None, reason="Legal advice")
    assert get(client, url).status_code == 410
    for page in ("/", "/news/"):
        assert b"Harbour talks resume" not in get(client, page).content


def test_a_correction_and_new_top_stories_show_at_once(
    client: Client, story: Article, world: Section
) -> None:
    other = published_article(section=world, headline="Grain prices steady")
    url = story.get_absolute_url()
    get(client, url)
    story.headline = "Harbour talks resume after a week"
    services.save_article(article=story, actor=None, correction_note="Timing added.")
    assert b"Harbour talks resume after a week" in get(client, url).content
    get(client, "/")
    TopStory.objects.create(section=None, article=other, position=0)
    home = get(client, "/")
    assert home["X-Page-Cache"] == "miss"


def test_a_scheduled_item_shows_the_moment_it_goes_public(
    client: Client, world: Section
) -> None:
    published_article(
        section=world, headline="Embargoed budget", ago=timedelta(minutes=-10)
    )
    assert b"Embargoed budget" not in get(client, "/news/").content
    assert get(client, "/news/")["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        assert b"Embargoed budget" in get(client, "/news/").content


def test_a_change_that_rolls_back_keeps_the_pages(
    client: Client, story: Article
) -> None:
    from django.db import transaction

    def edit_then_fail() -> None:
        with transaction.atomic():
            story.headline = "Never published"
            services.save_article(article=story, actor=None)
            raise RuntimeError

    get(client, "/")
    with pytest.raises(RuntimeError):
        edit_then_fail()
    assert get(client, "/")["X-Page-Cache"] == "hit"


# --- HTTP caching ----------------------------------------------------------------


def test_a_matching_etag_gets_a_304_with_the_validators(
    client: Client, story: Article
) -> None:
    etag = get(client, "/")["ETag"]
    unchanged = get(client, "/", If_None_Match=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert get(client, "/", If_None_Match=f'W/{etag}, "other"').status_code == 304
    assert get(client, "/", If_None_Match='"other"').status_code == 200
    published_article(section=story.section, headline="A newer story", ago=timedelta(0))
    changed = get(client, "/", If_None_Match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_is_the_last_change_and_answers_if_modified_since(
    client: Client, story: Article
) -> None:
    get(client, "/")
    time.sleep(1.1)  # a page's date is given once the second of its change is over
    response = get(client, "/")
    last_modified = response["Last-Modified"]
    assert get(client, "/", If_Modified_Since=last_modified).status_code == 304
    earlier = http_date(time.time() - 3600)
    assert get(client, "/", If_Modified_Since=earlier).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    assert (
        get(
            client, "/", If_Modified_Since=last_modified, If_None_Match='"x"'
        ).status_code
        == 200
    )


def test_no_page_gets_a_date_in_the_second_of_its_change(
    client: Client, story: Article
) -> None:
    generation = store.Generation(token="t", changed_at=time.time() + 5)
    assert generation.last_modified is None


def test_pages_carry_the_tags_a_cdn_can_purge_by(
    client: Client, story: Article
) -> None:
    response = get(client, story.get_absolute_url())
    tags = response["Surrogate-Key"].split()
    assert f"item-{story.pk}" in tags
    assert "section-world" in tags
    assert response["Cache-Tag"] == ",".join(tags)
    assert "items" in get(client, "/news/")["Surrogate-Key"].split()


# --- Who gets kept pages, and what may be kept ----------------------------------


def test_staff_never_get_or_make_kept_pages(
    client: Client, story: Article, admin_client: Client
) -> None:
    get(client, "/")
    response = get(admin_client, "/")
    assert "X-Page-Cache" not in response
    assert response["Cache-Control"] == "private, no-cache"


def test_query_parameters_we_do_not_read_are_not_part_of_the_key(
    client: Client, story: Article
) -> None:
    get(client, "/news/")
    for junk in ("utm_source=mail", "cb=123456", "x=" + "y" * 500, "before_=1"):
        assert get(client, f"/news/?{junk}")["X-Page-Cache"] == "hit", junk
    assert get(client, "/search/?q=harbour")["X-Page-Cache"] == "miss"
    assert get(client, "/search/?q=harbour&utm=1")["X-Page-Cache"] == "hit"
    assert get(client, "/search/?q=ferry")["X-Page-Cache"] == "miss"


def test_a_huge_query_string_is_served_but_never_kept(
    client: Client, story: Article
) -> None:
    url = "/search/?q=harbour&pad=" + "z" * 3000
    assert "X-Page-Cache" not in get(client, url)


def test_a_page_that_sets_a_cookie_is_not_kept(client: Client, world: Section) -> None:
    published_article(section=world)
    response = get(client, "/news/?sections=world")
    assert response.cookies
    assert "X-Page-Cache" not in response
    # Another reader choosing the same gets the cookie too: nothing was kept.
    assert get(Client(), "/news/?sections=world").cookies
    # Once the cookie says what the address says, the page sets none and is kept.
    assert get(client, "/news/?sections=world")["X-Page-Cache"] == "miss"
    assert get(client, "/news/?sections=world")["X-Page-Cache"] == "hit"


def test_each_city_gets_its_own_pages_and_junk_cookies_make_none(
    client: Client, story: Article
) -> None:
    three_cities()
    helsinki = get(client, "/")
    assert b"Helsinki" in helsinki.content
    client.cookies["dateline_city"] = "tokyo"
    tokyo = get(client, "/")
    assert tokyo["X-Page-Cache"] == "miss"
    assert b"Tokyo" in tokyo.content
    assert get(client, "/")["X-Page-Cache"] == "hit"
    for junk in ("atlantis", "../../etc", "TOKYO", "tokyo "):
        client.cookies["dateline_city"] = junk
        first = get(client, "/")
        assert b"Helsinki" in first.content
        assert "X-Page-Cache" not in first, junk  # served, not kept
    del client.cookies["dateline_city"]
    assert get(client, "/").content == helsinki.content


def test_the_feed_filter_cookie_is_part_of_the_news_feeds_key_only(
    client: Client, world: Section
) -> None:
    SectionFactory(name="Sport", slug="sport")
    published_article(section=world, headline="World only")
    everything = get(client, "/news/")
    client.cookies["dateline_sections"] = "sport"
    filtered = get(client, "/news/")
    assert filtered["X-Page-Cache"] == "miss"
    assert b"World only" not in filtered.content
    assert b"World only" in everything.content
    assert get(client, "/")["X-Page-Cache"] == "miss"
    assert get(client, "/")["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("path", ["/newsroom/", "/api/v1/items", "/views/1.gif"])
def test_the_newsroom_the_api_and_counting_bypass_the_cache(
    client: Client, story: Article, path: str
) -> None:
    get(client, path)
    assert "X-Page-Cache" not in get(client, path)


def test_not_found_pages_and_posts_are_never_kept(
    client: Client, story: Article
) -> None:
    for _ in range(2):
        response = get(client, "/no-such-section/")
        assert response.status_code == 404
        assert "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.post("/search/", {"q": "harbour"})


def test_pages_are_served_when_the_cache_is_down(
    client: Client, story: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("cache down")

    get(client, "/")  # kept, in the shared cache and this process's memory
    with monkeypatch.context() as patch:
        patch.setattr(caches["pages"], "get", down)
        response = get(client, "/")
    assert response.status_code == 200
    assert b"Harbour talks resume" in response.content
    assert "X-Page-Cache" not in response


def test_a_bad_host_is_refused_not_cached(client: Client, story: Article) -> None:
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_every_query_parameter_a_cached_page_reads_is_part_of_the_key() -> None:
    """A parameter a page reads but the key left out would serve one page for
    another: every name the views and their forms read must be in the key."""
    import importlib
    import inspect
    import pkgutil
    import re

    import dateline.site
    from dateline.pagecache.keys import KEY_PARAMS
    from dateline.site.rates_form import ConverterForm
    from dateline.site.search_form import SearchForm
    from dateline.syndication import views as syndication_views

    read = set(SearchForm.base_fields) | set(ConverterForm.base_fields)
    site_modules = [
        importlib.import_module(f"dateline.site.{info.name}")
        for info in pkgutil.iter_modules(dateline.site.__path__)
        if not info.ispkg
    ]
    for module in (*site_modules, syndication_views):
        source = inspect.getsource(module)
        read |= set(re.findall(r"request\.GET\.(?:get|getlist)\(\s*\"(\w+)\"", source))
        read |= set(re.findall(r"\"(\w+)\" in request\.GET", source))
    assert "sections" in read  # the scan finds what the views read
    assert "page" in read
    # ``next`` is read only by the city picker, which is never kept (no-store).
    assert read - {"next"} <= KEY_PARAMS


# --- Purging caches in front ------------------------------------------------------


def test_a_publish_purges_the_items_pages_at_each_configured_cache(
    world: Section,
) -> None:
    """On loopback, with no fetch setting trusting it: the operator named it."""
    from dateline.content.models import Topic
    from tests.loopback import serve

    talks = Topic.objects.create(slug="talks", name="Talks")
    with serve({}) as varnish, override_settings(DATELINE_PURGE_URLS=[varnish.base]):
        article = published_article(section=world, headline="Purged story")
        varnish.other.clear()
        services.set_article_tags(article=article, topics=[talks], persons=[])
    paths = [path for method, path, _ in varnish.other if method == "PURGE"]
    assert set(paths) == {
        article.get_absolute_url(),
        "/",
        "/news/",
        "/world/",
        "/topics/talks/",
    }
    headers = varnish.other[0][2]
    assert headers["surrogate-key"].split() == [
        f"item-{article.pk}",
        "items",
        "section-world",
        "topic-talks",
    ]
    assert headers["xkey-purge"] == headers["surrogate-key"]


def test_a_cache_that_cannot_be_reached_is_logged_and_publishing_goes_on(
    world: Section, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    with (
        override_settings(DATELINE_PURGE_URLS=["http://127.0.0.1:9"]),
        caplog.at_level(logging.WARNING),
    ):
        article = published_article(section=world, headline="Still published")
    assert article.is_public()
    purges = [
        r.getMessage() for r in caplog.records if "Purge not done" in r.getMessage()
    ]
    assert purges
    # Plain words, not the system's reason ("Connection refused").
    for message in purges:
        assert message.endswith(": could not be fetched."), message


def test_no_purge_is_sent_by_default(
    world: Section, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline.pagecache import tasks

    sent: list[object] = []
    monkeypatch.setattr(tasks, "send_purge", sent.append)
    published_article(section=world)
    assert sent == []
    with override_settings(DATELINE_PURGE_URLS=["http://127.0.0.1:9"]):
        published_article(section=world)
    assert len(sent) == 2  # saved, then published: the check above can fail


def test_forwarded_headers_and_huge_headers_cannot_poison_a_page(
    client: Client, story: Article
) -> None:
    poisoned = get(
        client,
        story.get_absolute_url(),
        X_Forwarded_Host="evil.example",
        X_Forwarded_Proto="https",
        X_Original_Url="/elsewhere/",
        Accept_Encoding="gzip" + ", x" * 2000,
        Cookie="dateline_city=" + "a" * 5000,
    )
    assert b"evil.example" not in poisoned.content
    assert b"https://testserver" not in poisoned.content
    assert "X-Page-Cache" not in poisoned  # a cookie over 200 characters: not kept
    clean = get(client, story.get_absolute_url())
    assert b"evil.example" not in clean.content
    assert b"http://testserver/" in clean.content


def test_renaming_a_section_renames_it_in_every_kept_header(
    client: Client, story: Article, world: Section
) -> None:
    get(client, "/")
    world.name = "World news"
    world.save()
    assert b"World news" in get(client, "/").content


def test_this_processs_copy_of_a_page_expires_with_the_shared_one(
    client: Client, story: Article
) -> None:
    get(client, "/")
    assert get(client, "/")["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert get(client, "/")["X-Page-Cache"] == "miss"


def test_hot_pages_hold_a_bounded_number_of_pages() -> None:
    hot = store.HotPages(size=3)
    page = store.Page(status=200, headers=[], content=b"x", etag='"x"')
    for n in range(5):
        hot.put(f"k{n}", page, seconds=60)
    assert list(hot.entries) == ["k2", "k3", "k4"]
    assert hot.get("k0") is None
    hot.put("k5", page, seconds=-1)
    assert hot.get("k5") is None


def test_one_publish_starts_one_generation_however_many_rows_it_writes(
    world: Section, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import transaction

    started: list[int] = []
    real = store._start_generation
    monkeypatch.setattr(store, "_start_generation", lambda: started.append(1) or real())
    with transaction.atomic():
        article = published_article(section=world, headline="Many rows")
        services.set_article_tags(article=article, topics=[], persons=[])
    assert started == [1]
