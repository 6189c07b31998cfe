"""Make MT output obey the glossary, working with what real models return.

For each segment, in order of preference:
1. a hypothesis (of ``num_hypotheses``) that already renders every term → keep it (``ok``);
2. the best-ranked hypothesis in which every wrong rendering can be replaced: the target
   words aligned (by attention argmax) to the source term give the span, and the approved
   target goes in, in the form the sentence needs (Russian case from the replaced words and
   the preposition before them, ties settled by ``engine.score``; Armenian: the model's
   suffix re-attached) → ``enforced``;
3. when no span aligns (the model dropped the term), one batched re-decode with
   ``target_prefix`` = the translation up to where the term belongs + the term, so the rest
   of the sentence agrees with it → ``enforced`` if the term is then present (skipped when
   the prefix alone reaches the engine's length cap: the decode could only cut it);
otherwise the hit is ``missing`` and QA reports it. Do-not-translate terms and URLs are
restored byte for byte the same way (see protect.py for why there are no placeholders).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from ..document import Segment, Target, TermHit
from ..locales import Locale
from ..mt.base import Hypothesis, Translation, TranslationEngine
from . import inflect_hy, inflect_ru
from .compliance import compliance, is_verbatim
from .matcher import match_terms
from .termbase import Glossary

log = logging.getLogger(__name__)

_WORDISH = re.compile(r"[\w\u0531-\u0587'’]")
_HYPHEN_SUFFIX = re.compile(r"-(?:%s)(?!\w)" % "|".join(inflect_hy.SUFFIXES))
_SPECIAL = {"</s>", "<s>", "<unk>", "<pad>"}


@dataclass
class Enforced:
    """One segment's final target text and what became of each term."""

    text: str
    hits: list[TermHit]
    redecoded: bool = False  # the text comes from a second decode with the term forced in


@dataclass
class _Edit:
    start: int
    end: int
    candidates: list[str]  # one form, or Russian forms to choose between by score
    hit_index: int


@dataclass
class _Work:
    source: str
    translation: Translation
    hits: list[TermHit]  # all hits, in source order
    text: str = ""
    statuses: dict[int, str] = field(default_factory=dict)  # hit index → "enforced"
    prefix: str | None = None  # re-decode prefix, when a term could not be placed
    redecoded: bool = False


def enforce(
    segments: list[Segment],
    translations: list[Translation],
    engine: TranslationEngine,
    glossary: Glossary,
    locale: Locale,
) -> list[str]:
    """Final target texts, one per segment; each segment's ``targets[locale.site].terms`` gets the hits.

    A Target is created (text only, default provenance) when the segment has none for the
    locale yet; the caller sets provenance.
    """
    results = enforce_detailed([s.source for s in segments], translations, engine, glossary, locale)
    for segment, result in zip(segments, results):
        target = segment.targets.get(locale.site)
        if target is None:
            segment.targets[locale.site] = Target(text=result.text, terms=result.hits)
        else:
            target.terms = result.hits
    return [r.text for r in results]


def enforce_detailed(
    sources: list[str],
    translations: list[Translation],
    engine: TranslationEngine,
    glossary: Glossary,
    locale: Locale,
) -> list[Enforced]:
    """``enforce`` on plain source strings; returns texts with per-hit status."""
    if len(sources) != len(translations):
        raise ValueError(f"{len(sources)} segments but {len(translations)} translations")
    work = [_Work(src, tr, match_terms(glossary, src, locale.site)) for src, tr in zip(sources, translations)]
    pending_scores: list[tuple[_Work, _Edit]] = []
    for item in work:
        pending_scores += _first_pass(item, engine, glossary, locale)
    _choose_forms_by_score(pending_scores, engine)
    for item in {id(w): w for w, _ in pending_scores}.values():
        _apply_edits(item, [e for w, e in pending_scores if w is item])
    _redecode(work, engine, glossary, locale)
    return [_finish(item, locale) for item in work]


# --- pass 1: choose a hypothesis, plan span replacements -----------------------------------


