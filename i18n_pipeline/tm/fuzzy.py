"""Fuzzy TM matches: candidates from an index, scored with rapidfuzz at word level.

Two halves with a seam between them; only the first is SQL, and it belongs to the back-end:

1. **Candidates** (``index_candidates``) — ``tm.backend.fuzzy_candidates``: on SQLite an FTS5
   trigram index (``sqlite_fuzzy.py``), on PostgreSQL a btree of the same trigrams' postings and
   ``pg_trgm``'s ``similarity()`` (``postgres_fuzzy.py``). Both
   take the normalized query, the pair, the same length window (``length_window``) and return at
   most ``CANDIDATES`` rows; ``search(..., candidates=...)`` takes another function of the same
   signature (tests, a scan).
2. **Scoring** (``rank``) — no SQL, the same for every back-end. Word-level normalized
   Levenshtein similarity (as OmegaT) as the percentage; at equal percentage a human row comes
   before an MT row, then the character-level ratio breaks the tie. Each match carries its source
   as spans with the words that differ from the query marked, the numbers that differ (a 90%
   match with another number is a trap), and the glossary terms that differ.

Glossary terms come from the caller: ``terms`` is a function ``text -> set of term ids`` (the
library builds it from the term base, ``glossary.matcher.term_finder``); the TM package does not
import the glossary. A term in one source and not the other is listed in ``FuzzyMatch.terms``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Collection, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..document import Origin
from ..errors import UsageError
from .base import TMEntry, TranslationMemory, normalize_lang, normalize_source
from .base import entry_from_row as _entry_from_row

DEFAULT_MIN = 75
CANDIDATES = 40  # rows scored per lookup

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")

Terms = Callable[[str], Collection[str]]  # a source text -> the glossary terms (ids) in it


@dataclass(frozen=True)
class FuzzyMatch:
    """One TM row close to the query: how close, and where its source differs."""

    entry: TMEntry
    score: int  # word-level similarity, percent (what the translator sees)
    char_score: float  # character-level ratio, percent (the tie-break)
    spans: tuple[tuple[str, bool], ...]  # the match's source as (text, differs from the query)
    numbers: tuple[str, ...] = ()  # numbers in one source and not the other
    terms: tuple[str, ...] = ()  # glossary terms in one source and not the other (when a glossary was given)

    @property
    def human(self) -> bool:
        return self.entry.origin is Origin.HUMAN

    def as_dict(self) -> dict:
        e = self.entry
        return {"score": self.score, "char_score": round(self.char_score, 1), "source": e.source,
                "target": e.target, "origin": e.origin.value, "state": e.state.value, "model": e.model,
                "updated": e.updated, "differs": [t for t, d in self.spans if d], "numbers": list(self.numbers),
                "terms": list(self.terms), "spans": [[t, d] for t, d in self.spans]}


Candidates = Callable[[TranslationMemory, str, str, str, int], list[TMEntry]]


def search(tm: TranslationMemory, text: str, src: str, tgt: str, *, min_score: int = DEFAULT_MIN,
           limit: int = 5, candidates: Candidates | None = None, terms: Terms | None = None) -> list[FuzzyMatch]:
    """The TM rows whose source is at least ``min_score``% like ``text``, best first (``terms``: see ``rank``)."""
    if not 0 <= min_score <= 100:
        raise UsageError(f"the minimum match must be between 0 and 100 percent, not {min_score}")
    found = (candidates or index_candidates)(tm, text, src, tgt, min_score)
    return rank(text, found, min_score=min_score, limit=limit, terms=terms)


def index_candidates(tm: TranslationMemory, text: str, src: str, tgt: str, min_score: int) -> list[TMEntry]:
    """Up to ``CANDIDATES`` rows of the pair near ``text``, from the back-end's trigram index."""
    key = normalize_source(text)
    rows = tm.backend.fuzzy_candidates(key, normalize_lang(src), normalize_lang(tgt),
                                       length_window(len(key), min_score), CANDIDATES, min_score)
    return [_entry_from_row(row) for row in rows]


def length_window(length: int, min_score: int) -> tuple[int, int]:
    """Source lengths (characters) that can still reach ``min_score``% at word level, with slack."""
    ratio = max(0.25, min_score / 100 - 0.2)
    return math.floor(length * ratio), math.ceil(length / ratio)


# -- scoring (no SQL) --------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The words and punctuation runs of a text, whitespace dropped (the unit of the percentage)."""
    return [t for t in _TOKEN.findall(normalize_source(text)) if not t.isspace()]


def similarity(a: str, b: str) -> int:
    """Word-level similarity of two sources, percent (the score ``rank`` shows)."""
    return round(Levenshtein.normalized_similarity(words(a), words(b)) * 100)


def rank(text: str, candidates: Sequence[TMEntry], *, min_score: int = DEFAULT_MIN, limit: int = 5,
         terms: Terms | None = None) -> list[FuzzyMatch]:
    """Score ``candidates`` against ``text``: word % desc, human before MT, character ratio desc.

    ``terms``, when given, finds the glossary terms of a source; a match lists those in its source
    and not in ``text`` or the other way round (``FuzzyMatch.terms``).
    """
    query = words(text)
    key = normalize_source(text)
    mine = set(terms(key)) if terms is not None else set()
    scored = []
    for entry in candidates:
        score = round(Levenshtein.normalized_similarity(query, words(entry.source)) * 100)
        if score >= min_score:
            scored.append((-score, entry.origin is not Origin.HUMAN,
                           -fuzz.ratio(key, normalize_source(entry.source)), entry.source, entry))
    scored.sort(key=lambda s: s[:4])
    return [FuzzyMatch(entry, -neg_score, -neg_char, _spans(query, entry.source), _numbers_differ(key, entry.source),
                       tuple(sorted(mine ^ set(terms(normalize_source(entry.source))))) if terms is not None else ())
            for neg_score, _, neg_char, _, entry in scored[:limit]]


def _spans(query: list[str], source: str) -> tuple[tuple[str, bool], ...]:
    """``source`` cut into (text, differs) runs: words not aligned to an equal word of the query."""
    tokens = _TOKEN.findall(normalize_source(source))
    word_at = [i for i, t in enumerate(tokens) if not t.isspace()]
    differs = [True] * len(tokens)
    for op in Levenshtein.opcodes(query, [tokens[i] for i in word_at]):
        if op.tag == "equal":
            for j in range(op.dest_start, op.dest_end):
                differs[word_at[j]] = False
    for i, t in enumerate(tokens):
        if t.isspace():
            differs[i] = False
    spans: list[tuple[str, bool]] = []
    for t, d in zip(tokens, differs):
        if spans and spans[-1][1] == d:
            spans[-1] = (spans[-1][0] + t, d)
        else:
            spans.append((t, d))
    return tuple(spans)


def _numbers_differ(a: str, b: str) -> tuple[str, ...]:
    mine, theirs = _NUMBER.findall(a), _NUMBER.findall(b)
    return tuple(sorted(set(mine) ^ set(theirs)))
