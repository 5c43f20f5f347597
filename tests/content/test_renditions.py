"""Renditions: made once on saving a photo, stored through the storage API,
shown as <picture> with srcset; bad pictures are refused and change nothing."""

from __future__ import annotations

import io
import logging
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import engines
from lxml import html
from PIL import Image

from dateline.content import renditions, services
from dateline.content.models import Photo
from tests.factories import PhotoFactory, jpeg_bytes, published_article

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def png_bytes(width: int, height: int, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 40, 40, 128)[: len(mode)]).save(
        out, format="PNG"
    )
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A small PNG that claims (and would decode to) a huge picture."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    rows = zlib.compress(b"\0" * (height * (1 + (width + 7) // 8)), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", rows)
        + chunk(b"IEND", b"")
    )


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((800, 450), 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def new_photo(data: bytes, name: str = "harbour.jpg") -> Photo:
    return Photo(
        image=ContentFile(data, name=name),
        caption="Cranes over the quay.",
        credit="© Test Agency/Ola Fotograf",
        alt_text="Four cranes against a grey sky.",
    )


def test_a_saved_photo_gets_every_width_in_avif_webp_and_jpeg() -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(1400, 800)))
    photo.refresh_from_db()
    widths = {(e["type"], e["width"]) for e in photo.renditions}
    assert widths == {
        (kind, width)
        for kind in ("image/avif", "image/webp", "image/jpeg")
        for width in (320, 640, 960, 1280)
    }
    storage = photo.image.storage
    for entry in photo.renditions:
        assert entry["height"] == round(800 * entry["width"] / 1400)
        assert entry["name"].startswith("renditions/photos/")
        with storage.open(entry["name"]) as handle, Image.open(handle) as decoded:
            assert decoded.size == (entry["width"], entry["height"])
            assert decoded.format == {
                "image/avif": "AVIF", "image/webp": "WEBP", "image/jpeg": "JPEG",
            }[entry["type"]]  # fmt: skip


def test_a_small_picture_is_never_enlarged() -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(500, 300)))
    assert sorted({e["width"] for e in photo.renditions}) == [320, 500]
    tiny = services.save_photo(photo=new_photo(jpeg_bytes(200, 100)))
    assert {e["width"] for e in tiny.renditions} == {200}


def test_a_transparent_png_falls_back_to_png_and_keeps_its_alpha() -> None:
    photo = services.save_photo(photo=new_photo(png_bytes(700, 400), "chart.png"))
    assert {e["type"] for e in photo.renditions} == {
        "image/avif", "image/webp", "image/png",
    }  # fmt: skip
    png = next(e for e in photo.renditions if e["type"] == "image/png")
    with photo.image.storage.open(png["name"]) as handle, Image.open(handle) as image:
        assert image.mode == "RGBA"


def test_a_sideways_camera_picture_is_turned_upright() -> None:
    image = Image.new("RGB", (800, 400), (10, 20, 30))
    exif = image.getexif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    photo = services.save_photo(photo=new_photo(out.getvalue()))
    largest = max(photo.renditions, key=lambda e: e["width"])
    assert (largest["width"], largest["height"]) == (400, 800)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<script>alert(1)</script>", "not a picture"),
        (noisy_jpeg()[:4000], "damaged"),
        (bomb_png(20_000, 20_000), "megapixels"),
        (bomb_png(100_000, 100_000), "megapixels"),
    ],
    ids=["empty", "not-an-image", "truncated", "over-the-cap", "decompression-bomb"],
)
def test_bad_pictures_are_refused_clearly_and_nothing_is_written(
    data: bytes, message: str
) -> None:
    before = media_files()
    with pytest.raises(renditions.ImageRejectedError, match=message):
        services.create_photo(
            data=data, name="harbour.jpg", credit="© Test Agency/Ola", alt_text="x"
        )
    assert not Photo.objects.exists()
    assert media_files() == before


def test_an_oversized_file_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(renditions, "MAX_BYTES", 1000)
    with pytest.raises(renditions.ImageRejectedError, match="at most"):
        services.create_photo(
            data=jpeg_bytes(800, 450), name="a.jpg", credit="x", alt_text="x"
        )
    assert not Photo.objects.exists()


def test_a_storage_failure_half_way_leaves_no_files_and_no_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = media_files()
    calls = []
    real_save = Photo._meta.get_field("image").storage.save  # type: ignore[attr-defined]

    def failing_save(name: str, content: object, **kwargs: object) -> str:
        calls.append(name)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)  # type: ignore[no-any-return]

    storage = Photo._meta.get_field("image").storage  # type: ignore[attr-defined]
    monkeypatch.setattr(storage, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        services.save_photo(photo=new_photo(jpeg_bytes(800, 450)))
    assert not Photo.objects.exists()
    assert media_files() == before


def test_replacing_the_picture_replaces_its_files(
    django_capture_on_commit_callbacks,
) -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(800, 450)))
    old = {photo.image.name, *(e["name"] for e in photo.renditions)}
    photo.image = ContentFile(jpeg_bytes(700, 700), name="square.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_photo(photo=photo)
    photo.refresh_from_db()
    assert max(e["height"] for e in photo.renditions) == 700
    assert not old & media_files()


def test_deleting_a_photo_removes_its_files(django_capture_on_commit_callbacks) -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(800, 450)))
    names = {photo.image.name, *(e["name"] for e in photo.renditions)}
    assert names <= media_files()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_picture(picture=photo)
    assert not names & media_files()