def _first_pass(item: _Work, engine: TranslationEngine, glossary: Glossary, locale: Locale) -> list[tuple[_Work, _Edit]]:
    active = [h for h in item.hits if h.expected]
    hypotheses = item.translation.hypotheses
    item.text = hypotheses[0].text if hypotheses else ""
    if not active or not hypotheses:
        return []
    for hypothesis in hypotheses:
        if all(h.status == "ok" for h in compliance(active, hypothesis.text, locale)):
            item.text = hypothesis.text
            return []
    # The best-ranked hypothesis in which every wrong or dropped term has an aligned place: the
    # beam already paid for it, while a re-decode costs as much as the first decode.
    for hypothesis in hypotheses:
        item.prefix = None
        edits = _plan_edits(item, hypothesis, engine, glossary, locale)
        if item.prefix is None:
            item.text = hypothesis.text
            return [(item, edit) for edit in edits]
    item.prefix = None
    edits = _plan_edits(item, hypotheses[0], engine, glossary, locale)  # sets the re-decode prefix
    return [(item, edit) for edit in edits]


def _plan_edits(item: _Work, hypothesis: Hypothesis, engine, glossary: Glossary, locale: Locale) -> list[_Edit]:
    checked = compliance(item.hits, hypothesis.text, locale)
    offsets = _target_offsets(hypothesis, engine)
    source_spans = _piece_spans(item.source, item.translation.source_tokens)
    edits: list[_Edit] = []
    for index, (hit, state) in enumerate(zip(item.hits, checked)):
        if state.status != "missing":
            continue
        span = _aligned_span(hit, hypothesis, offsets, source_spans) if offsets else None
        if span is not None:
            span = _whole_words(item.source, hypothesis.text, *span, hit)
        if span is None or any(not (span[1] <= e.start or span[0] >= e.end) for e in edits):
            if item.prefix is None:
                item.prefix = _prefix_before(item.source, hit, hypothesis, offsets, source_spans, glossary, locale)
            continue
        start, end = span
        candidates = _forms_for(hit, hypothesis.text, start, end, glossary, locale)
        edits.append(_Edit(start, end, candidates, index))
    return edits


def _forms_for(hit: TermHit, text: str, start: int, end: int, glossary: Glossary, locale: Locale) -> list[str]:
    """The approved target in the form(s) this place in the sentence needs."""
    replaced = text[start:end]
    entry = glossary.get(hit.entry_id)
    preferred = hit.expected[0]
    if locale.lang == "hy":
        return [inflect_hy.attach(preferred, inflect_hy.read_suffix(replaced, hit.expected))]
    if is_verbatim(hit) or locale.lang != "ru":
        return [preferred]
    before = re.findall(r"[\w-]+", text[:start])
    preceding = before[-1] if before else None
    cases = inflect_ru.candidate_cases(replaced, preceding)[:3]
    if preceding is None or preceding.lower() not in inflect_ru.PREPOSITION_CASES:
        cases.append("nomn")  # a mangled word can look oblique; let the score decide
    fixed = bool(entry and entry.fixed)
    animate = None if not entry or not entry.animacy else entry.animacy == "anim"
    forms: list[str] = []
    for case in cases:
        form = inflect_ru.inflect(preferred, case, fixed=fixed, animate=animate) or preferred
        if form not in forms:
            forms.append(form)
    return forms or [preferred]


def _choose_forms_by_score(pending: list[tuple[_Work, _Edit]], engine: TranslationEngine) -> None:
    """Where Russian case forms tie, let the model score each in context — one batched call."""
    sources: list[str] = []
    targets: list[str] = []
    owners: list[tuple[_Edit, str]] = []
    for item, edit in pending:
        if len(edit.candidates) < 2:
            continue
        for form in edit.candidates:
            sources.append(item.source)
            targets.append(item.text[: edit.start] + form + item.text[edit.end :])
            owners.append((edit, form))
    if not sources:
        return
    scores = engine.score(sources, targets)
    best: dict[int, tuple[float, str]] = {}
    for (edit, form), score in zip(owners, scores):
        if id(edit) not in best or score > best[id(edit)][0]:
            best[id(edit)] = (score, form)
    for item, edit in pending:
        if id(edit) in best:
            edit.candidates = [best[id(edit)][1]]


