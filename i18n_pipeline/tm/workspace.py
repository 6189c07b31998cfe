"""The workspace's store: segment versions (every save, who and when) and users, on either TM back-end.

Part of the TM package, which holds all the project's SQL. ``WorkspaceStore(tm)`` is the one class
the workspace sees; it keeps its tables in the TM's own database and borrows the back-end's
transactions, so a save — the new segment version *and* the human TM row — is one transaction:
a process killed mid-save leaves both as before or both as after. The SQL is one small module
per database, like the fuzzy candidates: ``sqlite_workspace.py`` (tables in ``<state>/tm.sqlite``,
``BEGIN IMMEDIATE``) and ``postgres_workspace.py`` (tables in the shared PostgreSQL TM, so every
machine's workspace sees every save and user). Which one follows the TM: ``[tm] url`` /
``I18N_PIPELINE_TM_URL`` names PostgreSQL, else SQLite (``open_memory``).

``segment_edits``: one row per save of one segment of one article's output for one locale.
``version`` counts the saves of that segment (1, 2, …); version 0 is the output as ``translate``
wrote it. The optimistic-concurrency rule is in the SQL on both: the ``INSERT … SELECT … WHERE``
only adds version n+1 when the newest stored version is still n, and the primary key refuses a
second n+1 from any other process or machine (``VersionConflict`` then carries the version that
won). ``mt_text`` is the machine text the segment started from (kept for the editor and for
post-editing figures); ``before_text`` the target the save replaced; ``edit_ms`` how long the
translator had the segment open (focus to save, in milliseconds, as the editor measured it and
the workspace capped it; 0 when unknown). ``model``, ``model_version`` and ``glossary_hash`` say
what produced ``mt_text`` (the MT target's provenance when the segment was first saved), so
post-editing figures go per model and glossary version; ``glossary_hash`` is the key of the
term-base entries that matched the sentence, ``termbase`` the version of the whole term base
(``Glossary.hash``) the run that made the MT used. ``edit_ms``, the model columns and ``termbase``
came after the first release: an older file (SQLite or PostgreSQL) gets them when it opens
(existing saves read 0 / ``''``).

``workspace_users``: accounts for ``serve`` on a non-local host (argon2 hash, roles as text).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..document import Origin, State
from .base import TMEntry, TranslationMemory
from .base import now as _now
from .sqlite import SQLiteBackend

_EDIT_COLUMNS = ("article, locale, segment_id, version, source, target, state, mt_text, before_text, who, at, edit_ms, "
                 "model, model_version, glossary_hash, termbase")


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
    glossary_hash: str = ""  # the key of the term-base entries that matched the sentence
    termbase: str = ""  # the whole term base's version when the MT was made ("" : not recorded)


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
    """``WorkspaceStore(tm)``: the workspace tables, in the TM's own database, on its connections."""

    def __init__(self, tm: TranslationMemory):
        backend = tm.backend
        if isinstance(backend, SQLiteBackend):
            from .sqlite_workspace import SQLiteWorkspaceTables

            self._tables = SQLiteWorkspaceTables(backend, _EDIT_COLUMNS)
        else:  # the shared memory (imported only then: psycopg)
            from .postgres_workspace import PostgresWorkspaceTables

            self._tables = PostgresWorkspaceTables(backend, _EDIT_COLUMNS)

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
        saved, current = self._tables.save(_edit_values(stored), stored.version - 1, tm_entry.row(now))
        if not saved:
            raise VersionConflict(_edit_from_row(current) if current else None, stored.version - 1)
        return stored

    def latest(self, article: str, locale: str) -> dict[str, EditRecord]:
        """The newest save of every edited segment of one article and locale, by segment id."""
        return {row[2]: _edit_from_row(row) for row in self._tables.latest(article, locale)}

    def history(self, article: str, locale: str, segment_id: str) -> list[EditRecord]:
        """Every save of one segment, newest first."""
        return [_edit_from_row(row) for row in self._tables.history(article, locale, segment_id)]

    def activity(self) -> dict[tuple[str, str], tuple[str, str, int]]:
        """Per (article, locale): the last saver, when, and how many saves in all."""
        return {(a, loc): (who, at, int(n)) for a, loc, who, at, n in self._tables.activity()}

    def all_latest(self) -> list[EditRecord]:
        """The newest save of every edited segment of every article and locale."""
        return [_edit_from_row(row) for row in self._tables.all_latest()]

    def edit_time_totals(self) -> dict[tuple[str, str, str], int]:
        """Per (article, locale, segment id): the milliseconds of every save of it together."""
        return {(a, loc, seg): int(ms) for a, loc, seg, ms in self._tables.edit_time_totals()}

    def touched_by(self, who: str) -> set[tuple[str, str]]:
        """Every (article, locale) this user has saved a segment of."""
        return {(a, loc) for a, loc in self._tables.touched_by(who)}

    # -- users -------------------------------------------------------------------------------

    def put_user(self, name: str, password_hash: str, roles: tuple[str, ...]) -> None:
        """Add a user, or replace an existing user's password and roles."""
        self._tables.put_user(name, password_hash, " ".join(roles), _now())

    def user(self, name: str) -> UserRecord | None:
        rows = self._tables.users(name)
        return UserRecord(rows[0][0], rows[0][1], tuple(rows[0][2].split())) if rows else None

    def users(self) -> list[UserRecord]:
        return [UserRecord(n, h, tuple(r.split())) for n, h, r in self._tables.users()]

    def remove_user(self, name: str) -> bool:
        return self._tables.remove_user(name)


def _edit_values(e: EditRecord) -> tuple:
    return (e.article, e.locale, e.segment_id, e.version, e.source, e.target, e.state.value,
            e.mt_text, e.before_text, e.who, e.at, e.edit_ms, e.model, e.model_version, e.glossary_hash, e.termbase)  # fmt: skip


def _edit_from_row(row) -> EditRecord:
    article, locale, segment_id, version, source, target, state, mt_text, before, who, at, edit_ms, *made_by = row
    return EditRecord(article, locale, segment_id, version, source, target, State(state), mt_text, before, who, at, edit_ms,
                      *made_by)

