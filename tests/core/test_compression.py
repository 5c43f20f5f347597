"""gzip for pages, feeds and API answers; never for the newsroom or pictures."""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import caches
from zlib_ng import gzip_ng

from dateline.core.compression import (
    LEVEL,
    LEVEL_FOR_ONE_ANSWER,
    compressible,
    packed,
)
from dateline.pagecache import store
from tests.factories import published_article

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def story_url() -> str:
    return published_article(
        headline="Harbour cranes return to Port Azul", body="<p>Text.</p>" * 200
    ).get_absolute_url()


def test_an_article_page_is_gzipped_for_a_client_that_accepts_gzip(
    client: Client, story_url: str
) -> None:
    plain = client.get(story_url)
    packed = client.get(story_url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "Harbour cranes return to Port Azul" in html
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)


@pytest.mark.parametrize("accept", [None, "identity", "br", "deflate"])
def test_a_page_stays_plain_for_a_client_that_does_not_accept_gzip(
    client: Client, story_url: str, accept: str | None
) -> None:
    headers = {} if accept is None else {"HTTP_ACCEPT_ENCODING": accept}
    response = client.get(story_url, **headers)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Harbour cranes" in response.content.decode()
    # Caches must still keep the two copies apart.
    assert "Accept-Encoding" in response["Vary"]


@pytest.mark.parametrize("url", ["/", "/news/", "/feeds/news.rss", "/api/v1/items"])
def test_home_feed_page_feeds_and_api_answers_are_gzipped(
    client: Client, story_url: str, url: str
) -> None:
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    gzip.decompress(b"".join(response) if response.streaming else response.content)


def test_the_newsroom_is_never_compressed(client: Client) -> None:
    response = client.get("/newsroom/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert b"csrfmiddlewaretoken" in response.content


def test_two_gzipped_copies_of_a_page_differ_in_length_against_breach(
    client: Client, story_url: str
) -> None:
    sizes = {
        len(client.get(story_url, HTTP_ACCEPT_ENCODING="gzip").content)
        for _ in range(8)
    }
    assert len(sizes) > 1


def test_a_page_is_packed_at_our_level_behind_a_random_name() -> None:
    text = b"<p>Harbour cranes return to Port Azul.</p>" * 300
    lengths = set()
    for _ in range(8):
        data = packed(text, max_random_bytes=100)
        assert gzip.decompress(data) == text
        assert data[3] & gzip.FNAME
        name_end = data.index(b"\x00", 10) + 1  # the name, then its NUL
        lengths.add(name_end - 10)
        # Past the name, the stream is zlib-ng's at our level.
        expected = gzip_ng.compress(text, compresslevel=LEVEL, mtime=0)
        assert data[name_end:] == expected[10:]
    assert len(lengths) > 1


def _level_of(data: bytes) -> int:
    """The level ``packed`` compressed ``data`` at, told by comparing its
    stream (past the random name) with zlib-ng's at each level."""
    text = gzip.decompress(data)
    stream = data[data.index(b"\x00", 10) + 1 :]
    (level,) = [
        level
        for level in (LEVEL_FOR_ONE_ANSWER, LEVEL)
        if gzip_ng.compress(text, compresslevel=level, mtime=0)[10:] == stream
    ]
    return level


def test_a_page_made_for_one_answer_is_compressed_fast(
    client: Client, story_url: str
) -> None:
    response = client.get(story_url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "X-Page-Cache" not in response  # the page cache is off in tests
    assert _level_of(response.content) == LEVEL_FOR_ONE_ANSWER


def test_a_page_the_page_cache_keeps_is_compressed_small(
    client: Client, story_url: str, settings: Any
) -> None:
    settings.DATELINE_PAGE_CACHE = True
    caches["pages"].clear()
    store.hot_pages.clear()
    try:
        made = client.get(story_url, HTTP_ACCEPT_ENCODING="gzip")
        kept = client.get(story_url, HTTP_ACCEPT_ENCODING="gzip")
    finally:
        caches["pages"].clear()
        store.hot_pages.clear()
    assert made["X-Page-Cache"] == "miss"
    assert kept["X-Page-Cache"] == "hit"
    assert _level_of(made.content) == _level_of(kept.content) == LEVEL


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=utf-8", True),
        ("text/css", True),
        ("application/javascript", True),
        ("application/json", True),
        ("application/problem+json", True),
        ("application/rss+xml; charset=utf-8", True),
        ("application/feed+json", True),
        ("image/svg+xml", True),
        ("image/jpeg", False),
        ("image/avif", False),
        ("image/gif", False),
        ("application/octet-stream", False),
        ("", False),
    ],
)
def test_only_text_media_types_are_compressible(
    content_type: str, expected: bool
) -> None:
    assert compressible(content_type) is expected


def test_an_uploaded_picture_is_served_as_it_is(client: Client) -> None:
    from pathlib import Path

    from django.conf import settings

    # Where the media view serves from (read at each request).
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    picture = root / "compression-test.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 4000)
    try:
        response = client.get(
            "/media/compression-test.jpg", HTTP_ACCEPT_ENCODING="gzip"
        )
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding")
        assert b"".join(response).startswith(b"\xff\xd8")
    finally:
        picture.unlink()
