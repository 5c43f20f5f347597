"""Kept pages written as files for nginx (DATELINE_PAGE_FILES): written for
plain requests only, with exactly the headers nginx repeats, in a directory
that stops being current the moment what it shows changes."""

from __future__ import annotations

import gzip
import os
import time
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.test import Client, override_settings

from dateline.content import services
from dateline.pagecache import files, keys, store
from tests.factories import published_article

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from dateline.content.models import Article, Section

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("page_cache"),
]

PAGE_HEADERS_TO_SKIP = {"content-length", "content-encoding", "etag", "last-modified"}


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "pages"
    with override_settings(DATELINE_PAGE_FILES=True, DATELINE_PAGE_FILES_DIR=root):
        yield root


def current(root: Path) -> Path:
    return root / "current"


def page_file(root: Path, path: str) -> Path:
    config = files.config()
    assert config is not None
    return (
        current(root)
        / config.tag
        / "http"
        / "testserver"
        / path.lstrip("/")
        / ("index.html")
    )


def get(client: Client, path: str, **extra: str) -> bytes:
    """A page asked for twice: made, then kept and written as a file."""
    made = client.get(path, **extra)
    assert made.status_code == 200
    again = client.get(path, **extra)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == made.content
    return bytes(made.content)


def test_a_head_request_writes_the_whole_page(
    client: Client, root: Path, story: Article
) -> None:
    for _ in range(2):
        assert client.head("/news/").status_code == 200
    assert b"Harbour talks resume" in page_file(root, "/news/").read_bytes()


def test_a_page_asked_for_once_is_not_written(
    client: Client, root: Path, story: Article
) -> None:
    assert client.get("/news/")["X-Page-Cache"] == "miss"
    assert not list(root.glob("*/*/*/*/**/index.html"))


def test_a_plain_request_gets_its_page_written_plain_and_gzipped(
    client: Client, root: Path, story: Article
) -> None:
    plain = get(client, story.get_absolute_url())
    target = page_file(root, story.get_absolute_url())
    assert target.read_bytes() == plain
    gzipped = get(client, "/news/", HTTP_ACCEPT_ENCODING="gzip")
    news = page_file(root, "/news/")
    assert news.with_name("index.html.gz").read_bytes() == gzipped
    assert news.read_bytes() == gzip.decompress(gzipped)
    assert b"Harbour talks resume" in news.read_bytes()


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/news/?before=abc", {}),
        ("/news/?utm_source=mail", {}),  # nginx sends any query to the app
        ("/news/", {"HTTP_COOKIE": "dateline_sections=world"}),
        ("/", {"HTTP_COOKIE": "dateline_city=oslo"}),
    ],
)
def test_requests_nginx_sends_to_the_app_get_no_file(
    client: Client, root: Path, story: Article, path: str, extra: dict[str, str]
) -> None:
    for _ in range(2):  # twice: a page is written when it is asked for again
        client.get(path, **extra)
    assert not list(root.glob("*/*/*/*/**/index.html"))


def test_a_404_and_a_host_with_a_port_get_no_file(
    client: Client, root: Path, story: Article
) -> None:
    for _ in range(2):
        client.get("/no-such-page/")
        client.get("/news/", HTTP_HOST="testserver:8000")
    assert not list(root.glob("*/*/*/*/**/index.html"))


@pytest.mark.parametrize(
    "path",
    [
        "/news",
        "/news//x/",
        "/.well-known/x/",
        "/a b/",
        "/caf\u00e9/",
        "/" + "a" * 300 + "/",
    ],
)
def test_paths_nginx_could_read_otherwise_are_never_files(
    path: str, root: Path
) -> None:
    visit = keys.Visit(
        method="GET", scheme="http", host="testserver", path=path, query="",
        cookies={}, meta={},
    )  # fmt: skip
    assert files.file_path(visit) is None


def test_a_page_with_headers_of_its_own_is_never_a_file(root: Path) -> None:
    config = files.config()
    assert config is not None
    plain = [("Content-Type", files.CONTENT_TYPE), *config.headers]
    page = store.Page(status=200, headers=plain, content=b"x", etag='"e"')
    assert files.may_write(page)
    for headers in (
        [*plain, ("X-Robots-Tag", "noindex")],
        [h for h in plain if h[0] != "Content-Security-Policy"],
        [("Content-Type", "application/json"), *config.headers],
        [*plain, ("Cache-Control", "public, max-age=600")],
    ):
        assert not files.may_write(store.Page(200, headers, b"x", '"e"'))


