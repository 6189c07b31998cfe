"""The shared back-end: PostgreSQL through psycopg 3 and a connection pool.

For several translators and machines on one memory (SQLite on a shared disk is not safe for
that). Same table and the same rules as ``sqlite.py``: they are the ``WHERE`` of the upsert,
so two writers racing on one key still cannot let MT replace a human row. Reads take one
statement however many sources (``= ANY(%s)``); a batch of writes is one ``INSERT … SELECT
FROM unnest(…)``. An unreachable server is refused when the memory is opened, before any
work (``UnreachableError``, exit 2); the URL is only ever shown without its password.
"""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

from ..errors import ConnectionLostError, StateError, UnreachableError
from .base import COLUMNS, Key, Row, Rule
from .urls import redact_url, scrub

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CONNECT_TIMEOUT_S = 5
POOL_MAX = 4
POOL_TIMEOUT_S = 10  # how long a call waits for a pooled connection (the server restarting) before failing
_LOCK_ID = 0x7418_6E00  # pg_advisory_xact_lock key that serializes schema creation

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    source_key    TEXT NOT NULL,
    src_lang      TEXT NOT NULL,
    tgt_lang      TEXT NOT NULL,
    source        TEXT NOT NULL,
    target        TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('mt', 'human')),
    state         TEXT NOT NULL CHECK (state IN ('initial', 'translated', 'reviewed', 'final')),
    engine        TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    model_version TEXT NOT NULL DEFAULT '',
    glossary_hash TEXT NOT NULL DEFAULT '',
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL,
    PRIMARY KEY (source_key, src_lang, tgt_lang)
);
CREATE TABLE IF NOT EXISTS tm_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS article_claims (
    article TEXT PRIMARY KEY,
    owner   TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);
"""
# One statement: a free article, one whose lease has expired (a crashed claimer) or one this
# owner already holds is taken; one another live owner holds is not (its row is not returned).
_CLAIM = """
INSERT INTO article_claims (article, owner, expires)
SELECT unnest(%s::text[]), %s, now() + make_interval(secs => %s)
ON CONFLICT (article) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
WHERE article_claims.expires < now() OR article_claims.owner = excluded.owner
RETURNING article
"""
_INSERT_COLUMNS = ("source_key, src_lang, tgt_lang, source, target, origin, state, "
                   "engine, model, model_version, glossary_hash, created, updated")
_ON_CONFLICT = """
ON CONFLICT (source_key, src_lang, tgt_lang) DO UPDATE SET
    source = excluded.source, target = excluded.target, origin = excluded.origin,
    state = excluded.state, engine = excluded.engine, model = excluded.model,
    model_version = excluded.model_version, glossary_hash = excluded.glossary_hash,
    updated = excluded.updated
