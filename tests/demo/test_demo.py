"""``dateline demo`` loads a complete agency, once, and ``--reset`` starts over."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from lxml import html

from dateline.content.models import (
    Article,
    Correction,
    Person,
    RelatedArticle,
    Section,
    Topic,
    TopStory,
)
from dateline.demo import loader
from tests.factories import published_article

if TYPE_CHECKING:
    from django.test import Client

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo() -> str:
    return run_demo("--site-url", "http://127.0.0.1:8123")


def test_loads_a_whole_agency(demo: str) -> None:
    items = loader.read_articles()
    assert Section.objects.count() == 8
    assert Topic.objects.count() >= 15
    assert Person.objects.count() >= 20
    assert Article.objects.count() == len(items) >= 80
    assert "http://127.0.0.1:8123/newsroom/" in demo

    statuses = {i["key"]: i.get("status", "published") for i in items}
    expected_public = sum(1 for s in statuses.values() if s == "published")
    assert Article.objects.public().count() == expected_public
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == sum(
        1 for s in statuses.values() if s == "draft"
    )
    assert Article.objects.scheduled().count() == sum(
        1 for s in statuses.values() if s == "scheduled"
    )
    assert Correction.objects.count() == sum(1 for i in items if i.get("correction"))
    assert Article.objects.filter(page_count__gt=1).count() >= 8
    assert RelatedArticle.objects.exists()
    assert TopStory.objects.filter(section=None).count() == 5


def test_items_carry_their_tags_photos_and_authors(demo: str) -> None:
    with_photo = Article.objects.exclude(lead_photo=None).select_related("lead_photo")
    assert with_photo.count() == sum(1 for i in loader.read_articles() if "photo" in i)
    for article in with_photo:
        photo = article.lead_photo
        assert photo is not None
        assert Path(photo.image.path).stat().st_size > 1000
        assert (photo.width, photo.height) == (photo.image.width, photo.image.height)
        assert photo.credit
        assert photo.alt_text
        assert {e["type"] for e in photo.renditions} == {
            "image/avif", "image/webp", "image/jpeg",
        }  # fmt: skip
    assert not Article.objects.filter(topics=None).exists()
    authors = set(Article.objects.values_list("created_by__username", flat=True))
    assert authors == {"reporter"}
    # Publication times are relative to loading: the newest lies just behind us.
    newest = Article.objects.public().newest_first().first()
    assert newest is not None
    assert newest.published_at is not None
    assert (timezone.now() - newest.published_at).total_seconds() < 3600


def test_some_persons_have_a_portrait_and_a_description(
    demo: str, client: Client
) -> None:
    specs = {p["slug"]: p for p in loader.read_taxonomy("person")}
    with_photo = Person.objects.exclude(photo=None).select_related("photo")
    assert {p.slug for p in with_photo} == {s for s in specs if "photo" in specs[s]}
    assert 3 <= with_photo.count() < len(specs)  # some, not all: pages do both
    for person in with_photo:
        photo = person.photo
        assert photo is not None
        assert photo.height > photo.width  # a portrait
        assert photo.alt_text == specs[person.slug]["photo"]["alt"]
        assert {e["type"] for e in photo.renditions} == {
            "image/avif", "image/webp", "image/jpeg",
        }  # fmt: skip
        page = html.fromstring(client.get(person.get_absolute_url()).content)
        intro = page.xpath("string(//*[@class='person-description'])").strip()
        assert intro == person.description != ""
        portrait = page.xpath("//figure[@class='person-portrait']//img/@alt")
        assert portrait == [photo.alt_text]
    assert Person.objects.exclude(description="").count() > with_photo.count()
    assert not Person.objects.filter(role="").exists()


def test_every_public_item_renders_and_hidden_ones_do_not(
    demo: str, client: Client
) -> None:
    for article in Article.objects.select_related("section"):
        url = article.get_absolute_url()
        if not article.is_public():
            assert client.get(url).status_code == 404, url
            continue
        for page in range(1, article.page_count + 1):
            response = client.get(url, {"page": page} if page > 1 else {})
            assert response.status_code == 200, (url, page)
    for section in Section.objects.all():
        assert client.get(section.get_absolute_url()).status_code == 200


def test_demo_logins_work(demo: str, client: Client) -> None:
    lines = [line.split() for line in demo.splitlines() if line.startswith("  ")]
    logins = {words[0]: words[1] for words in lines}
    assert set(logins) == {"chief", "editor", "reporter"}
    for username, password in logins.items():
        response = client.post(
            "/newsroom/login/",
            {"username": username, "password": password, "next": "/newsroom/"},
        )
        assert response.status_code == 302, username
        assert client.get("/newsroom/").status_code == 200
        client.logout()


def test_with_two_factor_on_the_demo_says_so_and_the_editor_sets_it_up_first(
    demo: str, client: Client
) -> None:
    assert "No second factor is asked" in demo
    with override_settings(DATELINE_REQUIRE_TWO_FACTOR=True):
        again = run_demo("--site-url", "http://127.0.0.1:8123")
        assert "Two-factor authentication is on" in again
        logins = {
            words[0]: words[1]
            for words in (line.split() for line in again.splitlines())
            if words and words[0] in {"chief", "editor", "reporter"}
        }
        response = client.post(
            "/newsroom/login/",
            {"username": "editor", "password": logins["editor"]},
        )
        assert response.status_code == 302
        response = client.get("/newsroom/")
        assert response.status_code == 302
        assert response["Location"].startswith("/newsroom/two-factor/enrol/")


def test_a_second_run_keeps_the_content_and_renews_passwords(demo: str) -> None:
    count = Article.objects.count()
    old_hash = User.objects.get(username="editor").password
    again = run_demo()
    assert "already has content" in again
    assert Article.objects.count() == count
    assert User.objects.get(username="editor").password != old_hash


def test_reset_loads_the_agency_afresh(demo: str) -> None:
    first_ids = set(Article.objects.values_list("pk", flat=True))
    output = run_demo("--reset")
    assert "Demo agency loaded" in output
    assert Article.objects.count() == len(first_ids)
    assert first_ids.isdisjoint(Article.objects.values_list("pk", flat=True))
    assert Article.history.filter(id__in=first_ids).count() == 0


def test_reset_refuses_to_wipe_a_real_newsroom(demo: str) -> None:
    published_article(headline="Written by real staff")  # no demo author
    count = Article.objects.count()
    with pytest.raises(CommandError, match="1 item"):
        run_demo("--reset")
    assert Article.objects.count() == count


def test_the_demo_reads_its_own_week_so_most_read_has_three_full_lists(
    demo: str, client: Client
) -> None:
    from dateline.popularity.models import ViewBucket
    from dateline.popularity.selectors import most_read

    assert "views counted" in demo
    lists = most_read()
    assert [len(item.entries) for item in lists] == [7, 7, 7]
    public = set(Article.objects.public().values_list("id", flat=True))
    counted = set(ViewBucket.objects.values_list("article_id", flat=True))
    assert counted <= public
    page = client.get("/").content.decode()
    assert 'id="most-read-week"' in page


def test_the_demo_loads_rates_through_the_importers_marked_as_demo(
    demo: str, client: Client
) -> None:
    from dateline.markets.models import Rate

    assert "demo rates loaded" in demo
    assert Rate.objects.exists()
    assert not Rate.objects.filter(is_demo=False).exists()
    page = client.get("/rates/", {"amount": "100", "source": "USD", "target": "EUR"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "not the bank's rates" in text
    assert "100 USD = 95.26 EUR" in text


def test_partner_blocks_show_the_demo_feeds_and_hand_kept_links(
    demo: str, client: Client
) -> None:
    from lxml import html as lxml_html

    from dateline.partners.models import PartnerFeed, PartnerLink

    assert "Partner links: 2 demo feeds read through the importer" in demo
    feeds = PartnerFeed.objects.all()
    assert all(feed.last_error == "" and feed.last_fetched_at for feed in feeds)
    assert PartnerLink.objects.filter(feed=None).count() == 2
    # Every address is a reserved example domain (RFC 2606).
    for url in PartnerLink.objects.values_list("url", flat=True):
        assert url.startswith(
            (
                "https://www.example.com/",
                "https://www.example.org/",
                "https://www.example.net/",
            )
        ), url
    page = lxml_html.fromstring(client.get("/").content)
    headings = page.xpath("//aside[contains(@class, 'partner-links')]/h2/text()")
    assert headings == ["In other media", "Partner News"]
    first = page.xpath("//aside[contains(@class, 'partner-links')][1]//li[1]/a")[0]
    assert (
        first.text == "Port Seline pilots share their winter storm checklist"
    )  # pinned
    assert page.xpath("//a[@rel='sponsored noopener']")
    # Loading again changes nothing.
    loader.load_partners()
    assert PartnerLink.objects.count() == 11


def test_the_demo_shows_house_adverts_labelled_as_advertising(
    demo: str, client: Client
) -> None:
    from lxml import html as lxml_html

    from dateline.adverts.models import Advert

    assert "house adverts" in demo
    home = lxml_html.fromstring(client.get("/").content)
    asides = home.xpath("//aside[contains(@class, 'advert ')]")
    assert len(asides) == 2  # the header's newsletter and the home's archive
    for aside in asides:
        assert aside.xpath("string(p[@class='advert-label'])") == "Advertisement"
        (img,) = aside.xpath(".//img")
        assert img.get("width")
        assert img.get("height")
        assert img.get("alt")
    article = Article.objects.public().order_by("-published_at").first()
    assert article is not None
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert len(page.xpath("//aside[contains(@class, 'advert ')]")) == 3
    # One more is scheduled for next week: the newsroom sees it waiting.
    assert Advert.objects.filter(starts_at__gt=timezone.now()).count() == 1
    assert all(
        a.target_url.startswith("https://meridian.example/")
        for a in Advert.objects.filter(kind=Advert.Kind.IMAGE)
    )


def test_reset_replaces_the_house_adverts_instead_of_doubling_them(demo: str) -> None:
    from dateline.adverts.models import Advert

    count = Advert.objects.count()
    run_demo("--reset")
    assert Advert.objects.count() == count


def test_the_demo_has_photo_galleries_with_drawn_pictures_and_a_hidden_draft(
    demo: str, client: Client
) -> None:
    from dateline.content.models import Gallery

    assert "Photo galleries: 3 published." in demo
    public = list(Gallery.objects.public().newest_first())
    assert len(public) == 3
    for gallery in public:
        links = list(gallery.gallery_photos.select_related("photo"))
        assert len(links) >= 4
        assert gallery.cover == links[0].photo
        for link in links:
            assert link.photo.renditions
            assert link.photo.alt_text
            assert link.photo.credit.startswith("© Meridian News Agency/")
        assert client.get(gallery.get_absolute_url()).status_code == 200
    draft = Gallery.objects.exclude(pk__in=[g.pk for g in public]).get()
    assert client.get(draft.get_absolute_url()).status_code == 404
    home = client.get("/").content.decode()
    assert public[0].title in home
    assert draft.title not in home


def test_the_demo_infographics_are_drawn_from_their_data_tables(
    demo: str, client: Client
) -> None:
    from dateline.content.models import Infographic

    assert "Infographics: 3 published." in demo
    charts = list(Infographic.objects.public())
    assert len(charts) == 3
    for chart in charts:
        assert chart.renditions
        assert len(chart.data_table) >= 4
        spec = next(
            s
            for s in loader._read("infographics.toml")["infographic"]
            if s["slug"] == chart.slug
        )
        assert [row[1] for row in chart.data_table[1:]] == [
            f"{float(value):g}" for _, value in spec["rows"]
        ]
        assert client.get(chart.get_absolute_url()).status_code == 200


def test_the_demo_agency_has_its_about_and_contact_pages_in_the_footer(
    demo: str, client: Client
) -> None:
    import re

    from lxml import html as lxml_html

    from dateline.agency.models import AgencyPage
    from dateline.demo.agency_pages import load_agency_pages

    assert "The agency's pages: 4" in demo
    slugs = list(AgencyPage.objects.values_list("slug", flat=True))
    assert slugs[:2] == ["about", "contact"]
    page = lxml_html.fromstring(client.get("/").content.decode())
    footer = page.xpath("//footer//div[contains(@class, 'footer-pages')]//a/@href")
    assert footer[:2] == ["/about/", "/contact/"]
    contact = client.get("/contact/").content.decode()
    assert "Meridian News Agency" in contact
    # Made up: e-mail on the reserved .example domain, +999 (no country's).
    for page_ in AgencyPage.objects.all():
        for address in re.findall(r"[\w.+-]+@[\w.-]+", page_.body):
            assert address.endswith(".example"), address
        for number in re.findall(r"\+\d[\d ]+\d", page_.body):
            assert number.startswith("+999 "), number
        for url in re.findall(r'href="(https?://[^"]+)"', page_.body):
            assert re.match(r"https?://[^/]*example\.(com|org|net)/", url), url
    assert "@meridian.example" in contact
    # Every internal link on them leads somewhere.
    for path in re.findall(r'href="(/[^"]*)"', client.get("/about/").content.decode()):
        if path.startswith("/static/"):
            continue
        assert client.get(path).status_code == 200, path
    # Loading again leaves the newsroom's own edits alone.
    AgencyPage.objects.filter(slug="about").update(title="Who we are")
    assert load_agency_pages() == 0
    assert AgencyPage.objects.get(slug="about").title == "Who we are"
