"""Uploads cannot carry script: stored under names the server makes, with the
extension of the detected format, written again from their pixels (appended
pages and scripts, GPS gone; caption and credit kept); big pictures get their
renditions from the worker."""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, IptcImagePlugin

from dateline.content import pictures, renditions, services
from dateline.content.models import Infographic, Photo
from dateline.core import images
from tests.factories import jpeg_bytes, published_article

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

SAFE_PHOTO_NAME = re.compile(r"photos/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|gif)")
PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def stored_bytes(name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


# --- The audit's files -----------------------------------------------------------


def gif_that_is_javascript() -> bytes:
    """A GIF whose bytes are also a script: ``GIF89a/*…*/=alert(1)//``. Its
    width, 0x2A2F, is the bytes ``/*`` that open a JavaScript comment."""
    out = io.BytesIO()
    Image.new("P", (0x2A2F, 4), 1).save(out, format="GIF")
    data = out.getvalue()
    assert data[6:8] == b"/*"
    assert b"*/" not in data
    return data + b"*/=alert(document.cookie)//"


def png_followed_by_html() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 360), (30, 60, 90)).save(out, format="PNG")
    return out.getvalue() + PAYLOAD


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (900, 600), (120, 130, 140))
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "Examplecam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (59.0, 54.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (10.0, 44.0, 24.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


CAPTION = "Cranes over the quay of Port Séline at dawn."
CREDIT = "Meridian News Agency"
BYLINE = "Ola Fotograf"


def iptc_app13(records: list[tuple[int, int, bytes]]) -> bytes:
    """An APP13 segment with IPTC IIM records, as cameras and tools write it."""
    iim = b"".join(
        struct.pack(">BBBH", 0x1C, record, number, len(value)) + value
        for record, number, value in records
    )
    if len(iim) % 2:
        iim += b"\0"
    resource = b"8BIM\x04\x04\0\0" + struct.pack(">I", len(iim)) + iim
    body = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def jpeg_with_iptc() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 20, 30)).save(
        out,
        format="JPEG",
        extra=iptc_app13(
            [
                (1, 90, b"\x1b%G"),
                (2, 80, BYLINE.encode()),
                (2, 110, CREDIT.encode()),
                (2, 120, CAPTION.encode()),
            ]
        ),
        comment=b"<script>alert(1)</script>",
    )
    return out.getvalue()


def jpeg_with_xmp() -> bytes:
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'photoshop:Credit="{CREDIT}" exif:GPSLatitude="59,54.6N">'
        f"<dc:creator><rdf:Seq><rdf:li>{BYLINE}</rdf:li></rdf:Seq></dc:creator>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{CAPTION}</rdf:li></rdf:Alt></dc:description>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 20, 30)).save(out, format="JPEG", xmp=packet)
    return out.getvalue()


AUDIT_FILES = {
    "gif-that-is-javascript": ("x.js", gif_that_is_javascript, "gif"),
    "png-followed-by-html": ("x.html", png_followed_by_html, "png"),
    "jpeg-with-gps": ("holiday.jpg", jpeg_with_gps, "jpg"),
    "jpeg-with-iptc": ("quay.php", jpeg_with_iptc, "jpg"),
}


def check_stored_safely(photo: Photo, extension: str) -> bytes:
    """The stored file's name, format and bytes are the server's."""
    assert SAFE_PHOTO_NAME.fullmatch(photo.image.name), photo.image.name
    assert photo.image.name.endswith(f".{extension}")
    data = stored_bytes(photo.image.name)
    with Image.open(io.BytesIO(data)) as image:
        assert images.PICTURE_FORMATS[str(image.format)][1] == extension
        assert "exif" not in image.info
        assert not image.getexif()
        assert "comment" not in image.info
    assert b"<script" not in data
    assert b"alert(" not in data
    assert b"<html" not in data
    return data


# --- Through the service ---------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(AUDIT_FILES))
def test_the_service_stores_an_upload_under_a_server_name_without_its_payload(
    kind: str,
) -> None:
    name, make, extension = AUDIT_FILES[kind]
    photo = services.create_photo(
        data=make(), name=name, credit="© Test Agency/Ola", alt_text="A quay."
    )
    photo.refresh_from_db()
    check_stored_safely(photo, extension)
    assert (
        photo.media_type
        == images.PICTURE_FORMATS[
            {"jpg": "JPEG", "png": "PNG", "gif": "GIF"}[extension]
        ][0]
    )
    for entry in photo.renditions:
        assert entry["name"].startswith(f"renditions/{photo.image.name[:-4]}/")


def test_an_svg_is_refused_and_nothing_is_written() -> None:
    before = media_files()
    with pytest.raises(images.ImageRejectedError, match="upload a JPEG, PNG, WebP"):
        services.create_photo(data=SVG, name="x.svg", credit="x", alt_text="x")
    assert not Photo.objects.exists()
    assert media_files() == before


