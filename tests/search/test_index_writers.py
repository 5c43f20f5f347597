"""A rebuild written over several connections at once (search/indexing.py).

On PostgreSQL, ``to_tsvector`` runs in the server process of the connection
that writes, so a rebuild outside a transaction writes its batches over
several connections; the index it leaves must be the one a single writer
leaves.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.db import IntegrityError, connection, transaction

from dateline.content.models import Article
from dateline.search import indexing
from dateline.search.backends import get_backend
from dateline.search.models import SearchEntry
from tests.factories import SectionFactory, published_article

if TYPE_CHECKING:
    from dateline.search.backends.base import Document

pytestmark = pytest.mark.django_db(transaction=True)  # the writers' own connections

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several writers only on PostgreSQL (SQLite takes one at a time)",
)


def index_rows() -> list[tuple[Any, ...]]:
    rows = SearchEntry.objects.order_by("article_id").values_list(
        "article_id", "key", "section_id"
    )
    if connection.vendor != "postgresql":
        return list(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT article_id, document::text, heads::text "
            "FROM search_searchentry ORDER BY article_id"
        )
        texts = cursor.fetchall()
    return [(*row, *text[1:]) for row, text in zip(rows, texts, strict=True)]


@pytest.fixture
def archive() -> list[Article]:
    sections = [SectionFactory(slug=f"desk{i}") for i in range(3)]
    return [
        published_article(
            section=sections[i % 3],
            headline=f"Harbour report number {i}",
            lead=f"Cranes stood still on day {i}.",
            body=f"<p>Dockers met the port authority for the {i}th time.</p>",
            ago=timedelta(hours=i + 1),
        )
        for i in range(23)
    ]


def test_one_writer_inside_a_transaction_and_on_sqlite() -> None:
    with transaction.atomic():
        assert indexing.default_writers() == 1
    if connection.vendor == "sqlite":
        assert indexing.default_writers() == 1


@postgres_only
def test_several_writers_leave_the_index_one_writer_leaves(
    archive: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "REINDEX_BATCH", 4)  # six batches in flight
    # Outside a transaction on PostgreSQL: a writer per core, up to the cap.
    assert indexing.default_writers() == min(os.cpu_count() or 1, indexing.MAX_WRITERS)
    one_writer = index_rows()
    assert len(one_writer) == len(archive)
    SearchEntry.objects.all().delete()
    told: list[int] = []
    done = indexing.index_items(
        Article.objects.all(), progress=told.append, workers=1, writers=3
    )
    assert done == len(archive) == sum(told)
    assert index_rows() == one_writer


@postgres_only
def test_a_batch_whose_key_another_writer_took_is_written_again(
    archive: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "REINDEX_BATCH", 5)
    before = index_rows()
    SearchEntry.objects.all().delete()
    backend = get_backend()
    real_index = backend.index
    clashes: list[int] = []

    def clash_once(documents: list[Document], **kwargs: Any) -> None:
        if not clashes:
            clashes.append(len(documents))
            raise IntegrityError("duplicate key value violates unique constraint")
        real_index(documents, **kwargs)

    monkeypatch.setattr(backend, "index", clash_once)
    done = indexing.index_items(
        Article.objects.all(), backend=backend, workers=1, writers=2
    )
    assert clashes == [5]
    assert done == len(archive)
    assert index_rows() == before


@postgres_only
def test_a_batch_that_keeps_failing_stops_the_rebuild_with_the_error(
    archive: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "REINDEX_BATCH", 5)
    SearchEntry.objects.all().delete()
    backend = get_backend()

    def always_clash(documents: list[Document], **kwargs: Any) -> None:
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(backend, "index", always_clash)
    with pytest.raises(IntegrityError):
        indexing.index_items(
            Article.objects.all(), backend=backend, workers=1, writers=2
        )
    assert not SearchEntry.objects.exists()
