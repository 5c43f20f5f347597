"""The article page's reads in one hand-written SQL statement.

Why not the ORM here: with the page cache off, the article page is the
busiest uncached page, and its five ORM queries cost about half of its CPU,
most of it Django *compiling* SQL (``as_sql``, ``get_order_by``, ``add_q``)
rather than the database running it. Measured with callgrind on the demo
archive (page cache off), two statements took the page from 34.4M to
19.8M instructions and from five queries to two. Then one: on PostgreSQL a
statement costs more than these reads' work (even ``SELECT 1`` cost a served
page about 0.15 ms of the worker's CPU and 0.09 ms of the server's), so the
article's row carries its links as one JSON array. The details are in
docs/decisions/article-sql.md.

The statements are plain SQL that SQLite and PostgreSQL run alike (but for the
name of the function that gathers the links as JSON), with every value that
varies bound as a parameter (the two public states are our own
constants, written in). The article's column lists come from the models'
own metadata, so a new field is read without touching this file, and values
go through the same database converters the ORM applies.

The publishing rule is ``ArticleQuerySet.public()``; ``PUBLIC_RULE`` states
it in SQL for these statements, and tests/content/test_article_sql.py holds
the two equal for every state an item can be in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, router
from django.urls import get_script_prefix
from django.utils.dateparse import parse_datetime

from dateline.content.models import (
    Article,
    Correction,
    Photo,
    Section,
    article_path,
    tag_path,
)
from dateline.core.database import prepared_cursor
from dateline.core.lookups import state_literal

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import Field, Model
    from django.db.models.expressions import Col

    Converter = Callable[[Any, Any, Any], Any]


# THE publishing rule (see ArticleQuerySet.public) for the article aliased
# ``a``; ``_public_params`` gives the value it binds, the time. The two states
# are written into the statement, not bound, as ``public()`` writes them
# (core/lookups.py: bound, SQLite compiled each statement afresh on every
# page, because the public-feed indexes are partial on these two columns).
PUBLIC_RULE = (
    f"a.status = {state_literal(Article.Status.PUBLISHED)}"
    f" AND a.pubstatus = {state_literal(Article.PubStatus.USABLE)}"
    " AND a.published_at <= %s"
)

# The tables of an article's row, its section's and its lead photo's, side
# by side, with their aliases in the statements.
ARTICLE_TABLES: tuple[tuple[type[Model], str], ...] = (
    (Article, "a"),
    (Section, "s"),
    (Photo, "p"),
)

# The article page's one statement: the public article's row, its section's
# and its lead photo's, with what its page lists (LINKS_SQL's rows) gathered
# into one JSON array of arrays in a last column. The links' subquery is in
# the select list, so it runs only for a row that passed the rule; its
# values come first.
ARTICLE_PAGE_SQL = """
SELECT {columns},
       (SELECT {gathered} FROM ({links}) AS link) AS links
  FROM content_article a
  JOIN content_section s ON s.id = a.section_id
  LEFT JOIN content_photo p ON p.id = a.lead_photo_id
 WHERE a.id = %s AND {public}
"""
# LINKS_SQL's columns, each row as a JSON array, all rows as one array (as
# text on both engines). The order is put back in Python (``_sorted_links``):
# SQLite before 3.44 has no ORDER BY inside an aggregate.
_LINK_COLUMNS = "link.kind, link.position, link.at, link.link_id, link.item_id, link.text, link.slug"
GATHERED = {
    "postgresql": f"json_agg(json_build_array({_LINK_COLUMNS}))::text",
    "sqlite": f"json_group_array(json_array({_LINK_COLUMNS}))",
}

# Many public items' rows at once, for the feeds and the API's lists.
ARTICLES_SQL = """
SELECT {columns}
  FROM content_article a
  JOIN content_section s ON s.id = a.section_id
  LEFT JOIN content_photo p ON p.id = a.lead_photo_id
 WHERE {a_ids} AND {public}
"""

# Those items' topics and persons, (kind, article id, name, slug), each in
# the order they were tagged.
TAGS_SQL = """
SELECT 2 AS kind, l.article_id, t.name, t.slug, l.id AS link_id
  FROM content_articletopic l
  JOIN content_topic t ON t.id = l.topic_id
 WHERE {l_ids}
UNION ALL
SELECT 3, l.article_id, p.name, p.slug, l.id
  FROM content_articleperson l
  JOIN content_person p ON p.id = l.person_id
 WHERE {l_ids}
 ORDER BY kind, link_id
"""

# The kinds of row LINKS_SQL returns, numbered as in the statement.
CORRECTION, TOPIC, PERSON, READ_ALSO = 1, 2, 3, 4

# One row per thing the page lists: (kind, position, at, link id, item id,
# text, slug), each kind in the order the ORM gave: corrections by time,
# topics and persons in the order they were tagged, "Read also" in the
# editor's order. The corrections come first so that PostgreSQL takes the
# ``at`` column's type from them: it types a UNION's columns pairwise from
# the left, and NULL first would make that column text.
LINKS_SQL = f"""
SELECT 1 AS kind, 0 AS position, c.created_at AS at, c.id AS link_id,
       c.id AS item_id, c.note AS text, NULL AS slug
  FROM content_correction c
 WHERE c.article_id = %s
