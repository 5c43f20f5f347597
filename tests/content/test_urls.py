"""Public URLs built quickly still match the URLconf."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from tests.factories import (
    PersonFactory,
    SectionFactory,
    TopicFactory,
    published_article,
)

pytestmark = pytest.mark.django_db


def test_article_and_section_urls_match_the_urlconf() -> None:
    section = SectionFactory(slug="world")
    article = published_article(section=section)
    assert article.get_absolute_url() == reverse(
        "site:article-detail", kwargs={"section": "world", "pk": article.pk}
    )
    assert section.get_absolute_url() == reverse(
        "site:section-detail", kwargs={"slug": "world"}
    )


def test_urls_follow_the_script_prefix() -> None:
    article = published_article(section=SectionFactory(slug="sport"))
    try:
        set_script_prefix("/agency/")
        assert article.get_absolute_url() == f"/agency/sport/{article.pk}/"
        assert article.get_absolute_url() == reverse(
            "site:article-detail", kwargs={"section": "sport", "pk": article.pk}
        )
    finally:
        set_script_prefix("/")
    assert article.get_absolute_url() == f"/sport/{article.pk}/"


def test_topic_and_person_urls_match_the_urlconf_under_any_prefix() -> None:
    topic = TopicFactory(slug="fisheries")
    person = PersonFactory(slug="ines-calder")
    for prefix in ["/", "/agency/", "/"]:
        try:
            set_script_prefix(prefix)
            assert topic.get_absolute_url() == f"{prefix}topics/fisheries/"
            assert topic.get_absolute_url() == reverse(
                "site:topic-detail", kwargs={"slug": "fisheries"}
            )
            assert person.get_absolute_url() == f"{prefix}persons/ines-calder/"
            assert person.get_absolute_url() == reverse(
                "site:person-detail", kwargs={"slug": "ines-calder"}
            )
        finally:
            set_script_prefix("/")
