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
    "staticfiles": {"BACKEND": "dateline.core.staticfiles.StaticFilesStorage"},
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


def test_remembered_urls_are_the_manifest_storages_own(collected: Path) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    plain = CompressedManifestStaticFilesStorage()
    for name in ["site/css/site.css", "site/js/feed.js", "site/img/logo.svg"]:
        assert staticfiles_storage.url(name) == plain.url(name)
        assert staticfiles_storage.url(name) == plain.url(name)  # remembered
    with override_settings(DEBUG=True):  # names without their hash
        assert staticfiles_storage.url("site/js/feed.js") == "/static/site/js/feed.js"
    assert staticfiles_storage.url("site/js/feed.js") == plain.url("site/js/feed.js")


def test_a_name_the_manifest_lacks_is_refused_every_time(collected: Path) -> None:
    from django.contrib.staticfiles.storage import staticfiles_storage

    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            staticfiles_storage.url("site/js/no-such-file.js")


def test_a_url_is_worked_out_once_per_storage(collected: Path) -> None:
    from dateline.core.staticfiles import StaticFilesStorage

    storage = StaticFilesStorage()
    first = storage.url("site/js/feed.js")
    storage.hashed_files = {}  # the manifest is not read again for it
    assert storage.url("site/js/feed.js") == first
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("site/css/site.css")


def test_gathering_again_forgets_the_remembered_urls(collected: Path) -> None:
    from dateline.core.staticfiles import StaticFilesStorage

    storage = StaticFilesStorage()
    assert storage.url("site/js/feed.js") != "/static/site/js/feed.js"
    # A dry run starts the manifest afresh, with nothing in it yet: the
    # remembered name must not outlive it.
    list(storage.post_process({}, dry_run=True))
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("site/js/feed.js")
