"""The sessions and login-failure tables on the embedded SQLite TM (SQL, SQLite only): see ``sessions.py``.

The tables live in ``<state>/tm.sqlite`` next to ``workspace_users``; they are created the first
time a store opens a file without them (a read tells, so a page view takes no write lock), also in
a file that has the sessions table but not the newer failures table, or a failures table without
the newer ``attempt`` column. Logins, logouts and failed
logins are ``BEGIN IMMEDIATE`` transactions of the back-end.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from ..errors import StateError
from .sqlite_workspace import SQLiteWorkspaceTables

if TYPE_CHECKING:
    from .sqlite import SQLiteBackend

_TABLES = ("workspace_sessions", "workspace_login_failures")
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS workspace_sessions (
    token_hash TEXT PRIMARY KEY,
    csrf       TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    created    REAL NOT NULL,
    last_seen  REAL NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS workspace_login_failures (
    key_hash TEXT NOT NULL,
    at       REAL NOT NULL,
    attempt  TEXT NOT NULL DEFAULT ''
)""",
    "CREATE INDEX IF NOT EXISTS workspace_login_failures_key ON workspace_login_failures (key_hash, at)",
)


class SQLiteSessionTables:
    def __init__(self, backend: SQLiteBackend):
        self._backend = backend
        [(tables, attempts)] = backend._read(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)), "
            "(SELECT count(*) FROM pragma_table_info('workspace_login_failures') WHERE name = 'attempt')", _TABLES)
        if tables == len(_TABLES) and attempts:
            return
        SQLiteWorkspaceTables(backend, "")  # workspace_users, which every lookup joins
        try:
            with backend.transaction() as tx:
                for statement in _SCHEMA:
                    tx.db.execute(statement)
                columns = {row[1] for row in tx.db.execute("PRAGMA table_info(workspace_login_failures)")}
                if "attempt" not in columns:  # a failures table of the version before attempts
                    tx.db.execute("ALTER TABLE workspace_login_failures ADD COLUMN attempt TEXT NOT NULL DEFAULT ''")
        except sqlite3.DatabaseError as exc:  # pragma: no cover - the TM opened, so the file is sound
            raise StateError(f"{backend.location}: the sessions tables cannot be created ({exc})") from exc

    def create(self, token_hash: str, csrf: str, user: str, now: float, expired_before: float) -> None:
        with self._backend.transaction() as tx:
            tx.db.execute("DELETE FROM workspace_sessions WHERE created <= ? "
                          "OR user_name NOT IN (SELECT name FROM workspace_users)", (expired_before,))
            tx.db.execute("INSERT INTO workspace_sessions (token_hash, csrf, user_name, created, last_seen) "
                          "VALUES (?, ?, ?, ?, ?)", (token_hash, csrf, user, now, now))

    def get(self, token_hash: str, expired_before: float) -> tuple | None:
        rows = self._backend._read(
            "SELECT s.user_name, u.roles, s.csrf, s.created, s.last_seen FROM workspace_sessions AS s "
            "JOIN workspace_users AS u ON u.name = s.user_name WHERE s.token_hash = ? AND s.created > ?",
            (token_hash, expired_before),
        )
        return rows[0] if rows else None

    def touch(self, token_hash: str, now: float) -> None:
        with self._backend.transaction() as tx:
            tx.db.execute("UPDATE workspace_sessions SET last_seen = ? WHERE token_hash = ?", (now, token_hash))

    def drop(self, token_hash: str) -> bool:
        with self._backend.transaction() as tx:
            return tx.db.execute("DELETE FROM workspace_sessions WHERE token_hash = ?", (token_hash,)).rowcount == 1

    def count(self) -> int:
        return self._backend._read("SELECT count(*) FROM workspace_sessions", ())[0][0]

    def most_failures(self, key_hashes: list[str], since: float) -> int:
        marks = ", ".join("?" * len(key_hashes))
        rows = self._backend._read(
            f"SELECT count(*) FROM workspace_login_failures WHERE key_hash IN ({marks}) AND at >= ? "
            "GROUP BY key_hash ORDER BY count(*) DESC LIMIT 1", (*key_hashes, since))
        return rows[0][0] if rows else 0

    def reserve(self, key_hashes: list[str], attempt: str, now: float, since: float, limit: int) -> bool:
        """Under one write lock: False if a key has ``limit`` failures since ``since``, else count this attempt."""
        marks = ", ".join("?" * len(key_hashes))
        with self._backend.transaction() as tx:
            tx.db.execute("DELETE FROM workspace_login_failures WHERE at < ?", (since,))
            most = tx.db.execute(
                f"SELECT count(*) FROM workspace_login_failures WHERE key_hash IN ({marks}) "
                "GROUP BY key_hash ORDER BY count(*) DESC LIMIT 1", key_hashes).fetchone()
            if most is not None and most[0] >= limit:
                return False
            tx.db.executemany("INSERT INTO workspace_login_failures (key_hash, at, attempt) VALUES (?, ?, ?)",
                              [(key_hash, now, attempt) for key_hash in key_hashes])
        return True

    def take_back(self, attempt: str) -> None:
        with self._backend.transaction() as tx:
            tx.db.execute("DELETE FROM workspace_login_failures WHERE attempt = ?", (attempt,))

    def count_failures(self) -> int:
        return self._backend._read("SELECT count(*) FROM workspace_login_failures", ())[0][0]
