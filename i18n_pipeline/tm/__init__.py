"""The translation memory: the only SQL in the project (one module per database).

    base.py      entries, rules, and ``TranslationMemory``: the one class the rest of the code sees
    sqlite.py    the embedded default: ``<state>/tm.sqlite`` (WAL), nothing to set up
    postgres.py  the shared memory: psycopg 3 + a pool, when ``[tm] url`` / ``I18N_PIPELINE_TM_URL``
                 is a ``postgresql://`` URL; there also the run manifest and article claims
    claims.py    ``Lease``: a batch's or a save's article claims, renewed by a heartbeat while held
    fuzzy.py     fuzzy matches: scoring (no SQL) over the back-end's candidates
    sqlite_fuzzy.py / postgres_fuzzy.py   those candidates: FTS5 trigram index / trigram postings + pg_trgm (trigrams.py picks)
    workspace.py ``WorkspaceStore``: the workspace's segment versions and users, in the TM's database
    sqlite_workspace.py / postgres_workspace.py   their SQL on each back-end
    sessions.py  ``SessionStore``: the workspace's login sessions (token hashes), shared by every process
                 and ``LoginFailures``: the failed-login lockout (key hashes), counted across them all
    sqlite_sessions.py / postgres_sessions.py     their SQL on each back-end

Run state goes through ``TranslationMemory`` too (``manifest``, ``run_guard``, ``claimed``,
``article_guard``): the embedded memory keeps the state folder's ``manifest.json`` and run lock.

``open_memory(settings)`` picks the back-end; ``TranslationMemory(path_or_url)`` opens one directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .base import (
    Backend,
    Conflict,
    HumanImportResult,
    Rule,
    StoreResult,
    TMEntry,
    TranslationMemory,
    normalize_lang,
    normalize_source,
)
from .sqlite import BUSY_TIMEOUT_S, SCHEMA_VERSION, TM_FILENAME, SQLiteBackend
from .urls import is_postgres_url, redact_url

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "BUSY_TIMEOUT_S", "SCHEMA_VERSION", "TM_FILENAME", "Backend", "Conflict", "HumanImportResult", "Rule",
    "SQLiteBackend", "StoreResult", "TMEntry", "TranslationMemory", "connect", "is_postgres_url",
    "memory_location", "normalize_lang", "normalize_source", "open_memory", "redact_url",
]


def connect(where: Path | str) -> Backend:
    """A PostgreSQL URL → the PostgreSQL back-end (imported only then); anything else is a SQLite path."""
    if is_postgres_url(where):
        from .postgres import PostgresBackend

        return PostgresBackend(str(where))
    return SQLiteBackend(Path(where))


def memory_location(settings: Settings) -> Path | str:
    return settings.tm.url or settings.state_dir / TM_FILENAME


def open_memory(settings: Settings) -> TranslationMemory:
    """The memory these settings name: ``[tm] url`` when set, else ``<state>/tm.sqlite``."""
    return TranslationMemory(memory_location(settings))
