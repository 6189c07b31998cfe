"""Fuzzy-match candidates on the embedded SQLite TM: an FTS5 trigram index (SQL, SQLite only).

An FTS5 table with the ``trigram`` tokenizer over the TM's normalized sources (``tm_fuzzy_fts``,
external content ``tm_fuzzy_rows``), kept in step with the ``tm`` table by triggers, so every
writer of the TM (translate, review import, workspace saves) updates it in its own transaction.
A lookup ORs the query's *rarest* trigrams (document counts from ``fts5vocab``; common trigrams
such as "the" would match the whole memory), keeps rows of the pair inside the length window,
and takes the best ``limit`` by bm25. Created, and filled from the existing rows, on first use.

``SQLiteBackend.fuzzy_candidates`` calls ``candidates`` here; the PostgreSQL half is
``postgres_fuzzy.py``; the scoring (no SQL) is ``fuzzy.py``.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..errors import StateError
from .base import COLUMNS

if TYPE_CHECKING:
    from .sqlite import SQLiteBackend

RARE_TRIGRAMS = 16  # the query's rarest trigrams ORed into the MATCH

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
_CANDIDATES = f"""
    SELECT {', '.join('t.' + c.strip() for c in COLUMNS.split(','))}
    FROM tm_fuzzy_fts JOIN tm_fuzzy_rows AS r ON r.id = tm_fuzzy_fts.rowid
    JOIN tm AS t ON t.source_key = r.source_key AND t.src_lang = r.src_lang AND t.tgt_lang = r.tgt_lang
    WHERE tm_fuzzy_fts MATCH ? AND r.src_lang = ? AND r.tgt_lang = ? AND r.length BETWEEN ? AND ?
    ORDER BY tm_fuzzy_fts.rank LIMIT ?
"""


def ensure_index(backend: SQLiteBackend) -> None:
    """Create the trigram index and its triggers, and index the rows already there (once)."""
    if backend._read("SELECT 1 FROM sqlite_master WHERE name = 'tm_fuzzy_tm_ad'", ()):
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
    """Up to ``limit`` rows (``COLUMNS``) of the pair sharing the key's rarest trigrams, inside ``window``."""
    ensure_index(backend)
    grams = sorted({key.lower()[i : i + 3] for i in range(len(key) - 2)})
    if not grams:
        return []
    counts = dict(backend._read(
        f"SELECT term, doc FROM tm_fuzzy_vocab WHERE term IN ({','.join('?' * len(grams))})", grams))
    present = sorted((g for g in grams if g in counts), key=lambda g: (counts[g], g))[:RARE_TRIGRAMS]
    if not present:
        return []
    query = " OR ".join('"' + g.replace('"', '""') + '"' for g in present)
    return backend._read(_CANDIDATES, (query, src, tgt, *window, limit))
