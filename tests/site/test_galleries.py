"""Photo galleries: public ones listed and shown in order, hidden ones nowhere,
the "Photo" block on the home and article pages, the newsroom's form."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.models import Gallery, GalleryPhoto, Section, VisualStatus
from tests.factories import PhotoFactory, jpeg_bytes, published_article

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db


def make_gallery(
    slug: str,
    *,
    photos: int = 3,
    status: str = VisualStatus.PUBLISHED,
    ago: timedelta = timedelta(hours=1),
) -> Gallery:
    gallery = Gallery(slug=slug, title=f"Gallery {slug}", description="Pictures.")
    gallery.status = status
    gallery.published_at = timezone.now() - ago
    services.save_visual(item=gallery)
    services.set_gallery_photos(
        gallery=gallery,
        photos=[
            (
                PhotoFactory(caption=f"{slug} caption {i}", alt_text=f"{slug} alt {i}"),
                "",
            )
            for i in range(photos)
        ],
    )
    return gallery


@pytest.fixture
def galleries() -> dict[str, Gallery]:
    return {
        "new": make_gallery("harbour", photos=3, ago=timedelta(hours=1)),
        "old": make_gallery("summit", photos=5, ago=timedelta(days=2)),
        "draft": make_gallery("hidden-draft", status=VisualStatus.DRAFT),
        "withdrawn": make_gallery("hidden-withdrawn", status=VisualStatus.WITHDRAWN),
        "scheduled": make_gallery("hidden-scheduled", ago=timedelta(hours=-2)),
    }


def page(client: Client, url: str, status: int = 200) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status
    return html.fromstring(response.content)


def test_the_listing_shows_public_galleries_newest_first_with_counts(
    client: Client, galleries: dict[str, Gallery]
) -> None:
    doc = page(client, "/galleries/")
    cards = doc.xpath("//li[@class='visual-card']")
    assert [c.xpath("string(.//h2)") for c in cards] == [
        "Gallery harbour",
        "Gallery summit",
    ]
    assert [c.xpath("string(.//*[@class='visual-count'])") for c in cards] == [
        "3 photos",
        "5 photos",
    ]
    assert cards[0].xpath(".//img/@alt") == [""]  # the title beside it says it


@pytest.mark.parametrize("which", ["draft", "withdrawn", "scheduled"])
def test_hidden_galleries_are_a_404_and_appear_nowhere(
    client: Client, galleries: dict[str, Gallery], which: str
) -> None:
    hidden = galleries[which]
    page(client, hidden.get_absolute_url(), status=404)
    for url in ["/galleries/", "/", published_article().get_absolute_url()]:
        assert hidden.title.encode() not in client.get(url).content


def test_a_gallery_page_shows_every_photo_in_order_as_figures(
    client: Client, galleries: dict[str, Gallery]
) -> None:
    gallery = galleries["new"]
    links = list(GalleryPhoto.objects.filter(gallery=gallery).order_by("position"))
    # The editor moves the last photo to the front and gives it a caption.
    for position, link in enumerate([links[-1], *links[:-1]]):
        link.position = position
        link.save()
    links[-1].caption = "Its caption in this gallery."
    links[-1].save()
    doc = page(client, gallery.get_absolute_url())
    assert doc.xpath("string(//h1)") == "Gallery harbour"
    figures = doc.xpath("//ol[@class='gallery-photos']/li/figure")
    assert len(figures) == 3
    positions = [f.xpath("string(.//*[@class='gallery-position'])") for f in figures]
    assert positions == ["Photo 1 of 3", "Photo 2 of 3", "Photo 3 of 3"]
    assert "Its caption in this gallery." in figures[0].xpath("string(figcaption)")
    assert [f.xpath("string(.//img/@alt)") for f in figures] == [
        "harbour alt 2",
        "harbour alt 0",
        "harbour alt 1",
    ]
    assert all(f.xpath(".//*[@class='credit']") for f in figures)
    loading = [f.xpath("string(.//img/@loading)") for f in figures]
    assert loading == ["", "lazy", "lazy"]  # the first is the page's main picture
    assert doc.xpath("//script[contains(@src, 'gallery.js')]")


def test_gallery_pages_cost_a_fixed_number_of_queries(
    client: Client, galleries: dict[str, Gallery], django_assert_num_queries
) -> None:
    for i in range(6):
        make_gallery(f"more-{i}", photos=4)
    client.get("/")  # the header's cities and the adverts are read, then cached
    with django_assert_num_queries(2):  # count, galleries with covers
        client.get("/galleries/")
    with django_assert_num_queries(2):  # gallery, its photos
        client.get(galleries["old"].get_absolute_url())


def test_the_listing_is_paginated_and_bad_pages_are_a_404(client: Client) -> None:
    for i in range(14):
        make_gallery(f"g-{i:02d}", photos=1, ago=timedelta(hours=i + 1))
    first = page(client, "/galleries/")
    assert len(first.xpath("//li[@class='visual-card']")) == 12
    assert first.xpath("//nav[@class='pager']/a[@rel='next']/@href") == ["?page=2"]
    second = page(client, "/galleries/?page=2")
    assert [
        c.xpath("string(.//h2)") for c in second.xpath("//li[@class='visual-card']")
    ] == [
        "Gallery g-12",
        "Gallery g-13",
    ]
    for bad in ["3", "0", "-1", "x", "1e3", "９"]:
        page(client, f"/galleries/?page={bad}", status=404)


def test_the_photo_block_on_home_and_article_pages_lists_recent_galleries(
    client: Client, galleries: dict[str, Gallery]
) -> None:
    article = published_article()
    for url in ["/", article.get_absolute_url()]:
        doc = page(client, url)
        (block,) = doc.xpath("//section[@aria-labelledby='photo-block-title']")
        assert block.xpath("string(h2)") == "Photo"
        assert block.xpath("h2/a/@href") == ["/galleries/"]
        items = block.xpath(".//li")
        assert [i.xpath("string(a)") for i in items] == [
            "Gallery harbour",
            "Gallery summit",
        ]
        assert [i.xpath("string(*[@class='visual-count'])") for i in items] == [
            "3 photos",
            "5 photos",
        ]
        assert all(i.xpath(".//img[@loading='lazy']") for i in items)


def test_the_cover_is_the_first_photo_unless_the_editor_picks_another() -> None:
    gallery = make_gallery("covers", photos=3)
    first, second, _ = (
        link.photo for link in gallery.gallery_photos.order_by("position")
    )
    assert gallery.cover == first
    gallery.cover = second
    services.save_visual(item=gallery)
    services.fill_gallery_cover(gallery=gallery)
    gallery.refresh_from_db()
    assert gallery.cover == second
    services.set_gallery_photos(gallery=gallery, photos=[(first, "")])
    gallery.refresh_from_db()
    assert gallery.cover == first  # the picked cover left the gallery


def test_galleries_is_not_a_section_slug() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Section(name="Galleries", slug="galleries").full_clean()


def test_an_editor_makes_a_gallery_with_ordered_photos_in_the_newsroom(
    client: Client, editor: User
) -> None:
    one, two = PhotoFactory(), PhotoFactory()
    client.force_login(editor)
    response = client.post(
        "/newsroom/content/gallery/add/",
        {
            "title": "Harbour at dawn",
            "slug": "harbour-at-dawn",
            "description": "Early light over Port Seline.",
            "status": "published",
            "published_at_0": "",
            "published_at_1": "",
            "gallery_photos-TOTAL_FORMS": "2",
            "gallery_photos-INITIAL_FORMS": "0",
            "gallery_photos-0-photo": str(two.pk),
            "gallery_photos-0-position": "1",
            "gallery_photos-1-photo": str(one.pk),
            "gallery_photos-1-position": "0",
            "gallery_photos-1-caption": "The first light.",
        },
    )
    assert response.status_code == 302, [
        f.errors for f in [response.context["adminform"].form]
    ] + [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
    gallery = Gallery.objects.get()
    assert gallery.is_public()
    assert gallery.cover == one
    doc = page(client, "/galleries/harbour-at-dawn/")
    captions = doc.xpath("//figcaption")
    assert "The first light." in captions[0].text_content()


def test_reporters_cannot_make_galleries(client: Client, reporter: User) -> None:
    client.force_login(reporter)
    assert client.get("/newsroom/content/gallery/add/").status_code == 403


def test_an_upload_with_renditions_shows_as_picture_in_the_gallery(
    client: Client,
) -> None:
    photo = services.create_photo(
        data=jpeg_bytes(1000, 600), name="g.jpg", credit="© A/B", alt_text="Quay."
    )
    gallery = make_gallery("with-renditions", photos=0)
    services.set_gallery_photos(gallery=gallery, photos=[(photo, "")])
    doc = page(client, gallery.get_absolute_url())
    assert doc.xpath("//figure//picture//source[@type='image/avif']")
