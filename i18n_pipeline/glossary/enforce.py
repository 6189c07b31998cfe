"""Make MT output use the approved terms without ever corrupting the sentence, on any model.

For each segment, in order of preference:
1. a hypothesis (of ``num_hypotheses``) that already renders every term → kept (``ok``);
2. the best-ranked hypothesis in which every missing term has a *place*: a stretch of the text
   that renders the term, found in the text itself (``renderings.py``: the English term, the
   model's own translation of the term alone, an approved target in an unaccepted form).
   Attention never decides a place; it only chooses between several places for one term. The
   approved target goes in, in the form the place needs (Russian case from the replaced words
   and the preposition before them, ties settled by ``engine.score``; Armenian: the model's
   suffix re-attached; a possessive becomes the genitive) → ``enforced``;
3. terms with no place: one batched re-decode with a ``target_prefix`` that forces every such
   term, in source order, at the word boundary the model itself scores best (candidates near
   where attention points); the re-decode is kept only when it still holds every word of the
   hypothesis, so nothing the model wrote is lost → ``enforced``;
4. otherwise the model's words stay as they are and the hit is ``missing`` for QA and the
   translator. Never a guessed span.

The invariant, checked in code on every result (``_splice``): every character outside the
edited spans equals the hypothesis the edits were planned on.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..document import Segment, Target, TermHit
from ..locales import Locale
from ..mt.base import Hypothesis, Translation, TranslationEngine, translate_async
from . import inflect_hy, inflect_ru
from .compliance import compliance, is_verbatim, rendering_spans
from .matcher import match_terms
from .renderings import CLOSE_QUOTES, OPEN_QUOTES, Place, find_places, same_word
from .termbase import Glossary

log = logging.getLogger(__name__)
TERM_PIECES_RATIO = 3  # a term on its own decodes at most 3 target pieces a source piece (+4)

_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*|[^\w\s]")  # words and punctuation marks
_HYPHEN_SUFFIX = re.compile(r"-(?:%s)(?![^\W_])" % "|".join(inflect_hy.SUFFIXES))
ATTENTION_REACH = 3  # pieces: reported attention may sit this far from the piece it explains
CONFIDENT = 1.5  # the chosen places must score this many times the runner-up
CUT_WINDOW = 2  # words either side of the attention hint where a forced term may go
EXTRA_WORDS = 1  # words a re-decode may add besides the forced terms (a preposition)
PROBE_PIECES = 8  # pieces a greedy look past a re-decode's prefix decodes (see _probe)


class InvariantError(AssertionError):
    """An edit would change text outside its span (a bug, never a user error)."""


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
    hit_index: int | None  # None: a repeated rendering removed ("ЦРУ ЦРУ")


@dataclass
class _Insertion:
    hit_index: int
    cut: int | None = None  # the boundary of the hypothesis text the term goes before, once chosen
    form: str = ""


@dataclass
class _Work:
    source: str
    translation: Translation
    hits: list[TermHit]  # all hits, in source order
    text: str = ""
    hypothesis: Hypothesis | None = None  # the one the edits apply to
    edits: list[_Edit] = field(default_factory=list)
    insertions: list[_Insertion] = field(default_factory=list)
    statuses: dict[int, str] = field(default_factory=dict)  # hit index → "enforced"
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
    try:
        return _enforce(work, engine, glossary, locale)
    except InvariantError:  # a bug, never the user's input: keep every model text, flag the terms
        log.exception("glossary enforcement kept the model's text for this batch")
        for item in work:
            item.edits, item.insertions, item.statuses, item.redecoded = [], [], {}, False
            item.text = item.translation.hypotheses[0].text if item.translation.hypotheses else ""
        return [Enforced(item.text, compliance(item.hits, item.text, locale)) for item in work]


def _enforce(work: list[_Work], engine: TranslationEngine, glossary: Glossary, locale: Locale) -> list[Enforced]:
    todo = [item for item in work if _needs_edits(item, locale)]
    renderings = term_renderings(engine, glossary, locale, {h.term for w in todo for h in w.hits if h.expected})
    for item in todo:
        _plan(item, glossary, locale, renderings)
    _score_choices(todo, engine, glossary, locale)
    for item in todo:
        item.text = _splice(item.hypothesis.text, item.edits)
        item.statuses |= {e.hit_index: "enforced" for e in item.edits if e.hit_index is not None}
    _redecode([w for w in todo if w.insertions], engine, glossary, locale, renderings)
    return [_finish(item, locale) for item in work]


# --- the terms' own translations ------------------------------------------------------------


def term_renderings(engine: TranslationEngine, glossary: Glossary, locale: Locale, terms: set[str]) -> dict[str, list[str]]:
    """How this model translates each term on its own, cached on the engine per glossary and
    locale (a run translates each term once): what ``queue_term_renderings`` queued is collected,
    the rest decoded now."""
    seen, queued = _rendering_cache(engine, glossary, locale)
    for term in sorted(t for t in terms if t in queued):
        if term in queued:  # collected with an earlier term of its call
            pending, group = queued[term]
            _keep(seen, group, pending.result())
            for member in group:
                queued.pop(member, None)
    for cap, group in _by_cap(engine, sorted(t for t in terms if t not in seen)):
        _keep(seen, group, engine.translate(group, num_hypotheses=1, max_length=cap))
    return {t: seen[t] for t in terms}


def queue_term_renderings(engine: TranslationEngine, glossary: Glossary, locale: Locale, terms: Iterable[str]) -> None:
    """Queue the terms' own translations on an engine with a queue (``translate_async``), ahead
    of the sentences that hold them, so enforcement finds them decoded instead of decoding them
    after the sentences (on one urgent article, a wait for each locale). An engine without a
    queue decodes them when enforcement asks, as before."""
    if getattr(engine, "translate_async", None) is None:
        return
    seen, queued = _rendering_cache(engine, glossary, locale)
    for cap, group in _by_cap(engine, sorted({t for t in terms if t not in seen and t not in queued})):
        pending = translate_async(engine, group, num_hypotheses=1, max_length=cap)
        for term in group:
            queued[term] = (pending, group)


def _rendering_cache(engine: TranslationEngine, glossary: Glossary, locale: Locale) -> tuple[dict, dict]:
    key = (glossary.hash, locale.site)
    seen = engine.__dict__.setdefault("_glossary_renderings", {}).setdefault(key, {})
    queued = engine.__dict__.setdefault("_glossary_renderings_queued", {}).setdefault(key, {})
    return seen, queued


def _by_cap(engine: TranslationEngine, terms: list[str]) -> list[tuple[int | None, list[str]]]:
    """Terms grouped by their decoding cap, one call a group: a term's rendering is a few
    pieces, never a sentence's worth (a decoding minimum set for sentences does not apply), and
    its cap is its own, so what a term decodes to does not depend on the terms beside it."""
    pieces = getattr(engine, "source_pieces", None)
    if not terms:
        return []
    if pieces is None:
        return [(None, terms)]
    groups: dict[int, list[str]] = {}
    for term in terms:
        groups.setdefault(TERM_PIECES_RATIO * len(pieces(term)) + 4, []).append(term)
    return sorted(groups.items())


def _keep(seen: dict[str, list[str]], terms: list[str], translations: list[Translation]) -> None:
    for term, translation in zip(terms, translations):
        text = translation.best.text.strip(" .,;:!?\"'«»“”„") if translation.hypotheses else ""
        seen[term] = [text] if text and text.lower() != term.lower() else []


# --- plan: places for missing terms ----------------------------------------------------------


def _needs_edits(item: _Work, locale: Locale) -> bool:
    hypotheses = item.translation.hypotheses
    item.hypothesis = hypotheses[0] if hypotheses else Hypothesis("")
    item.text = item.hypothesis.text
    if not hypotheses or not any(h.expected for h in item.hits):
        return False
    for hypothesis in hypotheses:
        if all(h.status in ("ok", "no-target") for h in compliance(item.hits, hypothesis.text, locale)):
            item.hypothesis, item.text = hypothesis, hypothesis.text
            return False
    return True


def _plan(item: _Work, glossary: Glossary, locale: Locale, renderings: dict[str, list[str]]) -> None:
    """Edits on the best-ranked hypothesis where every missing term has a place; else on the
    first one, with the terms that have none to be forced by a re-decode."""
    plans = []
    for hypothesis in item.translation.hypotheses:
        edits, unplaced = _places(item, hypothesis, glossary, locale, renderings)
        if not unplaced:
            item.hypothesis, item.edits = hypothesis, edits
            return
        plans.append((hypothesis, edits, unplaced))
    hypothesis, edits, unplaced = plans[0]
    item.hypothesis, item.edits = hypothesis, edits
    if hypothesis.truncated:
        # The model ran into the length cap: a re-decode that must keep all of this text and add
        # the term meets the same cap and could never be kept. The terms stay missing (flagged).
        log.info("glossary: no re-decode for %r: its translation stopped at the length cap", item.source[:60])
        return
    item.insertions = [_Insertion(i) for i in sorted(unplaced, key=lambda i: item.hits[i].start)]


def _places(item: _Work, hypothesis: Hypothesis, glossary: Glossary, locale: Locale,
            renderings: dict[str, list[str]]) -> tuple[list[_Edit], list[int]]:
    text = hypothesis.text
    checked = compliance(item.hits, text, locale)
    missing = [i for i, h in enumerate(checked) if h.status == "missing"]
    taken = [span for h in item.hits if h.expected for span in rendering_spans(h, text, locale.lang)]
    by_entry: dict[str, list[int]] = {}
    for index in missing:
        by_entry.setdefault(item.hits[index].entry_id, []).append(index)
    places: dict[str, list[Place]] = {}
    for entry_id, indices in by_entry.items():
        hit = item.hits[indices[0]]
        places[entry_id] = [p for p in find_places(hit, text, locale.lang, glossary, renderings.get(hit.term, []))
                            if not any(p.start < e and s < p.end for s, e in taken)]
    # As in the source, the longer name wins: "Trump" inside "Donald Trump" is not a place of "Trump".
    longer = [(q, entry_id) for entry_id, found in places.items() for q in found]
    chosen: dict[int, Place] = {}
    for entry_id, indices in by_entry.items():
        own = [p for p in places[entry_id] if not any(
            other != entry_id and q.start <= p.start and p.end <= q.end and q.end - q.start > p.end - p.start
            for q, other in longer)]
        chosen |= _assign(indices, own, item, hypothesis)
    # A stretch claimed for two different terms belongs to neither: leave it, flag both.
    clash = {i for i, j in itertools.permutations(chosen, 2)
             if chosen[i].start < chosen[j].end and chosen[j].start < chosen[i].end}
    edits: list[_Edit] = []
    for index in sorted(set(chosen) - clash, key=lambda i: chosen[i].start):
        start, end, suffix = _widen(text, chosen[index], item.hits[index])
        if edits and start < edits[-1].end:  # widened into its neighbour's quotes: neither is sure
            clash |= {index, edits.pop().hit_index}
            continue
        forms = _forms_for(item.hits[index], text, start, end, suffix, chosen[index].possessive, glossary, locale)
        edits.append(_Edit(start, end, forms, index))
    return edits, [i for i in missing if i not in chosen or i in clash]


def _assign(indices: list[int], places: list[Place], item: _Work, hypothesis: Hypothesis) -> dict[int, Place]:
    """Which occurrence of a term gets which place: in order when the counts agree; else the
    order-keeping match the attention prefers, if it clearly does; else none."""
    if not places:
        return {}
    if len(places) == len(indices):
        return dict(zip(indices, places))
    options = []
    k = min(len(places), len(indices))
    for hit_choice in itertools.combinations(indices, k):
        for place_choice in itertools.combinations(places, k):
            options.append(dict(zip(hit_choice, place_choice)))
    scored = []
    for option in options:
        values = [_attention_on(item, hypothesis, item.hits[i], p) for i, p in option.items()]
        if any(v is None for v in values):
            return {}  # no attention to choose with: do not guess
        scored.append((sum(values), option))
    scored.sort(key=lambda pair: -pair[0])
    best = scored[0][0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return scored[0][1] if best > 0 and best >= CONFIDENT * runner_up else {}


def _attention_on(item: _Work, hypothesis: Hypothesis, hit: TermHit, place: Place) -> float | None:
    """Mean attention the place's pieces pay to the term's pieces, tolerant of a few pieces' shift."""
    attention, spans, source_spans = hypothesis.attention, hypothesis.spans, item.translation.source_spans
    if not attention or spans is None or source_spans is None:
        return None
    term = [s for s, (a, b) in enumerate(source_spans) if a < hit.end and hit.start < b]
    pieces = [t for t, (a, b) in enumerate(spans) if a < place.end and place.start < b and t < len(attention)]
    if not term or not pieces:
        return 0.0
    total = 0.0
    for t in pieces:
        row = attention[t]
        for s, weight in enumerate(row):
            distance = min(abs(s - x) for x in term)
            if distance <= ATTENTION_REACH:
                total += weight * 0.5 ** distance
    return total / len(pieces)


