"""Reading outside addresses: a loopback server stands in for the world."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from dateline.core.fetch import FetchError, fetch_url, read_location
from tests.loopback import serve

if TYPE_CHECKING:
    from collections.abc import Iterator

PAGES = {"/small": b"x" * 100, "/large": b"y" * 5000}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve(PAGES) as site:
        yield site.base


def test_a_body_within_the_cap_is_returned_whole(server: str) -> None:
    assert fetch_url(f"{server}/small", max_bytes=100) == b"x" * 100


def test_a_body_over_the_cap_is_refused_not_cut(server: str) -> None:
    with pytest.raises(FetchError, match="larger than 1,000 bytes"):
        fetch_url(f"{server}/large", max_bytes=1000)


def test_an_error_status_is_named(server: str) -> None:
    with pytest.raises(FetchError, match="answered 404"):
        fetch_url(f"{server}/missing", max_bytes=1000)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x"]
)
def test_only_http_addresses_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_url(url, max_bytes=1000)


def test_nothing_listening_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="could not be fetched"):
        fetch_url("http://127.0.0.1:9/", max_bytes=1000, timeout=2)


def test_a_location_is_a_file_or_an_address(tmp_path, server: str) -> None:
    path = tmp_path / "sheet.xml"
    path.write_bytes(b"<x/>")
    assert read_location(str(path), max_bytes=10) == b"<x/>"
    assert read_location(f"{server}/small", max_bytes=100) == b"x" * 100
    with pytest.raises(FetchError, match="no such file"):
        read_location(str(tmp_path / "absent.xml"), max_bytes=10)
    with pytest.raises(FetchError, match="larger than 3 bytes"):
        read_location(str(path), max_bytes=3)
