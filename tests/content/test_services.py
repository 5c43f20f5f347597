"""Editorial acts: versions, updates, corrections, withdrawal, stale edits, audit."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dateline.content import services
from dateline.content.models import Article, ArticlePerson, ArticleTopic, Correction
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_first_publication_is_version_one_and_not_updated(editor: User) -> None:
    article = ArticleFactory()
    services.publish_article(article=article, actor=editor)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.version == 1
    assert article.updated_at is None
    assert article.is_public()


def test_changing_the_text_of_a_live_item_is_a_new_version_and_an_update(
    editor: User,
) -> None:
    article = published_article()
    article.headline = "A sharper headline"
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        services.save_article(
            article=article, actor=editor, expected_revision=article.revision
        )
    article.refresh_from_db()
    assert article.version == 2
    assert article.updated_at is not None
    assert article.is_updated


def test_retagging_a_live_item_is_a_new_version_but_not_an_update(editor: User) -> None:
    article = published_article()
    article.urgency = 2
    services.save_article(article=article, actor=editor)
    article.refresh_from_db()
    assert article.version == 2
    assert article.updated_at is None


def test_editing_a_scheduled_item_keeps_version_one(editor: User) -> None:
    article = published_article(ago=timedelta(hours=-3))
    article.headline = "Still embargoed"
    services.save_article(article=article, actor=editor)
    article.refresh_from_db()
    assert article.version == 1
    assert article.updated_at is None


def test_a_stale_save_is_refused_and_writes_nothing(editor: User) -> None:
    article = published_article()
    opened_at = article.revision
    first = Article.objects.get(pk=article.pk)
    first.headline = "First editor's headline"
    services.save_article(article=first, actor=editor, expected_revision=opened_at)

    second = Article.objects.get(pk=article.pk)
    second.headline = "Second editor's headline"
    second.revision = opened_at
    with pytest.raises(services.StaleArticleError):
        services.save_article(article=second, actor=editor, expected_revision=opened_at)
    assert Article.objects.get(pk=article.pk).headline == "First editor's headline"


def test_correction_is_recorded_with_its_time_and_marks_the_item_updated(
    editor: User,
) -> None:
    article = published_article()
    services.save_article(
        article=article, actor=editor, correction_note="The vote was 88 to 40."
    )
    article.refresh_from_db()
    correction = Correction.objects.get(article=article)
    assert correction.note == "The vote was 88 to 40."
    assert correction.created_by == editor
    assert article.updated_at == correction.created_at
    assert article.version == 2


def test_only_a_published_item_can_be_corrected(editor: User) -> None:
    article = ArticleFactory()
    with pytest.raises(services.WorkflowError):
        services.save_article(article=article, actor=editor, correction_note="x")
    assert not Correction.objects.exists()


def test_reporter_cannot_publish_or_correct(reporter: User) -> None:
    article = ArticleFactory(created_by=reporter)
    with pytest.raises(PermissionDenied):
        services.publish_article(article=article, actor=reporter)
    live = published_article()
    with pytest.raises(PermissionDenied):
        services.save_article(article=live, actor=reporter, correction_note="x")


def test_reporter_edits_only_own_drafts(reporter: User, other_reporter: User) -> None:
    own = ArticleFactory(created_by=reporter)
    services.save_article(article=own, actor=reporter)
    theirs = ArticleFactory(created_by=other_reporter)
    with pytest.raises(PermissionDenied):
        services.save_article(article=theirs, actor=reporter)
    services.submit_article(article=own, actor=reporter)
    own.refresh_from_db()
    assert own.status == Article.Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.save_article(article=own, actor=reporter)


def test_withdrawal_needs_the_chief_and_a_reason(editor: User, chief: User) -> None:
    article = published_article()
    with pytest.raises(PermissionDenied):
        services.withdraw_article(article=article, actor=editor, reason="legal")
    with pytest.raises(services.WorkflowError):
        services.withdraw_article(article=article, actor=chief, reason="  ")
    services.withdraw_article(article=article, actor=chief, reason="legal complaint")
    article.refresh_from_db()
    assert article.pubstatus == Article.PubStatus.CANCELED
    assert not Article.objects.public().exists()
    with pytest.raises(services.WorkflowError):
        services.publish_article(article=article, actor=chief)


def test_tags_carry_the_publication_time_and_follow_rescheduling(editor: User) -> None:
    article = published_article(ago=timedelta(hours=-5))
    topic, person = TopicFactory(), PersonFactory()
    services.set_article_tags(article=article, topics=[topic], persons=[person])
    assert (
        ArticleTopic.objects.get(article=article).published_at == article.published_at
    )
    new_time = timezone.now() - timedelta(minutes=1)
    services.publish_article(article=article, actor=editor, at=new_time)
    assert ArticleTopic.objects.get(article=article).published_at == new_time
    assert ArticlePerson.objects.get(article=article).published_at == new_time


def test_every_act_leaves_an_audit_row_with_who_and_why(
    editor: User, chief: User
) -> None:
    article = ArticleFactory()
    services.save_article(article=article, actor=editor)
    services.publish_article(article=article, actor=editor)
    services.save_article(
        article=article, actor=editor, correction_note="Fixed a name."
    )
    services.withdraw_article(article=article, actor=chief, reason="duplicate")
    rows = list(article.history.order_by("history_id"))  # type: ignore[attr-defined]
    assert [r.history_change_reason for r in rows][-4:] == [
        "edited",
        "published",
        "corrected",
        "withdrawn: duplicate",
    ]
    assert rows[-1].history_user == chief
    assert rows[-2].history_user == editor


def test_read_also_keeps_the_editors_order_and_skips_the_item_itself() -> None:
    article = published_article()
    a, b, c = published_article(), published_article(), published_article()
    services.set_read_also(article=article, related=[c, article, a, b])
    assert [link.related for link in article.read_also_links.all()] == [c, a, b]


def test_the_history_model_can_be_imported_where_it_says_it_lives() -> None:
    model = Article.history.model
    module = importlib.import_module(model.__module__)
    assert getattr(module, model.__name__) is model
