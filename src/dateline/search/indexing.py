"""Keeping the index in step with publishing, and rebuilding it.

Every editorial act sends ``article_changed`` inside its transaction; the
handler here updates the index in the same transaction, so an item is
searchable, or gone, the moment the act commits, and not before.
Published items are indexed, scheduled ones too (the search bounds its keys
by the present moment, so they appear when their time comes); drafts,
withheld and withdrawn items are taken out.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction

from dateline.content.models import Article, ArticlePerson, ArticleTopic
from dateline.search.backends import get_backend
from dateline.search.backends.base import Document

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from dateline.content.models import ArticleQuerySet
    from dateline.search.backends.base import SearchBackend

REINDEX_BATCH = 2000
# At most this many connections write a rebuild at once (index_items).
MAX_WRITERS = 4


def is_indexable(article: Article) -> bool:
    """Published and usable: public now, or scheduled to be."""
    return (
        article.status == Article.Status.PUBLISHED
        and article.pubstatus == Article.PubStatus.USABLE
        and article.published_at is not None
    )


def documents(articles: Iterable[Article]) -> list[Document]:
    """Index documents for these items, their tags read in two queries."""
    articles = list(articles)
    ids = [article.pk for article in articles]
    topics: dict[int, list[int]] = {pk: [] for pk in ids}
    persons: dict[int, list[int]] = {pk: [] for pk in ids}
    for article_id, topic_id in ArticleTopic.objects.filter(
        article_id__in=ids
    ).values_list("article_id", "topic_id"):
        topics[article_id].append(topic_id)
    for article_id, person_id in ArticlePerson.objects.filter(
        article_id__in=ids
    ).values_list("article_id", "person_id"):
        persons[article_id].append(person_id)
    return [
        Document.of(
            article, topic_ids=topics[article.pk], person_ids=persons[article.pk]
        )
        for article in articles
    ]


def index_article(article: Article) -> None:
    backend = get_backend()
    if is_indexable(article):
        backend.index(documents([article]))
    else:
        backend.remove([article.pk])


def on_article_changed(sender: Any, *, article: Article, **kwargs: Any) -> None:
    index_article(article)


def indexable(items: ArticleQuerySet | None = None) -> ArticleQuerySet:
    """The items the index should hold (the rule of ``is_indexable``)."""
    return (items if items is not None else Article.objects.all()).filter(
        status=Article.Status.PUBLISHED,
        pubstatus=Article.PubStatus.USABLE,
        published_at__isnull=False,
    )


def on_article_deleted(sender: Any, *, instance: Article, **kwargs: Any) -> None:
    get_backend().remove([instance.pk])


def reindex(*, progress: Callable[[int], object] | None = None) -> int:
    """Rebuild the whole index from the published items; returns how many.

    One transaction: searches answer from the old index until the new one
    is complete.
    """
    backend = get_backend()
    with transaction.atomic():
        backend.clear()
        done = index_items(indexable(), progress=progress, backend=backend)
    backend.optimize()
    return done


def index_items(
    items: ArticleQuerySet,
    *,
    progress: Callable[[int], object] | None = None,
    backend: SearchBackend | None = None,
    workers: int | None = None,
    writers: int | None = None,
) -> int:
    """Index these items (indexable ones only), in batches, using every core.

    The text analysis runs in a pool of worker processes while the next
    batch is read. The writes run in this process, over ``writers``
    connections of their own at once where the engine can take several
    writers and no transaction is open (PostgreSQL, whose own part of the
    analysis, ``to_tsvector``, is then spread over as many server processes);
    each batch commits on its own then.
    """
    backend = backend or get_backend()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    writers = writers if writers is not None else default_writers()
    batches = _document_batches(
        indexable(items).only(
            "id", "headline", "lead", "body", "section_id", "published_at"
        )
    )
    with _Store(backend, writers, progress) as store:
        if workers < 2:
            for documents in batches:
                store.add(documents, [backend.prepare(d) for d in documents])
            return store.finish()
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            pending: deque[tuple[list[Document], Any]] = deque()
            for documents in batches:
                pending.append(
                    (
                        documents,
                        pool.map_async(backend.prepare, documents, chunksize=100),
                    )
                )
                if len(pending) > workers:
                    ready, result = pending.popleft()
                    store.add(ready, result.get())
            while pending:
                ready, result = pending.popleft()
                store.add(ready, result.get())
        return store.finish()


def default_writers() -> int:
    """How many connections a rebuild writes over: one inside a transaction
    (the others would not see it) and on SQLite (one writer at a time)."""
    if connection.vendor == "sqlite" or connection.in_atomic_block:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WRITERS))


class _Store:
    """Writes prepared batches, here or over several connections at once.

    A writer thread opens a connection of its own for each batch and closes
    it after; a batch whose key another writer took meanwhile is written
    again (the retry sees the other's key and moves on past it).
    """

    def __init__(
        self,
        backend: SearchBackend,
        writers: int,
        progress: Callable[[int], object] | None,
    ) -> None:
        self.backend = backend
        self.writers = writers
        self.progress = progress
        self.done = 0
        self.pool: ThreadPoolExecutor | None = None
        self.pending: deque[tuple[int, Future[None]]] = deque()

    def __enter__(self) -> _Store:
        if self.writers > 1:
            self.pool = ThreadPoolExecutor(self.writers, thread_name_prefix="index")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is None:
            return
        while self.pending:  # the batches in flight end before this returns
            self.pending.popleft()[1].exception()
        self.pool.shutdown(wait=True)

    def add(self, documents: list[Document], prepared: list[tuple[Any, ...]]) -> None:
        if self.pool is None:
            self.backend.index(documents, prepared=prepared)
            self._count(len(documents))
            return
        self.pending.append(
            (len(documents), self.pool.submit(self._write, documents, prepared))
        )
        while len(self.pending) > self.writers:
            self._collect()

    def finish(self) -> int:
        while self.pending:
            self._collect()
        return self.done

    def _collect(self) -> None:
        size, future = self.pending.popleft()
        future.result()
        self._count(size)

    def _count(self, size: int) -> None:
        self.done += size
        if self.progress is not None:
            self.progress(size)

    def _write(
        self, documents: list[Document], prepared: list[tuple[Any, ...]]
    ) -> None:
        try:
            for attempt in range(3):
                try:
                    self.backend.index(documents, prepared=prepared)
                except IntegrityError:
                    if attempt == 2:
                        raise
                else:
                    return
        finally:
            connection.close()


def _document_batches(items: ArticleQuerySet) -> Iterator[list[Document]]:
    last = 0
    while True:
        batch = list(items.filter(pk__gt=last).order_by("pk")[:REINDEX_BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield documents(batch)
