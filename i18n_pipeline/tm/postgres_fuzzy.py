"""Fuzzy-match candidates on the shared PostgreSQL TM: ``pg_trgm`` (SQL, PostgreSQL only).

The candidate half of ``fuzzy.py`` on ``pg_trgm``: ``CREATE EXTENSION IF NOT EXISTS pg_trgm`` and
a GIN trigram index on the normalized source (``tm_source_key_trgm``, ``gin_trgm_ops`` on the
``tm`` table itself, so every writer keeps it current in its own transaction), created on first
use. ``pg_trgm``'s own ``source_key % key`` is not the lookup: on a large memory of news copy
every sentence shares a third of its trigrams with thousands of others (the/and/ing), so the
index hands tens of thousands of rows to the recheck (about 2 s a lookup at 200,000 rows, measured
with ``python -m bench --fuzzy``). Instead, as on SQLite, one statement asks the same GIN index
for the query's *rarest* trigrams only (``source_key ILIKE '%abc%'`` reads one trigram's posting
list; ``trigrams.pick_rare`` chooses them), counts per row how many it shares, keeps the
``TOP_SHARED`` rows of the pair with most in common, and of those inside the length window
returns the ``limit`` most ``similarity()``-like to the key (``pg_trgm``'s trigram similarity).
The scoring that follows is ``fuzzy.rank``, the same for both back-ends, so the same query gives
the same matches and percentages.

Rarity: rows per trigram in ``tm_fuzzy_df`` (``show_trgm`` over every source), counted when the
index is made and again when the memory has grown by a quarter or shrunk since (checked once per
back-end object: a ``tm search`` or a process's first lookup).

No extension, no scan: a server without ``pg_trgm`` (Debian's ``postgresql-contrib`` not
installed) or a role that may not create it (PostgreSQL 13+ lets a database owner create this
trusted extension; older servers want a superuser) gets one ``StateError`` line saying what to
install or ask for. A sequential scan of 200,000 rows per segment would silently make the
editor slow; a clear error is better.

``PostgresBackend.fuzzy_candidates`` calls ``candidates`` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StateError
from .base import COLUMNS
from .trigrams import pick_rare, word_trigrams
from .urls import scrub

if TYPE_CHECKING:
    from .postgres import PostgresBackend

INDEX = "tm_source_key_trgm"
# Rows the rare trigrams may read together: each costs a heap visit and an ILIKE recheck here
# (about 4 µs, against well under 1 µs for an FTS5 posting), so the budget is smaller than SQLite's.
POSTINGS_BUDGET = 3_000
TOP_SHARED = 400  # rows with the most rare trigrams in common, before the length window and similarity()
DF_GROWTH, DF_SLACK = 1.25, 500  # recount the trigrams past rows × 1.25 + 500 (or when the memory shrank)
_LOCK_ID = 0x7418_6E01  # pg_advisory_xact_lock key that serializes creating the extension, index and counts
_SCHEMA = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON tm USING gin (source_key gin_trgm_ops)",
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df (gram TEXT PRIMARY KEY, docs INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df_meta (id INTEGER PRIMARY KEY CHECK (id = 1), rows BIGINT NOT NULL)",
)
_RECOUNT = (
    "DELETE FROM tm_fuzzy_df",
    "INSERT INTO tm_fuzzy_df (gram, docs) SELECT g, count(*) FROM tm, unnest(show_trgm(source_key)) AS g GROUP BY g",
    """INSERT INTO tm_fuzzy_df_meta (id, rows) VALUES (1, %(rows)s)
       ON CONFLICT (id) DO UPDATE SET rows = excluded.rows""",
)
_ONE_GRAM = "SELECT source_key FROM tm WHERE source_key ILIKE %s AND src_lang = %s AND tgt_lang = %s"
_CANDIDATES = """
    WITH top AS (
        SELECT source_key, count(*) AS shared FROM ({union}) AS hits
        GROUP BY source_key ORDER BY shared DESC, source_key LIMIT %s
    )
    SELECT {columns} FROM top JOIN tm USING (source_key)
    WHERE tm.src_lang = %s AND tm.tgt_lang = %s AND length(tm.source_key) BETWEEN %s AND %s
    ORDER BY similarity(tm.source_key, %s) DESC, top.shared DESC, tm.source_key
    LIMIT %s
"""
_NO_TRGM = ("{location}: fuzzy matches on the PostgreSQL TM need the pg_trgm extension, which cannot be "
            "created ({reason}); install the server's contrib package (Debian: postgresql-contrib) and run "
            "CREATE EXTENSION pg_trgm in this database as its owner or a superuser")


def ensure_index(backend: PostgresBackend) -> None:
    """The extension, the trigram index and the counts, once per back-end object (all ``IF NOT EXISTS``)."""
    if getattr(backend, "_trgm_ready", False):
        return
    import psycopg

    try:
        with backend._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for statement in _SCHEMA:
                conn.execute(statement)
            rows = conn.execute("SELECT count(*) FROM tm").fetchone()[0]
            counted = conn.execute("SELECT rows FROM tm_fuzzy_df_meta").fetchone()
            if counted is None or rows < counted[0] or rows > counted[0] * DF_GROWTH + DF_SLACK:
                for statement in _RECOUNT:
                    conn.execute(statement, {"rows": rows} if "%(rows)s" in statement else None)
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:  # no contrib files, or no right to create the extension or index
        reason = scrub(exc, backend._url) or type(exc).__name__
        raise StateError(_NO_TRGM.format(location=backend.location, reason=reason)) from exc
    backend._trgm_ready = True


def candidates(backend: PostgresBackend, key: str, src: str, tgt: str, window: tuple[int, int],
               limit: int) -> list[tuple]:
    """Up to ``limit`` rows (``COLUMNS``) of the pair sharing the key's rarest trigrams, most similar first."""
    ensure_index(backend)
    import psycopg

    grams, word_of = word_trigrams(key)
    if not grams:
        return []
    try:
        with backend._pool.connection() as conn:
            counts = dict(conn.execute("SELECT gram, docs FROM tm_fuzzy_df WHERE gram = ANY(%s)", (grams,)).fetchall())
            chosen = pick_rare(grams, word_of, counts, budget=POSTINGS_BUDGET)
            sql = _CANDIDATES.format(columns=", ".join("tm." + c.strip() for c in COLUMNS.split(",")),
                                     union=" UNION ALL ".join([_ONE_GRAM] * len(chosen)))
            params = [p for g in chosen for p in (f"%{g}%", src, tgt)]
            return conn.execute(sql, (*params, max(TOP_SHARED, limit), src, tgt, *window, key, limit)).fetchall()
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:
        raise StateError(f"{backend.location}: translation memory cannot be read "
                         f"({scrub(exc, backend._url)})") from exc
