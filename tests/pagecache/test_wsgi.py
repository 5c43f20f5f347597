"""Kept pages answered by the WSGI wrapper before Django: the same answer as
the middleware gives, the same key for the same request, and everything it
cannot answer at once handed to Django unchanged."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from wsgiref.util import setup_testing_defaults

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test import Client, override_settings
from django.utils import timezone

from dateline.pagecache import keys, store
from dateline.pagecache.middleware import shared_cache_control
from dateline.pagecache.wsgi import RAW_FIELDS, KeyMemory, PageCacheApplication
from tests.factories import published_article

if TYPE_CHECKING:
    from pathlib import Path

    from dateline.content.models import Article, Section

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]


class CountingDjango:
    """Django's WSGI handler, counting the requests that reach it."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def django_app() -> CountingDjango:
    return CountingDjango()


@pytest.fixture
def app(django_app: CountingDjango) -> PageCacheApplication:
    return PageCacheApplication(django_app)


def environ_for(path: str, *, method: str = "GET", **extra: str) -> dict[str, Any]:
    path, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.input": io.BytesIO(),
        **extra,
    }
    setup_testing_defaults(environ)  # Host 127.0.0.1, http, and the rest
    return environ


class Answer:
    def __init__(self, app: Any, environ: dict[str, Any]) -> None:
        def start_response(
            status: str, headers: list[tuple[str, str]], *_: Any
        ) -> None:
            self.status = int(status.split()[0])
            self.headers = {name.lower(): value for name, value in headers}
            self.header_names = [name.lower() for name, _ in headers]

        chunks = app(environ, start_response)
        self.body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()


def test_a_kept_page_is_answered_before_django_with_no_query(
    app: PageCacheApplication,
    django_app: CountingDjango,
    story: Article,
    django_assert_num_queries,
) -> None:
    url = story.get_absolute_url()
    first = Answer(app, environ_for(url))
    assert (first.status, first.headers["x-page-cache"]) == (200, "miss")
    assert django_app.calls == 1
    with django_assert_num_queries(0):
        second = Answer(app, environ_for(url))
    assert django_app.calls == 1
    assert (second.status, second.headers["x-page-cache"]) == (200, "hit")
    assert second.body == first.body
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-encoding"] == "gzip"
    assert second.headers["content-length"] == str(len(second.body))
    assert "s-maxage=1" in second.headers["cache-control"]
    assert f"item-{story.pk}" in second.headers["surrogate-key"]
    assert "content-security-policy" in second.headers  # kept with the page


def test_the_wrapper_and_the_middleware_answer_a_hit_alike(
    app: PageCacheApplication, django_app: CountingDjango, story: Article
) -> None:
    client = Client(headers={"accept-encoding": "gzip"})
    client.get("/")
    through_django = client.get("/")
    assert through_django["X-Page-Cache"] == "hit"
    before_django = Answer(app, environ_for("/", HTTP_HOST="testserver"))
    assert django_app.calls == 0  # the page the middleware kept
    assert before_django.body == through_django.content
    assert before_django.headers == {
        name.lower(): value for name, value in through_django.headers.items()
    }


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/news.rss",
        "/feeds/news.atom",
        "/feeds/news.json",
        "/feeds/sections/world.rss",
        "/robots.txt",
        "/sitemap.xml",
        "/sitemaps/pages.xml",
        "/",
        "/news/",
        "/world/",
        "article",
    ],
)
def test_a_page_kept_or_not_carries_each_header_once_and_kept_the_caches_rule(
    app: PageCacheApplication, story: Article, path: str
) -> None:
    """A page's own Cache-Control and ETag (a feed's) went out beside the
    cache's own on every hit the wrapper answered: two of each."""
    if path == "article":
        path = story.get_absolute_url()
    first = Answer(app, environ_for(path))
    etag = first.headers.get("etag", '"none"')
    answers = [
        first,
        Answer(app, environ_for(path)),  # the wrapper's hit
        Answer(app, environ_for(path, HTTP_IF_NONE_MATCH=etag)),
        Answer(WSGIHandler(), environ_for(path)),  # the middleware's hit
    ]
    for answer in answers:
        repeated = {n for n in answer.header_names if answer.header_names.count(n) > 1}
        assert repeated == set(), (path, answer.status)
        assert answer.status in {200, 304}
        if "x-page-cache" in answer.headers or answer.status == 304:
            assert answer.headers["cache-control"] == shared_cache_control()
        else:  # never kept (sitemaps stream): its own
            assert answer.headers["cache-control"].startswith("public, max-age=")
    kept = path.startswith(("/feeds/", "/robots.txt")) or path.endswith("/")
    assert kept is (answers[1].headers.get("x-page-cache") == "hit")


