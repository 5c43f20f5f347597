"""The statements every uncached page runs, prepared once per connection on
PostgreSQL (core/database.py: prepared_cursor).

Planning them on every page cost more of the server's time than running
them; prepared, a page runs them without planning. Behind PgBouncer, which
does not keep prepared statements, nothing is prepared.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dateline.core.database import ASKED_ONLY, configure_postgresql, prepared_cursor
from tests.factories import published_article

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements of PostgreSQL"
)


def server_prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_statements_are_prepared_only_when_asked_for_and_never_behind_pgbouncer() -> (
    None
):
    direct = configure_postgresql({}, pool=None, pgbouncer=False, timeout=5)
    assert direct["OPTIONS"]["prepare_threshold"] == ASKED_ONLY
    own = configure_postgresql(
        {"OPTIONS": {"prepare_threshold": 3}}, pool=None, pgbouncer=False, timeout=5
    )
    assert own["OPTIONS"]["prepare_threshold"] == 3  # the URL's own setting
    bounced = configure_postgresql({}, pool=None, pgbouncer=True, timeout=5)
    assert bounced["OPTIONS"]["prepare_threshold"] is None


def test_the_cursor_answers_as_an_ordinary_one_and_its_statements_are_counted() -> None:
    article = published_article(headline="Counted")
    sql = "SELECT headline FROM content_article WHERE id = %s"
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            with prepared_cursor(connection) as cursor:
                cursor.execute(sql, [article.pk])
                assert cursor.fetchall() == [("Counted",)]
    captured = [query["sql"] for query in queries.captured_queries]
    assert len(captured) == 2
    assert all("FROM content_article WHERE id =" in sql for sql in captured)


@postgres_only
def test_the_article_page_prepares_its_statements_once_and_reuses_them() -> None:
    first = published_article(headline="First prepared")
    second = published_article(headline="Second prepared")
    client = Client()
    assert client.get(first.get_absolute_url()).status_code == 200
    prepared = server_prepared()
    assert any("FROM content_article a" in sql for sql in prepared)
    assert any("FROM content_correction c" in sql for sql in prepared)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(second.get_absolute_url())
    assert response.status_code == 200
    assert "Second prepared" in response.content.decode()
    captured = " ".join(query["sql"] for query in queries.captured_queries)
    assert "FROM content_correction c" in captured  # still counted
    assert sorted(server_prepared()) == sorted(prepared)  # reused, none added


@postgres_only
def test_behind_pgbouncer_nothing_is_prepared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    article = published_article(headline="Not prepared")
    before = server_prepared()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    with prepared_cursor(connection) as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)  # Django's own
    assert Client().get(article.get_absolute_url()).status_code == 200
    assert server_prepared() == before
    assert not any("FROM content_correction c" in sql for sql in before)
