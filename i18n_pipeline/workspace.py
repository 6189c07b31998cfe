"""The translator workspace's library: the queue, an article's segments, and one call that applies
a human correction (``Workspace.apply_correction``) to the TM and the published files at once.

The web layer (``i18n_pipeline.web``) calls only this module (and ``accounts``); nothing here
imports the web layer. It reads what ``translate`` wrote: ``<out>/<article>/<site>.json`` is the
article as the writers saw it, so a correction re-renders all six outputs from it with the one
segment changed, through the same ``export.render_outputs``.

A save, in order — so that a process killed at any point leaves the TM and the files as before
or as after, never half:

1. check the user's rights, the text and the segment; render every output in memory;
2. write a *pending* marker (``<state>/workspace-pending/<article>.<site>``);
3. one TM transaction: the new segment version (refused if another save came first) and
   the human TM row (``tm.workspace.WorkspaceStore.save``);
4. write the six files (each atomically), then remove the marker.

Killed before 3 commits: the files were not touched; the marker alone is harmless. Killed
after: ``Workspace.recover()`` (run whenever a Workspace opens) re-renders each marked article
from its JSON plus the committed versions.

Steps 1–4 (and a recovery's re-render) hold the article for themselves through the TM's
``article_guard``: on the embedded TM the state folder's run lock, which a ``translate`` run
holds throughout; on a PostgreSQL TM the article's claim (owner ``workspace:<user>:<id>``),
which a run's batch holds while it writes that article, on any machine. A save that finds the
article held is refused at once (``WorkspaceBusy``: "article X is being translated by run …;
try again in a minute") rather than waiting: a run holds an article for its whole batch —
minutes — which no browser request should hang on, and the text stays in the editor. A run
that meets a save's claim waits the moment the save takes (see ``tm.claims``).

Where it all lives follows the TM (``tm.open_memory``): the embedded ``<state>/tm.sqlite``, opened
per call as every command does; or, with ``[tm] url`` / ``I18N_PIPELINE_TM_URL`` naming
PostgreSQL, the shared database, whose pool a ``Workspace`` opens once (an unreachable server is
refused then, before any work) and holds until ``close()``. There the segment versions, users,
post-editing figures, login sessions, failed logins and fuzzy matches (trigram postings, ordered by ``pg_trgm``) are every
machine's: a workspace on one machine sees the saves made on another, a login on one is a login on
all, and five failed logins spread over them lock the name (or address) out on all. The pending
markers stay in this machine's state folder: they name the re-renders of outputs this machine was
writing.
"""

from __future__ import annotations

import json
import logging
import threading
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .accounts import NotAllowed, User
from .config import Settings
from .document import Article, Origin, Provenance, QAFlag, Segment, State, Target, TermHit
from .errors import OutputsBusy, PipelineError, StateError
from .fsutil import atomic_write_bytes
from .locales import SITE_LOCALES, Locale
from .tm import TMEntry, TranslationMemory, is_postgres_url, memory_location, normalize_source
from .textdiff import diff_words
from .tm.fuzzy import FuzzyMatch, search as fuzzy_search, similarity
from .tm.sessions import LoginFailures, SessionRecord, SessionStore
from .tm.workspace import EditRecord, UserRecord, VersionConflict, WorkspaceStore
from .tm_search import glossary_terms

log = logging.getLogger(__name__)

MAX_SEGMENT_CHARS = 5_000
FUZZY_SHOWN = 3  # fuzzy matches listed under a segment in the editor
SOURCE_CHANGE_MIN = 75  # an approved save of a source at least this close comes back as "needs review"
PENDING_DIR = "workspace-pending"
EDITABLE_STATES = (State.TRANSLATED, State.REVIEWED, State.FINAL)
# Edit time (focus to save) is capped per save: a segment left open over lunch is not ten minutes
# of editing. Matecat likewise stops counting a segment's time-to-edit past a ceiling; the figures
# (``postedit``) also leave out segments slower than 25 s/word.
EDIT_MS_CAP = 10 * 60 * 1000
SAVE_LEASE_S = 30.0  # a save's claim on a PostgreSQL TM (renewed while it runs; a killed save's ends by then)