def _widen(text: str, place: Place, hit: TermHit) -> tuple[int, int, str]:
    """The place with the quotes the approved form brings and an Armenian suffix after a hyphen."""
    start, end, suffix = place.start, place.end, ""
    found = _HYPHEN_SUFFIX.match(text, end)
    if found:
        suffix, end = found.group(0)[1:], found.end()
    preferred = hit.expected[0]
    if preferred[:1] in OPEN_QUOTES and start > 0 and text[start - 1] in OPEN_QUOTES:
        start -= 1
        if preferred[-1:] in CLOSE_QUOTES and end < len(text) and text[end] in CLOSE_QUOTES:
            end += 1
    return start, end, suffix


def _forms_for(hit: TermHit, text: str, start: int, end: int, suffix: str, possessive: bool,
               glossary: Glossary, locale: Locale) -> list[str]:
    """The approved target in the form(s) this place in the sentence needs."""
    replaced = text[start:end]
    preferred = hit.expected[0]
    if locale.lang == "hy":  # a do-not-translate name takes the suffix too: Caliber.Az-ի
        if possessive:
            suffix = "ի"
        return [inflect_hy.attach(preferred, suffix or inflect_hy.read_suffix(replaced, hit.expected))]
    if is_verbatim(hit) or locale.lang != "ru":
        return [preferred]
    entry = glossary.get(hit.entry_id)
    fixed = bool(entry and entry.fixed)
    animate = None if not entry or not entry.animacy else entry.animacy == "anim"
    before = re.findall(r"[\w-]+", text[:start])
    preceding = before[-1] if before else None
    if possessive:
        cases = ["gent"]
    else:
        cases = inflect_ru.candidate_cases(replaced, preceding)[:3]
        if preceding is None or preceding.lower() not in inflect_ru.PREPOSITION_CASES:
            cases.append("nomn")  # a mangled word can look oblique; let the score decide
    forms: list[str] = []
    for case in cases:
        form = inflect_ru.inflect(preferred, case, fixed=fixed, animate=animate) or preferred
        if form not in forms:
            forms.append(form)
    return forms or [preferred]


