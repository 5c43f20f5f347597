"""The data migrations that move existing uploads to names the server makes:
unsafe files written again and renamed with their renditions, rows updated,
safe ones left alone, missing ones logged; a second run changes nothing."""

from __future__ import annotations

import importlib
import io
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.apps import apps
from django.conf import settings
from PIL import Image

from dateline.adverts.models import Advert
from dateline.content import services
from dateline.content.models import Photo
from tests.adverts.factories import image_advert
from tests.factories import PhotoFactory, jpeg_bytes

if TYPE_CHECKING:
    from django.db.models import Model

pytestmark = pytest.mark.django_db

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
CONTENT = importlib.import_module(
    "dateline.content.migrations.0007_move_uploads_to_safe_names"
)
ADVERTS = importlib.import_module(
    "dateline.adverts.migrations.0004_move_uploads_to_safe_names"
)


def media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def png_with_page() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (700, 400), (30, 60, 90)).save(out, format="PNG")
    return out.getvalue() + PAYLOAD


def unsafe(row: Model, name: str, data: bytes, renditions: list[str] = ()) -> None:  # type: ignore[assignment]
    """Give a row the stored file an older version would have kept."""
    media(name).parent.mkdir(parents=True, exist_ok=True)
    media(name).write_bytes(data)
    changes: dict[str, Any] = {"image": name}
    if renditions:
        entries = []
        for entry in renditions:
            media(entry).parent.mkdir(parents=True, exist_ok=True)
            media(entry).write_bytes(jpeg_bytes(320, 183))
            entries.append(
                {"type": "image/jpeg", "width": 320, "height": 183, "name": entry}
            )
        changes["renditions"] = entries
    type(row)._base_manager.filter(pk=row.pk).update(**changes)
    row.refresh_from_db()


def run_migrations(capture: Any) -> None:
    with capture(execute=True):
        CONTENT.forwards(apps, None)
        ADVERTS.forwards(apps, None)


def test_unsafe_uploads_are_written_again_and_renamed_with_their_renditions(
    django_capture_on_commit_callbacks: Any,
) -> None:
    photo = PhotoFactory()
    old_rendition = "renditions/photos/2025/01/x/320.jpg"
    unsafe(photo, "photos/2025/01/x.html", png_with_page(), [old_rendition])
    advert = image_advert("sidebar")
    unsafe(advert, "adverts/2025/01/banner.js", png_with_page())

    run_migrations(django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.png", photo.image.name)
    data = media(photo.image.name).read_bytes()
    assert PAYLOAD not in data
    assert (photo.width, photo.height) == (700, 400)
    (entry,) = photo.renditions
    stem = photo.image.name[: -len(".png")]
    assert entry["name"] == f"renditions/{stem}/320.jpg"
    assert media(entry["name"]).read_bytes() == jpeg_bytes(320, 183)
    assert not media("photos/2025/01/x.html").exists()
    assert not media(old_rendition).exists()

    advert.refresh_from_db()
    assert re.fullmatch(r"adverts/\d{4}/\d{2}/[0-9a-f]{32}\.png", advert.image.name)
    assert PAYLOAD not in media(advert.image.name).read_bytes()
    assert not media("adverts/2025/01/banner.js").exists()


def test_a_name_with_the_wrong_extension_for_its_format_is_moved(
    django_capture_on_commit_callbacks: Any,
) -> None:
    photo = PhotoFactory()
    name = "photos/2026/12/" + "a" * 32 + ".gif"  # the right shape, a JPEG inside
    unsafe(photo, name, jpeg_bytes())
    run_migrations(django_capture_on_commit_callbacks)
    photo.refresh_from_db()
    assert photo.image.name.endswith(".jpg")
    assert photo.image.name != name


def test_safe_uploads_are_left_alone_and_a_second_run_changes_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    photo = services.create_photo(
        data=jpeg_bytes(800, 450), name="x.jpg", credit="x", alt_text="x"
    )
    moved = PhotoFactory()
    unsafe(moved, "photos/2025/01/café été.jpg", jpeg_bytes())
    run_migrations(django_capture_on_commit_callbacks)
    before = {row.pk: (row.image.name, row.renditions) for row in Photo.objects.all()}
    assert before[photo.pk] == (photo.image.name, photo.renditions)
    stored = media(photo.image.name).read_bytes()

    run_migrations(django_capture_on_commit_callbacks)
    after = {row.pk: (row.image.name, row.renditions) for row in Photo.objects.all()}
    assert after == before
    assert media(photo.image.name).read_bytes() == stored


def test_a_missing_or_unusable_file_is_logged_and_the_rest_go_on(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    missing = PhotoFactory()
    Photo.objects.filter(pk=missing.pk).update(image="photos/2025/01/gone.jpg")
    broken = PhotoFactory()
    unsafe(broken, "photos/2025/01/broken.jpg", b"<svg><script>1</script></svg>")
    fine = PhotoFactory()
    unsafe(fine, "photos/2025/01/fine.jpg", jpeg_bytes())
    with caplog.at_level(logging.ERROR):
        run_migrations(django_capture_on_commit_callbacks)
    names = dict(Photo.objects.values_list("pk", "image"))
    assert names[missing.pk] == "photos/2025/01/gone.jpg"
    assert names[broken.pk] == "photos/2025/01/broken.jpg"
    assert media("photos/2025/01/broken.jpg").exists()
    assert re.fullmatch(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", names[fine.pk])
    assert f"{missing.pk} (photos/2025/01/gone.jpg)" in caplog.text
    assert f"{broken.pk} (photos/2025/01/broken.jpg)" in caplog.text


def test_the_migrations_go_back_without_touching_anything() -> None:
    from django.db import migrations

    for module in (CONTENT, ADVERTS):
        (operation,) = module.Migration.operations
        assert operation.reverse_code is migrations.RunPython.noop
        assert module.Migration.atomic is False
    assert Advert.objects.count() == 0
