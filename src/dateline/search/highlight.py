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

SNIPPET_WORDS = 30
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
    return _marked(text, list(analysis.spans(text)), stems, 0, len(text))


def snippet(text: str, stems: frozenset[str]) -> SafeString:
    """About SNIPPET_WORDS words around the densest run of matches, marked.

    Empty when no word of the text matches.
    """
    text = text[:SNIPPET_SCAN_CHARS]
    spans = list(analysis.spans(text))
    hits = [i for i, span in enumerate(spans) if span.stem in stems]
    if not hits:
        return mark_safe("")
    # The window of SNIPPET_WORDS words holding the most matches.
    best_start, best_count, right = hits[0], 0, 0
    for left, first in enumerate(hits):
        while right < len(hits) and hits[right] < first + SNIPPET_WORDS:
            right += 1
        if right - left > best_count:
            best_start, best_count = first, right - left
    # Start a few words before the first match, for context.
    start_word = max(0, min(best_start - 3, len(spans) - SNIPPET_WORDS))
    end_word = min(len(spans), start_word + SNIPPET_WORDS)
    start = spans[start_word].start
    end = spans[end_word - 1].end
    if end_word < len(spans):
        # End at the sentence's full stop when it is close.
        stop = text.find(".", end, end + 40)
        end = stop + 1 if stop != -1 else end
    else:
        end = len(text)
    before = "… " if start_word > 0 else ""
    after = " …" if end < len(text) else ""
    marked = _marked(text, spans[start_word:end_word], stems, start, end)
    return mark_safe(f"{before}{marked}{after}")  # noqa: S308 - escaped by _marked


def _marked(
    text: str, spans: list[analysis.Span], stems: frozenset[str], start: int, end: int
) -> SafeString:
    pieces: list[str] = []
    at = start
    for span in spans:
        if span.stem in stems and span.start >= start and span.end <= end:
            pieces.append(escape(text[at : span.start]))
            pieces.append(f"<mark>{escape(text[span.start : span.end])}</mark>")
            at = span.end
    pieces.append(escape(text[at:end]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped
