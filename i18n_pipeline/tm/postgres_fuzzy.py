"""Fuzzy-match candidates on the shared PostgreSQL TM: ``pg_trgm`` (SQL, PostgreSQL only).

The candidate half of ``fuzzy.py`` as Weblate does it: ``CREATE EXTENSION IF NOT EXISTS pg_trgm``
and a GIN trigram index on the normalized source (``tm_source_key_trgm``, on the ``tm`` table
itself, so every writer keeps it current in its own transaction), created on first use. A lookup
is one statement: rows of the pair whose ``source_key % key`` (trigram similarity at least the
threshold, which the index answers), inside the same length window as SQLite, best
``similarity()`` first, ``limit`` rows. The scoring that follows is ``fuzzy.rank``, the same for
both back-ends, so the same query gives the same matches and percentages.

The threshold is set for the statement's own transaction (``set_config(…, true)``): a low
``--min`` wants candidates a default 0.3 would drop (see ``trigram_threshold``).

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
from .urls import scrub

if TYPE_CHECKING:
    from .postgres import PostgresBackend

INDEX = "tm_source_key_trgm"
_LOCK_ID = 0x7418_6E01  # pg_advisory_xact_lock key that serializes creating the extension and index
_INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {INDEX} ON tm USING gin (source_key gin_trgm_ops)"
_CANDIDATES = f"""
    SELECT {COLUMNS} FROM tm
    WHERE source_key %% %(key)s AND src_lang = %(src)s AND tgt_lang = %(tgt)s
      AND length(source_key) BETWEEN %(lo)s AND %(hi)s
    ORDER BY similarity(source_key, %(key)s) DESC, source_key
    LIMIT %(limit)s
"""
_NO_TRGM = ("{location}: fuzzy matches on the PostgreSQL TM need the pg_trgm extension, which cannot be "
            "created ({reason}); install the server's contrib package (Debian: postgresql-contrib) and run "
            "CREATE EXTENSION pg_trgm in this database as its owner or a superuser")


def trigram_threshold(min_score: int) -> float:
    """The ``pg_trgm.similarity_threshold`` for a word-level minimum: generous, as the length window is.

    A sentence with one word of eight changed keeps about 0.6 of its trigrams; the rank step
    drops what does not reach ``min_score``, so the threshold only has to keep real candidates in.
    """
    return round(max(0.1, min(0.5, min_score / 100 - 0.45)), 2)


def ensure_index(backend: PostgresBackend) -> None:
    """The extension and the trigram index, once per back-end object (both ``IF NOT EXISTS``)."""
    if getattr(backend, "_trgm_ready", False):
        return
    import psycopg

    try:
        with backend._pool.connection() as conn, conn.transaction():
            present = conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (INDEX,)).fetchone()
            if not present:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                conn.execute(_INDEX_SQL)
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:  # no contrib files, or no right to create the extension or index
        reason = scrub(exc, backend._url) or type(exc).__name__
        raise StateError(_NO_TRGM.format(location=backend.location, reason=reason)) from exc
    backend._trgm_ready = True


def candidates(backend: PostgresBackend, key: str, src: str, tgt: str, window: tuple[int, int], limit: int,
               threshold: float) -> list[tuple]:
    """Up to ``limit`` rows (``COLUMNS``) of the pair most trigram-similar to ``key``, inside ``window``."""
    ensure_index(backend)
    import psycopg

    params = {"key": key, "src": src, "tgt": tgt, "lo": window[0], "hi": window[1], "limit": limit}
    try:
        with backend._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(threshold),))
            return conn.execute(_CANDIDATES, params).fetchall()
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:
        raise StateError(f"{backend.location}: translation memory cannot be read "
                         f"({scrub(exc, backend._url)})") from exc