def test_the_headers_nginx_repeats_are_those_the_app_sends(
    client: Client, root: Path, story: Article
) -> None:
    response = client.get("/news/")
    sent = sorted(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in files.NOT_COMPARED | {"cache-control", "x-page-cache"}
    )
    config = files.config()
    assert config is not None
    assert sent == list(config.headers)
    include = files.nginx_include(config)
    for name, value in response.headers.items():
        if name.lower() not in PAGE_HEADERS_TO_SKIP | {
            "content-type",
            "surrogate-key",
            "cache-tag",
            "x-page-cache",
        }:
            assert f'add_header {name} "{value}" always;' in include
    assert f"set $dateline_page_headers {config.tag};" in include
    assert 'add_header X-Page-Cache "file" always;' in include


def test_the_include_is_written_once_and_again_when_the_headers_change(
    root: Path,
) -> None:
    target = files.write_include()
    assert target == root / "nginx.conf"
    first = target.read_text()
    stamp = target.stat().st_mtime_ns
    files.write_include()
    assert target.stat().st_mtime_ns == stamp
    with override_settings(DATELINE_CSP_EXTRA={"img-src": ["https://ads.example"]}):
        files.write_include()
        assert "https://ads.example" in target.read_text()
        assert target.read_text() != first


def test_a_header_nginx_cannot_repeat_turns_page_files_off(root: Path) -> None:
    with override_settings(DATELINE_CSP_EXTRA={"img-src": ['https://x.example/"$a']}):
        assert files.config() is None
        include = files.write_include()
        assert include is not None
        text = include.read_text()
        assert "set $dateline_page_headers none;" in text
        assert "add_header" not in text  # nothing nginx would choke on
    assert files.config() is not None


def test_with_the_page_cache_off_nginx_still_gets_an_include_and_no_files(
    root: Path,
) -> None:
    with override_settings(DATELINE_PAGE_CACHE=False):
        assert files.config() is None
        include = files.write_include()
        assert include is not None
        assert "the page cache is off" in include.read_text()
    with override_settings(DATELINE_PAGE_FILES=False):
        assert files.write_include() is None


def test_a_publish_switches_current_to_an_empty_directory_at_once(
    client: Client, root: Path, story: Article, world: Section
) -> None:
    get(client, "/news/")
    before = os.readlink(current(root))
    published_article(section=world, headline="Ferry strike called off")
    after = os.readlink(current(root))
    assert after != before
    assert not page_file(root, "/news/").exists()
    assert b"Ferry strike called off" in get(client, "/news/")
    assert b"Ferry strike called off" in page_file(root, "/news/").read_bytes()


def test_a_withdrawn_item_leaves_no_file_behind(
    client: Client, root: Path, story: Article
) -> None:
    url = story.get_absolute_url()
    get(client, url)
    assert page_file(root, url).exists()
    services.withdraw_article(article=story, actor=None, reason="Legal advice")
    assert not page_file(root, url).exists()
    assert client.get(url).status_code == 410