WHERE {rule}
"""
_UPSERT_ONE = {
    rule: f"INSERT INTO tm ({_INSERT_COLUMNS}) VALUES ({', '.join(['%s'] * 13)})" + _ON_CONFLICT.format(rule=rule.value)
    for rule in Rule
}
_UPSERT_MANY = {
    rule: f"INSERT INTO tm ({_INSERT_COLUMNS}) SELECT * FROM unnest({', '.join(['%s::text[]'] * 13)})"
          + _ON_CONFLICT.format(rule=rule.value)
    for rule in Rule
}


class PostgresBackend:
    def __init__(self, url: str, *, pool_max: int = POOL_MAX):
        import psycopg
        from psycopg_pool import ConnectionPool

        self._url = url
        self.location = redact_url(url)
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                self._migrate(conn)
        except psycopg.OperationalError as exc:
            raise UnreachableError(
                f"{self.location}: the PostgreSQL translation memory cannot be reached ({scrub(exc, url)}); "
                "check [tm] url in i18n.toml or I18N_PIPELINE_TM_URL, and that the server is running"
            ) from exc
        except psycopg.Error as exc:
            raise StateError(f"{self.location}: the translation memory cannot be opened ({scrub(exc, url)})") from exc
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_max, open=True, name="i18n-tm",
                                    timeout=POOL_TIMEOUT_S,
                                    kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
                                    check=ConnectionPool.check_connection)

    def close(self) -> None:
        self._pool.close()

    def integrity_check(self) -> bool:
        return self._read("SELECT count(*) FROM tm", ())[0][0] >= 0  # the server checks its own pages

    def count(self) -> int:
        return self._read("SELECT count(*) FROM tm", ())[0][0]

    def human_revision(self, tgt: str) -> tuple[int, str]:
        return self._read(
            "SELECT count(*), coalesce(max(updated), '') FROM tm WHERE origin = 'human' AND tgt_lang = %s", (tgt,)
        )[0]

    def select_human(self, src: str, tgt: str) -> list[tuple]:
        return self._read(
            f"SELECT {COLUMNS} FROM tm WHERE src_lang = %s AND tgt_lang = %s AND origin = 'human' "
            "ORDER BY created, source",
            (src, tgt),
        )

    def select(self, src: str, tgt: str, keys: Sequence[str]) -> list[tuple]:
        if not keys:
            return []
        return self._read(
            f"SELECT source_key, {COLUMNS} FROM tm WHERE src_lang = %s AND tgt_lang = %s AND source_key = ANY(%s)",
            (src, tgt, list(keys)),
        )

    def claim(self, articles: Sequence[str], owner: str, lease_s: float) -> set[str]:
        """The ``articles`` this owner now holds for ``lease_s`` seconds (see ``_CLAIM``)."""
        if not articles:
            return set()
        with self.transaction() as tx:
            return {row[0] for row in tx._conn.execute(_CLAIM, (list(articles), owner, lease_s)).fetchall()}

    def release(self, articles: Sequence[str], owner: str) -> None:
        if articles:
            with self.transaction() as tx:
                tx._conn.execute("DELETE FROM article_claims WHERE owner = %s AND article = ANY(%s)",
                                 (owner, list(articles)))

    def renew(self, articles: Sequence[str], owner: str, lease_s: float) -> set[str]:
        """Extend this owner's leases on ``articles``; returns those it still held (see ``_RENEW``)."""
        if not articles:
            return set()
        with self.transaction() as tx:
            return {row[0] for row in tx._conn.execute(_RENEW, (lease_s, owner, list(articles))).fetchall()}

    def holders(self, articles: Sequence[str]) -> dict[str, tuple[str, float]]:
        """Who holds a live claim on each of ``articles``, and for how many more seconds (the free left out)."""
        rows = self._read(_HOLDERS, (list(articles),)) if articles else []
        return {article: (owner, float(left)) for article, owner, left in rows}

    def manifest(self) -> PostgresManifest:
        return PostgresManifest(self)

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        import psycopg

        try:
            with self._pool.connection() as conn, conn.transaction():
                yield _Transaction(conn)
        except psycopg.OperationalError as exc:
            raise self._lost(exc, "write") from exc
        except psycopg.Error as exc:
            raise StateError(f"{self.location}: translation memory write failed ({scrub(exc, self._url)}); "
                             "nothing was changed") from exc

    def _read(self, sql: str, params: Sequence[object]) -> list[tuple]:
        import psycopg

        try:
            with self._pool.connection() as conn:
                return conn.execute(sql, params).fetchall()
        except psycopg.OperationalError as exc:
            raise self._lost(exc, "read") from exc
        except psycopg.Error as exc:
            raise StateError(f"{self.location}: translation memory cannot be read ({scrub(exc, self._url)})") from exc

    # -- fuzzy-match candidates: trigram postings + pg_trgm (the SQL is postgres_fuzzy.py) ----

    def fuzzy_candidates(self, key: str, src: str, tgt: str, window: tuple[int, int], limit: int,
                         min_score: int) -> list[tuple]:
        """Rows (``COLUMNS``) close to ``key`` by shared rare trigrams and similarity(); creates pg_trgm and the postings once."""
        from . import postgres_fuzzy

        return postgres_fuzzy.candidates(self, key, src, tgt, window, limit)

    def fuzzy_index_ready(self) -> bool:
        from . import postgres_fuzzy

        return postgres_fuzzy.index_ready(self)

    def build_fuzzy_index(self) -> None:
        from . import postgres_fuzzy

        postgres_fuzzy.ensure_index(self)

    # -- plumbing -------------------------------------------------------------------------------

    def _lost(self, exc: Exception, what: str) -> ConnectionLostError:
        # The pool checks a connection before lending it, so the next call reconnects on its own.
        return ConnectionLostError(f"{self.location}: the connection to the translation memory was lost "
                                   f"during a {what} ({scrub(exc, self._url)}); nothing of it was saved")

    def _migrate(self, conn) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
            conn.execute(_SCHEMA)
            conn.execute(_RUN_STATE_SCHEMA)
            row = conn.execute("SELECT max(version) FROM tm_schema").fetchone()
            version = row[0] or 0
            if version > SCHEMA_VERSION:
                raise StateError(
                    f"{self.location}: translation memory schema {version} is newer than this program "
                    f"understands ({SCHEMA_VERSION}); upgrade i18n-pipeline"
                )
            if version < SCHEMA_VERSION:
                conn.execute("DELETE FROM tm_schema")
                conn.execute("INSERT INTO tm_schema (version) VALUES (%s)", (SCHEMA_VERSION,))