def _form_at(hit: TermHit, head: str, glossary: Glossary, locale: Locale) -> str:
    """The form a forced term takes after ``head`` (Russian: the case its preposition governs)."""
    form = hit.expected[0]
    if locale.lang == "ru" and not is_verbatim(hit):
        entry = glossary.get(hit.entry_id)
        before = re.findall(r"[\w-]+", head)
        case = inflect_ru.candidate_cases("", before[-1] if before else None)[0]
        form = inflect_ru.inflect(form, case, fixed=bool(entry and entry.fixed)) or form
    return form


# --- the model chooses: Russian case forms and where a forced term goes --------------------


def _score_choices(todo: list[_Work], engine: TranslationEngine, glossary: Glossary, locale: Locale) -> None:
    """One batched ``score`` call: each Russian form candidate in context, and each way of
    placing the dropped terms at boundaries near where attention points (all when there is
    none), every term of a sentence at once and in source order."""
    forms: list[tuple[str, str, object, object]] = []  # source, whole text, owner, choice
    placings: list[tuple[str, str, int, object, object]] = []  # source, beginning, where the term starts, …
    for item in todo:
        text = item.hypothesis.text
        for edit in item.edits:
            if len(edit.candidates) > 1:
                for form in edit.candidates:
                    forms.append((item.source, _splice(text, [_Edit(edit.start, edit.end, [form], None)]), edit, form))
        for cuts in _cut_combinations(item):
            # How likely the model says the term right there: the beginning up to the last forced
            # term, scored from the first one on (a placing whose prefix fills the length cap
            # could only come back cut: not scored).
            prefix, _, first = _compose(item, cuts, glossary, locale, whole=False)
            if engine.prefix_fits(item.source, prefix):
                placings.append((item.source, prefix, first, item, cuts))
    best: dict[int, tuple[float, object]] = {}
    scored = []
    if forms:
        scored += zip(forms, engine.score([f[0] for f in forms], [f[1] for f in forms]))
    if placings:
        scores = engine.score([p[0] for p in placings], [p[1] for p in placings], after=[p[2] for p in placings])
        scored += (((p[0], p[1], p[3], p[4]), score) for p, score in zip(placings, scores))
    for (_, _, owner, choice), score in scored:
        if id(owner) not in best or score > best[id(owner)][0]:
            best[id(owner)] = (score, choice)
    for item in todo:
        for edit in item.edits:
            if id(edit) in best:
                edit.candidates = [best[id(edit)][1]]
        if id(item) in best:
            cuts = best[id(item)][1]
            _, chosen, _ = _compose(item, cuts, glossary, locale, whole=False)
            for insertion, cut, form in zip(item.insertions, cuts, chosen):
                insertion.cut, insertion.form = cut, form


