"""The translation memory the rest of the code sees: entries, rules, and one class over two back-ends.

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

Where the rules live: "MT never overwrites a human row" and "an import never silently replaces
an approval" are the ``WHERE`` of each back-end's ``INSERT … ON CONFLICT … DO UPDATE``, so they
hold however many writers race (see ``Rule``). This class only groups and counts.

Back-ends (``sqlite.py``, ``postgres.py``) own every SQL statement and implement ``Backend``.

Run state is behind this class too, so ``translate``, ``backfill`` and the workspace never ask
which back-end they have: ``manifest`` (what is up to date), ``run_guard`` (held for a whole
run), ``claimed`` (a batch's articles, renewed while held) and ``article_guard`` (one article,
for a workspace save). A back-end with claims (PostgreSQL) keeps the manifest in a table and
guards each article with a lease row; without (SQLite) the state folder's ``manifest.json`` and
run lock serve, exactly as on one machine.
"""

from __future__ import annotations

import enum
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, ContextManager, Iterable, Iterator, Protocol, Sequence

from ..document import Origin, Provenance, State, Target

if TYPE_CHECKING:
    from ..runstate import Manifest
    from .claims import Lease

_STORED_ORIGINS = (Origin.MT, Origin.HUMAN)
_APPROVED = (State.REVIEWED, State.FINAL)

Key = tuple[str, str, str]  # (source_key, src_lang, tgt_lang)
# (source_key, src_lang, tgt_lang, source, target, origin, state, engine, model, model_version,
#  glossary_hash, created, updated): the order every back-end inserts
Row = tuple[str, ...]
COLUMNS = (
    "source, target, src_lang, tgt_lang, origin, state, engine, model, model_version, glossary_hash, created, updated"
)


class Rule(enum.Enum):
    """The ``WHERE`` of an upsert onto an existing row (the new row is ``excluded``)."""

    MT_YIELDS = "NOT (tm.origin = 'human' AND excluded.origin = 'mt')"  # store_many
    KEEP_HUMAN = "tm.origin <> 'human'"  # import_human: an approval is never replaced silently
    REPLACE = "TRUE"  # import_human(replace_approved=True)