class _Transaction:
    def __init__(self, conn):
        self._conn = conn

    def upsert_many(self, rows: Sequence[Row], rule: Rule) -> int:
        columns = [list(column) for column in zip(*rows)]
        return self._conn.execute(_UPSERT_MANY[rule], columns).rowcount

    def upsert(self, row: Row, rule: Rule) -> bool:
        return self._conn.execute(_UPSERT_ONE[rule], row).rowcount > 0

    def human_target(self, key: Key) -> str | None:
        row = self._conn.execute(
            "SELECT target FROM tm WHERE source_key = %s AND src_lang = %s AND tgt_lang = %s AND origin = 'human' "
            "FOR UPDATE", key
        ).fetchone()
        return row[0] if row else None


# -- run state: the shared manifest, lease renewal -------------------------------------------
# What ``runstate.RunManifest`` keeps in ``<state>/manifest.json`` on one machine, as rows every
# machine sees: per article (its input path, absolute) and locale the key its outputs were made
# under, the outputs with their SHA-256 digests (JSON, in writing order) and the article's counts.
# A batch's records are one upsert in one transaction, like the TM's rows.
_RUN_STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_manifest (
    article TEXT NOT NULL,
    locale  TEXT NOT NULL,
    key     TEXT NOT NULL,
    outputs JSON NOT NULL,
    stats   JSON NOT NULL,
    updated TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article, locale)
);
"""
_MANIFEST_SELECT = "SELECT locale, key, outputs, stats FROM run_manifest WHERE article = %s"
_MANIFEST_UPSERT = """
INSERT INTO run_manifest (article, locale, key, outputs, stats, updated)
SELECT article, locale, key, outputs::json, stats::json, now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) AS r(article, locale, key, outputs, stats)
ON CONFLICT (article, locale) DO UPDATE SET
    key = excluded.key, outputs = excluded.outputs, stats = excluded.stats, updated = excluded.updated
"""
_MANIFEST_RECORDED = "SELECT article, locale FROM run_manifest"
# A heartbeat: only leases this owner still holds are extended (one that ran out and was taken is not).
_RENEW = """
UPDATE article_claims SET expires = now() + make_interval(secs => %s)
WHERE owner = %s AND article = ANY(%s)
RETURNING article
"""
_HOLDERS = """
SELECT article, owner, extract(epoch FROM expires - now()) FROM article_claims
WHERE article = ANY(%s) AND expires >= now()
"""


class PostgresManifest:
    """``RunManifest``'s ``done / record / save`` on the ``run_manifest`` table.

    ``done`` reads an article's rows when first asked (one query for all its locales), so a run
    sees what other machines recorded up to then; ``record`` keeps the result until ``save``
    writes every pending one in one transaction. A save the server does not take (connection
    lost) keeps them for the next save and logs a warning: at worst those articles are
    translated again. Paths are made absolute, so runs started in different folders of one
    shared filesystem agree.
    """

    def __init__(self, backend: PostgresBackend):
        self._backend = backend
        self._read_rows: dict[str, dict[str, tuple]] = {}
        self._pending: dict[tuple[str, str], tuple] = {}

    def done(self, path: str, locale: str, key: str):
        from ..runstate import Done, outputs_unchanged

        article = os.path.abspath(path)
        entry = self._pending.get((article, locale))
        if entry is None:
            if article not in self._read_rows:
                self._read_rows[article] = {loc: (k, o, s) for loc, k, o, s in
                                            self._backend._read(_MANIFEST_SELECT, (article,))}
            entry = self._read_rows[article].get(locale)
        if entry is None or entry[0] != key or not isinstance(entry[2], dict) or not outputs_unchanged(entry[1]):
            return None  # not recorded, made under another key, damaged, or an output changed or gone
        return Done(list(entry[1]), dict(entry[2]))

    def record(self, path: str, locale: str, key: str, outputs: Sequence[str] | Mapping[str, str],
               stats: dict) -> None:
        from ..runstate import output_digests

        digests = {os.path.abspath(o): d for o, d in output_digests(outputs).items()}
        self._pending[(os.path.abspath(path), locale)] = (key, digests, stats)

    def save(self) -> None:
        if not self._pending:
            return
        rows = [(article, locale, key, json.dumps(outputs, ensure_ascii=False), json.dumps(stats, ensure_ascii=False))
                for (article, locale), (key, outputs, stats) in self._pending.items()]
        try:
            with self._backend.transaction() as tx:
                tx._conn.execute(_MANIFEST_UPSERT, [list(column) for column in zip(*rows)])
        except ConnectionLostError as exc:
            log.warning("%s; %d finished result(s) not yet recorded as done: saved with the next batch, "
                        "or translated again by the next run", exc, len(rows))
            return
        for (article, locale), entry in self._pending.items():
            self._read_rows.setdefault(article, {})[locale] = entry
        self._pending.clear()

    def recorded(self) -> set[tuple[str, str]]:
        """Every (article, locale) recorded, by any run."""
        return {(a, loc) for a, loc in self._backend._read(_MANIFEST_RECORDED, ())} | set(self._pending)
