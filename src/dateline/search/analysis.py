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

import functools
import re
import threading
import unicodedata

import Stemmer

# Letters and digits; "_" is a word character to Python but not to a reader.
WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYRILLIC_STRESS = frozenset({"\u0300", "\u0301"})
# Longer "words" are base64, hashes or junk; a stemmer gains nothing on them.
MAX_WORD_LENGTH = 60
# A word of at most that length, whole (not the start of a longer one).
_SHORT_WORD = re.compile(rf"(?<![^\W_])[^\W_]{{1,{MAX_WORD_LENGTH}}}(?![^\W_])")
# A word, among words joined by spaces, with a character beyond ASCII.
_NOT_ASCII_WORD = re.compile(r"[^ ]*[^\x00-\x7f][^ ]*")


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
    """The folded words of a text, in order: each word the pattern finds, of
    at most MAX_WORD_LENGTH characters, folded."""
    return folded_text(text).split()


def folded_text(text: str) -> str:
    """The folded words of a text joined by spaces (``words``, joined).

    Done by the regular expressions and ``str.lower`` over the whole text at
    once, not word by word in Python: an archive's rebuild folds some 500
    words an item. Only the words that are not ASCII once lower-cased are
    folded one by one. (The words are found before anything is lower-cased:
    lower-casing "İ" gives "i" and a combining dot, which would end a word.)
    """
    joined = " ".join(_SHORT_WORD.findall(text)).lower()
    if joined.isascii():
        return joined
    return _NOT_ASCII_WORD.sub(_fold_match, joined)


def _fold_match(match: re.Match[str]) -> str:
    return fold(match.group())


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


def stem(folded: str) -> str:
    """The stem of one folded word."""
    stemmers = _stemmers
    stemmer = stemmers.russian if is_cyrillic(folded) else stemmers.english
    return str(stemmer.stemWord(folded))


def find(text: str, wanted: frozenset[str]) -> list[tuple[int, int]]:
    """Where the words of a text that stem to a wanted stem are: (start, end).

    Fast on long texts: a Snowball stem keeps its word's first letter, so
    only words starting with a letter that folds to a wanted stem's first
    letter are looked at, and those are found by one regular expression.
    """
    initials = frozenset(w[0] for w in wanted if w)
    if not initials:
        return []
    return [
        match.span()
        for match in _starting_with(initials).finditer(text)
        if len(match.group()) <= MAX_WORD_LENGTH and _word_stem(match.group()) in wanted
    ]


@functools.lru_cache(maxsize=65_536)
def _word_stem(word: str) -> str:
    return stem(fold(word))


# Precomposed letters that fold to another first letter (E with acute to
# e, Cyrillic yo to ye): Latin-1, Latin Extended-A, -B and Additional, and
# Cyrillic.
def _folding_letters() -> dict[str, str]:
    ranges = [(0x00C0, 0x024F), (0x0400, 0x04FF), (0x1E00, 0x1EFF)]
    letters = (chr(c) for low, high in ranges for c in range(low, high + 1))
    return {c: fold(c)[:1] for c in letters if c.isalpha()}


_FOLDING_LETTERS = _folding_letters()


@functools.lru_cache(maxsize=1024)
def _starting_with(initials: frozenset[str]) -> re.Pattern[str]:
    """Whole words whose first letter folds to one of ``initials``."""
    letters = set(initials) | {c.upper() for c in initials}
    letters |= {c for c, folded in _FOLDING_LETTERS.items() if folded in initials}
    starts = "".join(re.escape(c) for c in sorted(letters))
    return re.compile(rf"(?<![^\W_])[{starts}][^\W_]*")