def render(template: str, **context: object) -> html.HtmlElement:
    text = engines["jinja"].from_string(template).render(context)
    return html.fragment_fromstring(text, create_parent="div")


def test_the_picture_tag_offers_avif_and_webp_with_a_jpeg_fallback() -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(1400, 800)))
    doc = render('{{ picture(photo, sizes="50vw") }}', photo=photo)
    sources = doc.xpath("//picture//source")
    assert [s.get("type") for s in sources] == ["image/avif", "image/webp"]
    for source in sources:
        assert source.get("sizes") == "50vw"
        assert [c.split()[1] for c in source.get("srcset").split(", ")] == [
            "320w", "640w", "960w", "1280w",
        ]  # fmt: skip
    (img,) = doc.xpath("//picture//img")
    assert img.get("src").endswith("/960.jpg")
    assert img.get("srcset").count(".jpg") == 4
    assert (img.get("width"), img.get("height")) == ("1280", "731")
    assert img.get("alt") == "Four cranes against a grey sky."
    assert img.get("loading") == "lazy"
    assert img.get("fetchpriority") is None


def test_the_main_picture_is_loaded_first_not_lazily() -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(1400, 800)))
    (img,) = render("{{ picture(photo, priority=True) }}", photo=photo).xpath("//img")
    assert img.get("loading") is None
    assert img.get("fetchpriority") == "high"


def test_a_photo_without_renditions_yet_shows_its_original() -> None:
    photo = PhotoFactory()
    doc = render("{{ picture(photo) }}", photo=photo)
    assert not doc.xpath("//picture")
    (img,) = doc.xpath("//img")
    assert img.get("src") == photo.image.url
    assert (img.get("width"), img.get("height")) == ("800", "450")


def test_the_article_page_shows_the_lead_photo_with_renditions(
    client: Client, django_assert_num_queries
) -> None:
    photo = services.save_photo(photo=new_photo(jpeg_bytes(1400, 800)))
    article = published_article(lead_photo=photo)
    client.get(article.get_absolute_url())
    with django_assert_num_queries(1):  # the renditions come with the photo's row
        response = client.get(article.get_absolute_url())
    doc = html.fromstring(response.content)
    (img,) = doc.xpath("//figure[@class='lead-photo']/picture//img")
    assert img.get("fetchpriority") == "high"
    assert len(doc.xpath("//figure[@class='lead-photo']/picture//source")) == 2


def test_an_upload_in_the_newsroom_gets_its_renditions(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    response = client.post(
        "/newsroom/content/photo/add/",
        {
            "image": SimpleUploadedFile(
                "quay.jpg", jpeg_bytes(1000, 600), "image/jpeg"
            ),
            "caption": "Cranes over the container quay.",
            "credit": "© Test Agency/Ola Fotograf",
            "alt_text": "Four cranes against a grey sky.",
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert {e["width"] for e in photo.renditions} == {320, 640, 960, 1000}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bomb_png(100_000, 100_000), "megapixels"),
        (b"GIF89a not really", "not a picture"),
    ],
)
def test_the_newsroom_form_says_why_a_picture_is_refused(
    client: Client, editor: User, data: bytes, message: str
) -> None:
    client.force_login(editor)
    before = media_files()
    response = client.post(
        "/newsroom/content/photo/add/",
        {
            "image": SimpleUploadedFile("big.png", data, "image/png"),
            "credit": "x",
            "alt_text": "x",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert message in errors[0]
    assert not Photo.objects.exists()
    assert media_files() == before


def test_the_command_fills_in_missing_renditions_and_is_idempotent(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks
) -> None:
    archived = PhotoFactory()
    broken = PhotoFactory()
    Path(broken.image.path).write_bytes(b"not a picture any more")
    out = io.StringIO()
    with caplog.at_level(logging.ERROR):
        call_command("renditions", stdout=out)
    archived.refresh_from_db()
    broken.refresh_from_db()
    assert {e["width"] for e in archived.renditions} == {320, 640, 800}
    assert broken.renditions == []
    assert f"photo {broken.pk}" in caplog.text
    assert "1 picture(s) given renditions, 1 skipped" in out.getvalue()

    again = io.StringIO()
    call_command("renditions", stdout=again)
    assert "0 picture(s) given renditions, 1 skipped" in again.getvalue()
    before = archived.renditions
    with django_capture_on_commit_callbacks(execute=True):
        call_command("renditions", "--all", stdout=io.StringIO())
    archived.refresh_from_db()
    assert archived.renditions != before  # made afresh, under new names
    assert not {e["name"] for e in before} & media_files()
