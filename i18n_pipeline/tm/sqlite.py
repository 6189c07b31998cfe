"""The embedded back-end: one SQLite file (WAL) under the state dir; nothing to set up.

Concurrency: WAL journal, ``busy_timeout``, and every write in one ``BEGIN IMMEDIATE``
transaction, so two pipeline processes on the same state dir wait for each other instead of
failing; a killed run loses at most its open transaction, never half a row. Not for a state
dir on a network share: several machines want the PostgreSQL back-end.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Sequence

from ..errors import StateError
from .base import COLUMNS, Key, Row, Rule

log = logging.getLogger(__name__)

TM_FILENAME = "tm.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0
# SQLite caps host parameters per statement (32766 on current builds); stay far below.
_CHUNK = 500

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
) WITHOUT ROWID
"""
_UPSERT = """
INSERT INTO tm (source_key, src_lang, tgt_lang, source, target, origin, state,
                engine, model, model_version, glossary_hash, created, updated)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_key, src_lang, tgt_lang) DO UPDATE SET
    source = excluded.source, target = excluded.target, origin = excluded.origin,
    state = excluded.state, engine = excluded.engine, model = excluded.model,
    model_version = excluded.model_version, glossary_hash = excluded.glossary_hash,
    updated = excluded.updated
WHERE {rule}
"""
_UPSERTS = {rule: _UPSERT.format(rule=rule.value) for rule in Rule}


class SQLiteBackend:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes the
            # lock up front and waits on busy_timeout rather than failing on lock upgrade.
            # check_same_thread off: a Ray actor opens the memory in __init__ and uses it from its task
            # thread; calls never overlap (one memory per process, used by one batch at a time).
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = self._enter_wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"{self.path}: translation memory cannot be opened ({exc}); "
                "move the file aside to start a new memory, or restore it from a backup"
            ) from exc
        except OSError as exc:
            raise StateError(f"{self.path}: cannot create the state directory ({exc}); check --state") from exc
        if mode.lower() != "wal":
            log.warning("%s: SQLite refused WAL mode (got %s); concurrent runs will block each other", self.path, mode)

    def close(self) -> None:
        self._db.close()

    def _enter_wal(self) -> str:
        """Switch the file to WAL, retrying while another opener switches it at the same moment.

        The switch takes an exclusive lock from a shared one; when two connections do that at
        once SQLite answers SQLITE_BUSY at once, bypassing busy_timeout (waiting would deadlock),
        so a run started together with another failed to open a new memory. A file already in
        WAL is left as it is, with no lock to upgrade.
        """
        mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() == "wal":
            return mode
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.002
        while True:
            try:
                return self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    @property
    def journal_mode(self) -> str:
        return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def integrity_check(self) -> bool:
        try:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            log.error("%s: integrity check failed: %s", self.path, exc)
            return False
        problems = [r[0] for r in rows if r[0] != "ok"]
        for problem in problems[:10]:
            log.error("%s: %s", self.path, problem)
        return not problems

    def count(self) -> int:
        return self._read("SELECT count(*) FROM tm", ())[0][0]

    def human_revision(self, tgt: str) -> tuple[int, str]:
        return self._read(
            "SELECT count(*), coalesce(max(updated), '') FROM tm WHERE origin = 'human' AND tgt_lang = ?", (tgt,)
        )[0]

    def select_human(self, src: str, tgt: str) -> list[tuple]:
        return self._read(
            f"SELECT {COLUMNS} FROM tm WHERE src_lang = ? AND tgt_lang = ? AND origin = 'human' "
            "ORDER BY created, source",
            (src, tgt),
        )

    def select(self, src: str, tgt: str, keys: Sequence[str]) -> list[tuple]:
        rows: list[tuple] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows += self._read(
                f"SELECT source_key, {COLUMNS} FROM tm WHERE src_lang = ? AND tgt_lang = ? AND source_key IN ({marks})",
                (src, tgt, *chunk),
            )
        return rows

    def transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    def fuzzy_candidates(self, key: str, src: str, tgt: str, window: tuple[int, int], limit: int,
                         min_score: int) -> list[tuple]:
        """Rows (``COLUMNS``) close to ``key`` from the FTS5 trigram index (``sqlite_fuzzy.py``)."""
        from . import sqlite_fuzzy

        return sqlite_fuzzy.candidates(self, key, src, tgt, window, limit)

    def fuzzy_index_ready(self) -> bool:
        from . import sqlite_fuzzy

        return sqlite_fuzzy.index_ready(self)

    def build_fuzzy_index(self) -> None:
        from . import sqlite_fuzzy

        sqlite_fuzzy.ensure_index(self)

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: translation memory schema {version} is newer than this program "
                f"understands ({SCHEMA_VERSION}); upgrade i18n-pipeline"
            )
        if version < SCHEMA_VERSION:
            with self.transaction() as tx:
                tx.db.execute(_SCHEMA)
                tx.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _read(self, sql: str, params: Sequence[object]) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: translation memory cannot be read ({exc}); "
                             "move the file aside to start a new memory, or restore a backup") from exc


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error, SQLite errors turned into StateError."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self._path = path

    def __enter__(self) -> _Transaction:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StateError(
                f"{self._path}: translation memory is locked ({exc}); another run holds it — retry when it finishes"
            ) from exc
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.DatabaseError as commit_exc:
                exc = commit_exc
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise StateError(f"{self._path}: translation memory write failed ({exc}); nothing was changed") from exc

    def upsert_many(self, rows: Sequence[Row], rule: Rule) -> int:
        return self.db.executemany(_UPSERTS[rule], rows).rowcount

    def upsert(self, row: Row, rule: Rule) -> bool:
        return self.db.execute(_UPSERTS[rule], row).rowcount > 0

    def human_target(self, key: Key) -> str | None:
        row = self.db.execute(
            "SELECT target FROM tm WHERE source_key = ? AND src_lang = ? AND tgt_lang = ? AND origin = 'human'", key
        ).fetchone()
        return row[0] if row else None
