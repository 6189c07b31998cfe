"""Fuzzy TM matches: candidates from an index, scored with rapidfuzz at word level.

Two halves with a seam between them, so that a PostgreSQL back-end (``pg_trgm``) only has to
supply the first:

1. **Candidates** (``sqlite_candidates``) — SQL, SQLite only. An FTS5 table with the
   ``trigram`` tokenizer over the TM's normalized sources (``tm_fuzzy_fts``, external content
   ``tm_fuzzy_rows``), kept in step with the ``tm`` table by triggers, so every writer of the TM
   (translate, review import, workspace saves) updates it in its own transaction. A lookup ORs
   the query's *rarest* trigrams (document counts from ``fts5vocab``; common trigrams such as
   "the" would match the whole memory), keeps rows of the pair inside a length window, and takes
   the best ``CANDIDATES`` by bm25. Created, and filled from the existing rows, on first use.
   A PostgreSQL back-end implements the same signature with ``source_key % $1`` and a
   ``similarity()`` order; ``search(..., candidates=...)`` takes it.
2. **Scoring** (``rank``) — no SQL. Word-level normalized Levenshtein similarity (as OmegaT)
   as the percentage; at equal percentage a human row comes before an MT row, then the
   character-level ratio breaks the tie. Each match carries its source as spans with the words
   that differ from the query marked, and the numbers that differ (a 90% match with another
   number is a trap).

Like ``workspace.py``, this module borrows the SQLite back-end's connection and
transaction helper; the lead moves it into the TM package with the other SQL.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass
from typing import Callable, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..document import Origin
from ..errors import StateError, UsageError
from .base import COLUMNS as _COLUMNS
from .base import TMEntry, TranslationMemory, normalize_lang, normalize_source
from .base import entry_from_row as _entry_from_row
from .sqlite import SQLiteBackend
from .workspace import _Connection

DEFAULT_MIN = 75
CANDIDATES = 40  # rows scored per lookup
RARE_TRIGRAMS = 16  # the query's rarest trigrams ORed into the MATCH

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS tm_fuzzy_rows (
        id         INTEGER PRIMARY KEY,
        source_key TEXT NOT NULL,
        src_lang   TEXT NOT NULL,
        tgt_lang   TEXT NOT NULL,
        length     INTEGER NOT NULL,
        UNIQUE (src_lang, tgt_lang, source_key)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tm_fuzzy_rows_pair ON tm_fuzzy_rows (src_lang, tgt_lang, length)",
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS tm_fuzzy_fts USING fts5(
        source_key, content='tm_fuzzy_rows', content_rowid='id', tokenize='trigram')
    """,
    "CREATE VIRTUAL TABLE IF NOT EXISTS tm_fuzzy_vocab USING fts5vocab(tm_fuzzy_fts, 'row')",
    """
    CREATE TRIGGER IF NOT EXISTS tm_fuzzy_rows_ai AFTER INSERT ON tm_fuzzy_rows BEGIN
        INSERT INTO tm_fuzzy_fts (rowid, source_key) VALUES (new.id, new.source_key);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tm_fuzzy_rows_ad AFTER DELETE ON tm_fuzzy_rows BEGIN
        INSERT INTO tm_fuzzy_fts (tm_fuzzy_fts, rowid, source_key) VALUES ('delete', old.id, old.source_key);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tm_fuzzy_tm_ai AFTER INSERT ON tm BEGIN
        INSERT INTO tm_fuzzy_rows (source_key, src_lang, tgt_lang, length)
        SELECT new.source_key, new.src_lang, new.tgt_lang, length(new.source_key)
        WHERE NOT EXISTS (SELECT 1 FROM tm_fuzzy_rows WHERE src_lang = new.src_lang
                          AND tgt_lang = new.tgt_lang AND source_key = new.source_key);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS tm_fuzzy_tm_ad AFTER DELETE ON tm BEGIN
        DELETE FROM tm_fuzzy_rows WHERE src_lang = old.src_lang AND tgt_lang = old.tgt_lang
                                    AND source_key = old.source_key;
    END
    """,
)
_BACKFILL = """
    INSERT INTO tm_fuzzy_rows (source_key, src_lang, tgt_lang, length)
    SELECT source_key, src_lang, tgt_lang, length(source_key) FROM tm
    WHERE NOT EXISTS (SELECT 1 FROM tm_fuzzy_rows AS r WHERE r.src_lang = tm.src_lang
                      AND r.tgt_lang = tm.tgt_lang AND r.source_key = tm.source_key)
"""


