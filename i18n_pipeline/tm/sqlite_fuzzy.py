"""Fuzzy-match candidates on the embedded SQLite TM: an FTS5 trigram index (SQL, SQLite only).

An FTS5 table with the ``trigram`` tokenizer over the TM's normalized sources (``tm_fuzzy_fts``,
external content ``tm_fuzzy_rows``), kept in step with the ``tm`` table by triggers, so every
writer of the TM (translate, review import, workspace saves) updates it in its own transaction.
A lookup takes the query's *rarest* trigrams (common trigrams such as "the" would match the whole
memory), spread over its words (``trigrams.pick_rare``: a few always, more within a budget of
rows). It counts, per
indexed source, how many of them it holds (one FTS5 ``MATCH`` per trigram, summed in SQL, as
Okapi Pensieve scores n-gram overlap), keeps rows of the pair inside the length window, and
returns the ``limit`` with the most in common. Created, and filled from the existing rows, on
first use (a file indexed by an earlier version gets the tables it lacks the same way).

Rarity: ``fts5vocab`` counts a trigram's rows by walking its whole posting list (milliseconds a
trigram at 200,000 rows), so the counts are copied into ``tm_fuzzy_df`` and copied again when the
memory has grown by a quarter since (``DF_GROWTH``). A trigram the copy does not know yet is
new, hence rare: it is taken first.

``SQLiteBackend.fuzzy_candidates`` calls ``candidates`` here; the PostgreSQL half is
``postgres_fuzzy.py``; the scoring (no SQL) is ``fuzzy.py``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..errors import StateError
from .base import COLUMNS
from .trigrams import pick_rare, trigrams

if TYPE_CHECKING:
    from .sqlite import SQLiteBackend

TOP_SHARED = 400  # rows with the most of them in common, before the pair and the length window
DF_GROWTH, DF_SLACK = 1.25, 500  # recount the trigrams when the index has grown past rows × 1.25 + 500

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
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df (gram TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df_meta (id INTEGER PRIMARY KEY CHECK (id = 1), rows INTEGER NOT NULL)",
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
_CANDIDATES = """
    SELECT {columns}
    FROM (SELECT id, count(*) AS shared FROM ({union}) GROUP BY id ORDER BY shared DESC, id LIMIT {top}) AS h
    CROSS JOIN tm_fuzzy_rows AS r ON r.id = h.id
    CROSS JOIN tm AS t ON t.source_key = r.source_key AND t.src_lang = r.src_lang AND t.tgt_lang = r.tgt_lang
    WHERE r.src_lang = ? AND r.tgt_lang = ? AND r.length BETWEEN ? AND ?
    ORDER BY h.shared DESC, abs(r.length - ?), r.id
    LIMIT ?
"""  # CROSS JOIN: the planner must start from the few matched rows, not scan the pair's length range;
# only the TOP_SHARED rows with most trigrams in common are joined (a join per matched row is the cost)
_COLUMNS = ", ".join("t." + c.strip() for c in COLUMNS.split(","))
_ONE_GRAM = "SELECT rowid AS id FROM tm_fuzzy_fts WHERE tm_fuzzy_fts MATCH ?"


def index_ready(backend: SQLiteBackend) -> bool:
    """Whether the trigram index is there (its last-created table is)."""
    return bool(backend._read("SELECT 1 FROM sqlite_master WHERE name = 'tm_fuzzy_df_meta'", ()))


def ensure_index(backend: SQLiteBackend) -> None:
    """Create the trigram index and its triggers, and index the rows already there (once)."""
    if index_ready(backend):
        return
    try:
        with backend.transaction() as tx:
            for statement in _SCHEMA:
                tx.db.execute(statement)
            tx.db.execute(_BACKFILL)
    except (sqlite3.OperationalError, StateError) as exc:  # pragma: no cover - an SQLite built without FTS5
        raise StateError(f"{backend.location}: the fuzzy-match index cannot be built ({exc}); "
                         "this SQLite lacks FTS5 with the trigram tokenizer (3.34 or newer)") from exc


def candidates(backend: SQLiteBackend, key: str, src: str, tgt: str, window: tuple[int, int],
               limit: int) -> list[tuple]:
    """Up to ``limit`` rows (``COLUMNS``) of the pair sharing most of the key's rarest trigrams, inside ``window``."""
    ensure_index(backend)
    grams, word_of = trigrams(key)
    if not grams:
        return []
    chosen = pick_rare(grams, word_of, _document_counts(backend, grams))
    sql = _CANDIDATES.format(columns=_COLUMNS, union=" UNION ALL ".join([_ONE_GRAM] * len(chosen)),
                             top=max(TOP_SHARED, limit))
    phrases = ['"' + g.replace('"', '""') + '"' for g in chosen]
    return backend._read(sql, (*phrases, src, tgt, *window, len(key), limit))


def _document_counts(backend: SQLiteBackend, grams: list[str]) -> dict[str, int]:
    """Rows per trigram from ``tm_fuzzy_df``, recounted from ``fts5vocab`` once the index has grown enough."""
    indexed = backend._read("SELECT coalesce(max(id), 0) FROM tm_fuzzy_rows", ())[0][0]
    counted = backend._read("SELECT rows FROM tm_fuzzy_df_meta", ())
    if not counted or indexed > counted[0][0] * DF_GROWTH + DF_SLACK:
        with backend.transaction() as tx:
            tx.db.execute("DELETE FROM tm_fuzzy_df")
            tx.db.execute("INSERT INTO tm_fuzzy_df (gram, docs) SELECT term, doc FROM tm_fuzzy_vocab")
            tx.db.execute("INSERT OR REPLACE INTO tm_fuzzy_df_meta (id, rows) VALUES (1, ?)", (indexed,))
    marks = ",".join("?" * len(grams))
    return dict(backend._read(f"SELECT gram, docs FROM tm_fuzzy_df WHERE gram IN ({marks})", grams))
