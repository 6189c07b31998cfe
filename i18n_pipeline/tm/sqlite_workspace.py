"""The workspace's tables on the embedded SQLite TM (SQL, SQLite only): see ``workspace.py``.

The tables live in the TM's own file (``<state>/tm.sqlite``) and every write borrows the SQLite
back-end's ``BEGIN IMMEDIATE`` transaction, so a save — the new segment version *and* the human
TM row — commits whole or not at all, and two processes saving the same segment are serialized
by the file's write lock. The optimistic-concurrency rule is the ``INSERT … SELECT … WHERE``: it
only adds version n+1 when the newest stored version is still n (the UNIQUE key refuses a second
n+1 as well).

Columns added after the table's first release (``edit_ms``; ``model``, ``model_version``,
``glossary_hash``; ``termbase``) are added to an older file when it opens (``ALTER TABLE``; existing saves
read as 0 / ``''``).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..errors import StateError
from .base import Row, Rule

if TYPE_CHECKING:
    from .sqlite import SQLiteBackend

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS segment_edits (
        article     TEXT NOT NULL,
        locale      TEXT NOT NULL,
        segment_id  TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version > 0),
        source      TEXT NOT NULL,
        target      TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('initial', 'translated', 'reviewed', 'final')),
        mt_text     TEXT NOT NULL DEFAULT '',
        before_text TEXT NOT NULL DEFAULT '',
        who         TEXT NOT NULL,
        at          TEXT NOT NULL,
        edit_ms     INTEGER NOT NULL DEFAULT 0 CHECK (edit_ms >= 0),
        model         TEXT NOT NULL DEFAULT '',
        model_version TEXT NOT NULL DEFAULT '',
        glossary_hash TEXT NOT NULL DEFAULT '',
        termbase      TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (article, locale, segment_id, version)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS workspace_users (
        name          TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        roles         TEXT NOT NULL,
        created       TEXT NOT NULL,
        updated       TEXT NOT NULL
    )
    """,
)
# Columns added after the table's first release: name → definition for ALTER TABLE ... ADD COLUMN.
_MIGRATIONS = {
    "edit_ms": "INTEGER NOT NULL DEFAULT 0 CHECK (edit_ms >= 0)",
    "model": "TEXT NOT NULL DEFAULT ''",
    "model_version": "TEXT NOT NULL DEFAULT ''",
    "glossary_hash": "TEXT NOT NULL DEFAULT ''",
    "termbase": "TEXT NOT NULL DEFAULT ''",
}


class SQLiteWorkspaceTables:
    """The workspace's SQL on one open ``SQLiteBackend``; rows in ``columns`` order (see ``workspace.py``)."""

    def __init__(self, backend: SQLiteBackend, columns: str):
        self._backend = backend
        self._columns = columns
        try:
            with backend.transaction() as tx:
                for statement in _SCHEMA:
                    tx.db.execute(statement)
                present = {row[1] for row in tx.db.execute("PRAGMA table_info(segment_edits)").fetchall()}
                for column, definition in _MIGRATIONS.items():
                    if column not in present:  # a file from before this column: existing saves read as 0
                        tx.db.execute(f"ALTER TABLE segment_edits ADD COLUMN {column} {definition}")
        except sqlite3.DatabaseError as exc:  # pragma: no cover - the TM opened, so the file is sound
            raise StateError(f"{backend.location}: workspace tables cannot be created ({exc})") from exc

    def _read(self, sql: str, params) -> list[tuple]:
        return self._backend._read(sql, params)

    # -- segment versions --------------------------------------------------------------------

    def save(self, values: tuple, expected: int, tm_row: Row) -> tuple[bool, tuple | None]:
        """Insert the version (``values``) if the newest stored one is ``expected``, and the human TM row.

        Returns (True, None) when both are written, else (False, the newest stored row or None).
        """
        article, locale, segment_id = values[:3]
        with self._backend.transaction() as tx:
            cursor = tx.db.execute(
                f"""
                INSERT INTO segment_edits ({self._columns})
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
                WHERE (SELECT coalesce(max(version), 0) FROM segment_edits
                       WHERE article = ? AND locale = ? AND segment_id = ?) = ?
                """,
                (*values, article, locale, segment_id, expected),
            )
            if cursor.rowcount != 1:
                return False, tx.db.execute(
                    f"SELECT {self._columns} FROM segment_edits WHERE article = ? AND locale = ? AND segment_id = ? "
                    "ORDER BY version DESC LIMIT 1",
                    (article, locale, segment_id),
                ).fetchone()
            tx.upsert(tm_row, Rule.REPLACE)  # a translator's save replaces whatever the row held
        return True, None

    def latest(self, article: str, locale: str) -> list[tuple]:
        return self._read(
            f"""
            SELECT {self._columns} FROM segment_edits AS e
            WHERE article = ? AND locale = ? AND version = (
                SELECT max(version) FROM segment_edits
                WHERE article = e.article AND locale = e.locale AND segment_id = e.segment_id)
            """,
            (article, locale),
        )

    def history(self, article: str, locale: str, segment_id: str) -> list[tuple]:
        return self._read(
            f"SELECT {self._columns} FROM segment_edits WHERE article = ? AND locale = ? AND segment_id = ? "
            "ORDER BY version DESC",
            (article, locale, segment_id),
        )

    def activity(self) -> list[tuple]:
        return self._read(
            """
            SELECT article, locale, who, at, n FROM (
                SELECT article, locale, who, at, count(*) OVER (PARTITION BY article, locale) AS n,
                       row_number() OVER (PARTITION BY article, locale ORDER BY at DESC, version DESC) AS r
                FROM segment_edits)
            WHERE r = 1
            """,
            (),
        )

    def all_latest(self) -> list[tuple]:
        return self._read(
            f"""
            SELECT {self._columns} FROM (
                SELECT *, row_number() OVER (PARTITION BY article, locale, segment_id ORDER BY version DESC) AS r
                FROM segment_edits)
            WHERE r = 1 ORDER BY article, locale, segment_id
            """,
            (),
        )

    def edit_time_totals(self) -> list[tuple]:
        return self._read("SELECT article, locale, segment_id, sum(edit_ms) FROM segment_edits "
                          "GROUP BY article, locale, segment_id", ())  # fmt: skip

    def touched_by(self, who: str) -> list[tuple]:
        return self._read("SELECT DISTINCT article, locale FROM segment_edits WHERE who = ?", (who,))

    # -- users -------------------------------------------------------------------------------

    def put_user(self, name: str, password_hash: str, roles: str, now: str) -> None:
        with self._backend.transaction() as tx:
            tx.db.execute(
                """
                INSERT INTO workspace_users (name, password_hash, roles, created, updated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,
                    roles = excluded.roles, updated = excluded.updated
                """,
                (name, password_hash, roles, now, now),
            )

    def users(self, name: str | None = None) -> list[tuple]:
        if name is not None:
            return self._read("SELECT name, password_hash, roles FROM workspace_users WHERE name = ?", (name,))
        return self._read("SELECT name, password_hash, roles FROM workspace_users ORDER BY name", ())

    def remove_user(self, name: str) -> bool:
        with self._backend.transaction() as tx:
            return tx.db.execute("DELETE FROM workspace_users WHERE name = ?", (name,)).rowcount == 1
