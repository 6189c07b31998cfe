"""Fuzzy-match candidates on the shared PostgreSQL TM: trigram postings and ``pg_trgm`` (SQL, PostgreSQL only).

The candidate half of ``fuzzy.py``, built as SQLite's is (``sqlite_fuzzy.py``): ``tm_fuzzy_rows``
gives every TM row of a pair an integer id and its length, ``tm_fuzzy_postings`` holds one
``(gram, id)`` row per distinct lower-case 3-character substring of its normalized source (spaces
and punctuation included, as FTS5's trigram tokenizer cuts them: ``tm_fuzzy_grams``), primary key
``(gram, id)``. Statement-level triggers on ``tm`` (insert, delete, a changed key) keep both in
step, so every writer — translate, review import, workspace saves, anyone's SQL — updates them in
its own transaction. Created, and filled from the rows already there, on first use, or ahead of it
by ``i18n-pipeline tm index`` and at ``serve`` start (``tm_search.prepare_fuzzy_index``).

A lookup takes the query's *rarest* trigrams (``trigrams.pick_rare`` with the counts in
``tm_fuzzy_df``, the same picks as on SQLite), counts per row how many of them it holds with one
index-only scan of the postings' primary key, keeps the ``TOP_SHARED`` rows with most in common
and, of those of the pair inside the length window, the ``SIMILAR`` with most in common (nearest
length first, as SQLite orders them), and returns the ``limit`` of those most like the key by
``pg_trgm``'s ``similarity()``; only those ``limit`` rows are read from ``tm``. The scoring that
follows is ``fuzzy.rank``, the same for both back-ends.

Why a hand-made btree and not ``pg_trgm``'s GIN index: a GIN scan only yields heap addresses for a
bitmap, so every posting costs a visit to the ``tm`` row and an ``ILIKE`` recheck (1.5–5 µs,
measured with ``python -m bench --fuzzy``: median 59 ms, p95 190 ms a lookup at 200,000 rows),
while ``(gram, id)`` is read index-only (about 0.1 µs a posting) and grouped by an integer; and
``pg_trgm`` keeps no trigrams across word boundaries, which are what makes a memory of common
words selective (the 95th percentile of postings read halves). The price is space and write
time: about 110 postings a row (1.3 GB for 200,000 rows of news-length copy, against 46 MB of GIN
index; filled in 70–90 s on first use), and the trigger's inserts on every write (0.9 ms a row in
a 20,000-row ``store_many``, 7.5 ms a one-row store, measured at 200,000 rows). Each lookup's
transaction sets what it needs (``_SETTINGS``).

Rarity: rows per trigram in ``tm_fuzzy_df``, counted from the postings when they are made and
again when the memory has grown by a quarter or shrunk since (checked once per back-end object:
a ``tm search`` or a process's first lookup). A trigram the counts do not know is new, so rare.

No extension, no lookup: a server without ``pg_trgm`` (Debian's ``postgresql-contrib`` not
installed) or a role that may not create it (PostgreSQL 13+ lets a database owner create this
trusted extension; older servers want a superuser) gets one ``StateError`` line saying what to
install or ask for.

``PostgresBackend.fuzzy_candidates`` calls ``candidates`` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import StateError
from .base import COLUMNS
from .trigrams import pick_rare, trigrams
from .urls import scrub

if TYPE_CHECKING:
    from .postgres import PostgresBackend

TOP_SHARED = 400  # rows with the most rare trigrams in common, before the length window (as on SQLite)
# of those, the rows (most shared, nearest length first) that similarity() orders: it extracts both
# strings' trigrams on every call (~25 µs a row), so over all 400 it was half a lookup's time
SIMILAR = 100
DF_GROWTH, DF_SLACK = 1.25, 500  # recount the trigrams past rows × 1.25 + 500 (or when the memory shrank)
OLD_INDEX = "tm_source_key_trgm"  # the GIN index of the first release: no longer read, so dropped
_LOCK_ID = 0x7418_6E01  # pg_advisory_xact_lock key that serializes creating the extension, tables and counts
_TRIGGERS = ("tm_fuzzy_ins", "tm_fuzzy_del", "tm_fuzzy_upd", "tm_fuzzy_trunc")
_SCHEMA = (
    f"DROP INDEX IF EXISTS {OLD_INDEX}",
    # The trigrams of a normalized source, as trigrams.trigrams cuts them (lookups ask lower() for the key).
    """CREATE OR REPLACE FUNCTION tm_fuzzy_grams(key text) RETURNS SETOF text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
       $$ SELECT DISTINCT substr(k, i, 3) FROM (SELECT lower(key) AS k) AS s, generate_series(1, length(k) - 2) AS i $$""",
    """CREATE TABLE IF NOT EXISTS tm_fuzzy_rows (
           id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           source_key text NOT NULL,
           src_lang   text NOT NULL,
           tgt_lang   text NOT NULL,
           length     integer NOT NULL,
           UNIQUE (src_lang, tgt_lang, source_key))""",
    # The primary key is added after the first fill (bulk: ~1.5× faster than row by row). Index-only
    # scans skip the heap only on pages the visibility map marks all-visible: vacuumed after 2% new
    # postings instead of PostgreSQL's 20%, so the postings the triggers add are soon read index-only.
    """CREATE TABLE IF NOT EXISTS tm_fuzzy_postings (
           gram text COLLATE "C" NOT NULL,
           id   integer NOT NULL)
       WITH (autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)""",
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df (gram TEXT PRIMARY KEY, docs INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tm_fuzzy_df_meta (id INTEGER PRIMARY KEY CHECK (id = 1), rows BIGINT NOT NULL)",
    # Rows added to tm get an id and their postings (an upsert that updated a row adds nothing).
    """CREATE OR REPLACE FUNCTION tm_fuzzy_added() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           WITH added AS (
               INSERT INTO tm_fuzzy_rows (source_key, src_lang, tgt_lang, length)
               SELECT source_key, src_lang, tgt_lang, length(source_key) FROM tm_fuzzy_new
               ON CONFLICT DO NOTHING RETURNING id, source_key)
           INSERT INTO tm_fuzzy_postings (gram, id)
           SELECT g, added.id FROM added, tm_fuzzy_grams(added.source_key) AS g;
           RETURN NULL;
       END $$""",
    """CREATE OR REPLACE FUNCTION tm_fuzzy_removed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           WITH gone AS (
               DELETE FROM tm_fuzzy_rows AS r USING tm_fuzzy_old AS o
               WHERE r.src_lang = o.src_lang AND r.tgt_lang = o.tgt_lang AND r.source_key = o.source_key
               RETURNING r.id, r.source_key)
           DELETE FROM tm_fuzzy_postings AS p USING gone, tm_fuzzy_grams(gone.source_key) AS g
           WHERE p.gram = g AND p.id = gone.id;
           RETURN NULL;
       END $$""",
    # An UPDATE that changes a key (the TM's own upserts never do): the old key out, the new one in.
    """CREATE OR REPLACE FUNCTION tm_fuzzy_rekeyed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           WITH gone AS (
               DELETE FROM tm_fuzzy_rows AS r
               WHERE r.src_lang = OLD.src_lang AND r.tgt_lang = OLD.tgt_lang AND r.source_key = OLD.source_key
               RETURNING r.id, r.source_key)
           DELETE FROM tm_fuzzy_postings AS p USING gone, tm_fuzzy_grams(gone.source_key) AS g
           WHERE p.gram = g AND p.id = gone.id;
           WITH added AS (
               INSERT INTO tm_fuzzy_rows (source_key, src_lang, tgt_lang, length)
               VALUES (NEW.source_key, NEW.src_lang, NEW.tgt_lang, length(NEW.source_key))
               ON CONFLICT DO NOTHING RETURNING id, source_key)
           INSERT INTO tm_fuzzy_postings (gram, id)
           SELECT g, added.id FROM added, tm_fuzzy_grams(added.source_key) AS g;
           RETURN NULL;
       END $$""",
    """CREATE OR REPLACE FUNCTION tm_fuzzy_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           TRUNCATE tm_fuzzy_postings, tm_fuzzy_rows;
           RETURN NULL;
       END $$""",
)
_CREATE_TRIGGERS = (
    """CREATE TRIGGER tm_fuzzy_ins AFTER INSERT ON tm REFERENCING NEW TABLE AS tm_fuzzy_new
       FOR EACH STATEMENT EXECUTE FUNCTION tm_fuzzy_added()""",
    """CREATE TRIGGER tm_fuzzy_del AFTER DELETE ON tm REFERENCING OLD TABLE AS tm_fuzzy_old
       FOR EACH STATEMENT EXECUTE FUNCTION tm_fuzzy_removed()""",
    """CREATE TRIGGER tm_fuzzy_upd AFTER UPDATE OF source_key, src_lang, tgt_lang ON tm FOR EACH ROW
       WHEN (OLD.source_key IS DISTINCT FROM NEW.source_key OR OLD.src_lang IS DISTINCT FROM NEW.src_lang
             OR OLD.tgt_lang IS DISTINCT FROM NEW.tgt_lang)
       EXECUTE FUNCTION tm_fuzzy_rekeyed()""",
    "CREATE TRIGGER tm_fuzzy_trunc AFTER TRUNCATE ON tm FOR EACH STATEMENT EXECUTE FUNCTION tm_fuzzy_emptied()",
)
# The rows tm holds that the postings lack (written before the triggers existed), and rows of
# rows no longer in tm (the tm table was dropped and made again under the side tables).
_BACKFILL = (
    """WITH gone AS (
           DELETE FROM tm_fuzzy_rows AS r WHERE NOT EXISTS (
               SELECT 1 FROM tm WHERE tm.source_key = r.source_key AND tm.src_lang = r.src_lang
                                  AND tm.tgt_lang = r.tgt_lang)
           RETURNING r.id, r.source_key)
       DELETE FROM tm_fuzzy_postings AS p USING gone, tm_fuzzy_grams(gone.source_key) AS g
       WHERE p.gram = g AND p.id = gone.id""",
    """WITH added AS (
           INSERT INTO tm_fuzzy_rows (source_key, src_lang, tgt_lang, length)
           SELECT source_key, src_lang, tgt_lang, length(source_key) FROM tm
           ON CONFLICT DO NOTHING RETURNING id, source_key)
       INSERT INTO tm_fuzzy_postings (gram, id)
       SELECT g, added.id FROM added, tm_fuzzy_grams(added.source_key) AS g""",
)
_HAS_KEY = "SELECT 1 FROM pg_constraint WHERE conrelid = 'tm_fuzzy_postings'::regclass AND contype = 'p'"
_RECOUNT = (
    "DELETE FROM tm_fuzzy_df",
    "INSERT INTO tm_fuzzy_df (gram, docs) SELECT gram, count(*) FROM tm_fuzzy_postings GROUP BY gram",
    """INSERT INTO tm_fuzzy_df_meta (id, rows) VALUES (1, %(rows)s)
       ON CONFLICT (id) DO UPDATE SET rows = excluded.rows""",
)
# For the lookup's transaction only (each measured at 200,000 rows): custom plans — a prepared
# statement (psycopg prepares after five runs) gets a generic plan that cannot see how many trigrams
# or rows a lookup has, 3× slower (median 54 against 17 ms); counting by sort, not hash — grouping
# ~50,000 postings by id is ~2× faster sorted (17 against 31 ms; lookups p95 21.4 → 18.6 ms); and
# work_mem 64 MB, so that the counting never spills to disk (with the hash: median 21.4 → 19.4 ms,
# p95 32.7 → 28.2 ms just after the postings were built). No parallel workers and jit = off changed
# nothing (these plans cost under jit_above_cost), so they are left to the server.
_SETTINGS = ("SELECT lower(%s::text), set_config('plan_cache_mode', 'force_custom_plan', true), "
             "set_config('enable_hashagg', 'off', true), set_config('work_mem', '64MB', true)")
_COUNTS = "SELECT gram, docs FROM tm_fuzzy_df WHERE gram = ANY(%s)"
_CANDIDATES = """
    WITH top AS (
        SELECT id, count(*) AS shared FROM tm_fuzzy_postings WHERE gram = ANY(%(grams)s)
        GROUP BY id ORDER BY shared DESC, id LIMIT %(top)s
    ), near AS (
        SELECT r.source_key, r.src_lang, r.tgt_lang, top.shared
        FROM top JOIN tm_fuzzy_rows AS r ON r.id = top.id
        WHERE r.src_lang = %(src)s AND r.tgt_lang = %(tgt)s AND r.length BETWEEN %(low)s AND %(high)s
        ORDER BY top.shared DESC, abs(r.length - %(length)s), r.id
        LIMIT %(similar)s
    ), best AS (
        SELECT near.*, similarity(near.source_key, %(key)s) AS sim FROM near
        ORDER BY sim DESC, near.shared DESC, near.source_key
        LIMIT %(limit)s
    )
    SELECT {columns} FROM best JOIN tm USING (source_key, src_lang, tgt_lang)
    ORDER BY best.sim DESC, best.shared DESC, tm.source_key