def test_the_gps_position_and_camera_data_are_gone_and_the_picture_stays_upright() -> (
    None
):
    image = Image.new("RGB", (800, 400), (10, 20, 30))
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    photo = services.create_photo(
        data=out.getvalue(), name="a.jpg", credit="x", alt_text="x"
    )
    data = check_stored_safely(photo, "jpg")
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.size == (400, 800)
    assert (photo.width, photo.height) == (400, 800)
    assert b"Examplecam" not in stored_bytes(
        services.create_photo(
            data=jpeg_with_gps(), name="b.jpg", credit="x", alt_text="x"
        ).image.name
    )


@pytest.mark.parametrize("make", [jpeg_with_iptc, jpeg_with_xmp], ids=["iptc", "xmp"])
def test_the_caption_credit_and_byline_in_the_file_are_kept(make: Any) -> None:
    photo = services.create_photo(
        data=make(), name="quay.jpg", credit="x", alt_text="x"
    )
    data = check_stored_safely(photo, "jpg")
    with Image.open(io.BytesIO(data)) as stored:
        iim = IptcImagePlugin.getiptcinfo(stored) or {}
        assert iim[(2, 110)] == CREDIT.encode()
        assert iim[(2, 120)] == CAPTION.encode()
        assert iim[(2, 80)] == BYLINE.encode()
        words = images.read_words(stored)
        xmp = stored.info["xmp"]
    assert (words.caption, words.credit, words.creators) == (
        CAPTION,
        CREDIT,
        (BYLINE,),
    )
    assert f'photoshop:Credit="{CREDIT}"'.encode() in xmp
    assert b"GPS" not in xmp  # only the words are written again, not the packet


def test_words_too_long_for_one_xmp_segment_leave_it_out_instead_of_a_500() -> None:
    """The sender controls the file's words. A caption of 50,000 characters in
    its XMP and a credit of 30,000 in its IPTC block each fit the source file,
    but together they would not fit one JPEG segment of XMP (Pillow refuses
    such a packet): the picture is stored with its IPTC words, without XMP."""
    caption = "Harbour " * 6_250
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{caption}</rdf:li></rdf:Alt></dc:description>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 20, 30)).save(
        out, format="JPEG", xmp=packet, extra=iptc_app13([(2, 110, b"C" * 30_000)])
    )
    photo = services.create_photo(
        data=out.getvalue(), name="long.jpg", credit=CREDIT, alt_text="A harbour"
    )
    with Image.open(photo.image.path) as stored:
        assert "xmp" not in stored.info
        assert stored.format == "JPEG"


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_keep_the_words_as_xmp(image_format: str) -> None:
    words = images.PictureWords(caption=CAPTION, credit=CREDIT, creators=(BYLINE,))
    out = io.BytesIO()
    options: dict[str, Any] = {"xmp": images.xmp_packet(words)}
    if image_format == "PNG":
        from PIL import PngImagePlugin

        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", images.xmp_packet(words).decode())
        options = {"pnginfo": info}
    Image.new("RGB", (300, 200)).save(out, format=image_format, **options)
    clean = images.clean_image(out.getvalue() + PAYLOAD, max_pixels=10**6)
    with Image.open(clean) as stored:
        assert images.read_words(stored) == words
    assert PAYLOAD not in clean.read()


def test_an_animated_gif_keeps_its_first_frame() -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (40, 30), colour).convert("P") for colour in colours]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    clean = images.clean_image(out.getvalue(), max_pixels=10**6)
    with Image.open(clean) as stored:
        assert getattr(stored, "n_frames", 1) == 1
        assert stored.convert("RGB").getpixel((0, 0)) == colours[0]


def test_a_picture_wider_than_the_cap_is_stored_at_the_cap() -> None:
    clean = images.clean_image(jpeg_bytes(8000, 600), max_pixels=10**8)
    assert (clean.width, clean.height) == (images.MAX_SIDE, 288)


def test_any_file_given_to_an_image_field_gets_a_server_name_from_its_bytes() -> None:
    # The demo generator and imports create rows directly: the field names
    # the file by what Pillow reads in it, whatever it was called.
    photo = Photo.objects.create(
        image=ContentFile(png_followed_by_html(), name="x.html"),
        credit="x",
        alt_text="x",
    )
    assert SAFE_PHOTO_NAME.fullmatch(photo.image.name)
    assert photo.image.name.endswith(".png")
    with pytest.raises(images.ImageRejectedError):
        Photo.objects.create(
            image=ContentFile(SVG, name="x.png"), credit="x", alt_text="x"
        )


# --- Through the newsroom's upload form, as a reporter ------------------------------