MAX_PLACINGS = 16  # ways of placing a sentence's dropped terms that are scored, at most


def _cut_combinations(item: _Work) -> list[tuple[int, ...]]:
    """Candidate cuts for each dropped term, combined in source order (non-decreasing)."""
    if not item.insertions:
        return []
    for window in (CUT_WINDOW, 2, 1, 0):
        options = [_cut_candidates(item, item.hits[i.hit_index], window) for i in item.insertions]
        combos = [c for c in itertools.islice(itertools.product(*options), 4 * MAX_PLACINGS) if list(c) == sorted(c)]
        if len(combos) <= MAX_PLACINGS:
            return combos
    return combos[:MAX_PLACINGS]


def _compose(item: _Work, cuts: tuple[int, ...], glossary: Glossary, locale: Locale,
             whole: bool) -> tuple[str, list[str], int]:
    """The hypothesis with its edits and each dropped term inserted at its cut, in the form the
    words before it need; up to the last inserted term unless ``whole``. Returns the text, the
    forms, and where the first inserted form starts in the text."""
    text = item.hypothesis.text
    out, cursor, forms, first = "", 0, [], None
    for insertion, cut in zip(item.insertions, cuts):
        head = _join(out, _splice(text, item.edits, cursor, cut))
        form = _form_at(item.hits[insertion.hit_index], head, glossary, locale)
        out = _join(head, form)
        if first is None:
            first = len(out) - len(form)
        forms.append(form)
        cursor = cut
    if whole:
        out = _join(out, _splice(text, item.edits, cursor, len(text)))
    return out, forms, first or 0


