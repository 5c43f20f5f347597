"""``field__state``: our own state constants written into the SQL, and only
those; the rows are the ones a bound comparison finds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dateline.content.models import Article, Person, Topic
from dateline.content.selectors import active_tags
from dateline.core.lookups import state_literal
from tests.factories import (
    ArticleFactory,
    SectionFactory,
    public_row,
    published_article,
)

pytestmark = pytest.mark.django_db


def test_the_public_rule_binds_the_time_only() -> None:
    now = timezone.now()
    for queryset in [
        Article.objects.public(now=now),
        Article.objects.scheduled(now=now),
    ]:
        sql, params = queryset.query.sql_with_params()
        assert "'published'" in sql
        assert "'usable'" in sql
        assert len(params) == 1  # the time


def test_a_state_finds_what_a_bound_value_finds() -> None:
    shown = published_article()
    draft = ArticleFactory(status=Article.Status.DRAFT)
    withdrawn = public_row(
        SectionFactory(), timezone.now(), pubstatus=Article.PubStatus.CANCELED
    )
    for state in Article.Status:
        assert list(Article.objects.filter(status__state=state)) == list(
            Article.objects.filter(status=state)
        )
    assert set(Article.objects.exclude(pubstatus__state="usable")) == {withdrawn}
    assert set(Article.objects.filter(status__state="draft")) == {draft}
    assert shown in Article.objects.public()


@pytest.mark.parametrize(
    "value", ["it's", "published' OR '1'='1", "", "usable--", "état", "a b"]
)
def test_only_a_plain_state_name_is_written_into_sql(value: str) -> None:
    with pytest.raises(ValueError, match="not a plain state name"):
        state_literal(value)
    with pytest.raises(ValueError, match="not a plain state name"):
        Article.objects.filter(status__state=value)  # refused before it runs


def test_a_state_name_becomes_a_quoted_literal() -> None:
    assert state_literal("published") == "'published'"
    assert state_literal("not_yet") == "'not_yet'"


@pytest.mark.parametrize("kind", [Topic, Person])
def test_the_busy_tags_query_binds_the_times_only(kind: type[Topic | Person]) -> None:
    seen: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        active_tags(kind, within=timedelta(days=7), limit=5)
    sql, params = seen[0]
    assert "'published'" in sql
    assert "'usable'" in sql
    assert len(params) == 2  # the window's two ends