UNION ALL
SELECT 2, 0, NULL, l.id, t.id, t.name, t.slug
  FROM content_articletopic l
  JOIN content_topic t ON t.id = l.topic_id
 WHERE l.article_id = %s
UNION ALL
SELECT 3, 0, NULL, l.id, p.id, p.name, p.slug
  FROM content_articleperson l
  JOIN content_person p ON p.id = l.person_id
 WHERE l.article_id = %s
UNION ALL
SELECT 4, l.position, NULL, l.id, a.id, a.headline, s.slug
  FROM content_relatedarticle l
  JOIN content_article a ON a.id = l.related_id
  JOIN content_section s ON s.id = a.section_id
 WHERE l.article_id = %s AND {PUBLIC_RULE}
 ORDER BY kind, position, at, link_id
"""  # noqa: S608 - only our own constant goes in; values are bound


@dataclass(frozen=True, slots=True)
class TagLink:
    """A topic or a person, as the article page links it."""

    name: str
    slug: str
    url: str


@dataclass(frozen=True, slots=True)
class ReadAlsoLink:
    """A public "Read also" item, as the article page links it."""

    pk: int
    headline: str
    url: str


@dataclass(frozen=True, slots=True)
class CorrectionNote:
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleLinks:
    """What an article page lists beside the article itself."""

    topics: list[TagLink]
    persons: list[TagLink]
    read_also: list[ReadAlsoLink]
    corrections: list[CorrectionNote]


# A topic or a person as a list of items names it: (name, slug).
Tag = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ListedItem:
    """A public item as the feeds and the API's lists give it: the article
    with its section and lead photo, and its topics and persons."""

    article: Article
    topics: list[Tag]
    persons: list[Tag]


def public_items(ids: Sequence[int], *, now: datetime) -> list[ListedItem]:
    """The public items among ``ids``, in that order, with their section,
    lead photo, topics and persons: two queries, whatever their number."""
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    if not ids:
        return []
    db = connections[router.db_for_read(Article)]
    with prepared_cursor(db) as cursor:
        rule, values = _among("a.id", ids, db.vendor)
        cursor.execute(
            _articles_sql(db.vendor).format(a_ids=rule),
            [*values, *_public_params(now, db)],
        )
        articles = {}
        for row in cursor.fetchall():
            article = _article_from_row(row, db)
            articles[article.pk] = article
        found = [pk for pk in ids if pk in articles]
        tags: dict[int, tuple[list[Tag], list[Tag]]] = {pk: ([], []) for pk in found}
        if found:
            rule, values = _among("l.article_id", found, db.vendor)
            cursor.execute(TAGS_SQL.format(l_ids=rule), [*values, *values])
            for kind, article_id, name, slug, _link_id in cursor.fetchall():
                tags[article_id][0 if kind == TOPIC else 1].append((name, slug))
    return [ListedItem(articles[pk], *tags[pk]) for pk in found]


def public_article_page(
    pk: int, *, now: datetime
) -> tuple[Article, ArticleLinks] | None:
    """The public article ``pk`` with its section and lead photo, and what
    its page lists beside it (as ``article_links``): one query."""
    # Once: each use of the proxy looks it up. Routed like the ORM's reads,
    # so that a public page reads a replica where there is one.
    db = connections[router.db_for_read(Article)]
    public = _public_params(now, db)
    with prepared_cursor(db) as cursor:
        cursor.execute(
            _article_page_sql(db.vendor), [*_links_params(pk, public), pk, *public]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    gathered = row[-1]
    links = json.loads(gathered) if gathered else []
    for link in links:
        if link[0] == CORRECTION:
            link[2] = _json_moment(link[2])
    return _article_from_row(row, db), _links_from_rows(_sorted_links(links))


def article_links(article_id: int, *, now: datetime) -> ArticleLinks:
    """The article's corrections, topics, persons and public "Read also"
    items: one query (the staff preview's; readers' pages read them with the
    article, ``public_article_page``)."""
    db = connections[router.db_for_read(Article)]
    with prepared_cursor(db) as cursor:
        cursor.execute(LINKS_SQL, _links_params(article_id, _public_params(now, db)))
        rows = cursor.fetchall()
    created_at = Correction._meta.get_field("created_at")
    return _links_from_rows(
        [
            (kind, position, _convert(at, created_at, db), *rest)
            if kind == CORRECTION
            else (kind, position, at, *rest)
            for kind, position, at, *rest in rows
        ]
    )


def _links_params(article_id: int, public: list[Any]) -> list[Any]:
    return [article_id, article_id, article_id, article_id, *public]


def _json_moment(text: str) -> datetime:
    """A correction's time as the JSON array gives it: ISO 8601 with its
    offset from PostgreSQL, the naive UTC text SQLite stores from SQLite."""
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"Not a time: {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sorted_links(links: list[list[Any]]) -> list[list[Any]]:
    """LINKS_SQL's order: by kind, then position, time and link id."""
    return sorted(links, key=lambda link: (link[0], link[1], link[2], link[3]))