@pytest.mark.parametrize("kind", sorted(AUDIT_FILES))
def test_a_reporters_upload_in_the_newsroom_is_stored_safely(
    client: Client, reporter: User, kind: str
) -> None:
    name, make, extension = AUDIT_FILES[kind]
    client.force_login(reporter)
    response = client.post(
        "/newsroom/content/photo/add/",
        {
            "image": SimpleUploadedFile(name, make(), "application/javascript"),
            "credit": "© Test Agency/Ola Fotograf",
            "alt_text": "Four cranes against a grey sky.",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    photo = Photo.objects.get()
    check_stored_safely(photo, extension)
    served = client.get(photo.image.url)
    assert served["Content-Type"] == images.MEDIA_TYPES[extension]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served["Content-Security-Policy"]


def test_a_reporters_svg_gets_a_clear_form_error(
    client: Client, reporter: User
) -> None:
    client.force_login(reporter)
    before = media_files()
    response = client.post(
        "/newsroom/content/photo/add/",
        {
            "image": SimpleUploadedFile("x.svg", SVG, "image/svg+xml"),
            "credit": "x",
            "alt_text": "x",
        },
    )
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["image"]
    assert "upload a JPEG, PNG, WebP or GIF file" in error
    assert not Photo.objects.exists()
    assert media_files() == before


def test_an_infographic_upload_is_stored_safely_too(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    response = client.post(
        "/newsroom/content/infographic/add/",
        {
            "title": "Grain exports",
            "slug": "grain-exports",
            "image": SimpleUploadedFile("chart.html", png_followed_by_html()),
            "alt_text": "A bar chart.",
            "status": "draft",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    chart = Infographic.objects.get()
    assert re.fullmatch(r"infographics/\d{4}/\d{2}/[0-9a-f]{32}\.png", chart.image.name)
    assert PAYLOAD not in stored_bytes(chart.image.name)


# --- Big pictures: renditions from the worker ---------------------------------------


def big_photo() -> Photo:
    return Photo(
        image=ContentFile(jpeg_bytes(2400, 1600), name="big.jpg"),
        credit="© Test Agency/Ola Fotograf",
        alt_text="A wide quay.",
    )


def test_a_big_picture_is_saved_at_once_and_its_renditions_come_from_the_worker(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_in_request = []
    real = renditions.encode_renditions
    monkeypatch.setattr(
        renditions,
        "encode_renditions",
        lambda data: made_in_request.append(1) or real(data),
    )
    queued: list[tuple[Any, ...]] = []
    enqueue = pictures._enqueue_renditions
    monkeypatch.setattr(pictures, "_enqueue_renditions", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.save_photo(photo=big_photo())
    assert made_in_request == []
    assert Photo.objects.get().renditions == []
    # The job, asked for once the save is committed.
    assert queued == [("content.photo", photo.pk, photo.image.name)]
    monkeypatch.setattr(renditions, "encode_renditions", real)
    enqueue(*queued[0])  # the immediate backend runs it here, as a worker would
    photo.refresh_from_db()
    assert {e["width"] for e in photo.renditions} == {320, 640, 960, 1280}
    assert all(
        e["name"].startswith(renditions.rendition_prefix(photo.image.name))
        for e in photo.renditions
    )


def test_a_small_picture_gets_its_renditions_in_the_request(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(pictures, "_enqueue_renditions", lambda *a: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.save_photo(
            photo=Photo(
                image=ContentFile(jpeg_bytes(1200, 800), name="small.jpg"),
                credit="x",
                alt_text="x",
            )
        )
    assert photo.renditions
    assert queued == []


def test_the_renditions_job_is_idempotent_and_ignores_a_replaced_or_deleted_picture(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from dateline.content.tasks import make_renditions_task

    with django_capture_on_commit_callbacks(execute=True):
        photo = services.save_photo(photo=big_photo())
    photo.refresh_from_db()
    made = photo.renditions
    assert made
    call = make_renditions_task.call
    assert call("content.photo", photo.pk, photo.image.name) == "done already"
    photo.refresh_from_db()
    assert photo.renditions == made
    assert call("content.photo", photo.pk, "photos/2020/01/old.jpg") == "gone"
    assert call("content.photo", photo.pk + 1, photo.image.name) == "gone"
    with pytest.raises(ValueError, match="not a model with renditions"):
        call("auth.user", 1, "x")


def test_a_page_shows_a_big_picture_before_its_renditions_exist(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        photo = services.save_photo(photo=big_photo())
    article = published_article(lead_photo=photo)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    # The stored copy itself, safe and at most MAX_SIDE wide, until the
    # worker has made the renditions.
    assert f'src="{photo.image.url}"'.encode() in response.content
    assert photo.width <= images.MAX_SIDE


def test_a_picture_that_fails_to_queue_is_still_saved(
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from dateline.content import tasks

    class Refusing:
        def enqueue(self, *args: object) -> None:
            raise ConnectionError("queue down")

    monkeypatch.setattr(tasks, "make_renditions_task", Refusing())
    with django_capture_on_commit_callbacks(execute=True):
        services.save_photo(photo=big_photo())
    assert Photo.objects.get().renditions == []
    assert "dateline renditions" in caplog.text


def test_pictures_clean_upload_refuses_an_oversized_file_unread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(renditions, "MAX_BYTES", 1000)
    with pytest.raises(images.ImageRejectedError, match="at most"):
        pictures.clean_picture(jpeg_bytes(800, 450))
