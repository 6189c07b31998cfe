"""Chains the stages for a batch of articles; nothing else.

read → detect languages → segment → (per locale) TM → MT + glossary → typography →
localize → QA → write outputs → store new MT in the TM.
All MT for one locale and language pair goes through the engine in one batched pass.
"""

from __future__ import annotations

import copy
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from .config import Settings
from .document import Article, Origin, Provenance, Segment, State, Target
from .errors import ConnectionLostError, InputError, PipelineError, UsageError
from .locales import Locale

log = logging.getLogger(__name__)

ProgressHook = Callable[[int], None]


@dataclass
class LocaleSummary:
    segments: int = 0
    mt: int = 0
    tm: int = 0
    passthrough: int = 0
    redecoded: int = 0  # MT segments decoded twice so a glossary term could be forced in
    qa: dict[str, int] = field(default_factory=dict)
    glossary_violations: int = 0

    def add(self, stats: dict) -> None:
        """Add one article's counts (see ``article_stats``)."""
        for name in ("segments", "mt", "tm", "passthrough", "redecoded"):
            setattr(self, name, getattr(self, name) + stats.get(name, 0))
        for check, count in stats.get("qa", {}).items():
            self.qa[check] = self.qa.get(check, 0) + count
        self.glossary_violations = self.qa.get("glossary-term", 0)


@dataclass
class RunReport:
    articles: list[dict] = field(default_factory=list)  # {"path", "stem", "outputs"}
    locales: dict[str, LocaleSummary] = field(default_factory=dict)
    failed: list[dict] = field(default_factory=list)  # {"path", "error"}
    # (path, site, manifest key, {output: digest}, stats) of finished articles, for the manifest; not in --json
    records: list[tuple] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "articles": self.articles,
            "locales": {site: vars(summary) for site, summary in self.locales.items()},
            "failed": self.failed,
        }


@dataclass
class Hooks:
    """How the CLI watches a run: total work known, then progress in segments."""

    on_total: Callable[[int], None] = lambda total: None
    on_progress: ProgressHook = lambda done: None


def collect_inputs(paths: Sequence[Path]) -> list[Path]:
    """Files named directly, plus supported files inside named folders (sorted, not hidden)."""
    from .ingest import SUPPORTED_SUFFIXES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
        elif path.exists():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder; give article files or a folder such as articles/")
    return list(dict.fromkeys(files))


def inbox_names(inputs: Sequence[Path], files: Sequence[Path]) -> dict[Path, str]:
    """Each file's path relative to the folder it was found in (a file named directly: its name).

    This is what leaves the newsroom in XLIFF ``original``: never the machine's absolute path.
    """
    folders = [p for p in inputs if p.is_dir()]
    names = {}
    for path in files:
        folder = next((f for f in folders if path.is_relative_to(f)), None)
        names[path] = path.relative_to(folder).as_posix() if folder is not None else path.name
    return names


# No news paragraph comes near this; a longer one is a broken export, and would cost minutes of
# segmenting and tens of thousands of MT segments before anyone noticed.
MAX_BLOCK_CHARS = 50_000
REDECODE_NOTE = "glossary: decoded again with the approved term forced in"


def prepare_article(path: Path) -> Article:
    """Read, detect languages and segment one input (raises InputError for a bad file)."""
    from .ingest import read_article
    from .langid import detect_languages
    from .segment import segment_article

    article = read_article(path)
    longest = max((len(b.text) for b in article.translatable_blocks()), default=0)
    if longest > MAX_BLOCK_CHARS:
        raise InputError(path, f"a paragraph of {longest:,} characters is too long to translate "
                               f"(limit {MAX_BLOCK_CHARS:,}); split it into paragraphs")
    return segment_article(detect_languages(article))