def test_a_withdrawal_the_cache_cannot_hear_of_leaves_no_file_served_either(
    client: Client, root: Path, story: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    url = story.get_absolute_url()
    get(client, url)
    assert page_file(root, url).exists()
    real_write = store._write_generation

    def refused(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(store, "_write_generation", refused)
    services.withdraw_article(article=story, actor=None, reason="Legal advice")
    assert not page_file(root, url).exists()  # nginx finds nothing to serve
    monkeypatch.setattr(store, "_write_generation", real_write)
    from dateline.core.blockcache import breaker

    breaker.reset()
    assert client.get(url).status_code == 410
    assert not page_file(root, url).exists()


def test_files_last_a_slot_and_pages_are_made_anew_in_the_next(
    client: Client, root: Path, story: Article
) -> None:
    seconds = 60
    with (
        # A few slots ahead: the story's generation is older than that.
        time_machine.travel(
            (time.time() // seconds + 3) * seconds + 5, tick=False
        ) as clock,
        override_settings(DATELINE_PAGE_CACHE_SECONDS=seconds),
    ):
        get(client, "/news/")
        first = os.readlink(current(root))
        assert page_file(root, "/news/").exists()
        clock.shift(seconds)
        files.Keeper().tick()  # nothing reaches the app: the keeper moves on
        assert os.readlink(current(root)) != first
        assert not page_file(root, "/news/").exists()
        response = client.get("/news/")
        assert response["X-Page-Cache"] == "miss"  # the slot is in the key
        get(client, "/news/")
        assert page_file(root, "/news/").exists()


def test_the_keeper_starts_the_generation_a_scheduled_item_is_due_in(
    client: Client, root: Path, story: Article
) -> None:
    get(client, "/news/")
    generation = store.current_generation()
    assert generation is not None
    store._write_generation(
        store.Generation(generation.token, generation.changed_at, next_release_at=1.0)
    )
    files.Keeper().tick()
    after = store.current_generation()
    assert after is not None
    assert after.token != generation.token
    assert os.readlink(current(root)).endswith(after.token)


def test_current_never_moves_back_to_an_older_generation(root: Path) -> None:
    older = store.Generation(
        "older", changed_at=1_000.0, next_release_at=store.NO_RELEASE
    )
    newer = store.Generation(
        "newer", changed_at=2_000.0, next_release_at=store.NO_RELEASE
    )
    assert files.point_current_at(newer, 5)
    assert not files.point_current_at(older, 9)
    assert os.readlink(current(root)) == files.dir_name(newer, 5)
    assert files.point_current_at(newer, 6)  # the next slot is forward
    assert not files.point_current_at(newer, 5)


def test_directories_no_longer_current_are_removed_after_a_while(root: Path) -> None:
    generation = store.Generation(
        "g", changed_at=1_000.0, next_release_at=store.NO_RELEASE
    )
    files.point_current_at(generation, 1)
    old = root / files.dir_name(generation, 1)
    (old / "page").mkdir()
    files.point_current_at(generation, 2)
    config = files.config()
    assert config is not None
    keeper = files.Keeper()
    keeper.remove_retired(config, now=100.0)
    assert old.exists()  # nginx may be sending one of its files
    keeper.remove_retired(config, now=100.0 + files.RETIRED_SECONDS)
    assert not old.exists()
    assert (root / files.dir_name(generation, 2)).is_dir()
    assert (root / "current").is_symlink()


def test_over_https_the_files_carry_hsts_and_plain_http_gets_none(
    client: Client, root: Path, story: Article
) -> None:
    with override_settings(DATELINE_HTTPS=True, SECURE_HSTS_SECONDS=31_536_000):
        config = files.config()
        assert config is not None
        assert ("Strict-Transport-Security", "max-age=31536000") in config.headers
        for _ in range(2):
            secure = client.get("/news/", secure=True)
            assert secure["Strict-Transport-Security"] == "max-age=31536000"
            client.get("/", secure=False)
        tree = current(root) / config.tag
        assert (tree / "https" / "testserver" / "news" / "index.html").exists()
        assert not (tree / "http").exists()


def test_a_process_writes_a_bounded_number_of_pages_a_slot(
    client: Client,
    root: Path,
    story: Article,
    world: Section,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(files, "MAX_FILES_PER_SLOT", 1)
    other = published_article(section=world, headline="Second")
    get(client, story.get_absolute_url())
    get(client, other.get_absolute_url())
    written = list(current(root).glob("*/*/*/**/index.html"))
    assert len(written) == 1


def test_with_the_cache_down_the_keeper_waits_before_it_looks_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(store, "ready_generation", lambda: None)
    monkeypatch.setattr(store, "current_generation", lambda: calls.append(1))
    keeper = files.Keeper()
    keeper.tick()
    keeper.tick()
    assert len(calls) == 1  # not five warnings a second
    keeper.quiet_until = 0.0
    keeper.tick()
    assert len(calls) == 2


def test_a_new_generation_after_a_restore_leaves_only_its_own_page_files(
    root: Path,
) -> None:
    # dateline restore: a new generation, then every older directory goes.
    old = store.start_new_generation()
    files.point_current_at(old, files.current_slot() or 0)
    (current(root) / "page.html").write_text("the old site")
    (root / "0000000000001-0000000001-feedface").mkdir()
    files.write_include()

    new = store.start_new_generation()
    removed = files.remove_page_files()

    assert removed == 2
    assert os.readlink(current(root)) == files.dir_name(new, files.current_slot() or 0)
    assert sorted(p.name for p in root.iterdir()) == sorted(
        ["current", "nginx.conf", os.readlink(current(root))]
    )
    assert not list(current(root).rglob("*.html"))
