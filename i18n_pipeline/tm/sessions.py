"""Workspace login sessions, in the TM's own database, so every ``serve`` process on one TM shares them.

Part of the TM package, which holds all the project's SQL. ``SessionStore(tm)`` is the one class
the workspace sees; the SQL is one small module per database, like the workspace's tables:
``sqlite_sessions.py`` (a table in ``<state>/tm.sqlite``) and ``postgres_sessions.py`` (a table in
the shared PostgreSQL TM: a translator who logged in on one machine behind a load balancer is
logged in on every machine, and a logout on any of them ends the session on all).

``workspace_sessions``: one row per login. The session token itself is never stored, only its
SHA-256 (``token_hash``): a copy of the database lets no one in. With it the row keeps the
session's CSRF token, the user's name, and when it began and was last used (Unix seconds,
wall clock: the only clock two machines share). The user's roles are read from
``workspace_users`` at each lookup, so a removed user's sessions end at once and a change of
roles applies to open sessions. A session ends ``SESSION_TTL_S`` after it began, however busy
(the rule the in-memory sessions had); ``last_seen`` is written at most every ``TOUCH_S`` so a
page view is not a write. Expired rows, and rows of removed users, are deleted at every login.

``workspace_login_failures``: the failed-login lockout, ``LoginFailures(tm)``, in the same database
(so two machines behind a load balancer allow ``LOGIN_FAILURES`` attempts between them, not each).
One row per failed login and key (``name:…``, ``addr:…``), the key kept only as its SHA-256
(``key_hash``: the table names no user or address in clear; unlike a session token, a name or an
address can be guessed and hashed, so this is pseudonymity, not secrecy) with the failure's
wall-clock time and the login attempt it belongs to (``attempt``, a random id).
A key is blocked while it has ``LOGIN_FAILURES`` failures in the last ``LOGIN_WINDOW_S``; failures
older than that are deleted at every login attempt. A successful login clears nothing: the rule the
in-memory limiter had.

Checking and counting are one step: ``attempt(keys)`` counts the keys' failures and, when none is
at the limit, records this attempt as a failure in the same locked transaction (SQLite's ``BEGIN
IMMEDIATE``, a PostgreSQL advisory lock), before the password is checked; a right password then
takes back its own rows (``succeeded``). So a burst of logins spread over every machine on one TM
gets exactly ``LOGIN_FAILURES`` password checks per key, never more; a server killed while checking
a password has counted that attempt as failed, the safe side.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from .base import TranslationMemory
from .sqlite import SQLiteBackend

SESSION_TTL_S = 12 * 3600  # from login, however busy the session
TOUCH_S = 60  # last_seen is rewritten at most this often
LOGIN_WINDOW_S = 300  # failed logins count for this long
LOGIN_FAILURES = 5  # failures per key (name, address) within the window that lock the form


@dataclass(frozen=True)
class SessionRecord:
    """One live session: who, their roles now, its CSRF token, when it began and was last used."""

    user: str
    roles: tuple[str, ...]
    csrf: str
    created: float
    last_seen: float


def token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _tables(tm: TranslationMemory):
    """The sessions and login-failure tables' SQL on this TM's back-end (created where missing)."""
    backend = tm.backend
    if isinstance(backend, SQLiteBackend):
        from .sqlite_sessions import SQLiteSessionTables

        return SQLiteSessionTables(backend)
    from .postgres_sessions import PostgresSessionTables  # the shared memory (imported only then: psycopg)

    return PostgresSessionTables(backend)


class SessionStore:
    """``SessionStore(tm)``: the sessions table, in the TM's own database, on its connections."""

    def __init__(self, tm: TranslationMemory, ttl_s: float = SESSION_TTL_S):
        self.ttl_s = ttl_s
        self._tables = _tables(tm)

    def create(self, user: str, roles: tuple[str, ...]) -> tuple[str, SessionRecord]:
        """A new session for ``user`` (an account in ``workspace_users`` with these roles): token and record.

        Expired sessions and those of removed users are deleted in the same transaction.
        """
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.time()
        self._tables.create(token_hash(token), csrf, user, now, now - self.ttl_s)
        return token, SessionRecord(user, tuple(roles), csrf, now, now)

    def get(self, token: str | None) -> SessionRecord | None:
        """The live session this token opens, or None (unknown, ended, expired, or its user removed)."""
        if not token:
            return None
        now = time.time()
        row = self._tables.get(token_hash(token), now - self.ttl_s)
        if row is None:
            return None
        user, roles, csrf, created, last_seen = row
        if now - last_seen >= TOUCH_S:
            self._tables.touch(token_hash(token), now)
            last_seen = now
        return SessionRecord(user, tuple(roles.split()), csrf, created, last_seen)

    def drop(self, token: str | None) -> bool:
        """End the session this token opens (on every process that shares the store)."""
        return bool(token) and self._tables.drop(token_hash(token))

    def count(self) -> int:
        """Rows stored, live or not yet purged (for the tests and ``users list``)."""
        return self._tables.count()


class LoginFailures:
    """``LoginFailures(tm)``: the failed-login lockout, in the TM's own database (see the module docstring)."""

    def __init__(self, tm: TranslationMemory, window_s: float = LOGIN_WINDOW_S, limit: int = LOGIN_FAILURES):
        self.window_s = window_s
        self.limit = limit
        self._tables = _tables(tm)

    def blocked(self, *keys: str) -> bool:
        """Whether any of these keys has ``limit`` failures within the window (a read: nothing is written)."""
        if not keys:
            return False
        since = time.time() - self.window_s
        return self._tables.most_failures([token_hash(key) for key in keys], since) >= self.limit

    def attempt(self, *keys: str) -> str | None:
        """A login attempt on these keys: None when one is at the limit, else the attempt's id, its
        failure already counted (checked and counted in one locked transaction; see the module docstring)."""
        attempt = secrets.token_hex(16)
        if not keys:
            return attempt
        now = time.time()
        counted = self._tables.reserve([token_hash(key) for key in keys], attempt, now, now - self.window_s,
                                       self.limit)
        return attempt if counted else None

    def succeeded(self, attempt: str) -> None:
        """The attempt's password was right: take back the failure ``attempt`` counted (and only that one)."""
        self._tables.take_back(attempt)

    def count(self) -> int:
        """Failures stored, in the window or not yet purged (for the tests)."""
        return self._tables.count_failures()
