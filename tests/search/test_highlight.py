"""Marking matched words, escaped, in a passage that shows them."""

from __future__ import annotations

from dateline.search import highlight
from dateline.search.query import parse


def stems(text: str) -> frozenset[str]:
    return highlight.query_stems(parse(text))


def test_inflected_forms_of_the_query_are_marked() -> None:
    marked = highlight.highlight("New sanctions on sanctioned firms", stems("sanction"))
    assert marked == "New <mark>sanctions</mark> on <mark>sanctioned</mark> firms"


def test_the_text_around_marks_is_escaped() -> None:
    marked = highlight.highlight('<script>alert("talks")</script>', stems("talks"))
    assert "<script>" not in marked
    assert "&lt;script&gt;" in marked
    assert "<mark>talks</mark>" in marked


def test_excluded_words_are_not_marked() -> None:
    assert "<mark>" not in highlight.highlight("football", stems("talks -football"))


def test_a_snippet_centres_on_the_matches_of_a_long_text() -> None:
    text = (
        " ".join(["filler"] * 200)
        + " the ceasefire talks resumed. "
        + " ".join(["filler"] * 200)
    )
    snippet = highlight.snippet(text, stems("ceasefire talks"))
    assert "<mark>ceasefire</mark> <mark>talks</mark>" in snippet
    assert snippet.startswith("… ")
    assert snippet.endswith(" …")
    assert len(snippet.split()) < 45


def test_no_match_gives_no_snippet() -> None:
    assert highlight.snippet("nothing here", stems("talks")) == ""
