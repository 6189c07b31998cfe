"""The workspace's tables in the TM file: segment versions (every save, who and when) and users.

Part of the TM package, which holds all the project's SQL. The tables live in the same SQLite
file (``<state>/tm.sqlite``) so that a save — the new segment version *and* the human TM row —
is one ``BEGIN IMMEDIATE`` transaction: a process killed mid-save leaves both as before or both
as after. ``WorkspaceStore`` borrows the SQLite back-end's connection and transaction; the TM's
own table, schema version and public API are untouched. The workspace needs the embedded
SQLite memory for now: on a PostgreSQL TM it says so in one line.

``segment_edits``: one row per save of one segment of one article's output for one locale.
``version`` counts the saves of that segment (1, 2, …); version 0 is the output as ``translate``
wrote it. The optimistic-concurrency rule is in the SQL: the ``INSERT … SELECT … WHERE`` only
adds version n+1 when the newest stored version is still n, and the UNIQUE key refuses a
second n+1 from any other process. ``mt_text`` is the machine text the segment started from
(kept for the editor and for post-editing figures); ``before_text`` the target the save replaced;
``edit_ms`` how long the translator had the segment open (focus to save, in milliseconds, as the
editor measured it and the workspace capped it; 0 when unknown). ``edit_ms`` came after the first
release: opening an older file adds the column (``ALTER TABLE``, existing saves read as 0).
``model``, ``model_version`` and ``glossary_hash`` say what produced ``mt_text`` (the MT target's
provenance when the segment was first saved), so post-editing figures go per model and glossary
version; they came later still: an older file gets them the same way, its saves reading ``''``.

``workspace_users``: accounts for ``serve`` on a non-local host (argon2 hash, roles as text).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..document import Origin, State
from ..errors import StateError, UsageError
from .base import Rule, TMEntry, TranslationMemory
from .base import now as _now
from .sqlite import SQLiteBackend

_WORKSPACE_SCHEMA = (
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
_EDIT_COLUMNS = ("article, locale, segment_id, version, source, target, state, mt_text, before_text, who, at, edit_ms, "
                 "model, model_version, glossary_hash")
# Columns added after the table's first release: name → definition for ALTER TABLE ... ADD COLUMN.
_EDIT_MIGRATIONS = {
    "edit_ms": "INTEGER NOT NULL DEFAULT 0 CHECK (edit_ms >= 0)",
    "model": "TEXT NOT NULL DEFAULT ''",
    "model_version": "TEXT NOT NULL DEFAULT ''",
    "glossary_hash": "TEXT NOT NULL DEFAULT ''",
}


@dataclass(frozen=True)
class EditRecord:
    """One stored save of a segment."""

    article: str
    locale: str
    segment_id: str
    version: int
    source: str
    target: str
    state: State
    mt_text: str
    before_text: str
    who: str
    at: str
    edit_ms: int = 0  # focus to save, capped (0: not measured)
    model: str = ""  # what produced mt_text ("" : not recorded, a save from before these columns)
    model_version: str = ""
    glossary_hash: str = ""


@dataclass(frozen=True)
class UserRecord:
    name: str
    password_hash: str
    roles: tuple[str, ...]


class VersionConflict(Exception):
    """The segment has a newer version than the one the save started from."""

    def __init__(self, current: EditRecord | None, expected: int):
        self.current = current
        self.expected = expected
        super().__init__(f"segment is at version {current.version if current else 0}, not {expected}")


class WorkspaceStore:
    """``WorkspaceStore(tm)``: the workspace tables, on the TM's open connection."""

    def __init__(self, tm: TranslationMemory):
        if not isinstance(tm.backend, SQLiteBackend):
            raise UsageError(f"{tm.location}: the workspace keeps its versions in the embedded SQLite TM; "
                             "run `serve` without [tm] url (a PostgreSQL workspace is not built yet)")
        self._tm = tm
        self._sqlite = tm.backend
        try:
            with self._transaction() as db:
                for statement in _WORKSPACE_SCHEMA:
                    db.execute(statement)
                present = {row[1] for row in db.execute("PRAGMA table_info(segment_edits)").fetchall()}
                for column, definition in _EDIT_MIGRATIONS.items():
                    if column not in present:  # a file from before this column: existing saves read as 0
                        db.execute(f"ALTER TABLE segment_edits ADD COLUMN {column} {definition}")
        except sqlite3.DatabaseError as exc:  # pragma: no cover - the TM opened, so the file is sound
            raise StateError(f"{tm.location}: workspace tables cannot be created ({exc})") from exc

    def _transaction(self):
        return _Connection(self._sqlite.transaction())

    def _read(self, sql: str, params) -> list[tuple]:
        return self._sqlite._read(sql, params)

    # -- segment versions --------------------------------------------------------------------

    def save(self, edit: EditRecord, tm_entry: TMEntry) -> EditRecord:
        """Store ``edit`` as version ``edit.version`` and the human TM row, in one transaction.

        ``edit.version`` must be the newest stored version plus one; otherwise nothing is
        written and ``VersionConflict`` carries the newer version.
        """
        if tm_entry.origin is not Origin.HUMAN:
            raise ValueError("a workspace save stores a human translation")
        now = _now()
        stored = EditRecord(**{**edit.__dict__, "at": edit.at or now})
        with self._transaction() as db:
            cursor = db.execute(
                f"""
                INSERT INTO segment_edits ({_EDIT_COLUMNS})
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
                WHERE (SELECT coalesce(max(version), 0) FROM segment_edits
                       WHERE article = ? AND locale = ? AND segment_id = ?) = ?
                """,
                (*_edit_values(stored), stored.article, stored.locale, stored.segment_id, stored.version - 1),
            )
            if cursor.rowcount != 1:
                current = _latest(db, stored.article, stored.locale, stored.segment_id)
                raise VersionConflict(current, stored.version - 1)
            db.execute_upsert(tm_entry.row(now))
        return stored

    def latest(self, article: str, locale: str) -> dict[str, EditRecord]:
        """The newest save of every edited segment of one article and locale, by segment id."""
        rows = self._read(
            f"""
            SELECT {_EDIT_COLUMNS} FROM segment_edits AS e
            WHERE article = ? AND locale = ? AND version = (
                SELECT max(version) FROM segment_edits
                WHERE article = e.article AND locale = e.locale AND segment_id = e.segment_id)
            """,
            (article, locale),
        )
        return {row[2]: _edit_from_row(row) for row in rows}

    def history(self, article: str, locale: str, segment_id: str) -> list[EditRecord]:
        """Every save of one segment, newest first."""
        rows = self._read(
            f"SELECT {_EDIT_COLUMNS} FROM segment_edits WHERE article = ? AND locale = ? AND segment_id = ? "
            "ORDER BY version DESC",
            (article, locale, segment_id),
        )
        return [_edit_from_row(row) for row in rows]

    def activity(self) -> dict[tuple[str, str], tuple[str, str, int]]:
        """Per (article, locale): the last saver, when, and how many saves in all."""
        rows = self._read(
            """
            SELECT article, locale, who, at, n FROM (
                SELECT article, locale, who, at, count(*) OVER (PARTITION BY article, locale) AS n,
                       row_number() OVER (PARTITION BY article, locale ORDER BY at DESC, version DESC) AS r
                FROM segment_edits)
            WHERE r = 1
            """,
            (),
        )
        return {(a, loc): (who, at, n) for a, loc, who, at, n in rows}

    def all_latest(self) -> list[EditRecord]:
        """The newest save of every edited segment of every article and locale."""
        rows = self._read(
            f"""
            SELECT {_EDIT_COLUMNS} FROM (
                SELECT *, row_number() OVER (PARTITION BY article, locale, segment_id ORDER BY version DESC) AS r
                FROM segment_edits)
            WHERE r = 1 ORDER BY article, locale, segment_id
            """,
            (),
        )
        return [_edit_from_row(row) for row in rows]

    def edit_time_totals(self) -> dict[tuple[str, str, str], int]:
        """Per (article, locale, segment id): the milliseconds of every save of it together."""
        rows = self._read("SELECT article, locale, segment_id, sum(edit_ms) FROM segment_edits "
                          "GROUP BY article, locale, segment_id", ())  # fmt: skip
        return {(a, loc, seg): int(ms) for a, loc, seg, ms in rows}

    def touched_by(self, who: str) -> set[tuple[str, str]]:
        """Every (article, locale) this user has saved a segment of."""
        rows = self._read("SELECT DISTINCT article, locale FROM segment_edits WHERE who = ?", (who,))
        return {(a, loc) for a, loc in rows}

    # -- users -------------------------------------------------------------------------------

    def put_user(self, name: str, password_hash: str, roles: tuple[str, ...]) -> None:
        """Add a user, or replace an existing user's password and roles."""
        now = _now()
        with self._transaction() as db:
            db.execute(
                """
                INSERT INTO workspace_users (name, password_hash, roles, created, updated) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,
                    roles = excluded.roles, updated = excluded.updated
                """,
                (name, password_hash, " ".join(roles), now, now),
            )

    def user(self, name: str) -> UserRecord | None:
        rows = self._read("SELECT name, password_hash, roles FROM workspace_users WHERE name = ?", (name,))
        return UserRecord(rows[0][0], rows[0][1], tuple(rows[0][2].split())) if rows else None

    def users(self) -> list[UserRecord]:
        rows = self._read("SELECT name, password_hash, roles FROM workspace_users ORDER BY name", ())
        return [UserRecord(n, h, tuple(r.split())) for n, h, r in rows]

    def remove_user(self, name: str) -> bool:
        with self._transaction() as db:
            return db.execute("DELETE FROM workspace_users WHERE name = ?", (name,)).rowcount == 1