def cap_edit_ms(ms: int) -> int:
    """The edit time a save stores: the editor's milliseconds, at least 0 and at most ``EDIT_MS_CAP``."""
    return max(0, min(int(ms), EDIT_MS_CAP))

__all__ = [
    "Correction", "EditConflict", "NotAllowed", "QueueItem", "SaveResult", "SegmentView", "UnknownItem",
    "BadEdit", "Workspace", "WorkspaceBusy", "WorkspaceError",
]


class WorkspaceError(PipelineError):
    """A correction that cannot be applied; nothing was changed."""


class UnknownItem(WorkspaceError):
    """No such article, locale or segment in the outputs."""


class BadEdit(WorkspaceError):
    """The edit itself is unusable (too long, a state that cannot be set, a segment not to edit)."""


class WorkspaceBusy(WorkspaceError):
    """Someone else (a translate run, another save) is writing the article's outputs right now."""


class EditConflict(WorkspaceError):
    """Someone saved the segment after this edit began: both texts, nothing lost."""

    def __init__(self, yours: str, theirs: EditRecord):
        self.yours = yours
        self.theirs = theirs
        super().__init__(f"{theirs.who} saved this segment at {theirs.at} (version {theirs.version}) after you "
                         "opened it; compare both texts, then save again")


@dataclass(frozen=True)
class Correction:
    """A human's text for one segment of one article's output, and the version it was based on."""

    article: str  # the output folder name (the article's stem)
    locale: str  # site code: "ru" or "arm"
    segment_id: str
    text: str
    state: State
    base_version: int
    who: User
    edit_ms: int = 0  # how long the editor had the segment focused before this save (capped on save)


@dataclass(frozen=True)
class SaveResult:
    version: int
    text: str
    state: State
    flags: list[QAFlag]
    terms: list[TermHit]
    who: str
    at: str


@dataclass
class SegmentView:
    """What the editor shows for one segment."""

    segment: Segment
    block_id: str
    target: Target | None
    version: int = 0
    mt_text: str = ""  # the machine text the segment started from ("" when unknown)
    last_edit: EditRecord | None = None
    tm_match: TMEntry | None = None  # an exact TM row whose text differs from the target
    fuzzy: list[FuzzyMatch] = field(default_factory=list)  # close TM rows for other sources, best first
    changed_from: EditRecord | None = None  # an approved save of a close, older source of this sentence
    source_diff: list[tuple[str, str]] = field(default_factory=list)  # old source → this one, word runs

    @property
    def text(self) -> str:
        """What the edit box starts with: the old approved translation when the source changed."""
        if self.changed_from is not None:
            return self.changed_from.target
        return self.target.text if self.target else ""
    editable: bool = True

    @property
    def state(self) -> State:
        return self.target.state if self.target else State.INITIAL


@dataclass
class QueueItem:
    article: str
    locale: str
    headline: str
    published: str
    written: str  # when the outputs were last written (UTC ISO)
    total: int
    reviewed: int  # reviewed or final
    final: int
    errors: int  # QA errors
    last_who: str = ""
    last_at: str = ""
    saves: int = 0

    @property
    def state(self) -> str:
        if self.total and self.final == self.total:
            return "final"
        if self.total and self.reviewed == self.total:
            return "reviewed"
        return "translated"


@dataclass
class ArticleView:
    article: Article
    locale: Locale
    rows: list[tuple[str, list[SegmentView]]] = field(default_factory=list)  # (block role, segments) per paragraph


