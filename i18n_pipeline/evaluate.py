"""Measure installed models on the newsroom's own approved translations (``models evaluate``).

The references are the human rows of the translation memory (translators' corrections and
imported approved work) or a test set file: TSV (``source<TAB>reference`` per line) or TMX.
Each installed pack for en→target translates every source in one batch; the raw model output
(no glossary enforcement, no typography: what tells models apart) is scored with sacrebleu's
chrF, chrF++ and BLEU at their defaults, each with its signature, and with the glossary's term
accuracy: of the source terms that have approved targets, the share the output renders in an
accepted form (``glossary.match_terms`` + ``glossary.compliance``, as QA checks them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from .config import MTSettings
from .errors import InputError, ModelMissingError, UsageError
from .locales import Locale

log = logging.getLogger(__name__)
SOURCE_LANG = "en"


@dataclass(frozen=True)
class Reference:
    source: str
    reference: str


@dataclass(frozen=True)
class ModelScore:
    locale: str  # site code: "ru", "arm"
    model: str  # pack name
    kind: str
    version: str
    licence: str
    segments: int
    chrf: float
    chrf_plus_plus: float
    bleu: float
    signatures: dict[str, str] = field(default_factory=dict)
    terms: int = 0  # source terms with approved targets
    terms_ok: int = 0
    glossary_hash: str = ""  # "" when there is no glossary

    @property
    def term_accuracy(self) -> float | None:
        return round(100.0 * self.terms_ok / self.terms, 1) if self.terms else None

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return {**asdict(self), "term_accuracy": self.term_accuracy}


def human_references(tm, locale: Locale) -> list[Reference]:
    """The approved human translations en→``locale`` in the TM."""
    return [Reference(e.source, e.target) for e in tm.human_entries(SOURCE_LANG, locale.lang) if e.target.strip()]


def read_testset(path: Path, locale: Locale) -> list[Reference]:
    """A TSV (``source<TAB>reference``) or TMX file of references into ``locale``."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such test set; give a .tsv (source<TAB>reference) or .tmx file")
    if path.suffix.lower() == ".tmx":
        from .review import read_bilingual
        from .tm import normalize_lang

        units = read_bilingual(path)
        return [Reference(u.source, u.target) for u in units
                if normalize_lang(u.target_lang) == locale.lang and u.source.strip() and u.target.strip()]
    if path.suffix.lower() not in (".tsv", ".txt"):
        raise UsageError(f"{path}: unknown test set format; give a .tsv (source<TAB>reference) or .tmx file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot read the test set ({exc}); save it as UTF-8") from exc
    references = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputError(f"{path}:{number}", "expected two tab-separated columns: source, reference")
        references.append(Reference(parts[0].strip(), parts[1].strip()))
    return references


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, tuple[float, str]]:
    """sacrebleu's chrF, chrF++ and BLEU over the corpus: name → (score, signature)."""
    from sacrebleu.metrics import BLEU, CHRF

    out = {}
    for name, metric in (("chrF", CHRF()), ("chrF++", CHRF(word_order=2)), ("BLEU", BLEU())):
        result = metric.corpus_score(list(hypotheses), [list(references)])
        out[name] = (round(result.score, 2), str(metric.get_signature()))
    return out


def term_counts(glossary, sources: Sequence[str], hypotheses: Sequence[str], locale: Locale) -> tuple[int, int]:
    """(terms with approved targets, terms the hypotheses render in an accepted form)."""
    from .glossary import compliance, match_terms

    total = ok = 0
    for source, hypothesis in zip(sources, hypotheses):
        hits = [h for h in match_terms(glossary, source, locale.lang) if h.expected]
        checked = compliance(hits, hypothesis, locale)
        total += len(checked)
        ok += sum(1 for h in checked if h.status in ("ok", "enforced"))
    return total, ok


def evaluate_models(store, locale: Locale, references: Sequence[Reference], glossary=None,
                    settings: MTSettings | None = None) -> list[ModelScore]:
    """Score every installed en→``locale`` pack on ``references``."""
    if not references:
        raise UsageError(f"no references for {locale}: approve translations first (`i18n-pipeline review import`) "
                         "or give --testset FILE")
    packs = store.packs_for(SOURCE_LANG, locale.lang)
    if not packs:
        raise ModelMissingError(f"no installed en→{locale.lang} model to evaluate; "
                                f"install one with `i18n-pipeline models fetch en {locale.site}`")
    settings = settings or MTSettings()
    sources = [r.source for r in references]
    targets = [r.reference for r in references]
    results = []
    for info in packs:
        log.info("evaluating %s on %d segments", info.name, len(sources))
        engine = store.load(info, settings)
        hypotheses = [t.best.text for t in engine.translate(sources)]
        scores = corpus_scores(hypotheses, targets)
        terms, terms_ok = term_counts(glossary, sources, hypotheses, locale) if glossary is not None else (0, 0)
        results.append(ModelScore(
            locale=locale.site, model=info.name, kind=info.kind, version=info.version, licence=info.licence,
            segments=len(sources), chrf=scores["chrF"][0], chrf_plus_plus=scores["chrF++"][0],
            bleu=scores["BLEU"][0], signatures={name: sig for name, (_, sig) in scores.items()},
            terms=terms, terms_ok=terms_ok, glossary_hash=glossary.hash if glossary is not None else "",
        ))
    return results


def evaluate(settings, locales: Sequence[Locale], testset: Path | None = None) -> list[ModelScore]:
    """``models evaluate``: every installed model of each locale, on the TM's human rows (or
    ``testset``), with the glossary of ``settings.glossary_dir`` when there is one."""
    from .glossary import load_usable_glossary
    from .mt.store import ModelStore
    from .tm import TM_FILENAME, TranslationMemory

    store = ModelStore(settings.models_dir, prefer=settings.sources.choices)
    glossary = load_usable_glossary(settings.glossary_dir)[0] if settings.glossary_dir.is_dir() else None
    results: list[ModelScore] = []
    for locale in locales:
        if testset is not None:
            references = read_testset(testset, locale)
        else:
            tm_path = settings.state_dir / TM_FILENAME
            if not tm_path.is_file():
                raise UsageError(f"{tm_path}: no translation memory yet; import approved work with "
                                 "`i18n-pipeline review import`, or give --testset FILE")
            with TranslationMemory(tm_path) as tm:
                references = human_references(tm, locale)
        results += evaluate_models(store, locale, references, glossary, settings.mt)
    return results
