"""Any string a stranger types gives results or an empty result, never an error.

Property-based: hypothesis writes the queries, biased towards the characters
and words that mean something to FTS5 and to PostgreSQL's tsquery. Runs on
the database in use, so on both engines in make test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.search.backends.base import Filters, Sort
from dateline.search.query import MAX_CLAUSES, parse
from dateline.search.selectors import search_articles
from tests.factories import ArticleFactory, SectionFactory, published_article

if TYPE_CHECKING:
    from dateline.content.models import Section

pytestmark = pytest.mark.django_db

SYNTAX = [
    '"', "'", "-", "+", "*", "^", ":", "(", ")", "{", "}", "[", "]", "&", "|",
    "!", "<", ">", "<->", "\\", "/", ";", ",", ".", "_", "%", "\x00", "\x1f",
    "\u200b", "\ufeff", " ", "  ", "\t", "\n",
]  # fmt: skip
WORDS = [
    "OR", "AND", "NOT", "NEAR", "or", "headline", "lead", "body", "facets",
    "rowid", "rank", "bm25", "_s1", "_t1", "_p1", "SELECT", "DROP", "talks",
    "санкции", "переговоры", "Ёлка", "café", "中文", "العربية", "1e9", "0x1F",
    "'a':*", "a:A", "!!", "&&", "||", "<2>",
]  # fmt: skip
hostile_text = st.lists(
    st.one_of(st.sampled_from(SYNTAX), st.sampled_from(WORDS), st.text(max_size=8)),
    max_size=40,
).map("".join)


@pytest.fixture
def archive() -> list[Section]:
    world = SectionFactory(slug="world")
    published_article(section=world, headline="Ceasefire talks: the OR clause")
    published_article(
        section=world,
        headline="Переговоры о санкциях",
        body="<p>Ёлка café 中文 _s1 NEAR(x)</p>",
        ago=timedelta(days=3),
    )
    ArticleFactory(section=world, headline="Hidden draft talks")
    return [world]


@given(text=hostile_text)
def test_parsing_never_fails_and_stays_bounded(text: str) -> None:
    query = parse(text)
    assert sum(len(group) for group in query.required) <= MAX_CLAUSES
    for clause in query.clauses():
        assert clause.words
        assert all(word and word.isalnum() for word in clause.words)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=hostile_text, sort=st.sampled_from(list(Sort)))
def test_searching_never_fails_and_never_leaks(
    archive: list[Section], text: str, sort: Sort
) -> None:
    result = search_articles(
        text, filters=Filters(), sort=sort, page=1, sections=archive
    )
    assert len(result.results) <= result.total.value
    assert all(r.article.status == "published" for r in result.results)
    assert "Hidden draft talks" not in [r.article.headline for r in result.results]
