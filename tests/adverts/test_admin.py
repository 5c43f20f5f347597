"""Adverts in the newsroom: who may manage them, and clear refusals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import html as lxml_html
from PIL import Image

from dateline.adverts import images, services
from dateline.adverts.models import Advert, Placement
from tests.adverts.factories import image_advert, png_bytes, png_claiming
from tests.conftest import make_user

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

ADD_URL = "/newsroom/adverts/advert/add/"


@pytest.fixture
def chief_client(client: Client, chief: User) -> Client:
    client.force_login(chief)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Photo archive, spring",
        "placement": Placement.objects.get(key="sidebar").pk,
        "kind": "image",
        "starts_at_0": "2026-05-01",
        "starts_at_1": "09:00:00",
        "ends_at_0": "",
        "ends_at_1": "",
        "is_active": "on",
        "priority": "0",
        "alt_text": "Two million news photos to license",
        "target_url": "https://archive.example/licensing",
        "html": "",
    }
    if "image" not in overrides:
        data["image"] = SimpleUploadedFile("ad.png", png_bytes(), "image/png")
    data.update(overrides)
    return data


def errors(response: Any) -> list[str]:
    doc = lxml_html.fromstring(response.content)
    return [e.text_content().strip() for e in doc.xpath("//ul[@class='errorlist']/li")]


@pytest.mark.parametrize(
    "url",
    [
        ADD_URL,
        "/newsroom/adverts/advert/",
        "/newsroom/adverts/placement/",
    ],
)
def test_the_chiefs_advert_pages_load(chief_client: Client, url: str) -> None:
    image_advert("sidebar")
    assert chief_client.get(url).status_code == 200


def test_a_placements_settings_can_be_changed_but_not_added_or_removed(
    chief_client: Client,
) -> None:
    article = Placement.objects.get(key="article")
    url = f"/newsroom/adverts/placement/{article.pk}/change/"
    assert chief_client.get(url).status_code == 200
    response = chief_client.post(url, {"after_paragraph": "5"})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.after_paragraph == 5
    assert chief_client.post(url, {"after_paragraph": "0"}).status_code == 200
    assert chief_client.get("/newsroom/adverts/placement/add/").status_code == 403
    delete = f"/newsroom/adverts/placement/{article.pk}/delete/"
    assert chief_client.get(delete).status_code == 403


def test_reporters_and_editors_do_not_manage_adverts(client: Client) -> None:
    for role in ["Reporter", "Editor"]:
        client.force_login(make_user(role.lower(), role))
        assert client.get(ADD_URL).status_code == 403
        assert client.get("/newsroom/adverts/advert/").status_code == 403


def test_an_image_advert_is_added_with_its_dimensions(chief_client: Client) -> None:
    response = chief_client.post(ADD_URL, form_data())
    assert response.status_code == 302, errors(response)
    advert = Advert.objects.get()
    assert (advert.width, advert.height) == (300, 250)
    assert advert.image.name.startswith("adverts/")


def test_a_snippet_with_scripts_is_stored_sanitized(chief_client: Client) -> None:
    response = chief_client.post(
        ADD_URL,
        form_data(
            kind="snippet",
            image="",
            alt_text="",
            target_url="",
            html='<p onclick="steal()">Subscribe to <a href="javascript:go()">'
            "the Morning</a></p><script>steal()</script>"
            '<a href="https://news.example/" style="x">here</a>',
        ),
    )
    assert response.status_code == 302, errors(response)
    stored = Advert.objects.get().html
    assert stored == (
        '<p>Subscribe to <a rel="sponsored noopener">the Morning</a></p>'
        '<a href="https://news.example/" rel="sponsored noopener">here</a>'
    )


def test_a_snippet_with_nothing_left_after_cleaning_is_refused(
    chief_client: Client,
) -> None:
    response = chief_client.post(
        ADD_URL,
        form_data(kind="snippet", image="", html="<script>alert(1)</script>"),
    )
    assert response.status_code == 200
    assert any("Nothing is left of this snippet" in e for e in errors(response))
    assert not Advert.objects.exists()


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "data:text/html,hello",
        "ftp://files.example/ad",
        "https://",
        "not a url",
    ],
)
def test_a_link_that_is_not_http_is_refused(chief_client: Client, target: str) -> None:
    response = chief_client.post(ADD_URL, form_data(target_url=target))
    assert response.status_code == 200
    assert errors(response)
    assert not Advert.objects.exists()


def test_a_link_typed_without_a_scheme_becomes_https(chief_client: Client) -> None:
    response = chief_client.post(ADD_URL, form_data(target_url="archive.example/x"))
    assert response.status_code == 302, errors(response)
    assert Advert.objects.get().target_url == "https://archive.example/x"


def test_an_image_advert_needs_alt_text_and_a_link(chief_client: Client) -> None:
    response = chief_client.post(ADD_URL, form_data(alt_text="  ", target_url=""))
    assert response.status_code == 200
    found = errors(response)
    assert "An image advert needs alternative text." in found
    assert "An image advert needs a link." in found


def test_an_end_before_the_start_is_refused(chief_client: Client) -> None:
    response = chief_client.post(
        ADD_URL, form_data(ends_at_0="2026-04-30", ends_at_1="09:00:00")
    )
    assert response.status_code == 200
    assert "The end must come after the start." in errors(response)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("bomb.png", png_claiming(100_000, 100_000), "image/png"),
            "too many pixels to decode safely",
        ),
        (
            SimpleUploadedFile("big.png", png_claiming(12_000, 9_000), "image/png"),
            "too many pixels to decode safely",
        ),
        (
            SimpleUploadedFile("wide.png", png_claiming(6_000, 100), "image/png"),
            "This image is 6000 by 100 pixels",
        ),
        (
            SimpleUploadedFile(
                "heavy.png", b"\x89PNG" + b"\0" * images.MAX_BYTES, "image/png"
            ),
            "an advert image may be at most 2.0 MB",
        ),
        (
            SimpleUploadedFile("fake.png", b"<svg onload='x()'></svg>", "image/png"),
            "not an image that can be read",
        ),
        (
            SimpleUploadedFile("cut.png", png_bytes()[:60], "image/png"),
            "not an image that can be read",
        ),
    ],
    ids=[
        "bomb",
        "over-pillow-limit",
        "too-wide",
        "too-heavy",
        "not-an-image",
        "cut-short",
    ],
)
def test_bad_images_get_a_clear_form_error(
    chief_client: Client, upload: SimpleUploadedFile, message: str
) -> None:
    response = chief_client.post(ADD_URL, form_data(image=upload))
    assert response.status_code == 200
    assert any(message in error for error in errors(response)), errors(response)
    assert not Advert.objects.exists()


def test_a_format_browsers_cannot_show_is_refused(chief_client: Client) -> None:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (40, 40)).save(out, format="BMP")
    upload = SimpleUploadedFile("ad.bmp", out.getvalue(), "image/bmp")
    response = chief_client.post(ADD_URL, form_data(image=upload))
    assert response.status_code == 200
    assert any("BMP images are not accepted" in e for e in errors(response))


@pytest.mark.parametrize(
    ("name", "extension"),
    [("banner.html", "png"), ("banner.js", "png"), ("banner.png", "png")],
)
def test_an_advert_image_is_stored_under_a_server_name_without_anything_appended(
    chief_client: Client, name: str, extension: str
) -> None:
    payload = b"<html><script>alert(document.cookie)</script></html>"
    upload = SimpleUploadedFile(name, png_bytes() + payload, "text/html")
    response = chief_client.post(ADD_URL, form_data(image=upload))
    assert response.status_code == 302, errors(response)
    advert = Advert.objects.get()
    assert re.fullmatch(
        rf"adverts/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{extension}", advert.image.name
    )
    data = (Path(settings.MEDIA_ROOT) / advert.image.name).read_bytes()
    assert payload not in data
    with Image.open(advert.image.path) as stored:
        assert stored.format == "PNG"
    served = chief_client.get(advert.image.url)
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_an_advert_image_saved_through_the_service_is_written_again() -> None:
    advert = image_advert("sidebar")
    advert.image = ContentFile(png_bytes() + b"<script>x</script>", name="x.js")
    services.save_advert(advert=advert, actor=None)
    assert advert.image.name.endswith(".png")
    assert b"<script>" not in Path(advert.image.path).read_bytes()