def test_conditional_and_head_requests_get_no_body(
    app: PageCacheApplication, django_app: CountingDjango, story: Article
) -> None:
    url = story.get_absolute_url()
    etag = Answer(app, environ_for(url)).headers["etag"]
    unchanged = Answer(app, environ_for(url, HTTP_IF_NONE_MATCH=etag))
    assert (unchanged.status, unchanged.body) == (304, b"")
    assert unchanged.headers["etag"] == etag
    assert "content-length" not in unchanged.headers
    assert "content-type" not in unchanged.headers
    assert unchanged.headers["vary"] == "Cookie, Accept-Encoding"
    changed = Answer(app, environ_for(url, HTTP_IF_NONE_MATCH='"another"'))
    assert changed.status == 200
    assert changed.body
    head = Answer(app, environ_for(url, method="HEAD"))
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-length"] == str(len(changed.body))
    assert django_app.calls == 1


@pytest.mark.parametrize(
    ("path", "extra", "status"),
    [
        ("/", {"HTTP_COOKIE": "sessionid=abc"}, 200),  # staff
        ("/", {"HTTP_AUTHORIZATION": "Bearer x"}, 200),
        ("/", {"HTTP_HOST": "evil.example"}, 400),
        ("/", {"HTTP_HOST": ""}, 400),
        ("/?q=" + "x" * 3000, {}, 200),  # too long a query to key
        ("/newsroom/login/", {}, 200),
        ("/api/v1/items", {}, 200),
        ("/no-such-page/", {}, 404),
    ],
)
def test_what_the_wrapper_cannot_answer_goes_to_django(
    app: PageCacheApplication,
    django_app: CountingDjango,
    story: Article,
    path: str,
    extra: dict[str, str],
    status: int,
) -> None:
    for _ in range(2):
        answer = Answer(app, environ_for(path, **extra))
        assert answer.status == status
        assert answer.headers.get("x-page-cache") != "hit"
    assert django_app.calls == 2


def test_pages_answered_by_neither_are_private(
    app: PageCacheApplication, story: Article
) -> None:
    """A 404 or a page made for a cookie we did not understand must not be
    shared by a cache in front either."""
    missing = Answer(app, environ_for("/no-such-page/"))
    assert missing.headers["cache-control"] == "private, no-cache"
    odd = Answer(app, environ_for("/", HTTP_COOKIE="dateline_city=no-such-city"))
    assert odd.status == 200
    assert "x-page-cache" not in odd.headers  # made, and not kept
    assert odd.headers["cache-control"] == "private, no-cache"


def test_junk_parameters_share_the_page_and_read_ones_do_not(
    app: PageCacheApplication, django_app: CountingDjango, story: Article
) -> None:
    Answer(app, environ_for("/news/"))
    assert (
        Answer(app, environ_for("/news/?utm_source=x&_=123")).headers["x-page-cache"]
        == "hit"
    )
    assert django_app.calls == 1
    assert Answer(app, environ_for("/news/?page=2")).headers["x-page-cache"] == "miss"
    assert django_app.calls == 2


def test_a_publish_sends_the_next_request_to_django(
    app: PageCacheApplication,
    django_app: CountingDjango,
    story: Article,
    world: Section,
) -> None:
    Answer(app, environ_for("/news/"))
    assert Answer(app, environ_for("/news/")).headers["x-page-cache"] == "hit"
    published_article(
        section=world, headline="Ferry strike called off", ago=timedelta(0)
    )
    fresh = Answer(app, environ_for("/news/"))
    assert fresh.headers["x-page-cache"] == "miss"
    assert django_app.calls == 2
    import gzip

    assert b"Ferry strike called off" in gzip.decompress(fresh.body)


def test_a_generation_that_needs_the_database_goes_to_django(
    app: PageCacheApplication, django_app: CountingDjango, story: Article
) -> None:
    Answer(app, environ_for("/"))
    generation = store.current_generation()
    assert generation is not None
    caches["pages"].set(
        store.GENERATION_KEY,
        store.Generation(token=generation.token, changed_at=generation.changed_at),
        timeout=None,
    )  # its next release not looked up yet
    assert store.ready_generation() is None
    assert Answer(app, environ_for("/")).headers["x-page-cache"] == "hit"
    assert django_app.calls == 2  # Django looked it up, and answered from the cache
    assert store.ready_generation() is not None


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"QUERY_STRING": "sections=world&utm_source=x&page=2"},
        {"HTTP_COOKIE": "dateline_city=helsinki; other=1"},
        {"PATH_INFO": "/news/", "HTTP_COOKIE": "dateline_sections=world"},
        {"PATH_INFO": "/topics/s\xc3\xa4\xc3\xa4/"},  # UTF-8 bytes, as WSGI gives them
        {"SCRIPT_NAME": "/site", "PATH_INFO": "/news/"},
        {"HTTP_X_FORWARDED_PROTO": "https"},
        {"HTTP_X_FORWARDED_PROTO": "http, https"},
        {"HTTP_X_FORWARDED_HOST": "news.example.com", "HTTP_HOST": "127.0.0.1"},
        {"HTTP_ACCEPT_ENCODING": "identity"},
    ],
)
@pytest.mark.parametrize("forwarded_host", [False, True])
def test_the_environ_and_the_request_give_the_same_key(
    extra: dict[str, str], forwarded_host: bool
) -> None:
    with override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        USE_X_FORWARDED_HOST=forwarded_host,
        ALLOWED_HOSTS=["127.0.0.1", "news.example.com"],
    ):
        environ = environ_for("/", **extra)
        from_environ = keys.visit_of_environ(environ)
        request = WSGIRequest(dict(environ))
        from_request = keys.visit_of_request(request)
        assert from_environ is not None
        assert from_environ.path == request.path
        assert keys.page_key(from_environ, generation="g") == keys.page_key(
            from_request, generation="g"
        )


