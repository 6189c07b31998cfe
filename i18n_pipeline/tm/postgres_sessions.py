"""The sessions and login-failure tables on the shared PostgreSQL TM (SQL, PostgreSQL only): see ``sessions.py``.

The same tables as ``sqlite_sessions.py`` in the TM's database, created (where missing: also in a
database that has the sessions table but not the newer failures table, or that table without its
``attempt`` column) once per back-end object
under an advisory lock (two machines opening a fresh database at once do not race on
``CREATE TABLE``). Every statement is one transaction on one pooled connection, so a logout or a
failed login on one machine is seen by the next request on any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .postgres_workspace import PostgresWorkspaceTables

if TYPE_CHECKING:
    from .postgres import PostgresBackend

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS workspace_sessions (
    token_hash TEXT PRIMARY KEY,
    csrf       TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    created    DOUBLE PRECISION NOT NULL,
    last_seen  DOUBLE PRECISION NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS workspace_login_failures (
    key_hash TEXT NOT NULL,
    at       DOUBLE PRECISION NOT NULL,
    attempt  TEXT NOT NULL DEFAULT ''
)""",
    # a failures table of the version before attempts
    "ALTER TABLE workspace_login_failures ADD COLUMN IF NOT EXISTS attempt TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX IF NOT EXISTS workspace_login_failures_key ON workspace_login_failures (key_hash, at)",
)
_LOCK_ID = 0x7418_6E03  # pg_advisory_xact_lock key that serializes creating the sessions tables
_FAILURES_LOCK_ID = 0x7418_6E04  # serializes login attempts' check-and-count, across every machine


class PostgresSessionTables:
    def __init__(self, backend: PostgresBackend):
        self._backend = backend
        if not getattr(backend, "_sessions_ready", False):  # once per back-end object, not per request
            PostgresWorkspaceTables(backend, "")  # workspace_users, which every lookup joins
            with backend.transaction() as tx:
                tx._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                for statement in _SCHEMA:
                    tx._conn.execute(statement)
            backend._sessions_ready = True

    def create(self, token_hash: str, csrf: str, user: str, now: float, expired_before: float) -> None:
        with self._backend.transaction() as tx:
            tx._conn.execute("DELETE FROM workspace_sessions WHERE created <= %s "
                             "OR user_name NOT IN (SELECT name FROM workspace_users)", (expired_before,))
            tx._conn.execute("INSERT INTO workspace_sessions (token_hash, csrf, user_name, created, last_seen) "
                             "VALUES (%s, %s, %s, %s, %s)", (token_hash, csrf, user, now, now))

    def get(self, token_hash: str, expired_before: float) -> tuple | None:
        rows = self._backend._read(
            "SELECT s.user_name, u.roles, s.csrf, s.created, s.last_seen FROM workspace_sessions AS s "
            "JOIN workspace_users AS u ON u.name = s.user_name WHERE s.token_hash = %s AND s.created > %s",
            (token_hash, expired_before),
        )
        return rows[0] if rows else None

    def touch(self, token_hash: str, now: float) -> None:
        with self._backend.transaction() as tx:
            tx._conn.execute("UPDATE workspace_sessions SET last_seen = %s WHERE token_hash = %s", (now, token_hash))

    def drop(self, token_hash: str) -> bool:
        with self._backend.transaction() as tx:
            return tx._conn.execute("DELETE FROM workspace_sessions WHERE token_hash = %s",
                                    (token_hash,)).rowcount == 1

    def count(self) -> int:
        return self._backend._read("SELECT count(*) FROM workspace_sessions", ())[0][0]

    def most_failures(self, key_hashes: list[str], since: float) -> int:
        rows = self._backend._read(
            "SELECT count(*) FROM workspace_login_failures WHERE key_hash = ANY(%s) AND at >= %s "
            "GROUP BY key_hash ORDER BY count(*) DESC LIMIT 1", (list(key_hashes), since))
        return rows[0][0] if rows else 0

    def reserve(self, key_hashes: list[str], attempt: str, now: float, since: float, limit: int) -> bool:
        """Under one advisory lock: False if a key has ``limit`` failures since ``since``, else count this attempt.

        READ COMMITTED alone would let two machines count the same failures and both go on.
        """
        with self._backend.transaction() as tx:
            tx._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_FAILURES_LOCK_ID,))
            tx._conn.execute("DELETE FROM workspace_login_failures WHERE at < %s", (since,))
            most = tx._conn.execute(
                "SELECT count(*) FROM workspace_login_failures WHERE key_hash = ANY(%s) "
                "GROUP BY key_hash ORDER BY count(*) DESC LIMIT 1", (list(key_hashes),)).fetchone()
            if most is not None and most[0] >= limit:
                return False
            tx._conn.execute("INSERT INTO workspace_login_failures (key_hash, at, attempt) "
                             "SELECT k, %s, %s FROM unnest(%s::text[]) AS k", (now, attempt, list(key_hashes)))
        return True

    def take_back(self, attempt: str) -> None:
        with self._backend.transaction() as tx:
            tx._conn.execute("DELETE FROM workspace_login_failures WHERE attempt = %s", (attempt,))

    def count_failures(self) -> int:
        return self._backend._read("SELECT count(*) FROM workspace_login_failures", ())[0][0]
