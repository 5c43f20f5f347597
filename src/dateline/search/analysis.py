"""Text analysis shared by indexing, querying and highlighting.

A word is a run of letters and digits. Each word is lower-cased, folded and
reduced to its Snowball stem: Cyrillic words by the Russian stemmer, all
others by the English one. Folding drops diacritics from Latin words
("Café" → "cafe") and stress marks from Cyrillic ones, and reads yo (U+0451)
as ye (U+0435), as Russian print does; short i (U+0439) stays a letter of its own.

The SQLite backend indexes and queries these stems; the PostgreSQL backend
folds the same way and leaves stemming to its own english and russian
configurations. The highlighter uses the stems on both, to mark the words
that matched.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import Stemmer

if TYPE_CHECKING:
    from collections.abc import Iterator

# Letters and digits; "_" is a word character to Python but not to a reader.
WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_STRESS = frozenset({"\u0300", "\u0301"})
# Longer "words" are base64, hashes or junk; a stemmer gains nothing on them.
MAX_WORD_LENGTH = 60


class _Stemmers(threading.local):
    # PyStemmer's objects are not safe to share between threads.
    def __init__(self) -> None:
        self.english = Stemmer.Stemmer("english")
        self.russian = Stemmer.Stemmer("russian")


_stemmers = _Stemmers()


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC.search(word) is not None


def fold(word: str) -> str:
    """A lower-case word without diacritics (Latin) or stress marks (Cyrillic)."""
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    if is_cyrillic(word):
        kept = "".join(c for c in decomposed if c not in _CYRILLIC_STRESS)
        return unicodedata.normalize("NFC", kept).replace("ё", "е")  # noqa: RUF001 - Cyrillic
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    found = WORD.findall(text)
    return [fold(w) for w in found if len(w) <= MAX_WORD_LENGTH]


def stems(folded: list[str]) -> list[str]:
    """The stem of each folded word, in the same order."""
    if not folded:
        return []
    stemmers = _stemmers
    if all(w.isascii() for w in folded):
        return list(stemmers.english.stemWords(folded))
    return [
        (stemmers.russian if is_cyrillic(w) else stemmers.english).stemWord(w)
        for w in folded
    ]


def analyze(text: str) -> str:
    """Stems of a text joined by spaces: what the SQLite index stores."""
    return " ".join(stems(words(text)))


@dataclass(frozen=True)
class Span:
    """A word in the original text: its place and its stem."""

    start: int
    end: int
    stem: str


def spans(text: str) -> Iterator[Span]:
    """Every word of a text with its position, for highlighting."""
    matches = [m for m in WORD.finditer(text) if len(m.group()) <= MAX_WORD_LENGTH]
    for match, stem in zip(
        matches, stems([fold(m.group()) for m in matches]), strict=True
    ):
        yield Span(match.start(), match.end(), stem)
