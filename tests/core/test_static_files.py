"""Static files as `dateline serve` gathers them: hashed names, gzip copies,
cached for good by browsers; names without a hash for a minute only."""

from __future__ import annotations

import gzip
import re
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("collected")
    with override_settings(STATIC_ROOT=str(root), STORAGES=MANIFEST_STORAGE):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def _hashed_url(name: str) -> str:
    from django.contrib.staticfiles.storage import staticfiles_storage

    return staticfiles_storage.url(name)


def _max_age(cache_control: str) -> int:
    found = re.search(r"max-age=(\d+)", cache_control)
    assert found, cache_control
    return int(found.group(1))


@pytest.mark.parametrize("name", ["site/css/site.css", "site/js/feed.js"])
def test_a_hashed_static_file_is_immutable_and_cached_for_a_year_or_more(
    collected: Path, name: str
) -> None:
    url = _hashed_url(name)
    assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url
    response = Client().get(url)
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    assert "public" in cache_control
    assert _max_age(cache_control) >= YEAR


def test_a_hashed_stylesheet_comes_precompressed_for_gzip_clients(
    collected: Path,
) -> None:
    url = _hashed_url("site/css/site.css")
    assert (collected / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    css = gzip.decompress(b"".join(response)).decode()
    assert "{" in css


def test_a_static_name_without_its_hash_is_cached_for_a_minute_only(
    collected: Path,
) -> None:
    response = Client().get("/static/site/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert _max_age(response["Cache-Control"]) == 60


def test_pages_link_the_hashed_names(collected: Path, db: None) -> None:
    page = Client().get("/news/").content.decode()
    assert re.search(r'href="/static/site/css/site\.[0-9a-f]{12}\.css"', page)
