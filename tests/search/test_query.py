"""The reader's query language: what a query means, whatever is typed."""

from __future__ import annotations

import pytest

from dateline.search.query import MAX_CLAUSES, MAX_QUERY_LENGTH, Clause, parse


def words(*texts: str) -> tuple[tuple[Clause, ...], ...]:
    return tuple((Clause(tuple(t.split())),) for t in texts)


def test_plain_words_must_all_match() -> None:
    query = parse("Sanctions  talks")
    assert query.required == words("sanctions", "talks")
    assert not query.excluded


def test_a_quoted_phrase_is_one_clause_in_order() -> None:
    query = parse('"grain corridor" talks')
    assert query.required == words("grain corridor", "talks")
    assert query.required[0][0].is_phrase


def test_a_minus_excludes_a_word_or_a_phrase() -> None:
    query = parse('talks -football -"world cup"')
    assert query.required == words("talks")
    assert query.excluded == (Clause(("football",)), Clause(("world", "cup")))


def test_or_joins_the_clauses_on_either_side() -> None:
    query = parse("talks OR negotiations ceasefire")
    assert query.required == (
        (Clause(("talks",)), Clause(("negotiations",))),
        (Clause(("ceasefire",)),),
    )


@pytest.mark.parametrize("text", ["OR talks", "talks OR", "talks OR OR", "-x OR talks"])
def test_a_dangling_or_means_nothing(text: str) -> None:
    query = parse(text)
    assert query.required == words("talks")


def test_lower_case_or_is_a_word() -> None:
    assert parse("war or peace").required == words("war", "or", "peace")


def test_words_joined_by_punctuation_are_a_phrase() -> None:
    assert parse("covid-19 U.S.").required == words("covid 19", "u s")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NEAR(grain corridor)", ("near grain", "corridor")),
        ("grain*", ("grain",)),
        ("^grain", ("grain",)),
        ("headline:grain", ("headline grain",)),
        ("grain AND corridor NOT x", ("grain", "and", "corridor", "not", "x")),
        ("'; DROP TABLE content_article; --", ("drop", "table", "content article")),
    ],
)
def test_engine_operators_are_read_as_plain_words(
    text: str, expected: tuple[str, ...]
) -> None:
    assert parse(text).required == words(*expected)


def test_an_unbalanced_quote_runs_to_the_end() -> None:
    assert parse('talks "grain corridor').required == words("talks", "grain corridor")


def test_case_and_diacritics_are_folded() -> None:
    assert parse("CAFÉ Zürich").required == words("cafe", "zurich")


def test_exclusions_alone_are_no_search() -> None:
    query = parse("-football")
    assert query.is_empty
    assert query.excluded


@pytest.mark.parametrize("text", ["", "   ", '""', "- -- ***", "\x00\x01", "!!!"])
def test_text_without_words_is_an_empty_query(text: str) -> None:
    assert parse(text).is_empty


def test_a_long_query_is_cut_and_says_so() -> None:
    query = parse("word " * 10_000)
    assert sum(len(g) for g in query.required) == MAX_CLAUSES
    assert any(str(MAX_QUERY_LENGTH) in note for note in query.notes)
    assert any(str(MAX_CLAUSES) in note for note in query.notes)


def test_russian_words_are_kept_whole() -> None:
    assert parse("Санкции ЁЛКА").required == words("санкции", "елка")