"""
_COLUMNS = ", ".join("tm." + c.strip() for c in COLUMNS.split(","))
_NO_TRGM = ("{location}: fuzzy matches on the PostgreSQL TM need the pg_trgm extension, which cannot be "
            "created ({reason}); install the server's contrib package (Debian: postgresql-contrib) and run "
            "CREATE EXTENSION pg_trgm in this database as its owner or a superuser")


def index_ready(backend: PostgresBackend) -> bool:
    """Whether the postings' triggers are all on ``tm`` (so the postings were filled): a read, no lock."""
    if getattr(backend, "_trgm_ready", False):
        return True
    rows = backend._read("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'tm'::regclass AND tgname = ANY(%s)",
                         (list(_TRIGGERS),))
    return rows[0][0] == len(_TRIGGERS)


def ensure_index(backend: PostgresBackend) -> None:
    """The extension, the postings and their triggers, and the counts, once per back-end object."""
    if getattr(backend, "_trgm_ready", False):
        return
    import psycopg

    extension = True  # until pg_trgm is there, a failure is a missing or forbidden extension
    fresh = False  # the triggers were made now, and the postings filled
    try:
        with backend._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone():
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            extension = False
            triggers = {name for (name,) in conn.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'tm'::regclass AND tgname = ANY(%s)",
                (list(_TRIGGERS),))}
            if triggers != set(_TRIGGERS):  # first use on this tm table: the rows already there get postings
                for statement in _SCHEMA:
                    conn.execute(statement)
                for name in _TRIGGERS:
                    conn.execute(f"DROP TRIGGER IF EXISTS {name} ON tm")
                for statement in _CREATE_TRIGGERS:  # takes tm's write lock: no write slips in before the backfill
                    conn.execute(statement)
                for statement in _BACKFILL:
                    conn.execute(statement)
                if not conn.execute(_HAS_KEY).fetchone():
                    conn.execute("ALTER TABLE tm_fuzzy_postings ADD PRIMARY KEY (gram, id)")
                fresh = True
            rows = conn.execute("SELECT count(*) FROM tm_fuzzy_rows").fetchone()[0]
            counted = conn.execute("SELECT rows FROM tm_fuzzy_df_meta").fetchone()
            if fresh or counted is None or rows < counted[0] or rows > counted[0] * DF_GROWTH + DF_SLACK:
                for statement in _RECOUNT:
                    conn.execute(statement, {"rows": rows} if "%(rows)s" in statement else None)
        if fresh:  # the visibility map and the planner's statistics for the rows just filled
            with backend._pool.connection() as conn:
                conn.autocommit = True
                try:
                    conn.execute("VACUUM (ANALYZE) tm_fuzzy_postings, tm_fuzzy_rows")
                finally:
                    conn.autocommit = False
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:  # no contrib files or no right to create the extension; or the tables
        reason = scrub(exc, backend._url) or type(exc).__name__
        if extension:
            raise StateError(_NO_TRGM.format(location=backend.location, reason=reason)) from exc
        raise StateError(f"{backend.location}: the fuzzy-match index cannot be built ({reason})") from exc
    backend._trgm_ready = True


