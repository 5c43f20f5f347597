"""Marking the words that matched, and picking the passage that shows them.

Works on the original text with the analyzer's stems, so "sanctions" is
marked for a search on "sanction" on either engine. The output is escaped
HTML with ``<mark>`` around each matching word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dateline.search import analysis

if TYPE_CHECKING:
    from dateline.search.query import Query

# A passage of about this many characters (some 30 words), with up to
# CONTEXT_CHARS of context before its first match.
SNIPPET_CHARS = 200
CONTEXT_CHARS = 60
# A passage is looked for in the first part of a long body only.
SNIPPET_SCAN_CHARS = 20_000


def query_stems(query: Query) -> frozenset[str]:
    return frozenset(
        stem
        for clause in query.clauses()
        for stem in analysis.stems(list(clause.words))
    )


def highlight(text: str, stems: frozenset[str]) -> SafeString:
    """The whole text, escaped, with every matching word marked."""
    return _marked(text, analysis.find(text, stems), 0, len(text))


def snippet(text: str, stems: frozenset[str]) -> SafeString:
    """A passage of about SNIPPET_CHARS around the densest run of matches,
    marked, cut at words (or at a sentence's end when one is near).

    Empty when no word of the text matches.
    """
    text = text[:SNIPPET_SCAN_CHARS]
    hits = analysis.find(text, stems)
    if not hits:
        return mark_safe("")
    # The passage starting at the match followed by the most matches.
    best, best_count, right = 0, 0, 0
    for left, (first, _) in enumerate(hits):
        while right < len(hits) and hits[right][1] <= first + SNIPPET_CHARS:
            right += 1
        if right - left > best_count:
            best, best_count = left, right - left
    start = _passage_start(text, hits[best][0])
    end = _passage_end(text, start + SNIPPET_CHARS)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    inside = [(a, b) for a, b in hits if a >= start and b <= end]
    return mark_safe(f"{before}{_marked(text, inside, start, end)}{after}")  # noqa: S308 - escaped by _marked


def _passage_start(text: str, match: int) -> int:
    """Where a passage showing a match at ``match`` begins: its sentence's
    start when that is close, else a word a little before it."""
    sentence = max(text.rfind(". ", 0, match), text.rfind("\n", 0, match))
    if sentence != -1 and match - sentence <= CONTEXT_CHARS:
        return sentence + (2 if text[sentence] == "." else 1)
    if match <= CONTEXT_CHARS:
        return 0
    space = text.find(" ", match - CONTEXT_CHARS, match)
    return space + 1 if space != -1 else match


def _passage_end(text: str, near: int) -> int:
    """A sentence's end shortly after ``near``, else the end of a word."""
    if near >= len(text):
        return len(text)
    stop = text.find(".", near, near + CONTEXT_CHARS)
    if stop != -1:
        return stop + 1
    space = text.rfind(" ", 0, near)
    return space if space > 0 else near


def _marked(
    text: str, matches: list[tuple[int, int]], start: int, end: int
) -> SafeString:
    """``text[start:end]`` escaped, with the matching words marked."""
    pieces: list[str] = []
    at = start
    for word_start, word_end in matches:
        pieces.append(escape(text[at:word_start]))
        pieces.append(f"<mark>{escape(text[word_start:word_end])}</mark>")
        at = word_end
    pieces.append(escape(text[at:end]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped
