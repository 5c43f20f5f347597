"""The article page's hand-written reads give what the ORM gives, and only
what the publishing rule allows."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.utils import timezone

from dateline.content import article_sql, selectors, services
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    RelatedArticle,
)
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    PhotoFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from django.db.models import Model

pytestmark = pytest.mark.django_db


def field_values(instance: Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
    }


def test_the_article_row_is_the_one_the_orm_reads(django_assert_num_queries) -> None:
    photo = PhotoFactory(renditions=[{"width": 400, "format": "webp"}])
    article = published_article(
        lead_photo=photo, byline="Lena Holt", dateline_place="Port Azul"
    )
    expected = Article.objects.select_related("section", "lead_photo").get(
        pk=article.pk
    )
    with django_assert_num_queries(1):
        detail = selectors.public_article_page(article.pk)
        assert detail is not None
        found = detail.article
        assert field_values(found) == field_values(expected)
        assert field_values(found.section) == field_values(expected.section)
        assert found.lead_photo is not None
        assert field_values(found.lead_photo) == field_values(photo)
    assert found.published_at is not None
    assert found.published_at.tzinfo is not None
    assert found.lead_photo.renditions == [{"width": 400, "format": "webp"}]
    assert found._state.adding is False


def test_an_article_without_a_photo_has_none_without_a_query(
    django_assert_num_queries,
) -> None:
    article = published_article()
    with django_assert_num_queries(1):
        detail = selectors.public_article_page(article.pk)
        assert detail is not None
        assert detail.article.lead_photo is None


@pytest.mark.parametrize("pk", [0, 999_999_999, 999_999_999_999_999_999])
def test_an_unknown_id_is_none(pk: int) -> None:
    published_article()
    assert selectors.public_article_page(pk) is None


def read_with_the_article(article: Article) -> selectors.ArticleDetail:
    """What a reader's page reads: the links in the article's own query."""
    detail = selectors.public_article_page(article.pk)
    assert detail is not None
    return detail


# The staff preview reads an article's links on their own; a reader's page
# reads them with the article, gathered as JSON: both give the same.
READS = [
    pytest.param(selectors.article_detail, id="links-alone"),
    pytest.param(read_with_the_article, id="with-the-article"),
]


@pytest.mark.parametrize("read", READS)
def test_links_come_in_the_editors_order(read) -> None:
    article = published_article()
    topics = [TopicFactory(name=f"Topic {n}") for n in "cab"]
    persons = [PersonFactory(name=f"Person {n}") for n in "cab"]
    for topic, person in zip(topics, persons, strict=True):  # tagged in this order
        ArticleTopic.objects.create(article=article, topic=topic)
        ArticlePerson.objects.create(article=article, person=person)
    related = [published_article(headline=f"Related {n}") for n in range(3)]
    for position, item in zip((2, 0, 1), related, strict=True):
        RelatedArticle.objects.create(article=article, related=item, position=position)
    now = timezone.now()
    for minutes, note in [(5, "second"), (10, "first"), (1, "third")]:
        Correction.objects.create(
            article=article, note=note, created_at=now - timedelta(minutes=minutes)
        )

    detail = read(article)

    assert [t.name for t in detail.topics] == ["Topic c", "Topic a", "Topic b"]
    assert [t.url for t in detail.topics] == [t.get_absolute_url() for t in topics]
    assert [p.name for p in detail.persons] == ["Person c", "Person a", "Person b"]
    assert [p.url for p in detail.persons] == [p.get_absolute_url() for p in persons]
    assert [r.headline for r in detail.read_also] == [
        "Related 1",
        "Related 2",
        "Related 0",
    ]
    assert [r.url for r in detail.read_also] == [
        related[n].get_absolute_url() for n in (1, 2, 0)
    ]
    assert [c.note for c in detail.corrections] == ["first", "second", "third"]
    assert detail.corrections[0].created_at == now - timedelta(minutes=10)
    assert detail.corrections[0].created_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("read", READS)
def test_links_with_awkward_text_and_times_come_back_whole(read) -> None:
    """Names with quotes, backslashes and other scripts survive the JSON;
    a correction made on a whole second (no fraction in its text) sorts
    among the others by time; two at the same moment keep their order."""
    article = published_article()
    topic = TopicFactory(name='Quotes "and" back\\slash — Ünïcødé 東京')
    ArticleTopic.objects.create(article=article, topic=topic)
    second = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    for moment, note in [
        (second + timedelta(microseconds=500_000), "later"),
        (second, "on the second"),
        (second + timedelta(microseconds=500_000), "later, made next"),
    ]:
        Correction.objects.create(article=article, note=note, created_at=moment)

    detail = read(article)

    assert [t.name for t in detail.topics] == [topic.name]
    assert [(c.note, c.created_at) for c in detail.corrections] == [
        ("on the second", second),
        ("later", second + timedelta(microseconds=500_000)),
        ("later, made next", second + timedelta(microseconds=500_000)),
    ]


@pytest.mark.parametrize("read", READS)
def test_an_article_with_nothing_linked_has_empty_lists(read) -> None:
    detail = read(published_article())
    assert (detail.topics, detail.persons, detail.read_also, detail.corrections) == (
        [],
        [],
        [],
        [],
    )


def test_the_hand_written_rule_and_the_queryset_rule_agree_on_every_state() -> None:
    """Every combination of status, pubstatus and time, as the page's article
    and as a "Read also" item: public exactly when ``public()`` says so."""
    now = timezone.now()
    page = published_article(section=SectionFactory())
    offsets = (timedelta(minutes=-1), timedelta(0), timedelta(minutes=1))
    items = [
        ArticleFactory(
            status=status, pubstatus=pubstatus, published_at=now + offset, version=1
        )
        for status in Article.Status.values
        for pubstatus in Article.PubStatus.values
        for offset in offsets
    ]
    services.set_read_also(article=page, related=items)
    public_ids = set(
        Article.objects.public(now=now)
        .filter(pk__in=[item.pk for item in items])
        .values_list("pk", flat=True)
    )
    assert len(public_ids) == 2  # published, usable: a minute ago and right now

    shown = {
        item.pk for item in items if selectors.public_article_page(item.pk, now=now)
    }
    linked = {link.pk for link in selectors.article_detail(page, now=now).read_also}
    page_detail = selectors.public_article_page(page.pk, now=now)
    assert page_detail is not None
    linked_on_page = {link.pk for link in page_detail.read_also}
    listed = {
        listed.article.pk
        for listed in selectors.listed_items([item.pk for item in items], now=now)
    }

    assert shown == public_ids
    assert linked == public_ids
    assert linked_on_page == public_ids
    assert listed == public_ids


def test_the_states_are_written_into_the_statements_not_bound() -> None:
    # The public-feed indexes are partial on status and pubstatus; SQLite
    # compiles a statement afresh whenever a value for one of those columns
    # is bound. Only the article's id and the time are bound.
    article = published_article()
    now = timezone.now()
    assert article_sql._public_params(now, connection) == [
        Article._meta.get_field("published_at").get_db_prep_value(now, connection)
    ]
    public = article_sql._public_params(now, connection)
    page_sql = article_sql._article_page_sql(connection.vendor)
    assert page_sql.count("%s") == 7  # the links' four ids and time; then the article's
    assert page_sql.count("a.status = 'published' AND a.pubstatus = 'usable'") == 2
    assert article_sql.LINKS_SQL.count("%s") == 5
    assert "a.status = 'published' AND a.pubstatus = 'usable'" in article_sql.LINKS_SQL
    with connection.cursor() as cursor:
        cursor.execute(page_sql, [article.pk] * 4 + public + [article.pk] + public)
        assert len(cursor.fetchall()) == 1
        cursor.execute(article_sql.LINKS_SQL, [article.pk] * 4 + public)
        assert cursor.fetchall() == []  # it lists nothing
    listed = article_sql._articles_sql(connection.vendor)
    assert "a.status = 'published' AND a.pubstatus = 'usable'" in listed
    assert listed.format(a_ids="a.id = %s").count("%s") == 2


def test_listed_items_are_the_orms_rows_in_the_order_asked(
    django_assert_num_queries,
) -> None:
    photo = PhotoFactory(renditions=[{"width": 400, "format": "webp"}])
    first = published_article(headline="First", lead_photo=photo)
    second = published_article(headline="Second")
    hidden = ArticleFactory(status=Article.Status.DRAFT, version=1)
    topics = [TopicFactory(name=f"Topic {n}") for n in "ba"]
    persons = [PersonFactory(name=f"Person {n}") for n in "ba"]
    for topic, person in zip(topics, persons, strict=True):  # tagged in this order
        ArticleTopic.objects.create(article=second, topic=topic)
        ArticlePerson.objects.create(article=second, person=person)
    ArticleTopic.objects.create(article=first, topic=topics[1])
    asked = [second.pk, hidden.pk, 999_999_999, first.pk, second.pk]

    with django_assert_num_queries(2):  # the rows; the topics and persons
        listed = selectors.listed_items(asked)
        assert [item.article.pk for item in listed] == [second.pk, first.pk]
        sections = [item.article.section for item in listed]  # no query
        photos = [item.article.lead_photo for item in listed]
    for item, section in zip(listed, sections, strict=True):
        expected = Article.objects.select_related("section").get(pk=item.article.pk)
        assert field_values(item.article) == field_values(expected)
        assert field_values(section) == field_values(expected.section)
    assert photos[0] is None
    assert photos[1] is not None
    assert field_values(photos[1]) == field_values(photo)
    assert listed[0].topics == [(t.name, t.slug) for t in topics]
    assert listed[0].persons == [(p.name, p.slug) for p in persons]
    assert listed[1].topics == [(topics[1].name, topics[1].slug)]
    assert listed[1].persons == []


def test_no_ids_list_nothing_without_a_query(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert selectors.listed_items([]) == []
    with django_assert_num_queries(1):  # no public item: no tags to read
        assert selectors.listed_items([999_999_999]) == []