def _latest(db: sqlite3.Connection, article: str, locale: str, segment_id: str) -> EditRecord | None:
    row = db.execute(
        f"SELECT {_EDIT_COLUMNS} FROM segment_edits WHERE article = ? AND locale = ? AND segment_id = ? "
        "ORDER BY version DESC LIMIT 1",
        (article, locale, segment_id),
    ).fetchone()
    return _edit_from_row(row) if row else None


def _edit_values(e: EditRecord) -> tuple:
    return (e.article, e.locale, e.segment_id, e.version, e.source, e.target, e.state.value,
            e.mt_text, e.before_text, e.who, e.at, e.edit_ms, e.model, e.model_version, e.glossary_hash)  # fmt: skip


def _edit_from_row(row) -> EditRecord:
    article, locale, segment_id, version, source, target, state, mt_text, before, who, at, edit_ms, *made_by = row
    return EditRecord(article, locale, segment_id, version, source, target, State(state), mt_text, before, who, at, edit_ms,
                      *made_by)


class _Connection:
    """The back-end's transaction, seen as the connection the workspace's SQL runs on."""

    def __init__(self, transaction):
        self._transaction = transaction

    def __enter__(self):
        self._tx = self._transaction.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._transaction.__exit__(*exc_info)

    def execute(self, sql: str, params=()):
        return self._tx.db.execute(sql, params)

    def execute_upsert(self, row) -> None:
        """The human TM row: a translator's save replaces whatever the row held."""
        self._tx.upsert(row, Rule.REPLACE)
