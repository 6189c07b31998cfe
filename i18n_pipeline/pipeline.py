"""Chains the stages for a batch of articles; nothing else.

read → detect languages → segment → (per locale) TM → MT + glossary → typography →
localize → QA → write outputs → store new MT in the TM.
All MT for one locale and language pair goes through the engine in one batched pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .config import Settings
from .document import Article, Origin, Provenance, Segment, State, Target
from .errors import InputError, PipelineError, UsageError
from .locales import Locale

log = logging.getLogger(__name__)

ProgressHook = Callable[[int], None]


@dataclass
class LocaleSummary:
    segments: int = 0
    mt: int = 0
    tm: int = 0
    passthrough: int = 0
    qa: dict[str, int] = field(default_factory=dict)
    glossary_violations: int = 0


@dataclass
class RunReport:
    articles: list[dict] = field(default_factory=list)  # {"path", "stem", "outputs"}
    locales: dict[str, LocaleSummary] = field(default_factory=dict)
    failed: list[dict] = field(default_factory=list)  # {"path", "error"}

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


# No news paragraph comes near this; a longer one is a broken export, and would cost minutes of
# segmenting and tens of thousands of MT segments before anyone noticed.
MAX_BLOCK_CHARS = 50_000


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


def run(
    inputs: Sequence[Path], locales: Sequence[Locale], settings: Settings, hooks: Hooks | None = None,
    *, fail_fast: bool = False,
) -> RunReport:
    from .export import write_outputs
    from .fsutil import remove_stale_temp_files
    from .mt.store import ModelStore, require_route
    from .runlock import run_lock
    from .tm import TranslationMemory

    hooks = hooks or Hooks()
    report = RunReport()
    store = ModelStore(settings.models_dir)
    # Fail before any work when a site locale has no English route: exit 3, one line.
    for locale in locales:
        require_route(store, "en", locale.lang, locale.site)
    glossary = _load_glossary(settings, report)

    articles: list[Article] = []
    for path in collect_inputs(inputs):
        try:
            articles.append(prepare_article(path))
        except PipelineError as exc:
            report.failed.append({"path": str(path), "error": str(exc)})
            if fail_fast:
                break
        except Exception as exc:  # a reader bug on hostile input must not stop the batch
            log.debug("reading %s failed", path, exc_info=True)
            report.failed.append({"path": str(path), "error": f"{path}: could not be read ({type(exc).__name__}: "
                                                            f"{exc}); please report this input to the developers"})
            if fail_fast:
                break
    _give_unique_stems(articles)
    hooks.on_total(sum(len(a.segments()) for a in articles) * len(locales))

    with run_lock(settings.state_dir), TranslationMemory(settings.state_dir / "tm.sqlite") as tm:
        remove_stale_temp_files(settings.out_dir)  # left by a killed run; the rerun rewrites them
        for locale in locales:
            summary = report.locales.setdefault(locale.site, LocaleSummary())
            _translate_locale(articles, locale, store, tm, glossary, settings, summary, hooks)
        outputs: dict[str, list[str]] = {a.stem: [] for a in articles}
        for locale in locales:
            _finish_locale(articles, locale, settings, report.locales[locale.site], glossary)
            for article in articles:
                try:
                    outputs[article.stem] += [str(p) for p in write_outputs(article, locale, settings.out_dir)]
                except PipelineError as exc:
                    report.failed.append({"path": article.path, "error": str(exc)})
    report.articles = [{"path": a.path, "stem": a.stem, "outputs": outputs[a.stem]} for a in articles]
    return report


def _give_unique_stems(articles: list[Article]) -> None:
    """``a.txt`` and ``a.html`` (or ``x/a.txt`` and ``y/a.txt``) must not write the same out/ folder."""
    seen: dict[str, int] = {}
    for article in articles:
        seen[article.stem] = seen.get(article.stem, 0) + 1
    for article in articles:
        if seen[article.stem] > 1:
            path = Path(article.path)
            article.stem = "_".join(p for p in (*path.parent.parts[-1:], path.stem, path.suffix.lstrip(".")) if p)


def _load_glossary(settings: Settings, report: RunReport):
    """The usable part of the term base; each broken row is one failure line, and the batch goes on."""
    from .glossary import load_usable_glossary

    if not settings.glossary_dir.is_dir():
        log.info("no glossary folder at %s: translating without a glossary", settings.glossary_dir)
        return None
    glossary, errors = load_usable_glossary(settings.glossary_dir)
    for problem in errors:
        report.failed.append({
            "path": f"{settings.glossary_dir / problem.file}:{problem.line}",
            "error": f"{settings.glossary_dir / problem.file}:{problem.line}: {problem.message}; "
                     "this row is ignored until it is fixed (see `i18n-pipeline glossary check`)",
        })
    return glossary


def _translate_locale(articles, locale: Locale, store, tm, glossary, settings: Settings, summary, hooks) -> None:
    """Fill ``segment.targets[locale.site]`` for every translatable segment of the batch."""
    from .tm import TMEntry

    by_pair: dict[str, list[Segment]] = {}
    for article in articles:
        for block in article.translatable_blocks():
            src = block.lang or article.language or "en"
            if src == locale.lang:
                _pass_through(block.segments, locale, "already in the target language")
                summary.passthrough += len(block.segments)
                hooks.on_progress(len(block.segments))
            elif store.route(src, locale.lang) is None:
                note = f"no model for {src}→{locale.lang}: passed through untranslated"
                block.notes.append(note)
                _pass_through(block.segments, locale, note)
                summary.passthrough += len(block.segments)
                hooks.on_progress(len(block.segments))
            else:
                by_pair.setdefault(src, []).extend(block.segments)

    glossary_hash = glossary.hash if glossary is not None else ""
    for src, segments in by_pair.items():
        route_infos = store.route(src, locale.lang)
        provenance = Provenance(
            Origin.MT, engine="ctranslate2", model="+".join(i.name for i in route_infos),
            model_version="+".join(i.version for i in route_infos), glossary_hash=glossary_hash,
        )
        unique = list(dict.fromkeys(s.source for s in segments))
        remembered = tm.lookup_many(unique, src, locale.lang, model=provenance.model,
                                    model_version=provenance.model_version, glossary_hash=glossary_hash)
        fresh = _machine_translate([s for s in unique if s not in remembered], route_infos, store,
                                   glossary, locale, settings, provenance)
        tm.store_many(TMEntry.from_target(source, target, src, locale.lang) for source, target in fresh.items())
        for segment in segments:
            if segment.source in remembered:
                segment.targets[locale.site] = remembered[segment.source].as_target()
                summary.tm += 1
            else:
                target = fresh[segment.source]
                segment.targets[locale.site] = Target(target.text, target.state, target.provenance,
                                                      terms=list(target.terms))
                summary.mt += 1
        hooks.on_progress(len(segments))


def _machine_translate(sources, route_infos, store, glossary, locale, settings, provenance) -> dict[str, Target]:
    """MT (with glossary) and typography for sources the TM did not have; nothing if none."""
    from .localize import apply_typography
    from .mt.translate import translate_sources

    if not sources:
        return {}
    engines = [store.load(info, settings.mt) for info in route_infos]
    results = translate_sources(sources, engines, glossary=glossary, locale=locale,
                                hypotheses=settings.mt.beam_size)
    fresh = {}
    for source, result in zip(sources, results):
        target = Target(result.text, State.TRANSLATED, provenance, terms=list(result.terms))
        target.text = apply_typography(target.text, locale.lang, _rendered_spans(target))
        fresh[source] = target
    return fresh


def _pass_through(segments: list[Segment], locale: Locale, note: str) -> None:
    for segment in segments:
        segment.targets[locale.site] = Target(segment.source, State.INITIAL, Provenance(Origin.SOURCE, note=note))


def _finish_locale(articles, locale: Locale, settings: Settings, summary: LocaleSummary, glossary) -> None:
    """Glossary compliance, localized fields and QA for one locale, after all MT is in."""
    from .localize import localize_article
    from .qa import check_article, check_batch_consistency, load_config

    qa_config = load_config(settings.extra)
    for article in articles:
        summary.segments += len(article.segments())
        if glossary is not None:
            _check_terms(article, locale, glossary)
        localize_article(article, locale)
        if glossary is not None:
            _localize_byline(article, locale, glossary)
        for check, count in check_article(article, locale, qa_config).items():
            if check != "inconsistent":  # counted once for the whole batch below
                summary.qa[check] = summary.qa.get(check, 0) + count
    summary.qa.update(check_batch_consistency(articles, locale, qa_config))
    summary.glossary_violations = summary.qa.get("glossary-term", 0)


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
