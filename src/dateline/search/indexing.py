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
from typing import TYPE_CHECKING, Any

from django.db import transaction

from dateline.content.models import Article, ArticlePerson, ArticleTopic
from dateline.search.backends import get_backend
from dateline.search.backends.base import Document

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from dateline.content.models import ArticleQuerySet
    from dateline.search.backends.base import SearchBackend

REINDEX_BATCH = 2000


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
) -> int:
    """Index these items (indexable ones only), in batches, using every core.

    The database work stays in this process; the text analysis, most of the
    cost, runs in a pool of worker processes while the next batch is read.
    """
    backend = backend or get_backend()
    workers = workers if workers is not None else (os.cpu_count() or 1)
    batches = _document_batches(
        indexable(items).only(
            "id", "headline", "lead", "body", "section_id", "published_at"
        )
    )
    done = 0

    def store(documents: list[Document], prepared: list[tuple[Any, ...]]) -> None:
        nonlocal done
        backend.index(documents, prepared=prepared)
        done += len(documents)
        if progress is not None:
            progress(len(documents))

    if workers < 2:
        for documents in batches:
            store(documents, [backend.prepare(d) for d in documents])
        return done
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending: deque[tuple[list[Document], Any]] = deque()
        for documents in batches:
            pending.append(
                (documents, pool.map_async(backend.prepare, documents, chunksize=100))
            )
            if len(pending) > workers:
                ready, result = pending.popleft()
                store(ready, result.get())
        while pending:
            ready, result = pending.popleft()
            store(ready, result.get())
    return done


def _document_batches(items: ArticleQuerySet) -> Iterator[list[Document]]:
    last = 0
    while True:
        batch = list(items.filter(pk__gt=last).order_by("pk")[:REINDEX_BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield documents(batch)
