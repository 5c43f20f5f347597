"""/media/ from the app (DATELINE_SERVE_MEDIA): uploads answered as pictures of
their stored type or as downloads, never as pages, and a 4xx for any odd path."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db

POLICY = "default-src 'none'; img-src 'self'; sandbox"


def put(name: str, body: bytes = b"\xff\xd8\xff\xe0 a picture") -> str:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return f"/media/{name}"


def assert_sandboxed(response: object) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert response["Content-Security-Policy"] == POLICY  # type: ignore[index]


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [
        ("jpg", "image/jpeg"),
        ("JPEG", "image/jpeg"),
        ("png", "image/png"),
        ("webp", "image/webp"),
        ("gif", "image/gif"),
        ("avif", "image/avif"),
    ],
)
def test_a_picture_is_served_as_its_type_sandboxed_and_cached_for_a_year(
    client: Client, extension: str, media_type: str
) -> None:
    url = put(f"photos/2026/12/0123456789abcdef0123456789abcdef.{extension}")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == media_type
    assert "Content-Disposition" not in response
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert_sandboxed(response)
    assert b"".join(response.streaming_content) == b"\xff\xd8\xff\xe0 a picture"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "name",
    [
        "photos/2025/01/x.html",
        "photos/2025/01/x.js",
        "photos/2025/01/x.svg",
        "photos/2025/01/x.htm",
        "photos/2025/01/x.xml",
        "photos/2025/01/x.css",
        "photos/2025/01/x.jpg.html",
        "photos/2025/01/no-extension",
    ],
)
def test_anything_else_is_a_sandboxed_download_never_a_page_or_script(
    client: Client, name: str
) -> None:
    response = client.get(put(name, b"GIF89a<html><script>alert(1)</script>"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert_sandboxed(response)


def test_a_conditional_get_is_answered_not_modified(client: Client) -> None:
    url = put("photos/2026/12/0123456789abcdef0123456789abcdee.png")
    last_modified = client.get(url)["Last-Modified"]
    response = client.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/" + "a" * 300,
        "/media/" + "a" * 300 + ".jpg",
        "/media/photos/" + "b" * 256 + "/x.jpg",
        "/media/" + "a/" * 600 + "b.jpg",
        "/media/photos/%00.jpg",
        "/media/photos/x%00.jpg/y",
        "/media/../secret_key",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/photos/..%2f..%2fsecret_key",
        "/media/photos/..%5c..%5csecret_key",
        "/media/photos/",
        "/media/photos",
        "/media/",
        "/media//etc/passwd",
        "/media/photos//x.jpg",
        "/media/./photos/x.jpg",
        "/media/photos/2026/12/missing.jpg",
        "/media/photos/caf%C3%A9%20%E2%80%94%20%F0%9F%93%B7.jpg",
        "/media/photos/%ED%A0%80.jpg",
        "/media/photos/%FF%FE.jpg",
        "/media/photos/x.jpg/",
        "/media/photos/x.jpg/..",
    ],
)
def test_odd_paths_get_a_404_never_a_500(client: Client, path: str) -> None:
    put("photos/x.jpg")
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/../outside.jpg",
        "/media/%2e%2e/outside.jpg",
        "/media/photos/..%2f..%2foutside.jpg",
        "/media/photos/..%5c..%5coutside.jpg",
    ],
)
def test_a_file_beside_the_media_folder_is_never_reached(
    client: Client, path: str, settings: Any
) -> None:
    """The traversal cases above all name files that do not exist; here one
    does, beside MEDIA_ROOT, so only the path check stands in the way."""
    outside = Path(settings.MEDIA_ROOT).parent / "outside.jpg"
    outside.write_bytes(b"not for readers")
    try:
        response = client.get(path)
        assert response.status_code == 404
        assert b"not for readers" not in b"".join(response)
    finally:
        outside.unlink()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head_are_answered(client: Client, method: str) -> None:
    url = put("photos/2026/12/0123456789abcdef0123456789abcdef.jpg")
    assert getattr(client, method)(url).status_code == 405
    assert client.head(url).status_code == 200
