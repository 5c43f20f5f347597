"""One access rule at every newsroom address of an article.

A reporter sees their own items in any state and everyone's public ones;
another reporter's draft, submitted, scheduled or withdrawn item answers as
an id that was never used. The history's "revert" checks permission itself
and saves through the service, which keeps the stored workflow state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dateline.content import services
from dateline.content.models import Article, RelatedArticle
from tests.factories import ArticleFactory
from tests.newsroom.test_admin import form_data

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client

pytestmark = pytest.mark.django_db

SECRET = "Harbour strike secret"
BASE = "/newsroom/content/article"
MISSING = 987_654


def written_by(user: User, headline: str = SECRET) -> Article:
    """An item made through the newsroom's service, so it has a history."""
    article = ArticleFactory.build(headline=headline)
    article.section.save()
    article.section_id = article.section.pk
    return services.save_article(article=article, actor=user)


def in_state(state: str, author: User, editor: User, chief: User) -> Article:
    article = written_by(author)
    if state == "submitted":
        services.submit_article(article=article, actor=author)
    elif state == "scheduled":
        services.publish_article(
            article=article, actor=editor, at=timezone.now() + timedelta(hours=3)
        )
    elif state == "withdrawn":
        services.publish_article(article=article, actor=editor)
        services.withdraw_article(article=article, actor=chief, reason="legal")
    article.refresh_from_db()
    return article


def first_version(article: Article) -> int:
    return int(article.history.order_by("history_id").first().history_id)  # type: ignore[union-attr]


def addresses(pk: int, version: int) -> dict[str, str]:
    return {
        "change": f"{BASE}/{pk}/change/",
        "history": f"{BASE}/{pk}/history/",
        "revision": f"{BASE}/{pk}/history/{version}/",
        "delete": f"{BASE}/{pk}/delete/",
        "preview": reverse("site:article-preview", kwargs={"pk": pk}),
    }


STATES = ["draft", "submitted", "scheduled", "withdrawn"]


@pytest.mark.parametrize("state", STATES)
def test_another_reporters_item_answers_at_every_address_as_a_missing_one(
    client: Client,
    reporter: User,
    other_reporter: User,
    editor: User,
    chief: User,
    state: str,
) -> None:
    article = in_state(state, reporter, editor, chief)
    version = first_version(article)
    client.force_login(other_reporter)
    theirs = addresses(article.pk, version)
    missing = addresses(MISSING, version)
    for name, url in theirs.items():
        response = client.get(url)
        assert response.status_code == client.get(missing[name]).status_code, name
        assert SECRET.encode() not in response.content, name
        # Only the superuser deletes, so a reporter's delete page is 403 for
        # every id; everything else is a plain 404.
        assert response.status_code == (403 if name == "delete" else 404), name
    for name in ["change", "revision"]:
        posted = client.post(theirs[name], form_data(article, headline="Mine now"))
        assert posted.status_code == 404, name
    assert client.post(theirs["delete"], {"post": "yes"}).status_code == 403
    article.refresh_from_db()
    assert article.headline == SECRET
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("state", STATES)
def test_another_reporters_item_is_not_in_the_list_its_search_filters_or_counts(
    client: Client,
    reporter: User,
    other_reporter: User,
    editor: User,
    chief: User,
    state: str,
) -> None:
    in_state(state, reporter, editor, chief)
    client.force_login(other_reporter)
    for query in [
        {},
        {"q": "harbour"},
        {"status__exact": "draft"},
        {"status__exact": "submitted"},
        {"status__exact": "published"},
        {"pubstatus__exact": "canceled"},
        {"q": "harbour", "_facets": "1"},
    ]:
        response = client.get(f"{BASE}/", query)
        assert response.status_code == 200, query
        assert SECRET.encode() not in response.content, query
        assert response.context["cl"].result_count == 0, query
        assert response.context["cl"].full_result_count in (None, 0), query
    # The author still finds it.
    client.force_login(reporter)
    response = client.get(f"{BASE}/", {"q": "harbour"})
    assert response.context["cl"].result_count == 1