def _apply_edits(item: _Work, edits: list[_Edit]) -> None:
    text = item.text
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.candidates[0] + text[edit.end :]
        item.statuses[edit.hit_index] = "enforced"
    item.text = text


# --- pass 2: re-decode with a target prefix where a term could not be placed ----------------


def _redecode(work: list[_Work], engine: TranslationEngine, glossary: Glossary, locale: Locale) -> None:
    wanted = [w for w in work if w.prefix is not None]
    # A prefix that fills the length cap would come back cut, without the whole term: no decode.
    todo = [w for w in wanted if engine.prefix_fits(w.source, w.prefix)]
    if len(todo) < len(wanted):
        log.info("glossary: %d re-decode(s) skipped, their prefix fills the length cap", len(wanted) - len(todo))
    if not todo:
        return
    results = engine.translate(
        [w.source for w in todo], num_hypotheses=1, return_attention=True, target_prefixes=[w.prefix for w in todo]
    )
    for item, result in zip(todo, results):
        already = {i for i, h in enumerate(compliance(item.hits, item.text, locale)) if h.status == "ok"}
        hypothesis = result.best
        candidate = replace(item, text=hypothesis.text, statuses={}, prefix=None)
        edits = _plan_edits(candidate, hypothesis, engine, glossary, locale)
        for edit in edits:
            edit.candidates = edit.candidates[:1]  # no second scoring round: first-ranked case
        _apply_edits(candidate, edits)
        if _count_ok(item.hits, candidate.text, locale) > len(already):
            item.text = candidate.text
            item.statuses = item.statuses | {i: "enforced" for i in range(len(item.hits)) if i not in already}
            item.redecoded = True
        else:
            log.info("re-decoding did not place the missing term in %r", item.source[:60])


def _count_ok(hits: list[TermHit], text: str, locale: Locale) -> int:
    return sum(h.status == "ok" for h in compliance(hits, text, locale))


def _finish(item: _Work, locale: Locale) -> Enforced:
    item.text = _collapse_repeats(item.text, [h for h in item.hits if h.expected], locale)
    checked = compliance(item.hits, item.text, locale)
    final = []
    for index, hit in enumerate(checked):
        if hit.status == "ok" and item.statuses.get(index) == "enforced":
            hit = replace(hit, status="enforced")
        final.append(hit)
    return Enforced(item.text, final, item.redecoded)


# --- alignment ---------------------------------------------------------------------------