class Workspace:
    """``Workspace(settings)``: the queue and corrections over ``settings.out_dir`` and the configured TM.

    ``with Workspace(settings) as ws`` (or ``close()``) lets go of a PostgreSQL TM's connections.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.out_dir = Path(settings.out_dir)
        self.state_dir = Path(settings.state_dir)
        self._lock = threading.Lock()
        self._glossary_cache: tuple[object, object] | None = None
        where = memory_location(settings)
        self._shared = TranslationMemory(where) if is_postgres_url(where) else None  # held: one pool
        try:
            self.recover()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the shared TM's pool (nothing to do on the embedded one: it is opened per call)."""
        if self._shared is not None:
            self._shared.close()

    # -- reading -----------------------------------------------------------------------------

    def queue(self) -> list[QueueItem]:
        """Every article × locale in the outputs, newest first."""
        items = []
        with self._store() as store:
            activity = store.activity()
        for path in self.out_dir.glob("*/*.json") if self.out_dir.is_dir() else ():
            site = path.stem
            if site not in SITE_LOCALES:
                continue
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                meta = doc["article"]
                targets = [s.get("target") or {} for b in doc["blocks"] if b.get("translatable") for s in b["segments"]]
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("%s: not a readable aligned document (%s); left out of the queue", path, exc)
                continue
            states = [t.get("state") for t in targets]
            who, at, saves = activity.get((path.parent.name, site), ("", "", 0))
            items.append(QueueItem(
                article=path.parent.name, locale=site, headline=meta.get("headline", ""),
                published=meta.get("published") or "", written=_mtime(path), total=len(targets),
                reviewed=sum(s in ("reviewed", "final") for s in states), final=states.count("final"),
                errors=sum(f.get("severity") == "error" for t in targets for f in t.get("flags", [])),
                last_who=who, last_at=at, saves=saves,
            ))
        items.sort(key=lambda i: (i.published or i.written, i.written, i.article, i.locale), reverse=True)
        return items

    def article(self, article: str, site: str) -> ArticleView:
        """The article's paragraphs and segments for the editor (raises UnknownItem)."""
        locale = _locale(site)
        art = self._load(article, locale)
        with self._store() as store, self._tm() as tm:
            edits = store.latest(article, site)
            segments = art.segments()
            rows = tm.entries_for([s.source for s in segments], "en", locale.lang)
            view = ArticleView(art, locale)
            terms = glossary_terms(self._glossary(), locale)  # glossary terms that differ in a fuzzy match
            for block in art.translatable_blocks():
                view.rows.append((block.role.value, self._segment_views(block, art, locale, edits, rows, tm, terms)))
        return view

    def _segment_views(self, block, art: Article, locale: Locale, edits: dict[str, EditRecord],
                       rows: dict[str, TMEntry], tm: TranslationMemory, terms=None) -> list[SegmentView]:
        editable = (block.lang or art.language or "en") != locale.lang
        current = {seg.id for b in art.translatable_blocks() for seg in b.segments}
        orphans = [e for sid, e in edits.items() if sid not in current and e.state in (State.REVIEWED, State.FINAL)]
        items = []
        for seg in block.segments:
            target = seg.targets.get(locale.site)
            edit = edits.get(seg.id)
            item = SegmentView(seg, block.id, target, editable=editable and target is not None)
            if edit is not None:
                item.version, item.last_edit, item.mt_text = edit.version, edit, edit.mt_text
            elif target is not None and target.provenance.origin in (Origin.MT, Origin.TM):
                item.mt_text = target.text
            row = rows.get(seg.source)
            if row is not None and target is not None and row.target != target.text:
                item.tm_match = row
            if item.editable and edit is None and target.provenance.origin in (Origin.MT, Origin.TM) and orphans:
                best = max(orphans, key=lambda e: (similarity(e.source, seg.source), e.at))
                if similarity(best.source, seg.source) >= SOURCE_CHANGE_MIN:
                    item.changed_from, item.source_diff = best, diff_words(best.source, seg.source)
            if item.editable:  # fuzzy matches for *other* sources: the exact row is tm_match
                key = normalize_source(seg.source)
                item.fuzzy = [m for m in fuzzy_search(tm, seg.source, "en", locale.lang, limit=FUZZY_SHOWN + 1, terms=terms)
                              if normalize_source(m.entry.source) != key][:FUZZY_SHOWN]
            items.append(item)
        return items

    def export_xliff(self, article: str, site: str, fmt: str = "xliff21") -> tuple[str, bytes]:
        """The work file for a CAT tool, as ``review export`` writes it: (file name, bytes).

        ``fmt`` is one of ``review.EXPORT_FORMATS``; the segments carry the latest saved text
        (the outputs already hold it) and the TM's approvals, as ``review.review_document`` fills them.
        """
        from .review import EXPORT_FORMATS, review_document, review_xliff_bytes

        if fmt not in EXPORT_FORMATS:
            raise BadEdit(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
        locale = _locale(site)
        art = self._load(article, locale)
        with self._tm() as tm:
            work = review_document(art, locale, tm)
        return f"{article}.{locale.site}.xlf", review_xliff_bytes(work, locale, fmt)

    def post_edit_report(self):
        """HTER, chrF and the share kept unchanged, overall and per article, locale, translator (``postedit``)."""
        from .postedit import report

        with self._store() as store:
            return report(store.all_latest(), store.edit_time_totals())

    def termbase_versions(self):
        """The term base's version now, the number of glossary-desk changes, and per version the desk
        change that made it (``glossary.desk.termbase_versions``): what the figures page names them by."""
        from .glossary.desk import termbase_version, termbase_versions

        return (termbase_version(self.settings.glossary_dir), *termbase_versions(self.state_dir))

    def article_post_edits(self, article: str):
        """One article's figures from ``post_edit_report`` (the call ``stats`` makes): the article's
        corpus-level ``Figures`` and its edited segments, per locale in the order of the article.

        Raises UnknownItem when no segment of the article has a saved edit over MT.
        """
        result = self.post_edit_report()
        segments = result.segments_of(article)
        if not segments:
            raise UnknownItem(f"no post-edited segment of article {article!r}; the figures page lists those that have some")
        order: dict[tuple[str, str], int] = {}
        for site in {f.locale for f in segments}:
            try:
                art = self._load(article, _locale(site))
            except (UnknownItem, StateError):  # outputs gone since the saves: keep the stored order
                continue
            order.update({(site, seg.id): n for n, seg in enumerate(art.segments())})
        segments.sort(key=lambda f: (f.locale, order.get((f.locale, f.segment_id), len(order)), f.segment_id))
        return result.by["article"][article], segments

    def touched_by(self, who: str) -> set[tuple[str, str]]:
        with self._store() as store:
            return store.touched_by(who)

    def history(self, article: str, site: str, segment_id: str) -> list[EditRecord]:
        """Every save of one segment, newest first (version 0, the translate output, is the oldest's before_text)."""
        _locale(site)
        with self._store() as store:
            return store.history(article, site, segment_id)

    def revert(self, article: str, site: str, segment_id: str, to_version: int, base_version: int,
               who: User) -> SaveResult:
        """Save the text and state of an earlier version as a new version (a revert is itself a change).

        Version 0 is what ``translate`` wrote (saved back as translated). Raises as apply_correction does.
        """
        history = self.history(article, site, segment_id)
        if to_version == 0 and history:
            text, state = history[-1].before_text, State.TRANSLATED
        else:
            record = next((h for h in history if h.version == to_version), None)
            if record is None:
                raise UnknownItem(f"segment {segment_id} has no version {to_version}; reload the history")
            text, state = record.target, record.state
        return self.apply_correction(Correction(article, site, segment_id, text, state, base_version, who))

    # -- the one write ---------------------------------------------------------------------

    def apply_correction(self, c: Correction) -> SaveResult:
        """Apply a human correction to one segment: TM (human row), version, and all outputs.

        Raises NotAllowed, UnknownItem, BadEdit, EditConflict or WorkspaceBusy with nothing changed.
        """
        locale = _locale(c.locale)
        text = c.text.replace("\r\n", "\n").strip()
        if len(text) > MAX_SEGMENT_CHARS:
            raise BadEdit(f"the text has {len(text):,} characters; a segment takes at most {MAX_SEGMENT_CHARS:,}")
        if not text:
            raise BadEdit("the text is empty; write the translation (or copy the source) before saving")
        if c.state not in EDITABLE_STATES:
            raise BadEdit(f"state {c.state.value!r} cannot be set here; use translated, reviewed or final")
        with self._lock, self._hold(c.article, c.who.name):
            article = self._load(c.article, locale)
            segment, block_lang = _find_segment(article, c.segment_id)
            current = segment.targets.get(locale.site)
            if current is None or block_lang == locale.lang:
                raise BadEdit(f"segment {c.segment_id} is not translated into {locale.site}; nothing to correct")
            c.who.check_change(locale.site, current.state, c.state)
            with self._store() as store:
                edits = store.latest(c.article, locale.site)
                latest = edits.get(c.segment_id)
                if latest is not None and c.base_version < latest.version:
                    raise EditConflict(text, latest)
                if c.base_version != (latest.version if latest else 0):
                    raise BadEdit(f"version {c.base_version} of segment {c.segment_id} does not exist; reload the page")
                mt_text = latest.mt_text if latest else (current.text if current.provenance.origin in (Origin.MT, Origin.TM) else "")
                record = EditRecord(c.article, locale.site, c.segment_id, c.base_version + 1, segment.source, text,
                                    c.state, mt_text, current.text, c.who.name, _now(), cap_edit_ms(c.edit_ms),
                                    *_made_by(mt_text, latest, current.provenance))
                self._apply(article, locale, {c.segment_id: record})
                rendered = _render(article, locale)  # before anything is written: a render error changes nothing
                entry = TMEntry(segment.source, text, block_lang, locale.lang, Origin.HUMAN, c.state)
                marker = self._mark_pending(c.article, locale.site)
                try:
                    stored = store.save(record, entry)
                except VersionConflict as exc:
                    marker.unlink(missing_ok=True)
                    raise EditConflict(text, exc.current) from exc
                except BaseException:
                    marker.unlink(missing_ok=True)
                    raise
            self._write(c.article, rendered)
            marker.unlink(missing_ok=True)
        target = segment.targets[locale.site]
        return SaveResult(stored.version, text, c.state, list(target.flags), list(target.terms), stored.who, stored.at)

    def recover(self) -> int:
        """Re-render every article a killed save left marked; returns how many."""
        folder = self.state_dir / PENDING_DIR
        done = 0
        for marker in sorted(folder.glob("*")) if folder.is_dir() else ():
            article, _, site = marker.name.rpartition(".")
            try:
                locale = _locale(site)
                with self._hold(article, "recovery"):  # a run writing it now: the marker waits for the next open
                    art = self._load(article, locale)
                    with self._store() as store:
                        self._apply(art, locale, store.latest(article, site))
                    self._write(article, _render(art, locale))
                done += 1
            except PipelineError as exc:
                log.warning("%s: could not finish an interrupted save (%s)", marker.name, exc)
                continue
            marker.unlink(missing_ok=True)
        return done

    # -- users -------------------------------------------------------------------------------

    def add_user(self, name: str, password: str, roles: tuple[str, ...]) -> None:
        from .accounts import check_name, hash_password

        with self._store() as store:
            store.put_user(check_name(name), hash_password(password), roles)

    def authenticate(self, name: str, password: str) -> User | None:
        from .accounts import dummy_verify, verify_password

        with self._store() as store:
            record = store.user(name)
        if record is None:
            dummy_verify(password)
            return None
        return User(record.name, record.roles) if verify_password(record.password_hash, password) else None

    def has_users(self) -> bool:
        return bool(self.users())

    def users(self) -> list[UserRecord]:
        """Every account, by name (password hashes included: for ``users list`` and the tests, never a page)."""
        with self._store() as store:
            return store.users()

    # -- login sessions (in the TM's database: shared by every process on one TM) -----------

    def open_session(self, user: User) -> tuple[str, SessionRecord]:
        """Log ``user`` (an account) in: the session's token (for the cookie) and its record."""
        with self._tm() as tm:
            return SessionStore(tm).create(user.name, user.roles)

    def session(self, token: str | None) -> SessionRecord | None:
        """The live session this token opens, with the user's roles now; None when it has ended."""
        if not token:
            return None
        with self._tm() as tm:
            return SessionStore(tm).get(token)

    def end_session(self, token: str | None) -> bool:
        """Log out: the session ends for every process and machine on this TM."""
        if not token:
            return False
        with self._tm() as tm:
            return SessionStore(tm).drop(token)

    # -- failed logins (the lockout, in the TM's database: counted across every process on one TM)

    def login_blocked(self, *keys: str) -> bool:
        """Whether any key (``name:…``, ``addr:…``) has had ``LOGIN_FAILURES`` failed logins within the window."""
        with self._tm() as tm:
            return LoginFailures(tm).blocked(*keys)

    def login_attempt(self, *keys: str) -> str | None:
        """Begin a login on these keys: None when one is locked out, else an attempt id whose failure is
        already counted, checked and counted in one step for every process and machine on this TM."""
        with self._tm() as tm:
            return LoginFailures(tm).attempt(*keys)

    def login_succeeded(self, attempt: str) -> None:
        """The attempt's password was right: its counted failure is taken back."""
        with self._tm() as tm:
            LoginFailures(tm).succeeded(attempt)


    # -- plumbing ----------------------------------------------------------------------------

    def _load(self, article: str, locale: Locale) -> Article:
        from .export.json_doc import article_from_document

        if not article or "/" in article or article.startswith("."):
            raise UnknownItem(f"no article {article!r} in {self.out_dir}")
        path = self.out_dir / article / f"{locale.site}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise UnknownItem(f"no article {article!r} for {locale.site} in {self.out_dir}; run translate first") from exc
        except (OSError, ValueError) as exc:
            raise StateError(f"{path}: cannot be read ({exc}); run translate again to rewrite it") from exc
        try:
            art = article_from_document(doc)
        except (KeyError, ValueError, TypeError) as exc:
            raise StateError(f"{path}: not an aligned document this version understands ({exc}); "
                             "run translate again") from exc
        art.stem = article
        if not art.original:
            art.original = _xliff_original(self.out_dir / article / f"{locale.site}.xlf") or Path(art.path).name
        return art

    def _apply(self, article: Article, locale: Locale, edits: dict[str, EditRecord]) -> None:
        """Put committed (or about-to-be) human texts into the article, with terms and QA redone."""
        from .qa import load_config
        from .qa.registry import CHECKS
        from .qa.runner import check_segment, dnt_terms_of

        from .glossary.forbidden import forbidden_variants

        config = load_config(self.settings.extra)
        glossary = self._glossary()
        forbidden = forbidden_variants(glossary, locale.site)
        for block in article.translatable_blocks():
            src = block.lang or article.language or "en"
            for seg in block.segments:
                edit = edits.get(seg.id)
                if edit is None or normalize_source(edit.source) != normalize_source(seg.source):
                    continue  # never edited, or the source changed since: the translate output stands
                old = seg.targets.get(locale.site)
                provenance = Provenance(Origin.HUMAN, engine=old.provenance.engine if old else "",
                                        model=old.provenance.model if old else "",
                                        model_version=old.provenance.model_version if old else "",
                                        glossary_hash=old.provenance.glossary_hash if old else "",
                                        termbase=old.provenance.termbase if old else "",
                                        note=f"workspace: {edit.who}, version {edit.version}")
                target = Target(edit.target, edit.state, provenance,
                                flags=[f for f in (old.flags if old else []) if f.check not in CHECKS])
                if glossary is not None:
                    from .glossary import compliance, match_terms

                    seg.terms = match_terms(glossary, seg.source, locale.site)
                    target.terms = compliance(seg.terms, target.text, locale)
                hits = target.terms or seg.terms
                target.flags += check_segment(seg.source, target.text, source_lang=src, target_lang=locale.lang,
                                              dnt_terms=dnt_terms_of(hits), term_hits=hits, config=config,
                                              forbidden=forbidden)
                seg.targets[locale.site] = target

    def _glossary(self):
        from .glossary import load_usable_glossary

        folder = Path(self.settings.glossary_dir)
        if not folder.is_dir():
            return None
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*")))
        if self._glossary_cache is None or self._glossary_cache[0] != stamp:
            glossary, _problems = load_usable_glossary(folder)
            self._glossary_cache = (stamp, glossary)
        return self._glossary_cache[1]

    def glossary(self):
        """The usable term base the editor highlights (None without a glossary folder)."""
        return self._glossary()

    def _write(self, article: str, rendered: dict[str, bytes]) -> None:
        for name, data in rendered.items():
            atomic_write_bytes(self.out_dir / article / name, data)

    def _mark_pending(self, article: str, site: str) -> Path:
        return atomic_write_bytes(self.state_dir / PENDING_DIR / f"{article}.{site}", _now().encode())

    @contextmanager
    def _tm(self) -> Iterator[TranslationMemory]:
        if self._shared is not None:
            yield self._shared
            return
        with TranslationMemory(memory_location(self.settings)) as tm:
            yield tm

    @contextmanager
    def _store(self) -> Iterator[WorkspaceStore]:
        with self._tm() as tm:
            yield WorkspaceStore(tm)

    @contextmanager
    def _hold(self, article: str, who: str) -> Iterator[None]:
        """This article's outputs to this save alone (see the module docstring), or WorkspaceBusy."""
        from .pipeline import new_run_id
        from .tm.claims import WORKSPACE_OWNER, article_key

        owner = f"{WORKSPACE_OWNER}{who}:{new_run_id()}"
        with self._tm() as memory, ExitStack() as held:
            try:
                held.enter_context(memory.article_guard(self.state_dir, article_key(self.out_dir, article),
                                                        owner, SAVE_LEASE_S))
            except OutputsBusy as exc:
                raise WorkspaceBusy(_busy(article, exc.holder)) from exc
            yield


def _busy(article: str, holder: str) -> str:
    if holder.startswith(("run ", "a run ")):
        return f"article {article} is being translated by {holder}; try again in a minute (your text is still in the editor)"
    return f"article {article} is being written by {holder}; try again in a moment (your text is still in the editor)"


def _made_by(mt_text: str, latest: EditRecord | None, provenance: Provenance) -> tuple[str, str, str, str]:
    """Model, model version, glossary key and term-base version of the MT a save starts from (for the figures).

    The first save takes them from the MT target's provenance; later saves carry the first's on.
    A segment saved before these were recorded takes them from the output's provenance, which a
    human save keeps from the MT it replaced. No MT text, nothing to attribute.
    """
    if not mt_text:
        return "", "", "", ""
    if latest is not None and latest.model:
        return latest.model, latest.model_version, latest.glossary_hash, latest.termbase
    return provenance.model, provenance.model_version, provenance.glossary_hash, provenance.termbase


def _render(article: Article, locale: Locale) -> dict[str, bytes]:
    from .export import render_outputs

    return render_outputs(article, locale)


def _find_segment(article: Article, segment_id: str) -> tuple[Segment, str]:
    for block in article.translatable_blocks():
        for seg in block.segments:
            if seg.id == segment_id:
                return seg, block.lang or article.language or "en"
    raise UnknownItem(f"no segment {segment_id!r} in {article.stem}")


def _locale(site: str) -> Locale:
    if site not in SITE_LOCALES:
        raise UnknownItem(f"no locale {site!r}; use one of {', '.join(SITE_LOCALES)}")
    return SITE_LOCALES[site]


def _xliff_original(path: Path) -> str:
    from lxml import etree

    try:
        for _, el in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True):
            if etree.QName(el).localname == "file":
                return el.get("original", "")
    except (OSError, etree.XMLSyntaxError):
        return ""
    return ""


def _mtime(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

