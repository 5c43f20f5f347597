"""Photo galleries: public ones listed, each shown as a slideshow with a page
per photo (the first at the gallery's address), hidden ones nowhere, the
"Photo" block on the home and article pages, the newsroom's form."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone
from lxml import html

from dateline.content import services
from dateline.content.models import Gallery, GalleryPhoto, Section, VisualStatus
from dateline.site.visual_pages import SLIDE_SIZES, THUMBNAIL_SIZES
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
    for url in [hidden.get_absolute_url(), f"/galleries/{hidden.slug}/2/"]:
        page(client, url, status=404)
    # Not even a redirect from its first photo's number.
    page(client, f"/galleries/{hidden.slug}/1/", status=404)
    for url in ["/galleries/", "/", published_article().get_absolute_url()]:
        assert hidden.title.encode() not in client.get(url).content


def slide_url(gallery: Gallery, number: int) -> str:
    if number == 1:
        return gallery.get_absolute_url()
    return f"/galleries/{gallery.slug}/{number}/"


def shown(doc: html.HtmlElement) -> dict[str, object]:
    """What a slideshow page shows, by the contract gallery.js and the
    browser tests rely on."""
    (slideshow,) = doc.xpath("//*[@data-slideshow]")
    return {
        "alt": slideshow.xpath("string(.//figure[@data-slide]//img/@alt)"),
        "position": slideshow.xpath("string(.//*[@class='gallery-position'])"),
        "caption": " ".join(
            slideshow.xpath("string(.//figure[@data-slide]/figcaption)").split()
        ),
        "prev": doc.xpath("//a[@rel='prev']/@href"),
        "next": doc.xpath("//a[@rel='next']/@href"),
        "current": doc.xpath(
            "//nav[@class='gallery-strip']//a[@aria-current='true']/@href"
        ),
        "canonical": doc.xpath("//link[@rel='canonical']/@href"),
    }


def test_each_photo_has_its_own_page_in_the_editors_order(
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
    pages = [page(client, slide_url(gallery, n)) for n in (1, 2, 3)]
    assert [doc.xpath("string(//h1)") for doc in pages] == ["Gallery harbour"] * 3
    assert [doc.xpath("string(//*[@class='article-lead'])") for doc in pages] == [
        "Pictures."
    ] * 3
    assert all(doc.xpath("//article//time/@datetime") for doc in pages)
    assert [shown(doc)["alt"] for doc in pages] == [
        "harbour alt 2",
        "harbour alt 0",
        "harbour alt 1",
    ]
    assert [shown(doc)["position"] for doc in pages] == [
        "Photo 1 of 3",
        "Photo 2 of 3",
        "Photo 3 of 3",
    ]
    assert [shown(doc)["caption"] for doc in pages] == [
        "Its caption in this gallery. © Test Agency/Ola Fotograf",
        "harbour caption 0 © Test Agency/Ola Fotograf",
        "harbour caption 1 © Test Agency/Ola Fotograf",
    ]
    for doc in pages:
        # One photo a page: loaded first, at the width it is shown at.
        (img,) = doc.xpath("//*[@data-slideshow]//img")
        assert img.get("fetchpriority") == "high"
        assert img.get("loading") is None
        # The one live region is the position line, said once.
        assert doc.xpath("//main//*[@aria-live]/@class") == ["gallery-position"]
        assert doc.xpath("//script[contains(@src, 'gallery.js')]")
        assert not doc.xpath("//dialog | //*[contains(@class, 'viewer')]")
    assert (
        pages[1].xpath("string(//title)").startswith("Gallery harbour: photo 2 of 3 — ")
    )


def test_previous_next_and_the_strip_link_every_photo_and_mark_the_current_one(
    client: Client, galleries: dict[str, Gallery]
) -> None:
    gallery = galleries["old"]  # five photos
    urls = [slide_url(gallery, n) for n in range(1, 6)]
    assert urls[:2] == ["/galleries/summit/", "/galleries/summit/2/"]
    for number, url in enumerate(urls, start=1):
        doc = page(client, url)
        seen = shown(doc)
        assert seen["position"] == f"Photo {number} of 5"
        assert seen["prev"] == ([urls[number - 2]] if number > 1 else [])
        assert seen["next"] == ([urls[number]] if number < 5 else [])
        assert seen["current"] == [url]
        # At the ends the step is there, disabled, and leads nowhere.
        ends = doc.xpath("//a[@data-step][@aria-disabled='true']")
        expected = {1: ["prev"], 5: ["next"]}.get(number, [])
        assert [a.get("data-step") for a in ends] == expected
        assert all(a.get("href") is None and a.get("rel") is None for a in ends)
        (strip,) = doc.xpath("//nav[@class='gallery-strip'][@aria-label='Photos']")
        thumbnails = strip.xpath(".//a")
        assert [a.get("href") for a in thumbnails] == urls
        assert [a.text_content().strip() for a in thumbnails] == [
            f"Photo {n}" for n in range(1, 6)
        ]
        assert all(
            img.get("loading") == "lazy" and img.get("alt") == ""
            for img in strip.xpath(".//img")
        )


def test_the_pictures_offer_the_widths_they_are_shown_at(client: Client) -> None:
    photo = services.create_photo(
        data=jpeg_bytes(1400, 800), name="g.jpg", credit="© A/B", alt_text="Quay."
    )
    gallery = make_gallery("with-renditions", photos=0)
    services.set_gallery_photos(
        gallery=gallery, photos=[(photo, ""), (PhotoFactory(), "")]
    )
    doc = page(client, gallery.get_absolute_url())
    (slide,) = doc.xpath("//*[@data-slideshow]//picture")
    assert {s.get("sizes") for s in slide.xpath("source | img")} == {SLIDE_SIZES}
    assert "1280w" in slide.xpath("string(source[@type='image/avif']/@srcset)")
    thumbnail = doc.xpath("//nav[@class='gallery-strip']//picture")[0]
    assert {s.get("sizes") for s in thumbnail.xpath("source | img")} == {
        THUMBNAIL_SIZES
    }
    # A thumbnail is offered only its narrowest rendition: a strip of many
    # stays light.
    for srcset in thumbnail.xpath("source/@srcset | img/@srcset"):
        assert srcset.endswith(" 320w")
        assert "," not in srcset


def test_the_first_photo_has_one_address_and_each_other_photo_its_own(
    client: Client, galleries: dict[str, Gallery]
) -> None:
    gallery = galleries["old"]
    host = "http://testserver"
    assert shown(page(client, "/galleries/summit/"))["canonical"] == [
        f"{host}/galleries/summit/"
    ]
    for number in (2, 5):
        url = f"/galleries/summit/{number}/"
        assert shown(page(client, url))["canonical"] == [f"{host}{url}"]
    response = client.get("/galleries/summit/1/")
    assert response.status_code == 301
    assert response["Location"] == gallery.get_absolute_url()


@pytest.mark.parametrize(
    "number",
    ["0", "00", "01", "-1", "+2", "6", "7", "99999", "100000", "9" * 40,
     "x", "2x", "1e3", "2.0", "%C2%B2", "%EF%BC%92", "%20", ""],
)  # fmt: skip
def test_a_photo_number_that_names_no_photo_is_the_sites_404(
    client: Client, galleries: dict[str, Gallery], number: str
) -> None:
    """A 404 rather than a redirect to the first or last photo: the address
    names no photo (and the page cache keeps only real pages)."""
    url = f"/galleries/summit/{number}/" if number else "/galleries/summit//"
    doc = page(client, url, status=404)
    assert doc.xpath("string(//h1)") == "Page not found"
    assert doc.xpath("//form[@role='search']")


def test_a_gallery_without_photos_yet_has_its_page_and_no_photo_pages(
    client: Client,
) -> None:
    gallery = make_gallery("empty", photos=0)
    doc = page(client, gallery.get_absolute_url())
    assert doc.xpath("string(//h1)") == "Gallery empty"
    assert not doc.xpath("//*[@data-slideshow] | //nav[@class='gallery-strip']")
    page(client, "/galleries/empty/2/", status=404)
    # One photo: no strip and nowhere to step.
    services.set_gallery_photos(gallery=gallery, photos=[(PhotoFactory(), "")])
    doc = page(client, gallery.get_absolute_url())
    assert shown(doc)["position"] == "Photo 1 of 1"
    assert not doc.xpath("//a[@rel] | //nav[@class='gallery-strip']")
    page(client, "/galleries/empty/2/", status=404)


def test_gallery_pages_cost_a_fixed_number_of_queries(
    client: Client, galleries: dict[str, Gallery], django_assert_num_queries
) -> None:
    for i in range(6):
        make_gallery(f"more-{i}", photos=4)
    large = make_gallery("large", photos=12)
    client.get("/")  # the header's cities and the adverts are read, then cached
    with django_assert_num_queries(2):  # count, galleries with covers
        client.get("/galleries/")
    for gallery, count in [(galleries["new"], 3), (large, 12)]:
        for number in (1, 2, count):
            with django_assert_num_queries(2):  # the gallery, its photos
                response = client.get(slide_url(gallery, number))
            assert response.status_code == 200
    with django_assert_num_queries(1):  # the gallery: the redirect needs no more
        assert client.get("/galleries/large/1/").status_code == 301
    client.get("/galleries/unknown/")  # the 404 page's latest news, then kept
    with django_assert_num_queries(2):
        assert client.get("/galleries/large/13/").status_code == 404


def test_a_large_gallerys_page_keeps_to_the_page_weight_budget(
    client: Client,
) -> None:
    """HTML, stylesheet and scripts, compressed as sent, within 60 KB
    (DESIGN.md §5) with forty photos in the strip."""
    photo = services.create_photo(
        data=jpeg_bytes(1400, 800), name="g.jpg", credit="© A/B", alt_text="Quay."
    )
    gallery = make_gallery("forty", photos=0)
    services.set_gallery_photos(
        gallery=gallery,
        photos=[(photo, "")]
        + [
            (PhotoFactory(renditions=photo.renditions, caption="A caption " * 8), "")
            for _ in range(39)
        ],
    )
    response = client.get(slide_url(gallery, 20))
    doc = html.fromstring(response.content)
    assert len(doc.xpath("//nav[@class='gallery-strip']//picture")) == 40
    assets = doc.xpath("//link[@rel='stylesheet']/@href | //script/@src")
    assert any(url.endswith("gallery.js") for url in assets)
    weight = len(gzip.compress(response.content))
    for url in assets:
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        weight += len(gzip.compress(Path(path).read_bytes()))
    assert weight <= 60 * 1024


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_each_photo_is_a_kept_page_and_a_gallery_edit_shows_at_once(
    client: Client,
) -> None:
    gallery = make_gallery("kept", photos=3)
    first, second = gallery.get_absolute_url(), slide_url(gallery, 2)
    for url in (first, second):
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    assert shown(page(client, first))["alt"] == "kept alt 0"
    assert shown(page(client, second))["alt"] == "kept alt 1"

    # A caption in this gallery, then a new title: each shows at once.
    link = gallery.gallery_photos.get(position=1)
    link.caption = "Fresh caption."
    link.save()
    assert "Fresh caption." in shown(page(client, second))["caption"]
    gallery.title = "Harbour at night"
    services.save_visual(item=gallery)
    for url in (first, second):
        assert page(client, url).xpath("string(//h1)") == "Harbour at night"

    # The photos replaced (in bulk): the new order and count at once.
    photos = [link.photo for link in gallery.gallery_photos.order_by("position")]
    services.set_gallery_photos(
        gallery=gallery, photos=[(photos[2], ""), (photos[1], "")]
    )
    assert shown(page(client, first))["alt"] == "kept alt 2"
    assert shown(page(client, second))["position"] == "Photo 2 of 2"
    page(client, slide_url(gallery, 3), status=404)

    # Withdrawn: every photo's page is gone at once.
    gallery.status = VisualStatus.WITHDRAWN
    services.save_visual(item=gallery)
    for url in (first, second):
        page(client, url, status=404)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_photos_added_to_an_empty_gallery_show_at_once(client: Client) -> None:
    gallery = make_gallery("filled-later", photos=0)
    photo = PhotoFactory()  # in the library already
    client.get(gallery.get_absolute_url())
    assert client.get(gallery.get_absolute_url())["X-Page-Cache"] == "hit"
    # Written in bulk, with no row of the gallery's to delete first.
    services.set_gallery_photos(gallery=gallery, photos=[(photo, "")])
    assert shown(page(client, gallery.get_absolute_url()))["position"] == (
        "Photo 1 of 1"
    )


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
