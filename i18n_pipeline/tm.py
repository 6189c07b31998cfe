"""The translation memory: one SQLite file (WAL) under the state dir, and the only SQL in the project.

Key: the *normalized* source segment plus the language pair. Normalization is Unicode NFC,
then every run of whitespace (anything ``str.split()`` splits on, including no-break and
ideographic spaces, tabs and newlines) collapsed to one space, and the ends stripped. Case,
punctuation and quotes are kept: they change the translation.

Value: target text as stored, origin (``mt`` or ``human``), XLIFF state, engine, model, model
version, glossary hash, and created/updated timestamps (UTC, ISO 8601). Targets *served* from the
memory carry origin ``tm`` in their provenance (see ``TMEntry.as_target``); rows themselves
only ever hold ``mt`` or ``human`` — a reused MT row is still machine output.

Validity: a human row is valid forever; an MT row only for the same model, model version and
glossary hash (a new model or glossary invalidates it: the lookup misses and MT runs again,
and the fresh MT row replaces the stale one). MT never overwrites a human row.

Concurrency: WAL journal, ``busy_timeout``, and every write in one ``BEGIN IMMEDIATE``
transaction, so two pipeline processes on the same state dir wait for each other instead of
failing; a killed run loses at most its open transaction, never half a row.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from .document import Origin, Provenance, State, Target
from .errors import StateError

log = logging.getLogger(__name__)

TM_FILENAME = "tm.sqlite"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0
# SQLite caps host parameters per statement (32766 on current builds); stay far below.
_CHUNK = 500
_STORED_ORIGINS = (Origin.MT, Origin.HUMAN)
_APPROVED = (State.REVIEWED, State.FINAL)

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
_COLUMNS = (
    "source, target, src_lang, tgt_lang, origin, state, engine, model, model_version, glossary_hash, created, updated"
)


def normalize_source(text: str) -> str:
    """The TM key of a source segment (see the module docstring)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize_lang(code: str) -> str:
    """``ru-RU`` / ``hy_AM`` / ``EN`` → ``ru`` / ``hy`` / ``en``: the TM pairs primary subtags only."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class TMEntry:
    """One memory row: what a segment translates to, and who said so."""

    source: str
    target: str
    src_lang: str
    tgt_lang: str
    origin: Origin = Origin.MT
    state: State = State.TRANSLATED
    engine: str = ""
    model: str = ""
    model_version: str = ""
    glossary_hash: str = ""
    created: str = ""
    updated: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return normalize_source(self.source), normalize_lang(self.src_lang), normalize_lang(self.tgt_lang)

    def valid_for(self, *, model: str, model_version: str, glossary_hash: str) -> bool:
        """Human rows always; MT rows only when produced by this model, version and glossary."""
        if self.origin is Origin.HUMAN:
            return True
        return (self.model, self.model_version, self.glossary_hash) == (model, model_version, glossary_hash)

    @classmethod
    def from_target(cls, source: str, target: Target, src_lang: str, tgt_lang: str) -> TMEntry:
        """The row to store for a segment's fresh target (MT output or a human edit)."""
        p = target.provenance
        return cls(
            source=source,
            target=target.text,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            origin=p.origin,
            state=target.state,
            engine=p.engine,
            model=p.model,
            model_version=p.model_version,
            glossary_hash=p.glossary_hash,
        )

    def as_target(self) -> Target:
        """The Target a TM hit becomes: human rows keep origin human; MT rows are served as ``tm``."""
        origin = Origin.HUMAN if self.origin is Origin.HUMAN else Origin.TM
        return Target(
            text=self.target,
            state=self.state,
            provenance=Provenance(
                origin=origin,
                engine=self.engine,
                model=self.model,
                model_version=self.model_version,
                glossary_hash=self.glossary_hash,
                tm_hit=True,
            ),
        )


@dataclass(frozen=True)
class StoreResult:
    written: int = 0  # rows inserted or replaced
    kept_human: int = 0  # MT offered for a source a human already translated: ignored
    ignored: int = 0  # entries that are not translations to remember (tm hits, passthrough)


