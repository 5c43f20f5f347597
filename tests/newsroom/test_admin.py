"""The newsroom through the browser's eyes: roles, workflow buttons, locking."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from dateline.content import services
from dateline.content.models import Article, Correction, Photo
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    jpeg_bytes,
    published_article,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

ADD_URL = "/newsroom/content/article/add/"


def change_url(article: Article) -> str:
    return f"/newsroom/content/article/{article.pk}/change/"


def form_data(article: Article | None = None, **overrides: Any) -> dict[str, Any]:
    """What the article form posts, with the inline's management form."""
    data: dict[str, Any] = {
        "headline": article.headline if article else "Ferry strike ends in Port Seline",
        "lead": article.lead if article else "Crews return to work after a pay deal.",
        "body": article.body if article else "<p>Crews returned to work.</p>",
        "dateline_place": article.dateline_place if article else "Port Seline",
        "byline": "",
        "section": article.section_id if article else SectionFactory().pk,
        "urgency": article.urgency if article else 5,
        "lead_photo": "",
        "topic_tags": [],
        "person_tags": [],
        "opened_revision": article.revision if article else "",
        "read_also_links-TOTAL_FORMS": "0",
        "read_also_links-INITIAL_FORMS": "0",
        "read_also_links-MIN_NUM_FORMS": "0",
        "read_also_links-MAX_NUM_FORMS": "6",
    }
    data.update(overrides)
    return data


def test_roles_exist_with_their_permissions() -> None:
    perms = {
        g.name: {p.codename for p in g.permissions.all()} for g in Group.objects.all()
    }
    assert {"add_article", "change_article"} <= perms["Reporter"]
    assert "publish_article" not in perms["Reporter"]
    assert "publish_article" in perms["Editor"]
    assert "withdraw_article" not in perms["Editor"]
    assert {
        "withdraw_article",
        "change_section",
        "add_topic",
        "add_person",
        "change_user",
    } <= perms["Chief"]
    assert not any("delete_article" in p for p in perms.values())


