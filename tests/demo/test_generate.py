"""``dateline generate`` appends a realistic synthetic archive, the same for a seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.text import slugify

from dateline.content.bodytext import count_pages, sanitize_body
from dateline.content.models import (
    Article,
    ArticlePerson,
    ArticleTopic,
    Correction,
    Person,
    Photo,
    RelatedArticle,
    Section,
    Topic,
)
from dateline.demo import generate, loader
from dateline.search.backends.base import Filters, Sort
from dateline.search.indexing import indexable
from dateline.search.models import SearchEntry
from dateline.search.selectors import search_articles
from tests.factories import PersonFactory, SectionFactory, TopicFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)


def run_generate(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("generate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def archive() -> str:
    out, _ = run_generate("--articles", "400", "--seed", "11", "--no-progress")
    return out


def headlines() -> list[str]:
    return list(Article.objects.order_by("id").values_list("headline", flat=True))


def test_generates_exactly_the_items_asked_for_with_their_cast(archive: str) -> None:
    assert Article.objects.count() == 400
    assert "Added 400 items" in archive
    demo_slugs = [s["slug"] for s in loader.read_taxonomy("section")]
    assert list(Section.objects.values_list("slug", flat=True)) == demo_slugs
    assert Topic.objects.count() == 30
    assert Person.objects.count() == 40
    assert Photo.objects.filter(width__gt=0, height__gt=0).count() == 4
    by_section = Counter(Article.objects.values_list("section__slug", flat=True))
    assert by_section["world"] > by_section["press-review"]
    assert ArticleTopic.objects.exists()
    assert ArticlePerson.objects.exists()
    assert Article.objects.filter(lead_photo__isnull=False).exists()
    assert Article.history.count() == 0
    for tag in (*Topic.objects.all(), *Person.objects.all()):
        assert tag.created_at <= NOW


def test_tag_links_carry_their_articles_publication_time(archive: str) -> None:
    for links in (ArticleTopic.objects, ArticlePerson.objects):
        pairs = links.values_list("published_at", "article__published_at")
        assert pairs
        assert all(link == article for link, article in pairs)


def test_items_are_what_the_newsroom_would_have_saved(archive: str) -> None:
    for article in Article.objects.all():
        assert 1 <= article.urgency <= 9
        assert sanitize_body(article.body) == article.body
        assert article.body.startswith("<p>")
        assert article.page_count == count_pages(article.body)
        assert article.slug == slugify(article.headline, allow_unicode=True)[:200]
        assert article.headline == " ".join(article.headline.split())
        assert article.lead.endswith(".")
        assert article.created_at <= min(article.published_at or NOW, NOW)
        if article.status == Article.Status.PUBLISHED:
            assert article.published_at is not None
            assert article.version >= 1
            assert article.revision > article.version
        if article.updated_at is not None:
            assert article.published_at < article.updated_at <= NOW
            assert article.version >= 2
    for correction in Correction.objects.select_related("article"):
        assert correction.created_at == correction.article.updated_at


def test_some_items_are_not_public_and_the_publishing_rule_leaves_them_out(
    archive: str,
) -> None:
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    withheld = Article.objects.filter(pubstatus=Article.PubStatus.WITHHELD)
    canceled = Article.objects.filter(pubstatus=Article.PubStatus.CANCELED)
    scheduled = Article.objects.scheduled(now=NOW)
    for unpublished in (drafts, withheld, canceled, scheduled):
        assert unpublished.exists()
        assert not Article.objects.public(now=NOW).filter(
            pk__in=unpublished.values("pk")
        )
    assert drafts.filter(published_at__isnull=True).count() == drafts.count()
    assert all(a.published_at <= NOW + timedelta(days=4) for a in scheduled)
    hidden = drafts.count() + withheld.count() + canceled.count() + scheduled.count()
    assert Article.objects.public(now=NOW).count() == 400 - hidden
    assert f"({400 - hidden} public)" in archive


def test_items_spread_back_from_now_at_a_wire_pace(archive: str) -> None:
    past = Article.objects.public(now=NOW).order_by("published_at")
    first, last = past.first(), past.last()
    assert first is not None
    assert last is not None
    span = last.published_at - first.published_at
    assert timedelta(hours=15) < span < timedelta(hours=18)  # 400 at 550 a day
    assert NOW - last.published_at < timedelta(minutes=30)


def test_fewer_items_at_night_and_some_in_the_same_second() -> None:
    run_generate("--articles", "2200", "--no-progress")
    newsroom = ZoneInfo(settings.TIME_ZONE)
    hours = Counter(
        moment.astimezone(newsroom).hour
        for moment in Article.objects.filter(published_at__lte=NOW).values_list(
            "published_at", flat=True
        )
    )
    night = sum(hours[h] for h in (1, 2, 3, 4))
    day = sum(hours[h] for h in (10, 11, 12, 13))
    assert day > 4 * night
    seconds = Counter(Article.objects.values_list("published_at", flat=True))
    assert any(n > 1 for moment, n in seconds.items() if moment is not None)


def test_read_also_links_point_to_earlier_public_items_of_the_same_section(
    archive: str,
) -> None:
    links = RelatedArticle.objects.select_related("article", "related")
    assert links.exists()
    for link in links:
        assert link.related.section_id == link.article.section_id
        assert link.related.published_at <= link.article.published_at
        assert link.related.is_public(now=NOW)
    per_item = Counter(links.values_list("article_id", flat=True))
    assert set(per_item.values()) == {3}


def test_the_same_seed_gives_the_same_items_and_another_seed_others() -> None:
    run_generate("--articles", "150", "--seed", "5", "--no-progress")
    first = headlines()
    bodies = list(Article.objects.order_by("id").values_list("body", flat=True))
    run_generate("--articles", "150", "--seed", "5", "--no-progress")
    assert headlines()[150:] == first
    again = Article.objects.order_by("id").values_list("body", flat=True)[150:]
    assert list(again) == bodies
    run_generate("--articles", "150", "--seed", "6", "--no-progress")
    assert headlines()[300:] != first


def test_appending_gives_new_topics_and_persons_unique_slugs() -> None:
    TopicFactory(name="Pension reform", slug="pension-reform")
    PersonFactory(name="Taken Name", slug="taken-name")
    run_generate("--articles", "100", "--seed", "3", "--no-progress")
    run_generate("--articles", "100", "--seed", "3", "--no-progress")
    assert Article.objects.count() == 200
    assert Topic.objects.count() == 1 + 2 * 30
    assert Person.objects.count() == 1 + 2 * 40
    names = Counter(Topic.objects.values_list("name", flat=True))
    assert names.most_common(1)[0][1] <= 3  # a run's names are its own


def test_existing_sections_are_used_and_none_added() -> None:
    politics = SectionFactory(slug="politics", name="Politics")
    local = SectionFactory(slug="local", name="Local news")
    run_generate("--articles", "300", "--no-progress")
    assert Section.objects.count() == 2
    counts = Counter(Article.objects.values_list("section_id", flat=True))
    assert counts[politics.pk] > 0
    assert counts[local.pk] > 0
    assert counts[politics.pk] + counts[local.pk] == 300


def test_progress_is_reported_in_plain_lines_when_not_on_a_terminal() -> None:
    out, err = run_generate("--articles", "60")
    assert "60 / 60 items (100%)" in err
    assert "Added 60 items" in out


@pytest.mark.parametrize(
    "args",
    [
        ["--articles", "0"],
        ["--articles", "-5"],
        ["--articles", "many"],
        ["--articles", "1.5"],
        ["--articles", ""],
        ["--articles", str(generate.MAX_ARTICLES + 1)],
        ["--articles", "10", "--seed", "x"],
        [],
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(args: list[str]) -> None:
    with pytest.raises(CommandError):
        run_generate(*args)
    for model in (Article, Section, Topic, Person, Photo):
        assert not model.objects.exists()


def test_generate_archive_refuses_a_count_that_is_not_a_whole_number() -> None:
    with pytest.raises(generate.GenerateError):
        generate.generate_archive(articles=True, seed=1)
    assert not Section.objects.exists()


def test_publication_times_are_ordered_exact_in_number_and_never_ahead() -> None:
    rng = random.Random(1)  # noqa: S311 - not crypto
    times = list(generate.publication_times(5000, now=NOW, rng=rng))
    assert len(times) == 5000
    assert times == sorted(times)
    assert times[-1] <= NOW
    assert abs(NOW - times[0] - timedelta(days=5000 / 550)) < timedelta(hours=3)


def test_generated_items_are_indexed_for_search_and_hidden_ones_are_not(
    archive: str,
) -> None:
    indexed = set(SearchEntry.objects.values_list("article_id", flat=True))
    assert indexed == set(indexable().values_list("pk", flat=True))
    assert "Indexed" in archive
    public = Article.objects.public(now=NOW).order_by("pk").first()
    assert public is not None
    with time_machine.travel(NOW, tick=False):
        result = search_articles(
            f'"{public.headline}"',
            filters=Filters(),
            sort=Sort.RELEVANCE,
            page=1,
            sections=[],
        )
    assert public.pk in [r.article.pk for r in result.results]