def test_another_reporters_draft_is_not_offered_by_autocomplete(
    client: Client, reporter: User, other_reporter: User
) -> None:
    written_by(reporter)
    mine = written_by(other_reporter, "Harbour strike, my own piece")
    client.force_login(other_reporter)
    response = client.get(
        "/newsroom/autocomplete/",
        {
            "term": "harbour",
            "app_label": "content",
            "model_name": "relatedarticle",
            "field_name": "related",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(mine.pk)]


def test_a_forged_read_also_link_to_another_reporters_draft_is_refused(
    client: Client, reporter: User, other_reporter: User
) -> None:
    theirs = written_by(reporter)
    mine = written_by(other_reporter, "My own piece")
    client.force_login(other_reporter)
    data = form_data(
        mine,
        **{
            "read_also_links-TOTAL_FORMS": "1",
            "read_also_links-0-related": str(theirs.pk),
            "read_also_links-0-position": "0",
            "_continue": "Save draft",
        },
    )
    response = client.post(f"{BASE}/{mine.pk}/change/", data)
    assert response.status_code == 200  # the form again, with the error
    assert not RelatedArticle.objects.filter(related=theirs).exists()


def test_a_reporter_sees_everyones_public_items_and_their_history(
    client: Client, reporter: User, other_reporter: User, editor: User
) -> None:
    article = written_by(reporter)
    services.publish_article(article=article, actor=editor)
    client.force_login(other_reporter)
    for url in list(addresses(article.pk, first_version(article)).values())[:3]:
        assert client.get(url).status_code == 200, url
    assert client.get(f"{BASE}/", {"q": "harbour"}).context["cl"].result_count == 1


@pytest.mark.parametrize("state", STATES)
def test_editors_and_chiefs_see_every_item_in_every_state(
    client: Client,
    reporter: User,
    editor: User,
    chief: User,
    state: str,
) -> None:
    article = in_state(state, reporter, editor, chief)
    urls = addresses(article.pk, first_version(article))
    for user in [editor, chief]:
        client.force_login(user)
        for name in ["change", "history", "revision", "preview"]:
            assert client.get(urls[name]).status_code == 200, (user, name)


def test_a_revision_address_that_is_not_a_revision_of_the_item_is_a_404(
    client: Client, reporter: User, editor: User
) -> None:
    article = written_by(reporter)
    other = written_by(reporter, "Another piece")
    client.force_login(editor)
    for version in ["x1", "²", "9" * 30]:
        assert client.get(f"{BASE}/{article.pk}/history/{version}/").status_code == 404
    assert (
        client.get(f"{BASE}/{article.pk}/history/{first_version(other)}/").status_code
        == 404
    )


# --- Revert ---------------------------------------------------------------------


def revert_data(article: Article, **overrides: Any) -> dict[str, Any]:
    """What the revision page posts: the old text, from the stored revision."""
    return form_data(article, _save="Revert", **overrides)


def test_a_reporter_cannot_revert_their_published_item_to_unpublish_it(
    client: Client, reporter: User, editor: User
) -> None:
    article = written_by(reporter)
    draft_version = first_version(article)
    services.publish_article(article=article, actor=editor)
    article.refresh_from_db()
    client.force_login(reporter)
    url = f"{BASE}/{article.pk}/history/{draft_version}/"
    assert client.get(url).status_code == 200  # their own item: they may look
    response = client.post(url, revert_data(article, headline="Quietly retracted"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.headline == SECRET
    assert article.is_public()


def test_an_editors_revert_restores_the_text_and_keeps_the_item_published(
    client: Client, reporter: User, editor: User
) -> None:
    article = written_by(reporter, "First words")
    draft_version = first_version(article)
    services.publish_article(article=article, actor=editor)
    article.headline = "Second words"
    services.save_article(article=article, actor=editor)
    article.refresh_from_db()
    client.force_login(editor)
    url = f"{BASE}/{article.pk}/history/{draft_version}/"
    page = client.get(url)
    # The form starts from the stored revision, so the revert is not stale.
    assert page.context["adminform"].form["opened_revision"].value() == article.revision
    response = client.post(url, revert_data(article, headline="First words"))
    assert response.status_code == 302
    reverted = Article.objects.get(pk=article.pk)
    assert reverted.headline == "First words"
    assert reverted.status == Article.Status.PUBLISHED
    assert reverted.published_at == article.published_at
    assert reverted.revision == article.revision + 1


def test_a_revert_with_a_forged_publish_button_cannot_bring_a_withdrawn_item_back(
    client: Client, reporter: User, editor: User, chief: User
) -> None:
    article = written_by(reporter)
    services.publish_article(article=article, actor=editor)
    live_version = article.history.latest("history_id").history_id
    article.refresh_from_db()
    services.withdraw_article(article=article, actor=chief, reason="legal")
    article.refresh_from_db()
    client.force_login(editor)
    url = f"{BASE}/{article.pk}/history/{live_version}/"
    response = client.post(url, revert_data(article, _publish="Publish"))
    assert response.status_code == 200  # the form again, with the refusal
    assert "A revert only restores the text" in response.content.decode()
    article.refresh_from_db()
    assert article.pubstatus == Article.PubStatus.CANCELED
    assert not article.is_public()


def test_publishing_an_old_copy_of_a_withdrawn_item_is_refused_by_the_service(
    reporter: User, editor: User, chief: User
) -> None:
    article = written_by(reporter)
    services.publish_article(article=article, actor=editor)
    old_copy = Article.objects.get(pk=article.pk)  # read before the kill
    services.withdraw_article(article=article, actor=chief, reason="legal")
    with pytest.raises(services.WorkflowError):
        services.publish_article(article=old_copy, actor=editor)
    assert Article.objects.get(pk=article.pk).pubstatus == Article.PubStatus.CANCELED


def test_a_revert_from_a_stale_page_is_refused(
    client: Client, reporter: User, editor: User
) -> None:
    article = written_by(reporter, "First words")
    draft_version = first_version(article)
    services.publish_article(article=article, actor=editor)
    article.refresh_from_db()
    stale = article.revision - 1
    client.force_login(editor)
    response = client.post(
        f"{BASE}/{article.pk}/history/{draft_version}/",
        revert_data(article, headline="Old", opened_revision=stale),
    )
    assert response.status_code == 200
    assert "saved this article after you opened it" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "First words"


def test_a_reporter_reverts_their_own_draft_and_it_stays_a_draft(
    client: Client, reporter: User
) -> None:
    article = written_by(reporter, "First words")
    first = first_version(article)
    article.headline = "Second words"
    services.save_article(article=article, actor=reporter)
    article.refresh_from_db()
    client.force_login(reporter)
    response = client.post(
        f"{BASE}/{article.pk}/history/{first}/",
        revert_data(article, headline="First words"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "First words"
    assert article.status == Article.Status.DRAFT


def test_a_person_cannot_change_workflow_state_through_a_save(
    reporter: User, editor: User
) -> None:
    """The service checks the stored row, not the row in hand: an old draft
    revision saved over a published item keeps it published."""
    article = written_by(reporter)
    old = article.history.order_by("history_id").first().instance  # type: ignore[union-attr]
    services.publish_article(article=article, actor=editor)
    old._state.adding = False
    with pytest.raises(PermissionDenied):
        services.save_article(article=old, actor=reporter)
    old.headline = "Reverted by an editor"
    services.save_article(article=old, actor=editor)
    stored = Article.objects.get(pk=article.pk)
    assert stored.status == Article.Status.PUBLISHED
    assert stored.headline == "Reverted by an editor"
    assert stored.is_public()