def test_reporter_writes_a_draft_and_submits_it(client: Client, reporter: User) -> None:
    client.force_login(reporter)
    page = client.get(ADD_URL)
    assert b'name="_submit"' in page.content
    assert b'name="_publish"' not in page.content
    response = client.post(ADD_URL, form_data(_continue="Save draft"))
    assert response.status_code == 302, response.content
    article = Article.objects.get()
    assert article.created_by == reporter
    assert article.status == Article.Status.DRAFT
    response = client.post(change_url(article), form_data(article, _submit="Submit"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.SUBMITTED
    # Submitted work is in the editors' hands now.
    assert (
        client.post(change_url(article), form_data(article, _continue="x")).status_code
        == 403
    )


def test_reporter_cannot_publish_even_by_forging_the_button(
    client: Client, reporter: User
) -> None:
    client.force_login(reporter)
    response = client.post(ADD_URL, form_data(_publish="Publish"))
    assert response.status_code == 403
    assert not Article.objects.filter(status=Article.Status.PUBLISHED).exists()


def test_reporter_cannot_change_someone_elses_draft(
    client: Client, reporter: User, other_reporter: User
) -> None:
    theirs = ArticleFactory(created_by=other_reporter, headline="Theirs")
    client.force_login(reporter)
    assert (
        client.post(
            change_url(theirs), form_data(theirs, headline="Mine now")
        ).status_code
        == 404  # as if there were no such item: see test_access.py
    )
    theirs.refresh_from_db()
    assert theirs.headline == "Theirs"


def test_editor_publishes_with_tags_and_the_item_goes_live(
    client: Client, editor: User
) -> None:
    topic, person = TopicFactory(), PersonFactory()
    article = ArticleFactory()
    client.force_login(editor)
    response = client.post(
        change_url(article),
        form_data(
            article, topic_tags=[topic.pk], person_tags=[person.pk], _publish="Publish"
        ),
    )
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert article.is_public()
    assert list(article.topics.all()) == [topic]
    assert article.topic_links.get().published_at == article.published_at
    assert client.get(article.get_absolute_url()).status_code == 200


def test_editor_schedules_by_giving_a_future_time(client: Client, editor: User) -> None:
    article = ArticleFactory()
    when = timezone.localtime(timezone.now() + timedelta(days=1))
    client.force_login(editor)
    response = client.post(
        change_url(article),
        form_data(
            article,
            published_at_0=when.strftime("%Y-%m-%d"),
            published_at_1=when.strftime("%H:%M:%S"),
            _publish="Publish",
        ),
    )
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert article.is_scheduled()
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_script_in_a_submitted_body_is_removed_on_save(
    client: Client, editor: User
) -> None:
    client.force_login(editor)
    body = '<p onclick="steal()">Text</p><script>steal()</script><p><a href="javascript:x()">a</a></p>'
    response = client.post(ADD_URL, form_data(body=body, _continue="Save"))
    assert response.status_code == 302, response.content
    stored = Article.objects.get().body
    assert "script" not in stored
    assert "onclick" not in stored
    assert "javascript" not in stored
    assert "<p>Text</p>" in stored


def test_a_stale_form_is_refused_and_says_what_changed(
    client: Client, editor: User
) -> None:
    article = published_article(headline="Original headline")
    stale = form_data(article)
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(editor)
    response = first.post(
        change_url(article),
        {**stale, "headline": "First editor's headline", "_save": "Save"},
    )
    assert response.status_code == 302
    response = second.post(
        change_url(article),
        {**stale, "headline": "Second editor's headline", "_save": "Save"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "saved this article after you opened it" in text
    assert "Original headline" in text
    assert "First editor&#x27;s headline" in text or "First editor's headline" in text
    article.refresh_from_db()
    assert article.headline == "First editor's headline"


def test_a_correction_from_the_form_is_shown_on_the_article(
    client: Client, editor: User
) -> None:
    article = published_article()
    client.force_login(editor)
    response = client.post(
        change_url(article),
        form_data(
            article,
            correction_note="An earlier version misspelled the minister's name.",
            _save="Save",
        ),
    )
    assert response.status_code == 302, response.content
    assert Correction.objects.filter(article=article).count() == 1
    page = Client().get(article.get_absolute_url())
    assert b"misspelled the minister" in page.content


def test_chief_withdraws_with_a_reason_and_the_page_is_gone(
    client: Client, chief: User, editor: User
) -> None:
    article = published_article()
    client.force_login(editor)
    assert b'name="_withdraw"' not in client.get(change_url(article)).content
    client.force_login(chief)
    assert b'name="_withdraw"' in client.get(change_url(article)).content
    refused = client.post(change_url(article), form_data(article, _withdraw="Withdraw"))
    assert refused.status_code == 200
    assert Article.objects.get(pk=article.pk).pubstatus == Article.PubStatus.USABLE
    response = client.post(
        change_url(article),
        form_data(article, withdraw_reason="Legal request", _withdraw="Withdraw"),
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).pubstatus == Article.PubStatus.CANCELED
    assert Client().get(article.get_absolute_url()).status_code == 410


def test_history_shows_who_changed_what(client: Client, editor: User) -> None:
    article = published_article(headline="Before")
    client.force_login(editor)
    client.post(change_url(article), form_data(article, headline="After", _save="Save"))
    page = client.get(f"/newsroom/content/article/{article.pk}/history/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "editor" in text
    assert "Before" in text
    assert "After" in text


def test_autocomplete_finds_topics_for_the_form(client: Client, reporter: User) -> None:
    TopicFactory(name="Northern Sea fisheries talks")
    client.force_login(reporter)
    response = client.get(
        "/newsroom/autocomplete/",
        {
            "term": "fisher",
            "app_label": "content",
            "model_name": "article",
            "field_name": "topics",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Northern Sea fisheries talks"
    ]


def test_chief_manages_users_but_cannot_make_a_superuser(
    client: Client, chief: User, reporter: User
) -> None:
    client.force_login(chief)
    page = client.get(f"/newsroom/auth/user/{reporter.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content


def test_nobody_but_a_superuser_deletes_articles(client: Client, chief: User) -> None:
    article = published_article()
    client.force_login(chief)
    assert (
        client.get(f"/newsroom/content/article/{article.pk}/delete/").status_code == 403
    )


def test_an_uploaded_photo_keeps_its_size(client: Client, editor: User) -> None:
    client.force_login(editor)
    upload = SimpleUploadedFile("harbour.jpg", jpeg_bytes(640, 360), "image/jpeg")
    response = client.post(
        "/newsroom/content/photo/add/",
        {
            "image": upload,
            "caption": "Cranes over the container quay.",
            "credit": "© Test Agency/Ola Fotograf",
            "alt_text": "Four cranes against a grey sky.",
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (640, 360)


def test_a_file_that_is_not_a_picture_is_refused(client: Client, editor: User) -> None:
    client.force_login(editor)
    upload = SimpleUploadedFile("notes.jpg", b"<script>alert(1)</script>", "image/jpeg")
    response = client.post(
        "/newsroom/content/photo/add/",
        {"image": upload, "credit": "x", "alt_text": "x"},
    )
    assert response.status_code == 200
    assert "image" in response.context["adminform"].form.errors
    assert not Photo.objects.exists()


def test_the_article_list_tells_scheduled_and_withdrawn_items_apart(
    client: Client, editor: User, chief: User
) -> None:
    live = published_article(headline="Live story")
    published_article(headline="Later story", ago=timedelta(hours=-3))
    gone = published_article(headline="Gone story")
    services.withdraw_article(article=gone, actor=chief, reason="legal")
    client.force_login(editor)
    response = client.get("/newsroom/content/article/")
    rows = {
        row.xpath("string(.//th)"): row.xpath("string(.//td[@class='field-state'])")
        for row in lxml_html.fromstring(response.content).xpath("//tbody/tr")
    }
    assert rows[live.headline] == "Published"
    assert rows["Later story"].startswith("Scheduled for ")
    assert rows["Gone story"] == "Published, Canceled (withdrawn)"


def test_editors_pick_top_stories_and_reporters_cannot(
    client: Client, editor: User, reporter: User
) -> None:
    from dateline.content.models import TopStory

    live = published_article(headline="Live story")
    draft = ArticleFactory(headline="Unfinished story")
    client.force_login(reporter)
    assert client.get("/newsroom/content/topstory/add/").status_code == 403

    client.force_login(editor)
    response = client.post(
        "/newsroom/content/topstory/add/",
        {"section": "", "article": live.pk, "position": 1},
    )
    assert response.status_code == 302
    client.post(
        "/newsroom/content/topstory/add/",
        {"section": live.section_id, "article": draft.pk, "position": 2},
    )
    assert TopStory.objects.count() == 2
    listing = client.get("/newsroom/content/topstory/").content.decode()
    assert "Home page" in listing
    assert "Unfinished story" in listing
    # The same item twice on one front is refused, not duplicated.
    again = client.post(
        "/newsroom/content/topstory/add/",
        {"section": "", "article": live.pk, "position": 3},
    )
    assert again.status_code == 200
    assert TopStory.objects.count() == 2
    # The article autocomplete works for editors.
    found = client.get(
        "/newsroom/autocomplete/",
        {
            "term": "Live",
            "app_label": "content",
            "model_name": "topstory",
            "field_name": "article",
        },
    )
    assert [r["text"] for r in found.json()["results"]] == ["Live story"]


@pytest.mark.parametrize("value", ["x'y", "published' OR '1'='1", "état"])
def test_a_forged_state_filter_in_the_list_is_refused_not_a_500(
    client: Client, editor: User, value: str
) -> None:
    # The admin takes lookups on a model's own fields from its query string;
    # field__state writes its value into SQL, so it must refuse it there.
    client.force_login(editor)
    response = client.get("/newsroom/content/article/", {"status__state": value})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert (
        client.get("/newsroom/content/article/", {"status__state": "draft"}).status_code
        == 200
    )


def test_a_forged_button_that_does_not_fit_the_state_is_a_form_error_not_a_500(
    client: Client, reporter: User, editor: User, chief: User
) -> None:
    withdrawn = published_article(headline="Withdrawn")
    services.withdraw_article(article=withdrawn, actor=chief, reason="legal")
    withdrawn.refresh_from_db()
    client.force_login(editor)
    response = client.post(
        change_url(withdrawn), form_data(withdrawn, _publish="Publish")
    )
    assert response.status_code == 200
    assert "cannot be published again" in response.content.decode()
    withdrawn.refresh_from_db()
    assert withdrawn.pubstatus == Article.PubStatus.CANCELED

    live = published_article(headline="Live", created_by=reporter)
    live.refresh_from_db()
    response = client.post(change_url(live), form_data(live, _submit="Submit"))
    assert response.status_code == 200
    assert "cannot be submitted again" in response.content.decode()
    live.refresh_from_db()
    assert live.status == Article.Status.PUBLISHED


@pytest.mark.django_db(transaction=True)  # the editor is told after commit
@pytest.mark.parametrize("cache", ["answers", "unreachable"])
def test_the_chief_is_told_plainly_whether_cached_pages_were_cleared(
    client: Client, monkeypatch: pytest.MonkeyPatch, cache: str
) -> None:
    import redis
    from django.contrib.auth.models import User

    from dateline.pagecache import store

    article = published_article(headline="Doomed report")
    client.force_login(User.objects.create_superuser("chief-on-duty"))
    if cache == "unreachable":

        def refused(*args: object, **kwargs: object) -> None:
            raise redis.ConnectionError("Connection refused")

        monkeypatch.setattr(store, "_write_generation", refused)
    response = client.post(
        change_url(article),
        form_data(article, withdraw_reason="Legal request", _withdraw="Withdraw"),
        follow=True,
    )
    told = [str(m) for m in response.context["messages"]]
    assert Article.objects.get(pk=article.pk).pubstatus == Article.PubStatus.CANCELED
    if cache == "answers":
        assert "The item was withdrawn from every public page." in told
    else:
        assert any("withdrawn, but cached copies of pages could not" in m for m in told)
        assert not [m for m in told if "every public page" in m]
        assert store.change_is_pending()


@pytest.mark.django_db(transaction=True)
def test_a_publish_the_cache_cannot_hear_of_is_not_called_done(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis
    from django.contrib.auth.models import User

    from dateline.pagecache import store

    def refused(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(store, "_write_generation", refused)
    client.force_login(User.objects.create_superuser("chief-on-duty"))
    response = client.post(ADD_URL, form_data(_publish="Publish"), follow=True)
    told = [str(m) for m in response.context["messages"]]
    assert any("published, but cached copies" in m for m in told), told
    assert "The item was published." not in told


def test_chief_gives_a_person_a_portrait_picked_like_a_lead_photo(
    client: Client, chief: User
) -> None:
    photo = services.create_photo(
        data=jpeg_bytes(480, 600),
        name="calder.jpg",
        credit="© Test Agency/Ola Fotograf",
        alt_text="Ines Calder at the Foreign Ministry.",
        caption="Ines Calder, Foreign Minister.",
    )
    person = PersonFactory(name="Ines Calder", slug="ines-calder")
    client.force_login(chief)
    url = f"/newsroom/content/person/{person.pk}/change/"
    form = lxml_html.fromstring(client.get(url).content)
    (picker,) = form.xpath("//select[@name='photo']")
    assert "admin-autocomplete" in picker.get("class")
    found = client.get(
        "/newsroom/autocomplete/",
        {
            "term": "Calder",
            "app_label": "content",
            "model_name": "person",
            "field_name": "photo",
        },
    )
    assert [r["id"] for r in found.json()["results"]] == [str(photo.pk)]
    response = client.post(
        url,
        {
            "name": person.name,
            "slug": person.slug,
            "role": "Foreign Minister of Valmora",
            "description": "A career diplomat.",
            "photo": photo.pk,
            "created_at_0": "2026-09-01",
            "created_at_1": "12:00:00",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.photo, person.role) == (photo, "Foreign Minister of Valmora")
