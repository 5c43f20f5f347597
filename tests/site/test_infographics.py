"""Infographics: image, alt text, long description and a real data table;
hidden ones nowhere; the "Infographics" block; the newsroom's checked table."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.datatable import parse_table_text, validate_data_table
from dateline.content.models import Infographic, VisualStatus
from tests.factories import jpeg_bytes, published_article

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

TABLE = [["Year", "Quota (thousand tonnes)"], ["2024", "410"], ["2025", "394"]]


def make_infographic(
    slug: str,
    *,
    status: str = VisualStatus.PUBLISHED,
    ago: timedelta = timedelta(hours=1),
    table: list[list[str]] | None = None,
) -> Infographic:
    return services.save_infographic(
        infographic=Infographic(
            slug=slug,
            title=f"Chart {slug}",
            image=ContentFile(jpeg_bytes(700, 400), name=f"{slug}.jpg"),
            alt_text=f"Bar chart {slug}.",
            long_description="First paragraph.\n\nSecond paragraph.",
            data_table=TABLE if table is None else table,
            status=status,
            published_at=timezone.now() - ago,
        )
    )


@pytest.fixture
def charts() -> dict[str, Infographic]:
    return {
        "new": make_infographic("quotas"),
        "old": make_infographic("rain", ago=timedelta(days=1), table=[]),
        "draft": make_infographic("hidden-draft", status=VisualStatus.DRAFT),
        "withdrawn": make_infographic("hidden-gone", status=VisualStatus.WITHDRAWN),
        "scheduled": make_infographic("hidden-later", ago=timedelta(hours=-3)),
    }


def page(client: Client, url: str, status: int = 200) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status
    return html.fromstring(response.content)


def test_the_detail_page_has_the_picture_the_long_description_and_a_real_table(
    client: Client, charts: dict[str, Infographic]
) -> None:
    doc = page(client, "/infographics/quotas/")
    assert doc.xpath("string(//h1)") == "Chart quotas"
    (img,) = doc.xpath("//figure[@class='infographic-image']//img")
    assert img.get("alt") == "Bar chart quotas."
    assert img.get("fetchpriority") == "high"
    assert doc.xpath("//figure[@class='infographic-image']//source[@type='image/webp']")
    assert len(doc.xpath("//article//section[1]/p")) == 2
    (table,) = doc.xpath("//table")
    assert table.xpath("string(caption)") == "Chart quotas"
    assert [
        (th.get("scope"), th.text_content()) for th in table.xpath("thead/tr/th")
    ] == [("col", "Year"), ("col", "Quota (thousand tonnes)")]
    rows = table.xpath("tbody/tr")
    assert [r.xpath("string(th[@scope='row'])") for r in rows] == ["2024", "2025"]
    assert [r.xpath("string(td)") for r in rows] == ["410", "394"]


def test_an_infographic_without_a_table_shows_none(
    client: Client, charts: dict[str, Infographic]
) -> None:
    assert not page(client, "/infographics/rain/").xpath("//table")


@pytest.mark.parametrize("which", ["draft", "withdrawn", "scheduled"])
def test_hidden_infographics_are_a_404_and_appear_nowhere(
    client: Client, charts: dict[str, Infographic], which: str
) -> None:
    hidden = charts[which]
    page(client, hidden.get_absolute_url(), status=404)
    for url in ["/infographics/", "/", published_article().get_absolute_url()]:
        assert hidden.title.encode() not in client.get(url).content


def test_the_listing_and_the_block_show_public_ones_newest_first(
    client: Client, charts: dict[str, Infographic]
) -> None:
    listing = page(client, "/infographics/")
    assert [
        c.xpath("string(.//h2)") for c in listing.xpath("//li[@class='visual-card']")
    ] == ["Chart quotas", "Chart rain"]
    for url in ["/", published_article().get_absolute_url()]:
        doc = page(client, url)
        (block,) = doc.xpath("//section[@aria-labelledby='infographic-block-title']")
        assert block.xpath("string(h2)") == "Infographics"
        assert [a.text_content() for a in block.xpath(".//li/a")] == [
            "Chart quotas",
            "Chart rain",
        ]


def test_infographic_pages_cost_a_fixed_number_of_queries(
    client: Client, charts: dict[str, Infographic], django_assert_num_queries
) -> None:
    for i in range(5):
        make_infographic(f"more-{i}")
    client.get("/")  # the header's cities and the adverts are read, then cached
    with django_assert_num_queries(2):  # count, infographics
        client.get("/infographics/")
    with django_assert_num_queries(1):  # infographic
        client.get("/infographics/quotas/")
    for bad in ["2", "0", "x"]:
        page(client, f"/infographics/?page={bad}", status=404)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([["Year"]], "header row and at least one row"),
        ([["Year", "Value"], ["2024"]], "Row 2 has 1 cells; the header has 2"),
        ([["Year", ""], ["2024", "1"]], "Every column needs a heading"),
        ([["Year", "Value"], ["2024", 5]], "every cell must be text"),
        ({"Year": "2024"}, "list of rows"),
        ([["x" * 201], ["1"]], "longer than 200"),
    ],
)
def test_bad_tables_are_refused_with_a_reason(table: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_data_table(table)


def test_a_bad_table_changes_nothing_through_the_service() -> None:
    with pytest.raises(ValidationError):
        make_infographic("broken", table=[["A", "B"], ["only one"]])
    assert not Infographic.objects.exists()


def test_csv_from_the_newsroom_becomes_rows() -> None:
    assert parse_table_text('Town,Rain\n"Port Seline, north",131\n\nDravik,212\n') == [
        ["Town", "Rain"],
        ["Port Seline, north", "131"],
        ["Dravik", "212"],
    ]
    assert parse_table_text("  ") == []


def newsroom_form(table: str, image: bytes) -> dict[str, object]:
    return {
        "title": "Catch quotas",
        "slug": "catch-quotas",
        "description": "",
        "image": SimpleUploadedFile("quotas.png", image, "image/png"),
        "alt_text": "Bar chart of falling quotas.",
        "long_description": "",
        "table_text": table,
        "credit": "",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
    }


def test_an_editor_adds_an_infographic_with_a_table_in_the_newsroom(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    response = client.post(
        "/newsroom/content/infographic/add/",
        newsroom_form("Year,Quota\n2024,410\n2025,394", jpeg_bytes(900, 500)),
    )
    assert response.status_code == 302
    chart = Infographic.objects.get()
    assert chart.data_table == [["Year", "Quota"], ["2024", "410"], ["2025", "394"]]
    assert chart.is_public()
    assert {e["width"] for e in chart.renditions} == {320, 640, 900}
    edit = client.get(f"/newsroom/content/infographic/{chart.pk}/change/")
    assert "2024,410" in edit.content.decode()


@pytest.mark.parametrize(
    ("table", "image", "field"),
    [
        ("Year,Quota\n2024", jpeg_bytes(900, 500), "table_text"),
        ("Year,Quota\n2024,410", b"not a picture", "image"),
    ],
)
def test_the_newsroom_form_refuses_a_bad_table_or_picture_and_saves_nothing(
    client: Client, editor: User, table: str, image: bytes, field: str
) -> None:
    client.force_login(editor)
    response = client.post(
        "/newsroom/content/infographic/add/", newsroom_form(table, image)
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Infographic.objects.exists()


def test_the_renditions_command_covers_infographics() -> None:
    from django.core.management import call_command

    chart = make_infographic("archive")
    Infographic.objects.filter(pk=chart.pk).update(renditions=[])
    call_command("renditions")
    chart.refresh_from_db()
    assert chart.renditions