def candidates(backend: PostgresBackend, key: str, src: str, tgt: str, window: tuple[int, int],
               limit: int) -> list[tuple]:
    """Up to ``limit`` rows (``COLUMNS``) of the pair sharing most of the key's rarest trigrams, most similar first."""
    ensure_index(backend)
    import psycopg

    if len(key) < 3:
        return []
    try:
        with backend._pool.connection() as conn, conn.transaction():
            lowered = conn.execute(_SETTINGS, (key,)).fetchone()[0]
            grams, word_of = trigrams(lowered, lowered=True)
            counts = dict(conn.execute(_COUNTS, (grams,)).fetchall())
            chosen = pick_rare(grams, word_of, counts)
            params = {"grams": chosen, "top": max(TOP_SHARED, limit), "key": key, "src": src, "tgt": tgt,
                      "low": window[0], "high": window[1], "length": len(key), "similar": max(SIMILAR, limit),
                      "limit": limit}
            return conn.execute(_CANDIDATES.format(columns=_COLUMNS), params).fetchall()
    except psycopg.OperationalError as exc:
        raise backend._lost(exc, "read") from exc
    except psycopg.Error as exc:
        raise StateError(f"{backend.location}: translation memory cannot be read "
                         f"({scrub(exc, backend._url)})") from exc
