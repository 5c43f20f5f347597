"""The one publishing rule: published, usable, and not in the future."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dateline.content.models import Article
from tests.factories import ArticleFactory, SectionFactory, published_article

pytestmark = pytest.mark.django_db


def test_published_usable_past_item_is_public() -> None:
    article = published_article()
    assert list(Article.objects.public()) == [article]
    assert article.is_public()


@pytest.mark.parametrize(
    ("status", "pubstatus", "offset_hours"),
    [
        (Article.Status.DRAFT, Article.PubStatus.USABLE, -1),
        (Article.Status.SUBMITTED, Article.PubStatus.USABLE, -1),
        (Article.Status.PUBLISHED, Article.PubStatus.USABLE, +1),
        (Article.Status.PUBLISHED, Article.PubStatus.WITHHELD, -1),
        (Article.Status.PUBLISHED, Article.PubStatus.CANCELED, -1),
    ],
    ids=["draft", "submitted", "scheduled", "withheld", "canceled"],
)
def test_items_that_are_not_public(
    status: str, pubstatus: str, offset_hours: int
) -> None:
    article = ArticleFactory(
        status=status,
        pubstatus=pubstatus,
        published_at=timezone.now() + timedelta(hours=offset_hours),
        version=1,
    )
    assert not Article.objects.public().filter(pk=article.pk).exists()
    assert not article.is_public()


def test_scheduled_item_appears_when_its_time_comes_without_any_job() -> None:
    section = SectionFactory()
    article = published_article(section=section, ago=timedelta(hours=-2))
    assert article.is_scheduled()
    assert not Article.objects.public().exists()
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=1)):
        assert list(Article.objects.public()) == [article]
        assert list(Article.objects.scheduled()) == []


def test_queryset_rule_and_row_rule_agree_on_every_state() -> None:
    now = timezone.now()
    for status in Article.Status.values:
        for pubstatus in Article.PubStatus.values:
            for offset in (-1, 1):
                ArticleFactory(
                    status=status,
                    pubstatus=pubstatus,
                    published_at=now + timedelta(minutes=offset),
                    version=1,
                )
    public_ids = set(Article.objects.public(now=now).values_list("pk", flat=True))
    row_ids = {a.pk for a in Article.objects.all() if a.is_public(now=now)}
    assert public_ids == row_ids
    assert len(public_ids) == 1


def test_database_refuses_a_published_item_without_a_time() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(status=Article.Status.PUBLISHED, published_at=None, version=1)


def test_database_refuses_urgency_outside_1_to_9() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(urgency=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(urgency=10)