@dataclass
class BatchContext:
    """What a run loads once and every batch of articles shares (a backfill actor holds one)."""

    settings: Settings
    locales: Sequence[Locale]
    store: object  # mt.store.ModelStore: engines load once per store
    glossary: object  # glossary.Glossary or None
    tm: object  # tm.TranslationMemory
    # who holds this run's article claims on a PostgreSQL TM: every actor of one backfill shares
    # it, so a batch retried after a killed actor re-takes its own claims
    run_id: str = field(default_factory=lambda: new_run_id())


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch: where it is, its output folder name, its inbox name, its manifest keys."""

    path: str
    stem: str
    original: str
    keys: dict[str, str] = field(default_factory=dict)  # site → manifest key ({} when unreadable)


def run(
    inputs: Sequence[Path], locales: Sequence[Locale], settings: Settings, hooks: Hooks | None = None,
    *, fail_fast: bool = False,
) -> RunReport:
    from .fsutil import remove_stale_temp_files
    from .mt.store import ModelStore
    from .tm import open_memory

    hooks = hooks or Hooks()
    report = RunReport(locales={locale.site: LocaleSummary() for locale in locales})
    store = ModelStore(settings.models_dir, prefer=settings.sources.choices)
    check_routes(store, locales)  # before any work: exit 3, one line
    glossary = _load_glossary(settings, report)
    files = collect_inputs(inputs)

    with open_memory(settings) as tm, tm.run_guard(settings.state_dir) as whole_run:
        if whole_run:  # left by a killed run; the rerun rewrites them (else: per claimed article)
            remove_stale_temp_files(settings.out_dir)
        manifest = tm.manifest(settings.state_dir)
        context = BatchContext(settings, locales, store, glossary, tm)
        todo = plan_batch(inputs, files, context, manifest, report)
        translate_batch(todo, context, report, hooks, fail_fast=fail_fast)
        record_batch(report, manifest)
        manifest.save()
    return report


def check_routes(store, locales: Sequence[Locale]) -> None:
    """Raise ModelMissingError when a site locale has no English route."""
    from .mt.store import require_route

    for locale in locales:
        require_route(store, "en", locale.lang, locale.site)


def plan_batch(inputs: Sequence[Path], files: Sequence[Path], context: BatchContext, manifest,
               report: RunReport) -> list[BatchItem]:
    """The inputs still to translate; those whose outputs are up to date go into ``report`` as they are."""
    stems = unique_stems(files)
    originals = inbox_names(inputs, files)
    run_keys = {loc.site: _run_key(context.settings, loc, context.store, context.glossary, context.tm)
                for loc in context.locales}
    input_keys = _input_keys(files, stems, originals, run_keys)
    return [BatchItem(str(path), stems[path], originals[path], input_keys.get(str(path), {})) for path in files
            if not _reuse_earlier_run(path, stems[path], input_keys, manifest, report)]


def translate_batch(items: Sequence[BatchItem], context: BatchContext, report: RunReport,
                    hooks: Hooks | None = None, *, fail_fast: bool = False) -> None:
    """The whole per-article path for one batch: read, langid, segment, then per locale TM → MT +
    glossary → localize → QA → outputs. Counts, outputs, failures and the manifest records to make
    go into ``report``. ``translate`` runs it once on everything; a backfill actor once per batch."""
    from .fsutil import remove_stale_temp_files
    from .tm.claims import article_key, describe_owner

    hooks = hooks or Hooks()
    for locale in context.locales:
        report.locales.setdefault(locale.site, LocaleSummary())
    wanted = {article_key(context.settings.out_dir, i.stem): i for i in items}
    try:
        # on a PostgreSQL TM: leases of [tm] lease_s, renewed while the batch works
        lease = context.tm.claimed(list(wanted), context.run_id, context.settings.tm.lease_s)
    except ConnectionLostError as exc:
        report.failed += [{"path": i.path, "error": f"{i.path}: not translated: {exc}; rerun to translate it"}
                          for i in items]
        return
    with lease:  # renewed while the batch works; released when it is done
        for key, item in wanted.items():
            if key not in lease.articles:  # another run, on this machine or another, is writing these outputs now
                holder = f", {describe_owner(lease.held_by[key])}" if key in lease.held_by else ""
                report.failed.append({"path": item.path, "error": f"{item.path}: another run is writing its outputs "
                                                                  f"({key}{holder}); not translated here, rerun later"})
        mine = [i for k, i in wanted.items() if k in lease.articles]
        for item in mine:  # a claimer that died mid-write left these; nobody else writes here now
            remove_stale_temp_files(context.settings.out_dir / item.stem)
        _translate_claimed(mine, context, report, hooks, fail_fast)


def new_run_id() -> str:
    import socket
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _translate_claimed(items: Sequence[BatchItem], context: BatchContext, report: RunReport, hooks: Hooks,
                       fail_fast: bool) -> None:
    """Read the batch's articles one by one while the first locale's MT decodes what is read
    (CTranslate2's workers run without the GIL); each next locale is queued as soon as the one
    before has decoded, so it decodes while that one is enforced, localized, checked and written."""
    by_path = {i.path: i for i in items}
    input_keys = {i.path: i.keys for i in items if i.keys}
    before = (copy.deepcopy(report.locales), len(report.failed), len(report.records))
    articles: list[Article] = []
    unreadable: list[dict] = []
    try:
        if items:  # all up to date: not even the stages' imports
            from .langid import preload

            # an uncompressed copy of the language-ID model, kept with the installed models
            preload(context.store.root / ".cache" if context.store.root.is_dir() else None)
            _preload_engines(context)
            feeds = [_LocaleFeed(locale, context) for locale in context.locales]
            for article in _prepare_each([Path(i.path) for i in items], {Path(i.path): i.stem for i in items},
                                         unreadable, fail_fast):
                article.original = by_path[article.path].original
                articles.append(article)
                for number, feed in enumerate(feeds):
                    feed.add(article, queue=number == 0)
            hooks.on_total(sum(len(a.segments()) for a in articles) * len(context.locales))
            outputs: dict[str, list[str]] = {a.path: [] for a in articles}
            for number, feed in enumerate(feeds):
                feed.queue()  # what is left (the first locale) or everything (the others)
                state = _LocaleOutputs.start(feed.locale, context.settings, context.glossary)
                deferred = False
                for index in range(len(feed.chunks)):
                    feed.wait(index)
                    if index == len(feed.chunks) - 1 and number + 1 < len(feeds):
                        feeds[number + 1].queue()  # decodes while this locale is finished
                    # Enforcement's own engine calls would queue behind the chunks still decoding:
                    # from the first chunk that needs it, the rest waits until all are decoded.
                    deferred = deferred or feed.enforces(index)
                    if not deferred:
                        feed.collect(index)
                        _finish_locale(feed.ready(hooks), feed.locale, context.settings, context.glossary,
                                       report, state)
                feed.collect(len(feed.chunks) - 1)
                _finish_locale(feed.ready(hooks), feed.locale, context.settings, context.glossary, report, state)
                _close_locale(state, context.settings, report, input_keys, outputs)
    except ConnectionLostError as exc:
        # The shared TM went away mid-batch: this batch's articles fail, one line each, and are
        # not recorded as done (outputs already written are whole; the rerun rewrites them).
        report.locales, failed, records = before
        del report.failed[failed:], report.records[records:]
        report.failed += unreadable + [{"path": a.path, "error": f"{a.path}: not translated: {exc}; rerun to translate it"}
                                       for a in articles]
        return
    report.failed[before[1]:before[1]] = unreadable  # reading failures first, as a run reports them
    report.articles += [{"path": a.path, "stem": a.stem, "outputs": outputs[a.path]} for a in articles]


def _preload_engines(context: BatchContext) -> None:
    """Load every locale's English route in the background while the first articles are read
    (model loading runs in C++ without the GIL); ``store.load`` waits for a load in progress."""
    import threading

    infos = {info.path: info for locale in context.locales for info in context.store.route("en", locale.lang) or []}
    for info in infos.values():
        threading.Thread(target=_load_quietly, args=(context.store, info, context.settings.mt), daemon=True,
                         name=f"load {info.name}").start()


def _load_quietly(store, info, settings) -> None:
    try:
        store.load(info, settings)
    except Exception:  # the translating thread loads it again and reports the error itself
        log.debug("preloading %s failed", info.path, exc_info=True)


def record_batch(report: RunReport, manifest) -> None:
    """Write the batch's finished (article, locale) results into the manifest (the caller saves it)."""
    for path, site, key, written, stats in report.records:
        manifest.record(path, site, key, written, stats)
    report.records.clear()


def unique_stems(files: Sequence[Path]) -> dict[Path, str]:
    """Output folder names: ``a.txt`` and ``a.html`` (or ``x/a.txt`` and ``y/a.txt``) must not collide."""
    counts: dict[str, int] = {}
    for path in files:
        counts[path.stem] = counts.get(path.stem, 0) + 1
    return {
        path: path.stem if counts[path.stem] == 1
        else "_".join(p for p in (*path.parent.parts[-1:], path.stem, path.suffix.lstrip(".")) if p)
        for path in files
    }


def _prepare_each(files: Sequence[Path], stems: dict[Path, str], failed: list[dict], fail_fast: bool):
    """Read, detect languages and segment each input in turn; a bad one goes into ``failed``."""
    for path in files:
        try:
            article = prepare_article(path)
            article.stem = stems[path]
            yield article
            continue
        except PipelineError as exc:
            failed.append({"path": str(path), "error": str(exc)})
        except Exception as exc:  # a reader bug on hostile input must not stop the batch
            log.debug("reading %s failed", path, exc_info=True)
            failed.append({"path": str(path), "error": f"{path}: could not be read ({type(exc).__name__}: "
                                                       f"{exc}); please report this input to the developers"})
        if fail_fast:
            break


def _run_key(settings: Settings, locale: Locale, store, glossary, tm) -> str:
    """Everything besides the input that decides an article's outputs for one locale."""
    from . import __version__
    from .runstate import fingerprint

    packs = sorted((p.name, p.version, p.from_code, p.to_code) for p in store.packs())
    from .locales import LOCALES_DIR

    catalogs = sorted((str(p), p.stat().st_mtime_ns) for p in LOCALES_DIR.glob("*/LC_MESSAGES/*.[mp]o"))
    return fingerprint(__version__, locale.site, packs, glossary.hash if glossary is not None else "",
                       settings.mt, settings.extra, str(settings.out_dir.resolve()), catalogs,
                       tm.human_revision(locale.lang))


def _input_keys(files: Sequence[Path], stems: dict[Path, str], originals: dict[Path, str],
                run_keys: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per input and locale, the key its outputs are recorded under (input bytes read once, here)."""
    from .runstate import file_digest, fingerprint

    keys = {}
    for path in files:
        try:
            digest = file_digest(path)
        except OSError:
            continue  # the reader reports it
        keys[str(path)] = {site: fingerprint(key, digest, stems[path], originals[path]) for site, key in run_keys.items()}
    return keys


def _reuse_earlier_run(path: Path, stem: str, input_keys, manifest, report: RunReport) -> bool:
    """True when every locale's outputs for this input are up to date (their segments count as TM)."""
    keys = input_keys.get(str(path))
    if keys is None:
        return False
    done = {site: manifest.done(str(path), site, key) for site, key in keys.items()}
    if not all(done.values()):
        return False
    outputs = []
    for site, result in done.items():
        report.locales[site].add({**result.stats, "mt": 0, "redecoded": 0,
                                  "tm": result.stats.get("tm", 0) + result.stats.get("mt", 0)})
        outputs += result.outputs
    report.articles.append({"path": str(path), "stem": stem, "outputs": outputs})
    return True


def _load_glossary(settings: Settings, report: RunReport):
    """The usable part of the term base; each broken row is one failure line, and the batch goes on."""
    from .glossary import load_usable_glossary

    if not settings.glossary_dir.is_dir():
        log.info("no glossary folder at %s: translating without a glossary", settings.glossary_dir)
        return None
    glossary, errors = load_usable_glossary(settings.glossary_dir)
    for problem in errors:
        report.failed.append({
            "path": f"{problem.file}:{problem.line}",  # problem.file already starts with the folder
            "error": f"{problem}; "
                     "this row is ignored until it is fixed (see `i18n-pipeline glossary check`)",
        })
    return glossary


# Sources queued on the engine at a time while articles are still being read: enough for a
# few sorted sub-batches per worker (sorting within such a slice costs no measurable CPU time
# against one sort over the whole run; bench/README.md), few enough that decoding starts early.
QUEUE_SENTENCES = 96


class _LocaleFeed:
    """One locale of a batch: segments in article by article, TM first, the rest queued on the
    engine in chunks (``mt_stage.submit_sources``); then, chunk by chunk as the engine finishes
    them, the new MT into the TM and every segment's ``targets[locale.site]``.

    A source is looked up and translated once per batch however many articles repeat it."""

    def __init__(self, locale: Locale, context: BatchContext):
        self.locale, self.context = locale, context
        self._termbase = context.glossary.hash if context.glossary is not None else ""  # recorded with each MT
        # per article: the chunk its last new source goes in, its MT segments per source
        # language, and its segments passed through untranslated (with the note why)
        self.articles: list[tuple[Article, int, dict[str, list[Segment]], list[tuple[list[Segment], str]]]] = []
        self.waiting: dict[str, list[str]] = {}  # per source language: unique sources not yet queued
        self.seen: set[tuple[str, str]] = set()
        self.remembered: dict[tuple[str, str], object] = {}  # (src, text) → TMEntry
        self.chunks: list[list[tuple[str, list[str], Provenance, dict[str, str], object]]] = []
        self.fresh: dict[tuple[str, str], Target] = {}
        self.collected = 0  # chunks whose MT is in self.fresh and the TM
        self.assigned = 0  # articles whose targets are set

    def add(self, article: Article, *, queue: bool) -> None:
        store = self.context.store
        by_pair: dict[str, list[Segment]] = {}
        through: list[tuple[list[Segment], str]] = []
        for block in article.translatable_blocks():
            src = block.lang or article.language or "en"
            if src == self.locale.lang:
                through.append((block.segments, "already in the target language"))
            elif store.route(src, self.locale.lang) is None:
                note = f"no model for {src}→{self.locale.lang}: passed through untranslated"
                block.notes.append(note)
                through.append((block.segments, note))
            else:
                by_pair.setdefault(src, []).extend(block.segments)
                for segment in block.segments:
                    if (src, segment.source) not in self.seen:
                        self.seen.add((src, segment.source))
                        self.waiting.setdefault(src, []).append(segment.source)
        self.articles.append((article, len(self.chunks), by_pair, through))
        if queue and sum(map(len, self.waiting.values())) >= QUEUE_SENTENCES:
            self.queue()

    def queue(self) -> None:
        """Look up what is waiting in the TM and queue the rest on the engine, as one chunk."""
        from .glossary.impact import segment_key
        from .mt_stage import submit_sources

        context, locale = self.context, self.locale
        chunk = []
        for src, unique in self.waiting.items():
            route_infos = context.store.route(src, locale.lang)
            provenance = Provenance(
                Origin.MT, engine="ctranslate2", model="+".join(i.name for i in route_infos),
                model_version="+".join(i.version for i in route_infos),
                licence="+".join(i.licence for i in route_infos if i.non_commercial),
                termbase=self._termbase,
            )
            # An MT row is keyed by the entries that match its source (not the whole glossary), so
            # a term change sends only the segments containing that term back to the engine.
            keys = {text: segment_key(context.glossary, text, locale.site) for text in unique}
            for text, entry in context.tm.entries_for(unique, src, locale.lang).items():
                if entry.valid_for(model=provenance.model, model_version=provenance.model_version,
                                   glossary_hash=keys[text]):
                    self.remembered[src, text] = entry
            sources = [t for t in unique if (src, t) not in self.remembered]
            if sources:
                engines = [context.store.load(info, context.settings.mt) for info in route_infos]
                pending = submit_sources(sources, engines, glossary=context.glossary, locale=locale,
                                         hypotheses=context.settings.mt.beam_size)
                chunk.append((src, sources, provenance, keys, pending))
        self.chunks.append(chunk)
        self.waiting.clear()

    def wait(self, index: int) -> None:
        """Until the engine has decoded chunk ``index`` (its glossary enforcement still to come)."""
        for *_, pending in self.chunks[index]:
            pending.wait()

    def enforces(self, index: int) -> bool:
        """Whether chunk ``index`` still needs glossary enforcement (engine calls of its own)."""
        return any(pending.enforces for *_, pending in self.chunks[index])

    def collect(self, upto: int) -> None:
        """Glossary enforcement and typography for the new MT of chunks up to ``upto``, into the TM."""
        from .localize import apply_typography
        from .tm import TMEntry

        locale = self.locale
        for chunk in self.chunks[self.collected : upto + 1]:
            for src, sources, provenance, keys, pending in chunk:
                fresh = {}
                for source, result in zip(sources, pending.results()):
                    made_by = replace(provenance, glossary_hash=keys[source],
                                      note=REDECODE_NOTE if result.redecoded else "")
                    target = Target(result.text, State.TRANSLATED, made_by, terms=list(result.terms))
                    target.text = apply_typography(target.text, locale.lang, _rendered_spans(target))
                    fresh[source] = self.fresh[src, source] = target
                self.context.tm.store_many(TMEntry.from_target(source, target, src, locale.lang)
                                           for source, target in fresh.items())
        self.collected = max(self.collected, upto + 1)

    def ready(self, hooks: Hooks) -> list[Article]:
        """Articles not yet handed out whose every source is collected, their targets set."""
        out = []
        while self.assigned < len(self.articles) and self.articles[self.assigned][1] < self.collected:
            article, _, by_pair, through = self.articles[self.assigned]
            for segments, note in through:
                _pass_through(segments, self.locale, note)
                hooks.on_progress(len(segments))
            for src, segments in by_pair.items():
                for segment in segments:
                    entry = self.remembered.get((src, segment.source))
                    if entry is not None:  # valid under this run's term base: its key matched (see queue)
                        target = entry.as_target()
                        target.provenance = replace(target.provenance, termbase=self._termbase)
                        segment.targets[self.locale.site] = target
                    else:
                        target = self.fresh[src, segment.source]
                        segment.targets[self.locale.site] = Target(target.text, target.state, target.provenance,
                                                                   terms=list(target.terms))
                hooks.on_progress(len(segments))
            out.append(article)
            self.assigned += 1
        return out


def _pass_through(segments: list[Segment], locale: Locale, note: str) -> None:
    for segment in segments:
        segment.targets[locale.site] = Target(segment.source, State.INITIAL, Provenance(Origin.SOURCE, note=note))


@dataclass
class _LocaleOutputs:
    """One locale's articles of a batch as they are written, for the closing pass."""

    locale: Locale
    qa_config: object
    forbidden: list
    written: dict[str, list[str]] = field(default_factory=dict)  # article path → its files
    stats: dict[str, dict] = field(default_factory=dict)
    done: list[Article] = field(default_factory=list)

    @classmethod
    def start(cls, locale: Locale, settings: Settings, glossary) -> "_LocaleOutputs":
        from .glossary.forbidden import forbidden_variants
        from .qa import load_config

        return cls(locale, load_config(settings.extra), forbidden_variants(glossary, locale.site))


def _finish_locale(articles, locale: Locale, settings: Settings, glossary, report: RunReport,
                   state: _LocaleOutputs) -> None:
    """Glossary compliance, localized fields, QA and outputs for these articles of one locale,
    once their MT is in; the batch-wide checks and the counts wait for ``_close_locale``."""
    from .export import write_outputs
    from .localize import localize_article
    from .qa import check_article

    for article in articles:
        if glossary is not None:
            _check_terms(article, locale, glossary)
        localize_article(article, locale)
        if glossary is not None:
            _localize_byline(article, locale, glossary)
        qa = check_article(article, locale, state.qa_config, forbidden=state.forbidden)
        try:
            state.written[article.path] = [str(p) for p in write_outputs(article, locale, settings.out_dir)]
        except PipelineError as exc:
            report.failed.append({"path": article.path, "error": str(exc)})
            continue
        state.stats[article.path] = article_stats(article, locale, qa)
        state.done.append(article)


def _close_locale(state: _LocaleOutputs, settings: Settings, report: RunReport,
                  input_keys: dict[str, dict[str, str]], outputs: dict[str, list[str]]) -> None:
    """The batch-wide consistency check (an article it flags anew is written again), then the
    locale's counts and the manifest records, with digests taken while the batch holds its articles."""
    from .export import write_outputs
    from .qa import check_batch_consistency
    from .runstate import file_digest

    locale, summary = state.locale, report.locales[state.locale.site]
    before = {a.path: _inconsistency_flags(a, locale) for a in state.done}
    batch_qa = check_batch_consistency(state.done, locale, state.qa_config)
    for article in state.done:
        if _inconsistency_flags(article, locale) != before[article.path]:  # rare: one MT per source a batch
            try:
                state.written[article.path] = [str(p) for p in write_outputs(article, locale, settings.out_dir)]
            except PipelineError as exc:
                report.failed.append({"path": article.path, "error": str(exc)})
                del state.written[article.path]
    for article in state.done:
        written, stats = state.written.get(article.path), state.stats[article.path]
        if written is None:
            continue
        outputs[article.path] += written
        summary.add(stats)
        if article.path in input_keys:  # digests taken now, while this batch still holds the article
            digests = {path: file_digest(Path(path)) for path in written}
            report.records.append((article.path, locale.site, input_keys[article.path][locale.site], digests, stats))
    summary.qa.update(batch_qa)


def _inconsistency_flags(article: Article, locale: Locale) -> list[str]:
    return [f.message for s in article.segments() if locale.site in s.targets
            for f in s.targets[locale.site].flags if f.check == "inconsistent"]


def article_stats(article: Article, locale: Locale, qa_counts: dict[str, int]) -> dict:
    """One article's counts for one locale, as the --json summary adds them up."""
    origins = [s.targets[locale.site].provenance.origin for s in article.segments() if locale.site in s.targets]
    return {
        "segments": len(article.segments()),
        "mt": origins.count(Origin.MT),
        "tm": origins.count(Origin.TM) + origins.count(Origin.HUMAN),
        "passthrough": origins.count(Origin.SOURCE),
        "redecoded": sum(1 for s in article.segments() if locale.site in s.targets
                         and s.targets[locale.site].provenance.note == REDECODE_NOTE),
        # "inconsistent" is a batch-wide count, added once per run
        "qa": {check: count for check, count in qa_counts.items() if check != "inconsistent"},
    }


def _check_terms(article: Article, locale: Locale, glossary) -> None:
    """Term hits for targets MT did not just enforce (TM, human): translators edit terms too."""
    from .glossary import compliance, match_terms

    for segment in article.segments():
        target = segment.targets.get(locale.site)
        segment.terms = match_terms(glossary, segment.source, locale.site)
        if target is not None and target.provenance.origin in (Origin.TM, Origin.HUMAN):
            target.terms = compliance(segment.terms, target.text, locale)


def _localize_byline(article: Article, locale: Locale, glossary) -> None:
    """A journalist's name is spelled as the glossary says, in every byline."""
    from .glossary import match_terms

    fields = article.localized.get(locale.site)
    if fields is None or not article.author or not fields.byline:
        return
    hits = match_terms(glossary, article.author, locale.site)
    whole = [h for h in hits if h.start == 0 and h.end == len(article.author) and h.expected]
    if whole:
        fields.byline = fields.byline.replace(article.author, whole[0].expected[0])


def _rendered_spans(target: Target) -> list[tuple[int, int]]:
    """Where approved glossary forms stand in the target: typography must not touch them."""
    spans = []
    for hit in target.terms:
        if hit.rendered:
            start = target.text.find(hit.rendered)
            if start >= 0:
                spans.append((start, start + len(hit.rendered)))
    return spans
