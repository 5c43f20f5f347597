"""Searching the archive through the backend of the database in use.

The same tests run on SQLite (FTS5) and PostgreSQL (tsvector), as make test
runs the suite on both.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from dateline.content import services
from dateline.content.models import Article
from dateline.search.backends import get_backend
from dateline.search.backends.base import Field, Filters, Sort, key_range
from dateline.search.models import SearchEntry
from dateline.search.query import parse
from dateline.search.selectors import PAGE_SIZE, search_articles
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

if TYPE_CHECKING:
    from dateline.content.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def desks() -> dict[str, Section]:
    return {
        "world": SectionFactory(name="World", slug="world"),
        "sport": SectionFactory(name="Sport", slug="sport"),
    }


def found(
    text: str,
    *,
    sort: Sort = Sort.RELEVANCE,
    page: int = 1,
    sections: list[Section] | None = None,
    **filters: object,
) -> list[str]:
    result = search_articles(
        text,
        filters=Filters(**filters),  # type: ignore[arg-type]
        sort=sort,
        page=page,
        sections=sections or [],
    )
    return [r.article.headline for r in result.results]


def story(section: Section, headline: str, **fields: object) -> Article:
    fields.setdefault("lead", "")
    fields.setdefault("body", "<p>Nothing to see.</p>")
    return published_article(section=section, headline=headline, **fields)


def test_a_published_item_is_found_by_its_words(desks: dict[str, Section]) -> None:
    story(desks["world"], "Ceasefire talks resume in Port Azul")
    assert found("ceasefire talks") == ["Ceasefire talks resume in Port Azul"]
    assert found("port azul ceasefire") == ["Ceasefire talks resume in Port Azul"]
    assert found("ceasefire football") == []


def test_lead_and_body_are_searched_too(desks: dict[str, Section]) -> None:
    story(desks["world"], "One", lead="The harbour reopened.")
    story(desks["world"], "Two", body="<p>Divers <em>inspected</em> the pier.</p>")
    assert found("harbour") == ["One"]
    assert found("inspected pier") == ["Two"]


def test_inflected_forms_match(desks: dict[str, Section]) -> None:
    story(desks["world"], "New sanctions announced")
    story(desks["world"], "Новые санкции против импортёров")
    assert found("sanction") == ["New sanctions announced"]
    assert found("sanctioned") == ["New sanctions announced"]
    assert found("санкциями") == ["Новые санкции против импортёров"]
    assert found("импортеров") == ["Новые санкции против импортёров"]


def test_case_and_diacritics_do_not_matter(desks: dict[str, Section]) -> None:
    story(desks["world"], "Protest at the Café Zürich")
    assert found("cafe zurich") == ["Protest at the Café Zürich"]
    assert found("CAFÉ ZÜRICH") == ["Protest at the Café Zürich"]


def test_a_phrase_matches_the_words_in_order(desks: dict[str, Section]) -> None:
    story(desks["world"], "Grain corridor reopens")
    story(desks["world"], "Corridor for grain closes")
    assert found('"grain corridor"') == ["Grain corridor reopens"]
    assert sorted(found("grain corridor")) == [
        "Corridor for grain closes",
        "Grain corridor reopens",
    ]


def test_exclusion_and_or(desks: dict[str, Section]) -> None:
    story(desks["world"], "Talks on fishing")
    story(desks["world"], "Talks on football")
    story(desks["world"], "Negotiations on trade")
    assert found("talks -football") == ["Talks on fishing"]
    assert found('talks -"on football"') == ["Talks on fishing"]
    assert sorted(found("talks OR negotiations")) == [
        "Negotiations on trade",
        "Talks on fishing",
        "Talks on football",
    ]


def test_a_headline_match_ranks_above_a_body_match(desks: dict[str, Section]) -> None:
    story(desks["world"], "Body mention", body="<p>The drought worsened.</p>")
    story(
        desks["world"], "Drought grips the south", ago=timedelta(hours=3)
    )  # older, yet the headline counts more
    assert found("drought") == ["Drought grips the south", "Body mention"]


def test_of_equal_matches_the_newer_ranks_first(desks: dict[str, Section]) -> None:
    story(desks["world"], "Flood warning", ago=timedelta(days=200))
    story(desks["world"], "Flood warning", ago=timedelta(days=2), lead="x")
    result = search_articles(
        "flood", filters=Filters(), sort=Sort.RELEVANCE, page=1, sections=[]
    )
    ages = [r.article.published_at for r in result.results]
    assert ages == sorted(ages, reverse=True)


def test_sort_by_date_is_newest_first(desks: dict[str, Section]) -> None:
    for days, headline in [(5, "Vote one"), (1, "Vote three"), (3, "Vote two")]:
        story(desks["world"], headline, ago=timedelta(days=days))
    assert found("vote", sort=Sort.DATE) == ["Vote three", "Vote two", "Vote one"]


def test_hidden_items_are_never_found(desks: dict[str, Section]) -> None:
    world = desks["world"]
    ArticleFactory(section=world, headline="Secret draft")
    submitted = ArticleFactory(section=world, headline="Secret submitted")
    services.submit_article(article=submitted, actor=None)
    story(world, "Secret scheduled", ago=-timedelta(hours=2))
    withheld = story(world, "Secret withheld")
    withheld.pubstatus = Article.PubStatus.WITHHELD
    services.save_article(article=withheld, actor=None)
    killed = story(world, "Secret killed")
    services.withdraw_article(article=killed, actor=None, reason="legal")
    assert found("secret") == []
    assert found("secret", sort=Sort.DATE) == []
    assert (
        search_articles(
            "secret", filters=Filters(), sort=Sort.RELEVANCE, page=1, sections=[world]
        ).total.value
        == 0
    )


def test_a_scheduled_item_is_found_once_its_time_comes(
    desks: dict[str, Section],
) -> None:
    story(desks["world"], "Embargoed report", ago=-timedelta(hours=2))
    assert found("embargoed") == []
    with time_machine.travel(timezone.now() + timedelta(hours=2, seconds=2)):
        assert found("embargoed") == ["Embargoed report"]


def test_publishing_editing_and_withdrawing_change_the_index_at_once(
    desks: dict[str, Section],
) -> None:
    article = ArticleFactory(section=desks["world"], headline="Bridge collapse")
    assert found("bridge") == []
    services.publish_article(article=article, actor=None)
    assert found("bridge") == ["Bridge collapse"]
    article.headline = "Tunnel collapse"
    services.save_article(article=article, actor=None)
    assert found("bridge") == []
    assert found("tunnel") == ["Tunnel collapse"]
    services.withdraw_article(article=article, actor=None, reason="wrong")
    assert found("tunnel") == []
    assert not SearchEntry.objects.filter(article=article).exists()
    # Nor is it left in the index of headlines and leads.
    now = timezone.now()
    for word in ["bridge", "tunnel"]:
        for field in Field:
            assert (
                get_backend().newest(
                    parse(word), Filters(), key_range(Filters(), now), 0, 5, field=field
                )
                == []
            )


def test_a_failed_act_leaves_the_index_as_it_was(desks: dict[str, Section]) -> None:
    article = story(desks["world"], "Original headline")
    article.headline = "Replacement headline"

    def save_then_fail() -> None:
        with transaction.atomic():
            services.save_article(article=article, actor=None)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert found("original") == ["Original headline"]
    assert found("replacement") == []


def test_filters_by_section_topic_person_and_dates(desks: dict[str, Section]) -> None:
    topic, person = TopicFactory(slug="storms"), PersonFactory(slug="mara-vell")
    world = story(desks["world"], "Storm in the north", ago=timedelta(days=10))
    story(desks["sport"], "Storm delays the match")
    services.set_article_tags(article=world, topics=[topic], persons=[person])
    assert found("storm", section_ids=(desks["sport"].pk,)) == [
        "Storm delays the match"
    ]
    assert found("storm", topic_id=topic.pk) == ["Storm in the north"]
    assert found("storm", person_id=person.pk) == ["Storm in the north"]
    recent = timezone.now() - timedelta(days=2)
    assert found("storm", since=recent) == ["Storm delays the match"]
    assert found("storm", until=recent) == ["Storm in the north"]


def test_retagging_updates_the_topic_filter(desks: dict[str, Section]) -> None:
    first, second = TopicFactory(slug="first"), TopicFactory(slug="second")
    article = story(desks["world"], "Tagged story")
    services.set_article_tags(article=article, topics=[first], persons=[])
    services.set_article_tags(article=article, topics=[second], persons=[])
    assert found("tagged", topic_id=first.pk) == []
    assert found("tagged", topic_id=second.pk) == ["Tagged story"]


def test_counts_total_and_per_section(desks: dict[str, Section]) -> None:
    for i in range(3):
        story(desks["world"], f"Election news {i}")
    story(desks["sport"], "Election of the club president")
    result = search_articles(
        "election",
        filters=Filters(section_ids=(desks["world"].pk,)),
        sort=Sort.RELEVANCE,
        page=1,
        sections=list(desks.values()),
    )
    assert result.total.value == 3
    # Section counts ignore the section filter, so the reader sees where else to look.
    assert [(s.slug, c.value) for s, c in result.by_section] == [
        ("world", 3),
        ("sport", 1),
    ]


def test_pages_follow_one_another_without_gaps(desks: dict[str, Section]) -> None:
    for i in range(PAGE_SIZE + 5):
        story(desks["world"], f"Market report {i}", ago=timedelta(minutes=i))
    for sort in Sort:
        first = found("market", sort=sort)
        second = found("market", sort=sort, page=2)
        assert len(first) == PAGE_SIZE
        assert len(second) == 5
        assert len(set(first) | set(second)) == PAGE_SIZE + 5


def test_items_published_in_the_same_second_all_get_a_key(
    desks: dict[str, Section],
) -> None:
    moment = timezone.now() - timedelta(hours=1)
    for i in range(5):
        article = ArticleFactory(section=desks["world"], headline=f"Same second {i}")
        services.publish_article(article=article, actor=None, at=moment)
    assert len(found("same second")) == 5


def test_reindex_rebuilds_the_same_index(desks: dict[str, Section]) -> None:
    story(desks["world"], "Volcano erupts")
    story(desks["sport"], "Volcano stadium opens", ago=timedelta(days=1))
    before = found("volcano")
    SearchEntry.objects.all().delete()  # as if the index were lost
    call_command("reindex", "--no-progress", stdout=None)
    assert found("volcano") == before
    assert SearchEntry.objects.count() == 2


def test_a_deleted_item_leaves_the_index(desks: dict[str, Section]) -> None:
    article = story(desks["world"], "Deleted story")
    article.delete()
    assert found("deleted") == []
    assert (
        search_articles(
            "deleted", filters=Filters(), sort=Sort.DATE, page=1, sections=[]
        ).total.value
        == 0
    )


def test_many_matches_are_counted_ranked_and_split_by_section_among_the_newest(
    desks: dict[str, Section], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dateline.search.backends.base.COUNT_AT_MOST", 5)
    monkeypatch.setattr("dateline.search.backends.base.CONSIDERED", 5)
    for i in range(4):
        story(desks["sport"], f"Old derby report {i}", ago=timedelta(days=20 + i))
    story(desks["world"], "Derby in the headline, weeks ago", ago=timedelta(days=19))
    for i in range(6):
        story(
            desks["world"],
            f"World report {i}",
            body="<p>A derby is mentioned.</p>",
            ago=timedelta(hours=i + 1),
        )
    result = search_articles(
        "derby",
        filters=Filters(),
        sort=Sort.RELEVANCE,
        page=1,
        sections=list(desks.values()),
    )
    assert result.total.value > 5
    assert not result.total.is_exact
    # The newest five matches are all World items.
    assert result.by_section_among == 5
    assert [(s.slug, c.value) for s, c in result.by_section] == [("world", 5)]
    headlines = [r.article.headline for r in result.results]
    assert headlines == [f"World report {i}" for i in range(5)]
    # By date, every match is reachable.
    assert len(found("derby", sort=Sort.DATE)) == 11


def test_a_lead_match_ranks_between_headline_and_body_matches(
    desks: dict[str, Section],
) -> None:
    story(desks["world"], "Body only", body="<p>The harbour reopened.</p>")
    story(desks["world"], "Lead match", lead="The harbour reopened today.")
    story(desks["world"], "Harbour reopens", ago=timedelta(hours=3))
    assert found("harbour") == ["Harbour reopens", "Lead match", "Body only"]
