"""Runs the checks: on one pair, on an article for one locale, and across a batch.

Each check returns the problems it found as short phrases; the runner turns them into at most
one QAFlag per check per segment, so counts are "segments flagged", as the summary promises.
Running again replaces the flags a previous run left, so the pipeline and the ``qa`` command
can re-check edited targets without piling up findings.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from ..document import Article, Origin, QAFlag, Segment, Target, TermHit
from ..locales import Locale
from . import characters, completeness, dates, fluency, numbers, placeables, punctuation, spelling
from .config import QAConfig
from .consistency import find_inconsistent
from .pair import Pair
from .registry import CHECKS

log = logging.getLogger(__name__)

SEGMENT_CHECKS: dict[str, Callable[[Pair], list[str]]] = {
    "empty": completeness.check_empty,
    "identical": completeness.check_identical,
    "untranslated": completeness.check_untranslated,
    "wrong-language": completeness.check_wrong_language,
    "numbers": numbers.check_numbers,
    "dates": dates.check_dates,
    "urls": placeables.check_urls,
    "dnt-changed": placeables.check_dnt,
    "glossary-term": placeables.check_glossary,
    "glossary-forbidden": placeables.check_forbidden,
    "end-punctuation": punctuation.check_end_punctuation,
    "quotes": punctuation.check_quotes,
    "brackets": punctuation.check_brackets,
    "whitespace": characters.check_whitespace,
    "invisible-chars": characters.check_invisible,
    "unknown-token": characters.check_unknown_token,
    "repeated-words": fluency.check_repeated_words,
    "length-ratio": fluency.check_length_ratio,
    "sentence-count": fluency.check_sentence_count,
    "mixed-script": characters.check_mixed_script,
    "spelling": spelling.check_spelling,
}
# Once a target is empty or not in the target language, the finer checks only add noise.
_GATES = ("empty", "identical", "untranslated", "wrong-language")


def _flag(check_id: str, problems: list[str], config: QAConfig) -> QAFlag:
    return QAFlag(check_id, config.severity_of(check_id), "; ".join(problems))


def check_segment(
    source: str,
    target: str,
    *,
    source_lang: str,
    target_lang: str,
    dnt_terms: Sequence[str] = (),
    term_hits: Sequence[TermHit] = (),
    config: QAConfig | None = None,
    forbidden: Sequence = (),
) -> list[QAFlag]:
    """Every segment-level check on one pair; languages are ISO codes ("hy", not "arm").

    ``forbidden``: the target locale's ``glossary.forbidden_variants`` (none: the check finds nothing).
    """
    pair = Pair(source, target, source_lang, target_lang, tuple(dnt_terms), tuple(term_hits),
                tuple(forbidden), config or QAConfig())
    flags = []
    for check_id, check in SEGMENT_CHECKS.items():
        if not pair.config.enabled(check_id):
            continue
        problems = check(pair)
        if problems:
            flags.append(_flag(check_id, problems, pair.config))
            if check_id in _GATES:
                break
    return flags


def skipped_checks(target_lang: str, config: QAConfig | None = None) -> dict[str, str]:
    """Checks that are on but cannot run for this language here (check id → why), for an info line."""
    config = config or QAConfig()
    reason = spelling.skip_reason(target_lang, config) if config.enabled("spelling") else None
    return {"spelling": reason} if reason else {}


def dnt_terms_of(hits: Sequence[TermHit], extra: Sequence[str] = ()) -> list[str]:
    """The do-not-translate terms of a segment: ``extra`` plus hits whose only approved form is the term."""
    return list(extra) + [h.term for h in hits if h.expected and set(h.expected) == {h.term}]


def _checked(article: Article, locale: Locale) -> list[tuple[Segment, Target, str]]:
    """(segment, its target, source language) for every machine- or human-made target."""
    found = []
    for block in article.translatable_blocks():
        source_lang = block.lang or article.language or "en"
        if source_lang == locale.lang:
            continue  # already in the target language: passed through, nothing to check
        for segment in block.segments:
            target = segment.targets.get(locale.site)
            if target is not None and target.provenance.origin is not Origin.SOURCE:
                found.append((segment, target, source_lang))
    return found


def check_article(
    article: Article, locale: Locale, config: QAConfig | None = None, *, dnt_terms: Sequence[str] = (),
    forbidden: Sequence = (),
) -> dict[str, int]:
    """Check every target of one locale in an article; flags go on ``target.flags``.

    Returns segments flagged per check id (every enabled check listed, 0 included). Repeated
    sentences within the article are checked for consistency; call ``check_batch_consistency``
    for the whole batch.
    """
    config = config or QAConfig()
    counts: Counter[str] = Counter({c: 0 for c in CHECKS if config.enabled(c)})
    for reason_check, reason in skipped_checks(locale.lang, config).items():
        counts.pop(reason_check, None)
        log.info("qa %s skipped for %s: %s", reason_check, locale, reason)
    for segment, target, source_lang in _checked(article, locale):
        hits = target.terms or segment.terms
        target.flags = [f for f in target.flags if f.check not in CHECKS]
        target.flags += check_segment(
            segment.source, target.text, source_lang=source_lang, target_lang=locale.lang,
            dnt_terms=dnt_terms_of(hits, dnt_terms), term_hits=hits, config=config, forbidden=forbidden,
        )
        counts.update({f.check for f in target.flags})
    counts.update(check_batch_consistency([article], locale, config))
    return dict(counts)


def check_batch_consistency(articles: Sequence[Article], locale: Locale, config: QAConfig | None) -> dict[str, int]:
    """Flag targets whose source sentence is translated differently elsewhere in the batch."""
    config = config or QAConfig()
    if not config.enabled("inconsistent"):
        return {}
    pairs = [(seg.source, target) for art in articles for seg, target, _ in _checked(art, locale)]
    for _, target in pairs:
        target.flags = [f for f in target.flags if f.check != "inconsistent"]
    found = find_inconsistent(pairs)
    for target, message in found:
        target.flags.append(QAFlag("inconsistent", config.severity_of("inconsistent"), message))
    return {"inconsistent": len(found)}
