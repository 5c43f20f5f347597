"""The favicon, the icons and the web app manifest: each answers 200 with
its type, at the addresses browsers ask and those the pages link."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from lxml import html
from PIL import Image

from dateline.site import icons

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dateline.core.staticfiles.StaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The static files gathered as ``dateline serve`` has them (hashed)."""
    root = tmp_path_factory.mktemp("collected")
    with override_settings(STATIC_ROOT=str(root), STORAGES=MANIFEST_STORAGE):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_favicon_ico_is_the_agencys_icon_not_a_section(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= icon.info["sizes"]
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


def test_the_manifest_names_the_agency_with_its_colours_and_icons(
    client: Client,
) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Meridian News Agency"
    assert manifest["short_name"] == "Meridian"
    assert manifest["start_url"] == "/"
    assert manifest["display"] in {"browser", "minimal-ui"}
    assert manifest["theme_color"] == "#0b4f8a"
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert sizes["192x192"]["type"] == sizes["512x512"]["type"] == "image/png"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Meridian News Agency", "Meridian"),
        ("Valnews", "Valnews"),
        ("Agence Valmorienne de Presse", "Agence"),
        ("Supercalifragilistic Press", "Supercalifra"),
    ],
)
def test_the_short_name_fits_under_an_icon(name: str, short: str) -> None:
    assert icons.short_name(name) == short


def test_the_manifest_follows_the_agency_name_setting(client: Client) -> None:
    with override_settings(DATELINE_AGENCY_NAME="Coralia Press"):
        manifest = client.get("/manifest.webmanifest").json()
    assert (manifest["name"], manifest["short_name"]) == ("Coralia Press", "Coralia")


@pytest.mark.django_db
def test_every_icon_the_head_and_the_manifest_link_answers_with_its_type(
    collected: Path,
) -> None:
    client = Client()
    doc = html.fromstring(client.get("/news/").content.decode())
    linked = {
        rel: doc.xpath(f"//head/link[@rel='{rel}']/@href")
        for rel in ["icon", "apple-touch-icon", "manifest"]
    }
    assert linked["manifest"] == ["/manifest.webmanifest"]
    manifest = client.get(linked["manifest"][0]).json()
    expected = {
        "favicon": ("image/x-icon", None),
        "logo": ("image/svg+xml", None),
        "apple-touch-icon": ("image/png", (180, 180)),
        "icon-192": ("image/png", (192, 192)),
        "icon-512": ("image/png", (512, 512)),
    }
    urls = [*linked["icon"], *linked["apple-touch-icon"]]
    urls += [icon["src"] for icon in manifest["icons"]]
    seen = set()
    for url in urls:
        # The hashed names, cached for good by browsers.
        name = next(n for n in expected if f"/static/site/img/{n}." in url)
        assert url.startswith("/static/site/img/")
        response = client.get(url)
        assert response.status_code == 200, url
        content_type, size = expected[name]
        assert response["Content-Type"] == content_type
        if size is not None:
            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
            assert Image.open(io.BytesIO(body)).size == size
        seen.add(name)
    assert seen == set(expected)