@dataclass(frozen=True)
class Conflict:
    """Two or more different approved targets for one source: reported, never merged."""

    source: str
    src_lang: str
    tgt_lang: str
    targets: tuple[str, ...]  # all distinct approved targets, the memory's own (if any) first
    in_memory: str | None = None  # the approved target already in the memory, kept as it was


@dataclass
class HumanImportResult:
    stored: int = 0  # new human rows, or MT rows replaced by a human translation
    unchanged: int = 0  # the memory already held this exact approved target
    conflicts: list[Conflict] = field(default_factory=list)


class TranslationMemory:
    """``with TranslationMemory(state_dir / "tm.sqlite") as tm: ...``"""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes the
            # lock up front and waits on busy_timeout rather than failing on lock upgrade.
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
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

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def journal_mode(self) -> str:
        return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def integrity_check(self) -> bool:
        """True when SQLite's own ``PRAGMA integrity_check`` finds nothing wrong."""
        try:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            log.error("%s: integrity check failed: %s", self.path, exc)
            return False
        problems = [r[0] for r in rows if r[0] != "ok"]
        for problem in problems[:10]:
            log.error("%s: %s", self.path, problem)
        return not problems

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM tm").fetchone()[0]

    def human_revision(self, tgt: str) -> str:
        """Changes whenever a human translation into ``tgt`` is added or changed (for up-to-date checks)."""
        count, latest = self._db.execute(
            "SELECT count(*), coalesce(max(updated), '') FROM tm WHERE origin = 'human' AND tgt_lang = ?",
            (normalize_lang(tgt),),
        ).fetchone()
        return f"{count}:{latest}"

    # -- reading ---------------------------------------------------------------------------

    def entries_for(self, sources: Sequence[str], src: str, tgt: str) -> dict[str, TMEntry]:
        """Every stored row for these sources, valid or not, keyed by the caller's source text."""
        src, tgt = normalize_lang(src), normalize_lang(tgt)
        by_key: dict[str, list[str]] = {}
        for text in sources:
            by_key.setdefault(normalize_source(text), []).append(text)
        keys = list(by_key)
        found: dict[str, TMEntry] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT source_key, {_COLUMNS} FROM tm WHERE src_lang = ? AND tgt_lang = ? AND source_key IN ({marks})",
                (src, tgt, *chunk),
            )
            for key, *values in rows:
                entry = _entry_from_row(values)
                for text in by_key[key]:
                    found[text] = entry
        return found

    def human_entries(self, src: str, tgt: str) -> list[TMEntry]:
        """Every human row (translators' corrections, imported approved work) of a pair, oldest first."""
        rows = self._read(
            f"SELECT {_COLUMNS} FROM tm WHERE src_lang = ? AND tgt_lang = ? AND origin = 'human' ORDER BY created, source",
            (normalize_lang(src), normalize_lang(tgt)),
        )
        return [_entry_from_row(values) for values in rows]

    def lookup_many(
        self, sources: Sequence[str], src: str, tgt: str, *, model: str, model_version: str, glossary_hash: str
    ) -> dict[str, TMEntry]:
        """Rows still valid for this model/version/glossary (and every human row), by source text."""
        return {
            text: entry
            for text, entry in self.entries_for(sources, src, tgt).items()
            if entry.valid_for(model=model, model_version=model_version, glossary_hash=glossary_hash)
        }

    # -- writing ---------------------------------------------------------------------------

    def store_many(self, entries: Iterable[TMEntry]) -> StoreResult:
        """Remember MT and human translations in one transaction; MT never replaces a human row.

        Entries whose origin is ``tm`` (served from here already), ``source`` (passed through)
        or ``catalog`` are not translations to remember and are ignored.
        """
        written = kept_human = ignored = 0
        now = _now()
        with self._transaction() as db:
            for entry in entries:
                if entry.origin not in _STORED_ORIGINS:
                    ignored += 1
                    continue
                current = _origin_of(db, entry.key)
                if current == Origin.HUMAN.value and entry.origin is Origin.MT:
                    kept_human += 1
                    continue
                _upsert(db, entry, now)
                written += 1
        return StoreResult(written, kept_human, ignored)

    def import_human(self, entries: Sequence[TMEntry], *, replace_approved: bool = False) -> HumanImportResult:
        """Store approved human translations in one transaction and report conflicting approvals.

        A conflict is one source with different approved targets, either within ``entries`` or
        against a human row already in the memory (targets compared after whitespace
        normalization). Conflicting sources are not written at all — unless
        ``replace_approved`` is set, which lets a single new approval replace the memory's.
        """
        result = HumanImportResult()
        grouped: dict[tuple[str, str, str], list[TMEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.key, []).append(entry)
        now = _now()
        with self._transaction() as db:
            for key, group in grouped.items():
                proposed = _distinct_targets(group)
                existing = _human_target(db, key)
                first = group[0]
                if len(proposed) > 1:
                    result.conflicts.append(_conflict(first, proposed, existing))
                    continue
                if existing is not None and normalize_source(existing) == normalize_source(proposed[0]):
                    result.unchanged += 1
                    continue
                if existing is not None and not replace_approved:
                    result.conflicts.append(_conflict(first, proposed, existing))
                    continue
                state = first.state if first.state in _APPROVED else State.REVIEWED
                _upsert(db, replace(first, origin=Origin.HUMAN, state=state), now)
                result.stored += 1
        return result

    # -- plumbing --------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: translation memory schema {version} is newer than this program "
                f"understands ({SCHEMA_VERSION}); upgrade i18n-pipeline"
            )
        if version < SCHEMA_VERSION:
            with self._transaction() as db:
                db.execute(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _read(self, sql: str, params: Sequence[object]) -> list[tuple]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: translation memory cannot be read ({exc}); move the file aside to start a new memory, or restore a backup") from exc

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error, SQLite errors turned into StateError."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self._db = db
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StateError(
                f"{self._path}: translation memory is locked ({exc}); another run holds it — retry when it finishes"
            ) from exc
        return self._db

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.DatabaseError as commit_exc:
                exc = commit_exc
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise StateError(f"{self._path}: translation memory write failed ({exc}); nothing was changed") from exc


def _entry_from_row(values: Sequence[str]) -> TMEntry:
    source, target, src, tgt, origin, state, engine, model, version, ghash, created, updated = values
    return TMEntry(source, target, src, tgt, Origin(origin), State(state), engine, model, version, ghash, created, updated)


def _origin_of(db: sqlite3.Connection, key: tuple[str, str, str]) -> str | None:
    row = db.execute("SELECT origin FROM tm WHERE source_key = ? AND src_lang = ? AND tgt_lang = ?", key).fetchone()
    return row[0] if row else None


def _human_target(db: sqlite3.Connection, key: tuple[str, str, str]) -> str | None:
    row = db.execute(
        "SELECT target FROM tm WHERE source_key = ? AND src_lang = ? AND tgt_lang = ? AND origin = 'human'", key
    ).fetchone()
    return row[0] if row else None


def _upsert(db: sqlite3.Connection, entry: TMEntry, now: str) -> None:
    key, src, tgt = entry.key
    db.execute(
        """
        INSERT INTO tm (source_key, src_lang, tgt_lang, source, target, origin, state,
                        engine, model, model_version, glossary_hash, created, updated)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (source_key, src_lang, tgt_lang) DO UPDATE SET
            source = excluded.source, target = excluded.target, origin = excluded.origin,
            state = excluded.state, engine = excluded.engine, model = excluded.model,
            model_version = excluded.model_version, glossary_hash = excluded.glossary_hash,
            updated = excluded.updated
        """,
        (
            key, src, tgt, entry.source, entry.target, entry.origin.value, entry.state.value,
            entry.engine, entry.model, entry.model_version, entry.glossary_hash,
            entry.created or now, entry.updated or now,
        ),
    )  # fmt: skip


def _distinct_targets(group: Sequence[TMEntry]) -> list[str]:
    seen: dict[str, str] = {}
    for entry in group:
        seen.setdefault(normalize_source(entry.target), entry.target)
    return list(seen.values())


def _conflict(first: TMEntry, proposed: Sequence[str], existing: str | None) -> Conflict:
    targets = ([existing] if existing is not None else []) + [
        t for t in proposed if existing is None or normalize_source(t) != normalize_source(existing)
    ]
    return Conflict(first.source, normalize_lang(first.src_lang), normalize_lang(first.tgt_lang), tuple(targets), existing)