@dataclass(frozen=True)
class FuzzyMatch:
    """One TM row close to the query: how close, and where its source differs."""

    entry: TMEntry
    score: int  # word-level similarity, percent (what the translator sees)
    char_score: float  # character-level ratio, percent (the tie-break)
    spans: tuple[tuple[str, bool], ...]  # the match's source as (text, differs from the query)
    numbers: tuple[str, ...] = ()  # numbers in one source and not the other

    @property
    def human(self) -> bool:
        return self.entry.origin is Origin.HUMAN

    def as_dict(self) -> dict:
        e = self.entry
        return {"score": self.score, "char_score": round(self.char_score, 1), "source": e.source,
                "target": e.target, "origin": e.origin.value, "state": e.state.value, "model": e.model,
                "updated": e.updated, "differs": [t for t, d in self.spans if d], "numbers": list(self.numbers),
                "spans": [[t, d] for t, d in self.spans]}


Candidates = Callable[[TranslationMemory, str, str, str, int], list[TMEntry]]


def search(tm: TranslationMemory, text: str, src: str, tgt: str, *, min_score: int = DEFAULT_MIN,
           limit: int = 5, candidates: Candidates | None = None) -> list[FuzzyMatch]:
    """The TM rows whose source is at least ``min_score``% like ``text``, best first."""
    if not 0 <= min_score <= 100:
        raise UsageError(f"the minimum match must be between 0 and 100 percent, not {min_score}")
    found = (candidates or sqlite_candidates)(tm, text, src, tgt, min_score)
    return rank(text, found, min_score=min_score, limit=limit)


# -- candidates (SQLite) -----------------------------------------------------------------------


def _sqlite(tm: TranslationMemory) -> SQLiteBackend:
    if not isinstance(tm.backend, SQLiteBackend):
        raise UsageError(f"{tm.location}: fuzzy matches are indexed in the embedded SQLite TM; on PostgreSQL "
                         "pass a pg_trgm candidates function to search() (not built yet)")
    return tm.backend


def ensure_index(tm: TranslationMemory) -> None:
    """Create the trigram index and its triggers, and index the rows already there (once)."""
    exists = _sqlite(tm)._read("SELECT 1 FROM sqlite_master WHERE name = 'tm_fuzzy_tm_ad'", ())
    if exists:
        return
    try:
        with _Connection(_sqlite(tm).transaction()) as db:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(_BACKFILL)
    except sqlite3.OperationalError as exc:  # pragma: no cover - an SQLite built without FTS5
        raise StateError(f"{tm.location}: the fuzzy-match index cannot be built ({exc}); "
                         "this SQLite lacks FTS5 with the trigram tokenizer (3.34 or newer)") from exc


def sqlite_candidates(tm: TranslationMemory, text: str, src: str, tgt: str, min_score: int) -> list[TMEntry]:
    """Up to ``CANDIDATES`` rows of the pair sharing the query's rarest trigrams, in a length window."""
    ensure_index(tm)
    key = normalize_source(text)
    grams = sorted({key.lower()[i : i + 3] for i in range(len(key) - 2)})
    if not grams:
        return []
    counts = dict(_sqlite(tm)._read(
        f"SELECT term, doc FROM tm_fuzzy_vocab WHERE term IN ({','.join('?' * len(grams))})", grams))
    present = sorted((g for g in grams if g in counts), key=lambda g: (counts[g], g))[:RARE_TRIGRAMS]
    if not present:
        return []
    query = " OR ".join('"' + g.replace('"', '""') + '"' for g in present)
    lo, hi = length_window(len(key), min_score)
    rows = _sqlite(tm)._read(
        f"""
        SELECT {', '.join('t.' + c.strip() for c in _COLUMNS.split(','))}
        FROM tm_fuzzy_fts JOIN tm_fuzzy_rows AS r ON r.id = tm_fuzzy_fts.rowid
        JOIN tm AS t ON t.source_key = r.source_key AND t.src_lang = r.src_lang AND t.tgt_lang = r.tgt_lang
        WHERE tm_fuzzy_fts MATCH ? AND r.src_lang = ? AND r.tgt_lang = ? AND r.length BETWEEN ? AND ?
        ORDER BY tm_fuzzy_fts.rank LIMIT ?
        """,
        (query, normalize_lang(src), normalize_lang(tgt), lo, hi, CANDIDATES),
    )
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


def rank(text: str, candidates: Sequence[TMEntry], *, min_score: int = DEFAULT_MIN, limit: int = 5) -> list[FuzzyMatch]:
    """Score ``candidates`` against ``text``: word % desc, human before MT, character ratio desc."""
    query = words(text)
    key = normalize_source(text)
    scored = []
    for entry in candidates:
        score = round(Levenshtein.normalized_similarity(query, words(entry.source)) * 100)
        if score >= min_score:
            scored.append((-score, entry.origin is not Origin.HUMAN,
                           -fuzz.ratio(key, normalize_source(entry.source)), entry.source, entry))
    scored.sort(key=lambda s: s[:4])
    return [FuzzyMatch(entry, -neg_score, -neg_char, _spans(query, entry.source), _numbers_differ(key, entry.source))
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