def _boundaries(text: str) -> list[int]:
    """Where a word may be inserted: before each word, and at the end before final punctuation."""
    starts = [m.start() for m in _WORD.finditer(text)]
    end = len(text.rstrip().rstrip(".!?։…"))
    return sorted(set(starts + [end]))


def _cut_candidates(item: _Work, hit: TermHit, window: int) -> list[int]:
    boundaries = _boundaries(item.hypothesis.text)
    hint = _attention_cut(item, hit, boundaries)
    if hint is None:  # no attention: anywhere in the middle third around the term's position
        position = round((len(boundaries) - 1) * hit.start / max(len(item.source), 1))
        hint, window = position, max(window, len(boundaries) // 3)
    low, high = max(0, hint - window), min(len(boundaries), hint + window + 1)
    # Never inside a stretch an edit replaces: the prefix keeps edits whole.
    return [b for b in boundaries[low:high] if not any(e.start < b < e.end for e in item.edits)]


def _attention_cut(item: _Work, hit: TermHit, boundaries: list[int]) -> int | None:
    """Index of the boundary that best splits the target into "before the term" and "after it"
    by attention mass: a hint for the window the model's own score then chooses in."""
    hypothesis, source_spans = item.hypothesis, item.translation.source_spans
    if not hypothesis.attention or hypothesis.spans is None or source_spans is None:
        return None
    before = [s for s, (a, b) in enumerate(source_spans) if b <= hit.start and b > a]
    after = [s for s, (a, b) in enumerate(source_spans) if a >= hit.end and b > a]
    rows = hypothesis.attention
    gains = []
    for t, (a, b) in enumerate(hypothesis.spans[: len(rows)]):
        row = rows[t]
        gains.append((a, sum(row[s] for s in before) - sum(row[s] for s in after)))
    best, best_value = None, None
    for index, cut in enumerate(boundaries):
        value = sum(g for a, g in gains if a < cut) - sum(g for a, g in gains if a >= cut)
        if best_value is None or value > best_value:
            best, best_value = index, value
    return best


def _join(head: str, tail: str) -> str:
    """Two stretches of a sentence with one space between words, none before punctuation."""
    head, tail = head.rstrip(), tail.lstrip()
    if not head or not tail:
        return head or tail
    glue = " " if tail[0].isalnum() or tail[0] in OPEN_QUOTES or head[-1] in ".,;:!?»”)" else ""
    return head + glue + tail


# --- re-decode: force what had no place, keep it only if nothing is lost ---------------------


def _redecode(todo: list[_Work], engine: TranslationEngine, glossary: Glossary, locale: Locale,
              renderings: dict[str, list[str]]) -> None:
    prefixes: dict[int, str] = {}
    for item in todo:
        prefix = _prefix(item, glossary, locale)
        if prefix is not None and engine.prefix_fits(item.source, prefix):
            prefixes[id(item)] = prefix
    if len(prefixes) < len(todo):
        log.info("glossary: %d re-decode(s) skipped (terms out of order, or the prefix fills the length cap)",
                 len(todo) - len(prefixes))
    wanted = _probe([w for w in todo if id(w) in prefixes], prefixes, engine, locale)
    if not wanted:
        return
    results = engine.translate([w.source for w in wanted], num_hypotheses=1, return_attention=True,
                               target_prefixes=[prefixes[id(w)] for w in wanted])
    for item, result in zip(wanted, results):
        if not result.hypotheses:
            continue
        redone = result.best
        again = _Work(item.source, Translation(result.source_tokens, [redone], result.source_spans), item.hits)
        edits, _ = _places(again, redone, glossary, locale, renderings)
        for edit in edits:
            edit.candidates = edit.candidates[:1]  # no second scoring round: first-ranked case
        text = _splice(redone.text, edits)
        forced = [i.hit_index for i in item.insertions]
        if not _keeps_everything(item, prefixes[id(item)], redone.text, text, forced, locale):
            log.info("glossary: the re-decode lost or rewrote the model's words in %r; kept the first text",
                     item.source[:60])
            continue
        item.hypothesis, item.edits, item.text = redone, edits, text
        item.statuses = {i: "enforced" for i in forced} | {e.hit_index: "enforced" for e in edits}
        item.redecoded = True


def _probe(wanted: list[_Work], prefixes: dict[int, str], engine: TranslationEngine, locale: Locale) -> list[_Work]:
    """The re-decodes worth running: one cheap greedy look a few pieces past each prefix, kept
    when the model, made to say the terms, goes on with words of its own first text (as
    ``_keeps_everything`` will demand of the whole re-decode); a model that goes off elsewhere
    would fail that check after a full beam decode of the sentence, at several times the cost."""
    if not wanted:
        return []
    looks = engine.translate([w.source for w in wanted], num_hypotheses=1, beam_size=1, max_length=PROBE_PIECES,
                             target_prefixes=[prefixes[id(w)] for w in wanted])
    kept = []
    for item, look in zip(wanted, looks):
        prefix = " ".join(prefixes[id(item)].split())
        text = " ".join(look.best.text.split()) if look.hypotheses else ""
        if not text.startswith(prefix):
            continue  # the full re-decode would not start with the prefix either
        said = _TOKEN.findall(text[len(prefix):])[:-1]  # the last word may be cut off mid-way
        last_cut = max(i.cut for i in item.insertions)
        text_before = item.hypothesis.text
        own = _TOKEN.findall(_splice(text_before, item.edits, last_cut))  # with its edits, and without
        own += [w for e in item.edits if e.start >= last_cut for w in _TOKEN.findall(text_before[e.start : e.end])]
        own += [w for i in item.insertions for w in _TOKEN.findall(i.form)]
        if sum(not _take(own, word, locale.lang) for word in said) <= EXTRA_WORDS:
            kept.append(item)
    if len(kept) < len(wanted):
        log.info("glossary: %d re-decode(s) not run: past the forced terms the model left its own words",
                 len(wanted) - len(kept))
    return kept


def _prefix(item: _Work, glossary: Glossary, locale: Locale) -> str | None:
    """The hypothesis (with its edits) up to the last forced term, each term at its cut."""
    cuts = tuple(i.cut for i in item.insertions)
    if any(c is None for c in cuts):
        return None
    return _compose(item, cuts, glossary, locale, whole=False)[0]


def _keeps_everything(item: _Work, prefix: str, redone: str, final_text: str, forced: list[int],
                      locale: Locale) -> bool:
    """The re-decode starts with the prefix, renders every forced term and every term the first
    text rendered, and still holds every word the model wrote the first time (a form of the
    same word will do: the sentence may agree with the term), with at most a few words added."""
    if not " ".join(redone.split()).startswith(" ".join(prefix.split())):
        return False
    final = compliance(item.hits, final_text, locale)
    before = compliance(item.hits, item.text, locale)
    if any(final[i].status != "ok" for i in forced):
        return False
    if any(b.status == "ok" and f.status != "ok" for b, f in zip(before, final)):
        return False
    text, edits = item.hypothesis.text, sorted(item.edits, key=lambda e: e.start)
    required, optional, cursor = [], [], 0
    for edit in edits + [_Edit(len(text), len(text), [""], None)]:
        required += _TOKEN.findall(text[cursor : edit.start])  # the model's own words
        optional += _TOKEN.findall(text[edit.start : edit.end]) + _TOKEN.findall(edit.candidates[0])
        cursor = edit.end
    optional += [w for i in item.insertions for w in _TOKEN.findall(i.form)]
    free = _TOKEN.findall(redone)
    for word in required:  # nothing the model wrote is lost, a full stop included ...
        if not _take(free, word, locale.lang):
            return False
    for word in optional:  # ... the terms (either rendering) account for what it added ...
        _take(free, word, locale.lang)
    return len(free) <= EXTRA_WORDS  # ... but a word or so the sentence now needs ("в")


def _take(words: list[str], word: str, lang: str) -> bool:
    """Remove one form of ``word`` from ``words``; whether there was one."""
    match = next((k for k, w in enumerate(words) if same_word(w, word, lang)), None)
    if match is not None:
        words.pop(match)
    return match is not None


# --- finish ------------------------------------------------------------------------------------


def _splice(text: str, edits: list[_Edit], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with the edits inside it applied; raises InvariantError if the result
    differs from ``text`` anywhere outside the edited spans."""
    end = len(text) if end is None else end
    inside = sorted((e for e in edits if start <= e.start and e.end <= end), key=lambda e: e.start)
    out, cursor, kept = [], start, []
    for edit in inside:
        if edit.start < cursor:
            raise InvariantError(f"overlapping glossary edits at {edit.start} in {text!r}")
        out.append(text[cursor : edit.start])
        kept.append((cursor, edit.start))
        out.append(edit.candidates[0])
        cursor = edit.end
    out.append(text[cursor:end])
    kept.append((cursor, end))
    result = "".join(out)
    # Walk the result: every kept stretch must stand in it unchanged, in order.
    position = 0
    for (a, b), edit in itertools.zip_longest(kept, inside):
        if result[position : position + b - a] != text[a:b]:
            raise InvariantError(f"glossary edit changed text outside its span in {text!r}")
        position += b - a + (len(edit.candidates[0]) if edit else 0)
    return result


def _finish(item: _Work, locale: Locale) -> Enforced:
    text = _splice(item.text, _repeats(item.text, [h for h in item.hits if h.expected], locale))
    checked = compliance(item.hits, text, locale)
    final = []
    for index, hit in enumerate(checked):
        if hit.status == "ok" and item.statuses.get(index) == "enforced":
            hit = replace(hit, status="enforced")
        final.append(hit)
    return Enforced(text, final, item.redecoded)


def _repeats(text: str, hits: list[TermHit], locale: Locale) -> list[_Edit]:
    """NMT sometimes says a name twice in a row ("ЦРУ ЦРУ"): an edit that removes the second,
    only while the text names it more often than the source does."""
    edits: list[_Edit] = []
    spans_of = {h.entry_id: rendering_spans(h, text, locale.lang) for h in hits}
    for entry_id in spans_of:
        same = [h for h in hits if h.entry_id == entry_id]
        # "Трамп" inside "Дональд Трамп" renders the longer name, not this one.
        spans = [(a, b) for a, b in spans_of[entry_id] if not any(
            other != entry_id and c <= a and b <= d and d - c > b - a
            for other, found in spans_of.items() for c, d in found)]
        extra = len(spans) - len(same)
        for (a, b), (c, d) in zip(spans, spans[1:]):
            if extra > 0 and text[b:c].strip() == "" and text[a:b] == text[c:d]:
                edits.append(_Edit(b, d, [""], None))
                extra -= 1
    return edits


__all__ = ["Enforced", "InvariantError", "enforce", "enforce_detailed", "term_renderings"]
