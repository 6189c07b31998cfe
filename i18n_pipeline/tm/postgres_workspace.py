"""The workspace's tables on the shared PostgreSQL TM (SQL, PostgreSQL only): see ``workspace.py``.

The same two tables as ``sqlite_workspace.py`` (``segment_edits``, ``workspace_users``; the
same columns, timestamps as ISO text so ordering is the same on both) in the TM's database,
created on first use under an advisory lock (two machines opening a fresh database at once do
not race on ``CREATE TABLE``); a column added since the first release (``termbase``) is added to
an older database then, under the same lock (``ADD COLUMN IF NOT EXISTS``; older saves read
``''``). Every write is one transaction on one pooled connection, and a save's human TM row is
written in that same transaction, so a killed save leaves both as before or both as after.

Two writers on one segment, on any machines: the version rule is the statement itself.
``INSERT … SELECT … WHERE (newest stored version) = n ON CONFLICT DO NOTHING`` adds version n+1
only if n is still the newest; under READ COMMITTED a second transaction racing for the same
n+1 waits on the primary key until the first commits, then inserts nothing (no unique-violation
error, no read-modify-write between two statements) and the save reports the version that won,
as on SQLite. Neither save is lost: the loser sees the winner's text and saves again on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Row, Rule

if TYPE_CHECKING:
    from .postgres import PostgresBackend

_LOCK_ID = 0x7418_6E02  # pg_advisory_xact_lock key that serializes creating the workspace tables
_SCHEMA = """
CREATE TABLE IF NOT EXISTS segment_edits (
    article       TEXT NOT NULL,
    locale        TEXT NOT NULL,
    segment_id    TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    source        TEXT NOT NULL,
    target        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('initial', 'translated', 'reviewed', 'final')),
    mt_text       TEXT NOT NULL DEFAULT '',
    before_text   TEXT NOT NULL DEFAULT '',
    who           TEXT NOT NULL,
    at            TEXT NOT NULL,
    edit_ms       INTEGER NOT NULL DEFAULT 0 CHECK (edit_ms >= 0),
    model         TEXT NOT NULL DEFAULT '',
    model_version TEXT NOT NULL DEFAULT '',
    glossary_hash TEXT NOT NULL DEFAULT '',
    termbase      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article, locale, segment_id, version)
);
ALTER TABLE segment_edits ADD COLUMN IF NOT EXISTS termbase TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS segment_edits_who ON segment_edits (who);
CREATE TABLE IF NOT EXISTS workspace_users (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    roles         TEXT NOT NULL,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL
);
"""
# The value types of one segment_edits row, in column order (psycopg sends str as "unknown").
_TYPES = ("text", "text", "text", "integer", "text", "text", "text", "text", "text", "text", "text", "integer",
          "text", "text", "text", "text")


class PostgresWorkspaceTables:
    """The workspace's SQL on one ``PostgresBackend``'s pool; rows in ``columns`` order (see ``workspace.py``)."""

    def __init__(self, backend: PostgresBackend, columns: str):
        self._backend = backend
        self._columns = columns
        if not getattr(backend, "_workspace_ready", False):  # once per back-end object, not per request
            with backend.transaction() as tx:
                tx._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                tx._conn.execute(_SCHEMA)
            backend._workspace_ready = True

    def _read(self, sql: str, params) -> list[tuple]:
        return self._backend._read(sql, params)

    # -- segment versions --------------------------------------------------------------------

    def save(self, values: tuple, expected: int, tm_row: Row) -> tuple[bool, tuple | None]:
        """Insert the version (``values``) if the newest stored one is ``expected``, and the human TM row.

        Returns (True, None) when both are written, else (False, the newest stored row or None).
        """
        article, locale, segment_id = values[:3]
        marks = ", ".join(f"%s::{t}" for t in _TYPES)
        with self._backend.transaction() as tx:
            cursor = tx._conn.execute(
                f"""
                INSERT INTO segment_edits ({self._columns})
                SELECT {marks}
                WHERE (SELECT coalesce(max(version), 0) FROM segment_edits
                       WHERE article = %s AND locale = %s AND segment_id = %s) = %s
                ON CONFLICT (article, locale, segment_id, version) DO NOTHING
                """,
                (*values, article, locale, segment_id, expected),
            )
            if cursor.rowcount != 1:  # a newer version, or one committed while we waited on the key
                return False, tx._conn.execute(
                    f"SELECT {self._columns} FROM segment_edits WHERE article = %s AND locale = %s "
                    "AND segment_id = %s ORDER BY version DESC LIMIT 1",
                    (article, locale, segment_id),
                ).fetchone()
            tx.upsert(tm_row, Rule.REPLACE)  # a translator's save replaces whatever the row held
        return True, None

    def latest(self, article: str, locale: str) -> list[tuple]:
        return self._read(
            f"""
            SELECT DISTINCT ON (segment_id) {self._columns} FROM segment_edits
            WHERE article = %s AND locale = %s ORDER BY segment_id, version DESC
            """,
            (article, locale),
        )

    def history(self, article: str, locale: str, segment_id: str) -> list[tuple]:
        return self._read(
            f"SELECT {self._columns} FROM segment_edits WHERE article = %s AND locale = %s AND segment_id = %s "
            "ORDER BY version DESC",
            (article, locale, segment_id),
        )

    def activity(self) -> list[tuple]:
        return self._read(
            """
            SELECT article, locale, who, at, n FROM (
                SELECT article, locale, who, at, count(*) OVER (PARTITION BY article, locale) AS n,
                       row_number() OVER (PARTITION BY article, locale ORDER BY at COLLATE "C" DESC, version DESC) AS r
                FROM segment_edits) AS ranked
            WHERE r = 1
            """,
            (),
        )

    def all_latest(self) -> list[tuple]:
        return self._read(
            f"""
            SELECT {self._columns} FROM (
                SELECT *, row_number() OVER (PARTITION BY article, locale, segment_id ORDER BY version DESC) AS r
                FROM segment_edits) AS ranked
            WHERE r = 1 ORDER BY article COLLATE "C", locale COLLATE "C", segment_id COLLATE "C"
            """,
            (),
        )

    def edit_time_totals(self) -> list[tuple]:
        return self._read("SELECT article, locale, segment_id, sum(edit_ms) FROM segment_edits "
                          "GROUP BY article, locale, segment_id", ())  # fmt: skip

    def touched_by(self, who: str) -> list[tuple]:
        return self._read("SELECT DISTINCT article, locale FROM segment_edits WHERE who = %s", (who,))

    # -- users -------------------------------------------------------------------------------

    def put_user(self, name: str, password_hash: str, roles: str, now: str) -> None:
        with self._backend.transaction() as tx:
            tx._conn.execute(
                """
                INSERT INTO workspace_users (name, password_hash, roles, created, updated)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,
                    roles = excluded.roles, updated = excluded.updated
                """,
                (name, password_hash, roles, now, now),
            )

    def users(self, name: str | None = None) -> list[tuple]:
        if name is not None:
            return self._read("SELECT name, password_hash, roles FROM workspace_users WHERE name = %s", (name,))
        return self._read('SELECT name, password_hash, roles FROM workspace_users ORDER BY name COLLATE "C"', ())

    def remove_user(self, name: str) -> bool:
        with self._backend.transaction() as tx:
            return tx._conn.execute("DELETE FROM workspace_users WHERE name = %s", (name,)).rowcount == 1