def normalize_source(text: str) -> str:
    """The TM key of a source segment (see the module docstring)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalize_lang(code: str) -> str:
    """``ru-RU`` / ``hy_AM`` / ``EN`` → ``ru`` / ``hy`` / ``en``: the TM pairs primary subtags only."""
    return code.strip().replace("_", "-").split("-")[0].lower()


def now() -> str:
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
    def key(self) -> Key:
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
            source=source, target=target.text, src_lang=src_lang, tgt_lang=tgt_lang, origin=p.origin,
            state=target.state, engine=p.engine, model=p.model, model_version=p.model_version,
            glossary_hash=p.glossary_hash,
        )

    def as_target(self) -> Target:
        """The Target a TM hit becomes: human rows keep origin human; MT rows are served as ``tm``."""
        origin = Origin.HUMAN if self.origin is Origin.HUMAN else Origin.TM
        return Target(
            text=self.target,
            state=self.state,
            provenance=Provenance(
                origin=origin, engine=self.engine, model=self.model, model_version=self.model_version,
                glossary_hash=self.glossary_hash, tm_hit=True,
            ),
        )

    def row(self, stamp: str) -> Row:
        key, src, tgt = self.key
        return (key, src, tgt, self.source, self.target, self.origin.value, self.state.value, self.engine,
                self.model, self.model_version, self.glossary_hash, self.created or stamp, self.updated or stamp)


def entry_from_row(values: Sequence[str]) -> TMEntry:
    source, target, src, tgt, origin, state, engine, model, version, ghash, created, updated = values
    return TMEntry(source, target, src, tgt, Origin(origin), State(state), engine, model, version, ghash,
                   str(created), str(updated))


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


class Transaction(Protocol):
    def upsert_many(self, rows: Sequence[Row], rule: Rule) -> int: ...  # rows written
    def upsert(self, row: Row, rule: Rule) -> bool: ...  # False: the rule kept the existing row
    def human_target(self, key: Key) -> str | None: ...  # locks the row until the end, where it can


class Backend(Protocol):
    """What a database module provides; every SQL statement lives in the module."""

    location: str  # a path, or a URL without its password: for messages

    def count(self) -> int: ...
    def human_revision(self, tgt: str) -> tuple[int, str]: ...
    def select(self, src: str, tgt: str, keys: Sequence[str]) -> list[tuple]: ...  # (source_key, *COLUMNS)
    def select_human(self, src: str, tgt: str) -> list[tuple]: ...  # (*COLUMNS), oldest first
    def transaction(self) -> ContextManager[Transaction]: ...
    # fuzzy-match candidates: (*COLUMNS) rows of the pair near ``key`` with a length in ``window``
    def fuzzy_candidates(self, key: str, src: str, tgt: str, window: tuple[int, int], limit: int,
                         min_score: int) -> list[tuple]: ...
    def fuzzy_index_ready(self) -> bool: ...  # the trigram index exists (else the next lookup builds it)
    def build_fuzzy_index(self) -> None: ...  # build it now, if it is not there (what a first lookup does)
    def integrity_check(self) -> bool: ...
    def close(self) -> None: ...


class TranslationMemory:
    """``with TranslationMemory(state_dir / "tm.sqlite") as tm`` or ``TranslationMemory("postgresql://…")``.

    A path (or a string that is not a ``postgresql://`` URL) opens the embedded SQLite memory;
    a PostgreSQL URL opens the shared one. ``open_memory(settings)`` chooses from the settings.
    """

    def __init__(self, where: Path | str | Backend):
        from . import connect

        self._backend: Backend = connect(where) if isinstance(where, (str, Path)) else where

    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def location(self) -> str:
        return self._backend.location

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    @property
    def journal_mode(self) -> str:
        return getattr(self._backend, "journal_mode", "")

    def integrity_check(self) -> bool:
        """True when the database's own check finds nothing wrong."""
        return self._backend.integrity_check()

    def __len__(self) -> int:
        return self._backend.count()

    # -- fuzzy-match index (the lookups themselves: ``tm.fuzzy.search``) ---------------------

    def fuzzy_index_ready(self) -> bool:
        """Whether the trigram index fuzzy lookups read is built (else the first lookup builds it)."""
        return self._backend.fuzzy_index_ready()

    def build_fuzzy_index(self) -> None:
        """Build the trigram index now if it is missing: on a large PostgreSQL memory a minute or more, once."""
        self._backend.build_fuzzy_index()

    # -- run state ---------------------------------------------------------------------------

    @property
    def has_claims(self) -> bool:
        """True on a shared memory: per-article claims, not the state folder's lock, guard writes."""
        return hasattr(self._backend, "claim")

    def manifest(self, state_dir: Path) -> Manifest:
        """What earlier runs finished (``runstate.Manifest``): on a shared memory its table, which
        every machine and run shares; on the embedded one ``<state_dir>/manifest.json``."""
        from ..runstate import RunManifest

        shared = getattr(self._backend, "manifest", None)
        return shared() if shared is not None else RunManifest(state_dir)

    def run_guard(self, state_dir: Path, on_wait: Callable[[str], None] | None = None) -> ContextManager[bool]:
        """Held for a whole run; yields True when the run has the outputs to itself.

        Embedded memory: the state folder's run lock (a second run waits and says so), True.
        Shared memory: nothing to hold, False — each batch claims its articles (``claimed``), and
        the state folder holds nothing such a run writes (its manifest and TM are in the database),
        so runs on one machine meet exactly as runs on several do.
        """
        return nullcontext(False) if self.has_claims else _whole_run_lock(state_dir, on_wait)

    def claimed(self, articles: Sequence[str], owner: str, lease_s: float, *, patient: bool = True) -> Lease:
        """``with memory.claimed(keys, run_id, lease_s) as lease``: ``lease.articles`` are the ones this
        owner may write until the block ends, renewed meanwhile; an article another owner holds is
        waited for while its holder does not renew it, unless not ``patient`` (see ``claims``).
        On the embedded memory: every article, at once."""
        from .claims import Lease

        return Lease(self, articles, owner, lease_s, patient=patient)

    @contextmanager
    def article_guard(self, state_dir: Path, article: str, owner: str, lease_s: float) -> Iterator[None]:
        """One article's outputs to one short writer (a workspace save), or ``OutputsBusy`` at once:
        on a shared memory the article's claim, on the embedded one the state folder's run lock."""
        from ..errors import OutputsBusy
        from ..runlock import try_run_lock
        from .claims import describe_owner

        if not self.has_claims:
            with try_run_lock(state_dir, article):
                yield
            return
        with self.claimed([article], owner, lease_s, patient=False) as lease:
            if article not in lease.articles:
                holder = lease.held_by.get(article)
                raise OutputsBusy(article, describe_owner(holder) if holder else "another writer")
            yield

    def claim(self, articles: Sequence[str], owner: str, lease_s: float) -> set[str]:
        """Per-article claims on a shared memory (PostgreSQL): the ``articles`` this ``owner`` may
        now write, for ``lease_s`` seconds; one another live owner holds is left out. The embedded
        SQLite memory has no claims (the state folder's run lock serves): every article is granted."""
        claim = getattr(self._backend, "claim", None)
        return set(articles) if claim is None else claim(articles, owner, lease_s)

    def renew(self, articles: Sequence[str], owner: str, lease_s: float) -> set[str]:
        """Extend this owner's claims for another ``lease_s``; returns the articles it still holds."""
        renew = getattr(self._backend, "renew", None)
        return set(articles) if renew is None else renew(articles, owner, lease_s)

    def holders(self, articles: Sequence[str]) -> dict[str, tuple[str, float]]:
        """``{article: (owner, seconds left)}`` for each live claim among ``articles`` (none on the embedded memory)."""
        holders = getattr(self._backend, "holders", None)
        return {} if holders is None else holders(articles)

    def release(self, articles: Sequence[str], owner: str) -> None:
        release = getattr(self._backend, "release", None)
        if release is not None:
            release(articles, owner)

    def human_revision(self, tgt: str) -> str:
        """Changes whenever a human translation into ``tgt`` is added or changed (for up-to-date checks)."""
        count, latest = self._backend.human_revision(normalize_lang(tgt))
        return f"{count}:{latest}"

    # -- reading ---------------------------------------------------------------------------

    def entries_for(self, sources: Sequence[str], src: str, tgt: str) -> dict[str, TMEntry]:
        """Every stored row for these sources, valid or not, keyed by the caller's source text."""
        by_key: dict[str, list[str]] = {}
        for text in sources:
            by_key.setdefault(normalize_source(text), []).append(text)
        found: dict[str, TMEntry] = {}
        for key, *values in self._backend.select(normalize_lang(src), normalize_lang(tgt), list(by_key)):
            entry = entry_from_row(values)
            for text in by_key[key]:
                found[text] = entry
        return found

    def human_entries(self, src: str, tgt: str) -> list[TMEntry]:
        """Every human row (translators' corrections, imported approved work) of a pair, oldest first."""
        return [entry_from_row(values) for values in self._backend.select_human(normalize_lang(src), normalize_lang(tgt))]

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
        or ``catalog`` are not translations to remember and are ignored. Of several entries for
        one key the last human one wins, else the last one.
        """
        ignored = kept_human = 0
        chosen: dict[Key, TMEntry] = {}
        for entry in entries:
            if entry.origin not in _STORED_ORIGINS:
                ignored += 1
                continue
            earlier = chosen.get(entry.key)
            if earlier is not None and earlier.origin is Origin.HUMAN and entry.origin is Origin.MT:
                kept_human += 1
                continue
            chosen[entry.key] = entry
        stamp = now()
        rows = [entry.row(stamp) for entry in chosen.values()]
        with self._backend.transaction() as tx:
            written = tx.upsert_many(rows, Rule.MT_YIELDS) if rows else 0
        return StoreResult(written, kept_human + len(rows) - written, ignored)

    def import_human(self, entries: Sequence[TMEntry], *, replace_approved: bool = False) -> HumanImportResult:
        """Store approved human translations in one transaction and report conflicting approvals.

        A conflict is one source with different approved targets, either within ``entries`` or
        against a human row already in the memory (targets compared after whitespace
        normalization). Conflicting sources are not written at all — unless
        ``replace_approved`` is set, which lets a single new approval replace the memory's.
        An approval another writer stores between our read and our write is kept (the SQL
        rule) and reported as a conflict.
        """
        result = HumanImportResult()
        grouped: dict[Key, list[TMEntry]] = {}
        for entry in entries:
            grouped.setdefault(entry.key, []).append(entry)
        stamp = now()
        rule = Rule.REPLACE if replace_approved else Rule.KEEP_HUMAN
        with self._backend.transaction() as tx:
            for key, group in grouped.items():
                proposed = _distinct_targets(group)
                existing = tx.human_target(key)
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
                if tx.upsert(replace(first, origin=Origin.HUMAN, state=state).row(stamp), rule):
                    result.stored += 1
                else:  # a human row appeared since we looked: the rule kept it
                    result.conflicts.append(_conflict(first, proposed, tx.human_target(key)))
        return result


@contextmanager
def _whole_run_lock(state_dir: Path, on_wait: Callable[[str], None] | None) -> Iterator[bool]:
    from ..runlock import run_lock

    with run_lock(state_dir, on_wait):
        yield True


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
