"""The reader's query language, parsed into a small syntax tree.

    sanctions talks            both words (every clause must match)
    "grain corridor"           the exact phrase
    -football                  items without the word (or -"a phrase")
    talks OR negotiations      either clause

Everything else is literal text: operators of the search engines underneath
(``NEAR``, ``*``, ``^``, ``column:``, parentheses) are read as the words
they contain, so user input never reaches FTS5 ``MATCH`` or ``to_tsquery``
as syntax. A backend turns the tree into its own syntax with every word
quoted or bound as a parameter.

A chunk of text that holds several words with no space between them
("covid-19", "U.S.") is read as a phrase of those words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dateline.search import analysis

# Bounds on what a stranger can make the database do.
MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 12
MAX_PHRASE_WORDS = 12

# A quoted phrase (the closing quote may be missing), or a run of other text.
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')


@dataclass(frozen=True)
class Clause:
    """One word (a phrase of one) or an exact phrase: folded words, in order."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Query:
    """Items must match every group of ``required`` and no clause of ``excluded``.

    A group is a tuple of clauses joined by OR; a plain word is a group of one.
    """

    required: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()
    # What the reader should know about how the text was read.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        """No word to look for: exclusions alone do not make a search."""
        return not self.required

    def clauses(self) -> list[Clause]:
        """Every positive clause, for highlighting."""
        return [clause for group in self.required for clause in group]


@dataclass
class _Reader:
    required: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    join_next: bool = False  # OR came right after a positive clause
    last_positive: bool = False

    @property
    def count(self) -> int:
        return sum(len(group) for group in self.required) + len(self.excluded)

    def add(self, clause: Clause, *, exclude: bool) -> None:
        if self.count >= MAX_CLAUSES:
            note = f"Only the first {MAX_CLAUSES} words or phrases were used."
            if note not in self.notes:
                self.notes.append(note)
            return
        if exclude:
            self.excluded.append(clause)
        elif self.join_next and self.required:
            self.required[-1].append(clause)
        else:
            self.required.append([clause])
        self.join_next = False
        self.last_positive = not exclude


def parse(text: str) -> Query:
    """Read a query as a reader means it; never fails, whatever the text."""
    reader = _Reader()
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        reader.notes.append(
            f"The query was cut to its first {MAX_QUERY_LENGTH} characters."
        )
    for match in _CHUNK.finditer(text):
        quoted_minus, quoted, minus, bare = match.groups()
        if bare == "OR":
            # Joins the clauses on either side; on its own it means nothing.
            reader.join_next = reader.last_positive
            continue
        exclude = bool(quoted_minus if quoted is not None else minus)
        words = analysis.words(quoted if quoted is not None else bare)
        if not words:
            continue
        if len(words) > MAX_PHRASE_WORDS:
            words = words[:MAX_PHRASE_WORDS]
            reader.notes.append(
                f"A phrase was cut to its first {MAX_PHRASE_WORDS} words."
            )
        reader.add(Clause(tuple(words)), exclude=exclude)
    return Query(
        required=tuple(tuple(group) for group in reader.required),
        excluded=tuple(reader.excluded),
        notes=tuple(reader.notes),
    )


def printable(text: str) -> str:
    """The text with control characters (NUL among them) turned into spaces:
    nobody searches for them, and a query that holds them still gets results."""
    return "".join(c if c.isprintable() else " " for c in text)