def _links_from_rows(rows: Sequence[Sequence[Any]]) -> ArticleLinks:
    """LINKS_SQL's rows in its order, their times converted, sorted into
    what the page lists."""
    links = ArticleLinks([], [], [], [])
    prefix = get_script_prefix()
    for kind, _position, at, _link_id, item_id, text, slug in rows:
        if kind == CORRECTION:
            links.corrections.append(CorrectionNote(text, at))
        elif kind == TOPIC:
            url = tag_path(prefix, "site:topic-detail", slug)
            links.topics.append(TagLink(text, slug, url))
        elif kind == PERSON:
            url = tag_path(prefix, "site:person-detail", slug)
            links.persons.append(TagLink(text, slug, url))
        elif kind == READ_ALSO:
            url = article_path(prefix, slug, item_id)
            links.read_also.append(ReadAlsoLink(item_id, text, url))
    return links


def _among(column: str, ids: list[int], vendor: str) -> tuple[str, list[Any]]:
    """``column`` is one of ``ids``: on PostgreSQL one array value, so that
    the statement's text, and the one prepared statement, is the same for
    any number of ids; elsewhere a list of values."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def _public_params(now: datetime, db: BaseDatabaseWrapper) -> list[Any]:
    """The value ``PUBLIC_RULE`` binds, prepared as the ORM prepares it."""
    published_at = Article._meta.get_field("published_at")
    return [published_at.get_db_prep_value(now, db)]


@cache
def _article_page_sql(vendor: str) -> str:
    """ARTICLE_PAGE_SQL with every column of its three tables and the links
    gathered as ``vendor`` gathers them; made once."""
    return ARTICLE_PAGE_SQL.format(
        columns=_columns(),
        gathered=GATHERED[vendor],
        links=LINKS_SQL,
        public=PUBLIC_RULE,
    )


@cache
def _articles_sql(vendor: str) -> str:
    """ARTICLES_SQL with its columns and rule, its ids left to fill in."""
    return ARTICLES_SQL.format(columns=_columns(), public=PUBLIC_RULE, a_ids="{a_ids}")


def _columns() -> str:
    """Every column of the article's, its section's and its photo's tables."""
    return ", ".join(
        f"{alias}.{connection.ops.quote_name(field.column)}"
        for model, alias in ARTICLE_TABLES
        for field in model._meta.concrete_fields
    )


def _article_from_row(row: Sequence[Any], db: BaseDatabaseWrapper) -> Article:
    """The instances the first columns of one row of ARTICLE_PAGE_SQL or
    ARTICLES_SQL hold, joined as
    ``select_related("section", "lead_photo")`` would join them."""
    instances: list[Any] = []
    start = 0
    for model, _alias in ARTICLE_TABLES:
        fields = model._meta.concrete_fields
        values = row[start : start + len(fields)]
        start += len(fields)
        instances.append(None if values[0] is None else _instance(model, values, db))
    article, section, photo = instances
    Article._meta.get_field("section").set_cached_value(article, section)
    Article._meta.get_field("lead_photo").set_cached_value(article, photo)
    return article  # type: ignore[no-any-return]


def _instance(
    model: type[Model], values: Sequence[Any], db: BaseDatabaseWrapper
) -> Model:
    reading = _reading(db.vendor, model)
    converted = list(values)
    for index, column, converters in reading.conversions:
        for converter in converters:
            converted[index] = converter(converted[index], column, db)
    return model.from_db(db.alias, reading.attnames, converted)


def _convert(value: Any, field: Field[Any, Any], db: BaseDatabaseWrapper) -> Any:
    """A column's value as the ORM would give it (a date from SQLite's text,
    JSON decoded, and so on)."""
    column, converters = _converters(db.vendor, field)
    for converter in converters:
        value = converter(value, column, db)
    return value


@dataclass(frozen=True)
class _Reading:
    """How to make a model's instance from its columns, all of them."""

    attnames: tuple[str, ...]
    # (position, column, converters) for each column that needs converting.
    conversions: list[tuple[int, Col, list[Converter]]]


@cache
def _reading(vendor: str, model: type[Model]) -> _Reading:
    fields = model._meta.concrete_fields
    conversions = []
    for index, field in enumerate(fields):
        column, converters = _converters(vendor, field)
        if converters:
            conversions.append((index, column, converters))
    return _Reading(tuple(f.attname for f in fields), conversions)


@cache
def _converters(vendor: str, field: Field[Any, Any]) -> tuple[Col, list[Converter]]:
    """The database's and the field's own converters, in the ORM's order.

    Kept per backend, not per connection: the backends' converters read only
    settings (SQLite's the time zone), so the first thread's serve them all.
    """
    column = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(column)
    return column, converters + column.get_db_converters(connection)