def test_a_generation_in_files_is_read_again_only_when_its_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = str(tmp_path / "pages")
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "pages": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": location,
            },
        }
    ):
        ours = caches["pages"]
        assert isinstance(ours, FileBasedCache)
        another_process = FileBasedCache(location, {})
        first = store.current_generation()
        assert first is not None
        reads = 0
        real_get = FileBasedCache.get

        def counted_get(self: FileBasedCache, *args: Any, **kwargs: Any) -> Any:
            nonlocal reads
            reads += 1
            return real_get(self, *args, **kwargs)

        monkeypatch.setattr(FileBasedCache, "get", counted_get)
        for _ in range(5):
            assert store.ready_generation() == first
        assert reads <= 1  # the file is unchanged: stat only
        changed = store.Generation(
            token="from-another-process",
            changed_at=first.changed_at + 1,
            next_release_at=store.NO_RELEASE,
        )
        another_process.set(store.GENERATION_KEY, changed, timeout=None)
        assert store.ready_generation() == changed  # seen on the very next read


class RecordingEnviron(dict[str, Any]):
    """An environ that notes every name read from it."""

    read: set[str]

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return super().get(name, default)

    def __getitem__(self, name: str) -> Any:
        self.read.add(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        self.read.add(str(name))
        return super().__contains__(name)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"HTTP_COOKIE": "dateline_city=helsinki", "QUERY_STRING": "page=2"},
        {"SCRIPT_URL": "/site/news/", "PATH_INFO": "/news/"},
        {"HTTP_X_FORWARDED_HOST": "news.example.com"},
    ],
)
def test_the_remembered_keys_hold_everything_a_key_is_made_from(
    extra: dict[str, str],
) -> None:
    """A request remembered by its raw values must hold every value that
    can change its key, or two requests could share a key they should not."""
    with override_settings(
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        USE_X_FORWARDED_HOST=True,
        ALLOWED_HOSTS=["127.0.0.1", "news.example.com"],
    ):
        environ = RecordingEnviron(environ_for("/", **extra))
        environ.read = set()
        visit = keys.visit_of_environ(environ)
        assert visit is not None
        keys.is_cacheable(visit)
        keys.page_key(visit, generation="g")
        remembered = {*RAW_FIELDS, "HTTP_X_FORWARDED_PROTO", "REQUEST_METHOD"}
        assert environ.read <= remembered


def test_remembered_keys_are_bounded_and_forgotten_with_the_generation() -> None:
    memory = KeyMemory(size=3)
    first = memory.key_for(environ_for("/news/"), generation="one")
    assert first is not None
    assert memory.key_for(environ_for("/news/"), generation="one") == first
    assert memory.key_for(environ_for("/news/"), generation="two") != first
    assert len(memory.seen) == 1
    for n in range(10):
        memory.key_for(environ_for(f"/news/?junk={n}"), generation="two")
    assert len(memory.seen) <= 3
    staff = environ_for("/", HTTP_COOKIE="sessionid=abc")
    assert memory.key_for(staff, generation="two") is None
    assert memory.key_for(staff, generation="two") is None


def test_a_remembered_answer_goes_when_its_page_expires(
    app: PageCacheApplication, django_app: CountingDjango, story: Article
) -> None:
    url = story.get_absolute_url()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        Answer(app, environ_for(url))
        clock.shift(2)  # past the generation's second: Last-Modified is known
        for _ in range(3):
            assert Answer(app, environ_for(url)).headers["x-page-cache"] == "hit"
        assert len(app.keys.answers) == 1
        assert django_app.calls == 1
        clock.shift(settings.DATELINE_PAGE_CACHE_SECONDS + 1)
        assert Answer(app, environ_for(url)).headers["x-page-cache"] == "miss"
        assert django_app.calls == 2