def _piece_spans(source: str, pieces: list[str]) -> list[tuple[int, int] | None]:
    """Character span of each source piece in the source text (None for specials and unknowns)."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for piece in pieces:
        clean = piece.replace("▁", " ").strip()
        if not clean or piece in _SPECIAL:
            spans.append(None)
            continue
        found = source.find(clean, cursor)
        if found < 0 or source[cursor:found].strip():
            spans.append(None)
            continue
        spans.append((found, found + len(clean)))
        cursor = found + len(clean)
    return spans


def _target_offsets(hypothesis: Hypothesis, engine: TranslationEngine) -> list[int] | None:
    """Character offset in the hypothesis text where each target piece starts (+ the end)."""
    tokens = hypothesis.target_tokens
    if not tokens or not hypothesis.attention or engine.detokenize(tokens) != hypothesis.text:
        return None
    offsets = [len(engine.detokenize(tokens[:k])) for k in range(len(tokens) + 1)]
    return offsets if offsets == sorted(offsets) else None


def _aligned_span(hit, hypothesis: Hypothesis, offsets: list[int], source_spans) -> tuple[int, int] | None:
    """Target character span of the longest run of pieces whose strongest attention is on the term."""
    term_pieces = {i for i, span in enumerate(source_spans) if span and span[0] < hit.end and span[1] > hit.start}
    if not term_pieces:
        return None
    aligned = []
    for t, row in enumerate(hypothesis.attention or []):
        if t < len(hypothesis.target_tokens) and hypothesis.target_tokens[t] not in _SPECIAL and row:
            if max(range(len(row)), key=row.__getitem__) in term_pieces:
                aligned.append(t)
    if not aligned:
        return None
    runs: list[list[int]] = [[aligned[0]]]
    for t in aligned[1:]:
        if t == runs[-1][-1] + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    # The longest run; between equally long runs, the one attending hardest to the term.
    attention = hypothesis.attention
    run = max(runs, key=lambda r: (len(r), sum(attention[t][s] for t in r for s in term_pieces)))
    if len(run) > 3 * len(term_pieces) + 3:
        return None  # attention smeared over the sentence: not an alignment
    return offsets[run[0]], offsets[run[-1] + 1]


def _whole_words(source: str, text: str, start: int, end: int, hit: TermHit) -> tuple[int, int] | None:
    """Grow a span to whole words, keep punctuation outside, take in quotes the target brings."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while start > 0 and _WORDISH.match(text[start - 1]):
        start -= 1
    while end < len(text) and (_WORDISH.match(text[end]) or (text[end] == "." and end + 1 < len(text) and text[end + 1].isalnum())):
        end += 1
    while start < end and not (text[start].isalnum() or text[start] in "«\"“"):
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in "»\"”."):
        end -= 1
    suffix = _HYPHEN_SUFFIX.match(text, end)
    if suffix:
        end = suffix.end()  # ԱՄՆ-ի: the case suffix after the hyphen belongs to the term
    abbreviation_dot = hit.term.endswith(".") and source[hit.end :].strip() != ""
    if end > start and text[end - 1] == "." and not hit.expected[0].endswith(".") and not abbreviation_dot:
        end -= 1  # a full stop (also the one "U.S." shares with the sentence end) stays
    preferred = hit.expected[0]
    if preferred[:1] in "«\"“" and start > 0 and text[start - 1] in "«\"“":
        start -= 1
    if preferred[-1:] in "»\"”" and end < len(text) and text[end] in "»\"”":
        end += 1
    return (start, end) if end > start else None


def _prefix_before(source: str, hit, hypothesis, offsets, source_spans, glossary: Glossary, locale: Locale) -> str:
    """Target text up to where the dropped term belongs, followed by the term."""
    cut = 0
    earlier = [i for i, span in enumerate(source_spans) if span and span[1] <= hit.start]
    if earlier and offsets and hypothesis.attention:
        last_source = max(earlier)
        rows = hypothesis.attention
        aligned = [t for t, row in enumerate(rows) if row and max(range(len(row)), key=row.__getitem__) <= last_source]
        if aligned:
            cut = offsets[max(aligned) + 1]
    elif earlier:
        # No attention: place the term proportionally to its position in the source.
        cut = int(len(hypothesis.text) * hit.start / max(len(source), 1))
    text = hypothesis.text
    while 0 < cut < len(text) and _WORDISH.match(text[cut - 1]) and _WORDISH.match(text[cut]):
        cut += 1  # never cut a word in two
    head = text[:cut].rstrip()
    before = re.findall(r"[\w-]+", head)
    form = hit.expected[0]
    if locale.lang == "ru" and not is_verbatim(hit):
        entry = glossary.get(hit.entry_id)
        case = inflect_ru.candidate_cases("", before[-1] if before else None)[0]
        form = inflect_ru.inflect(form, case, fixed=bool(entry and entry.fixed)) or form
    return f"{head} {form}".strip()


def _collapse_repeats(text: str, hits: list[TermHit], locale: Locale) -> str:
    """NMT sometimes says a name twice in a row ("ЦРУ ЦРУ"): keep one."""
    for hit in hits:
        for rendered in {h.rendered for h in compliance([hit], text, locale) if h.rendered}:
            text = re.sub(rf"(?<!\w)({re.escape(rendered)})(?:\s+{re.escape(rendered)})+(?!\w)", r"\1", text)
    return text


__all__ = ["Enforced", "enforce", "enforce_detailed"]
