"""Stems and folding: the same on indexed text, queries and highlights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.search import analysis


def stem_of(word: str) -> str:
    return analysis.stems(analysis.words(word))[0]


def test_english_inflections_share_a_stem() -> None:
    assert stem_of("sanctions") == stem_of("sanction") == stem_of("Sanctioned")
    assert stem_of("ministers") == stem_of("minister")


def test_russian_inflections_share_a_stem() -> None:
    forms = ["санкции", "санкций", "санкциями", "санкция"]
    assert len({stem_of(w) for w in forms}) == 1
    assert stem_of("переговоры") == stem_of("переговорах")


def test_diacritics_fold_in_latin_words() -> None:
    assert analysis.words("Café Zürich São") == ["cafe", "zurich", "sao"]


def test_yo_reads_as_ye_and_short_i_stays() -> None:
    assert analysis.words("Ёлка чай") == ["елка", "чай"]
    assert analysis.fold("сло\u0301во") == "слово"  # a stress mark goes


def test_underscore_and_punctuation_split_words() -> None:
    assert analysis.words("a_b covid-19 U.S.") == ["a", "b", "covid", "19", "u", "s"]


def test_mixed_scripts_use_each_words_own_stemmer() -> None:
    assert analysis.analyze("Talks переговорах") == "talk переговор"


def test_find_points_at_the_original_words_that_match() -> None:
    text = "Ministers' «talks» ended; Éclairs and ЁЛКИ, Talking"
    found = analysis.find(text, frozenset({"minist", "talk", "eclair", "елк"}))
    assert [text[a:b] for a, b in found] == [
        "Ministers", "talks", "Éclairs", "ЁЛКИ", "Talking"
    ]  # fmt: skip
    # "stalks" holds "talks" but is another word; "_" parts words, as in WORD.
    assert analysis.find("stalks and_talks", frozenset({"talk"})) == [(11, 16)]


def test_a_stem_keeps_its_words_first_letter() -> None:
    # find() relies on it to skip the other words.
    for word in [
        "skies", "dying", "lying", "idly", "ugly", "early", "only", "yelling",
        "1990s", "переговорах", "ёлками", "Йемен", "übermäßig", "news",
    ]:  # fmt: skip
        folded = analysis.fold(word)
        assert analysis.stem(folded)[0] == folded[0], word


TRICKY = [
    "Plain ASCII text, with_underscores and 42nd digits.",
    "A" * 70 + " long and short " + "b" * 60,
    "Café İstanbul ёлка Ёж ПРИВЕТ мир",
    "ΟΔΟΣ Σίσυφος straße STRASSE ﬁne",
    "naïve coöperate",
    "İ",
    "",
]


def folded_one_by_one(text: str) -> list[str]:
    """What words() means: each word the pattern finds, short enough, folded."""
    return [
        analysis.fold(word)
        for word in analysis.WORD.findall(text)
        if len(word) <= analysis.MAX_WORD_LENGTH
    ]


@pytest.mark.parametrize("text", TRICKY)
def test_a_text_s_words_are_its_words_each_folded(text: str) -> None:
    # words() folds a whole text at once; the answer must be folding each
    # word the pattern finds.
    assert analysis.words(text) == folded_one_by_one(text)
    assert analysis.folded_text(text) == " ".join(folded_one_by_one(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_s_words_are_its_words_each_folded(text: str) -> None:
    assert analysis.words(text) == folded_one_by_one(text)
