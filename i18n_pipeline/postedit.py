"""Post-editing figures: how much translators changed the MT (HTER, chrF) and how often they kept it.

Per segment, from the newest save of each edited segment (``WorkspaceStore.all_latest``): the
MT text it started from against the final text. HTER is sacrebleu's TER with the MT as the
hypothesis and the post-edit as the reference, case-sensitive as WMT's APE tasks score it;
chrF is sacrebleu's chrF (same direction). Groups (overall, per article, locale, translator, ISO week,
model, term-base version and glossary key, and per model per week) are scored at corpus level (each segment also
on its own, sentence level), so long sentences weigh more, as sacrebleu does for a test set.
Segments without an MT text (saved over a human translation) are left out. Every figure
carries the metric signatures that produced it.

Edit time: a segment's time is the sum of its saves' ``edit_ms`` (focus to save, each capped by
the workspace, ``workspace.EDIT_MS_CAP``). As Matecat does for post-editing effort, a segment over
``SLOW_SECONDS_PER_WORD`` (25 s per source word) is left out of the time figures and counted as
``slow``; a segment with no measured time is left out too. ``seconds_per_word`` is the timed
segments' seconds over their source words (whitespace-separated).

Model: what produced the MT text a save started from, as the workspace records it with the save
(``model_key``: ``"translate-en_ru 1.9"``). Two glossary versions, each a group of its own:

- ``termbase`` (``termbase_key``): the version of the whole term base the run that made (or reused)
  the MT used, ``Glossary.hash`` (16 hex digits, a digest of every usable entry, whatever file or
  order they are in; the glossary desk's history names the change that made each one). "Did the
  term base of last week help?" is this group.
- ``glossary`` (``glossary_key``): the MT's glossary key, as the TM rows carry it: the hash of the
  term-base entries that matched that sentence when it was translated
  (``glossary.impact.segment_key``), so a sentence changes group only when one of *its* terms changes.

An MT reused from the TM is valid under the run's term base (its key matched), so it carries the
run's ``termbase``. Saves from before these were recorded group under ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from sacrebleu.metrics import CHRF, TER

from .tm.workspace import EditRecord


@dataclass
class Figures:
    segments: int
    unchanged: int  # saved with the MT text as it was
    hter: float  # percent
    chrf: float
    timed: int = 0  # segments with a measured edit time within SLOW_SECONDS_PER_WORD
    slow: int = 0  # segments left out of the time figures: over SLOW_SECONDS_PER_WORD
    timed_words: int = 0  # source words of the timed segments
    edit_seconds: float = 0.0  # the timed segments' edit time

    @property
    def unchanged_share(self) -> float:
        return 100 * self.unchanged / self.segments if self.segments else 0.0

    @property
    def seconds_per_word(self) -> float:
        return self.edit_seconds / self.timed_words if self.timed_words else 0.0

    def as_dict(self) -> dict:
        return {"segments": self.segments, "unchanged": self.unchanged, "unchanged_share": round(self.unchanged_share, 1),
                "hter": round(self.hter, 2), "chrf": round(self.chrf, 2), "timed": self.timed, "slow": self.slow,
                "edit_seconds": round(self.edit_seconds, 1), "seconds_per_word": round(self.seconds_per_word, 2)}


UNKNOWN = "unknown"


@dataclass(frozen=True)
class SegmentFigures:
    """One edited segment's own figures (sentence-level HTER and chrF, the same metrics), with its texts."""

    article: str
    locale: str
    segment_id: str
    model: str
    glossary: str
    hter: float
    chrf: float
    unchanged: bool
    edit_seconds: float  # every save of it together (0: not measured)
    termbase: str = UNKNOWN  # the whole term base's version (``termbase_key``)
    source: str = ""
    mt_text: str = ""  # the MT the segment started from (the hypothesis)
    final: str = ""  # the newest saved text (the reference)
    who: str = ""  # the newest save's translator
    at: str = ""  # and when

    def as_dict(self) -> dict:
        return {"article": self.article, "locale": self.locale, "segment": self.segment_id, "model": self.model,
                "glossary": self.glossary, "termbase": self.termbase, "hter": round(self.hter, 2),
                "chrf": round(self.chrf, 2),
                "unchanged": self.unchanged, "edit_seconds": round(self.edit_seconds, 1), "source": self.source,
                "mt": self.mt_text, "final": self.final, "who": self.who, "at": self.at}


@dataclass
class PostEditReport:
    overall: Figures
    # "article" | "locale" | "who" | "week" | "model" | "termbase" | "glossary" → key → figures
    by: dict[str, dict[str, Figures]] = field(default_factory=dict)
    model_week: dict[str, dict[str, Figures]] = field(default_factory=dict)  # model key → ISO week → figures
    segments: list[SegmentFigures] = field(default_factory=list)  # every edited segment with an MT text
    signatures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(), "signatures": self.signatures,
                **{group: {k: f.as_dict() for k, f in items.items()} for group, items in self.by.items()},
                "model_week": {m: {w: f.as_dict() for w, f in weeks.items()} for m, weeks in self.model_week.items()},
                "segments": [f.as_dict() for f in self.segments]}

    def segments_of(self, article: str) -> list[SegmentFigures]:
        """One article's edited segments (every locale), as ``segments`` orders them."""
        return [f for f in self.segments if f.article == article]


def segment_hter(mt: str, post_edit: str) -> float:
    """HTER of one segment, percent: TER of the MT against its post-edit (case-sensitive)."""
    return TER(case_sensitive=True).sentence_score(mt, [post_edit]).score


SLOW_SECONDS_PER_WORD = 25.0


def week_of(e: EditRecord) -> str:
    """The ISO week of the save, ``2026-W09`` (``unknown`` for a timestamp that does not parse)."""
    try:
        return datetime.fromisoformat(e.at).strftime("%G-W%V")
    except ValueError:
        return "unknown"


def model_key(e: EditRecord) -> str:
    """``"translate-en_ru 1.9"``: the model and version that produced the save's MT text (``unknown``: not recorded)."""
    return f"{e.model} {e.model_version}".strip() or UNKNOWN


def glossary_key(e: EditRecord) -> str:
    """The key of the term-base entries that matched the sentence (``unknown``: not recorded)."""
    return e.glossary_hash or UNKNOWN


def termbase_key(e: EditRecord) -> str:
    """The version of the whole term base the MT was made under (``unknown``: not recorded, or no term base)."""
    return e.termbase or UNKNOWN


def _key(e: EditRecord) -> tuple[str, str, str]:
    return (e.article, e.locale, e.segment_id)


def figures(
    edits: Iterable[EditRecord], metrics: tuple[TER, CHRF] | None = None, times: Mapping[tuple[str, str, str], int] | None = None
) -> Figures:
    """``times``: milliseconds per (article, locale, segment id); default each record's own ``edit_ms``."""
    ter, chrf = metrics or (TER(case_sensitive=True), CHRF())
    kept = [e for e in edits if e.mt_text]
    if not kept:
        return Figures(0, 0, 0.0, 0.0)
    hyps, refs = [e.mt_text for e in kept], [[e.target for e in kept]]
    result = Figures(len(kept), sum(e.mt_text == e.target for e in kept), ter.corpus_score(hyps, refs).score,
                     chrf.corpus_score(hyps, refs).score)  # fmt: skip
    for e in kept:
        ms = times.get(_key(e), 0) if times is not None else e.edit_ms
        words = max(1, len(e.source.split()))
        if ms <= 0:
            continue
        if ms / 1000 / words > SLOW_SECONDS_PER_WORD:
            result.slow += 1
            continue
        result.timed += 1
        result.timed_words += words
        result.edit_seconds += ms / 1000
    return result


def report(edits: list[EditRecord], times: Mapping[tuple[str, str, str], int] | None = None) -> PostEditReport:
    """Figures overall and per article, locale, translator, ISO week of the save, model, term-base version, glossary key,
    per model per week, and per segment (``times`` as for ``figures``). Model and glossary groups hold only saves
    with an MT text: a save over a human translation has no model to attribute."""
    metrics = (TER(case_sensitive=True), CHRF())
    result = PostEditReport(figures(edits, metrics, times))
    if result.overall.segments:  # sacrebleu knows the signature once a metric has scored
        result.signatures = {"hter": str(metrics[0].get_signature()), "chrf": str(metrics[1].get_signature())}
    with_mt = [e for e in edits if e.mt_text]
    groups = (("article", edits, lambda e: e.article), ("locale", edits, lambda e: e.locale), ("who", edits, lambda e: e.who),
              ("week", edits, week_of), ("model", with_mt, model_key), ("termbase", with_mt, termbase_key),
              ("glossary", with_mt, glossary_key))  # fmt: skip
    for group, items, key in groups:
        result.by[group] = {k: figures(v, metrics, times) for k, v in _buckets(items, key).items()}
    for model, saves in _buckets(with_mt, model_key).items():
        result.model_week[model] = {w: figures(v, metrics, times) for w, v in _buckets(saves, week_of).items()}
    ter, chrf = metrics
    for e in with_mt:
        ms = times.get(_key(e), 0) if times is not None else e.edit_ms
        result.segments.append(SegmentFigures(
            e.article, e.locale, e.segment_id, model_key(e), glossary_key(e), ter.sentence_score(e.mt_text, [e.target]).score,
            chrf.sentence_score(e.mt_text, [e.target]).score, e.mt_text == e.target, ms / 1000, termbase_key(e),
            e.source, e.mt_text, e.target, e.who, e.at))
    return result


def _buckets(edits: Iterable[EditRecord], key) -> dict[str, list[EditRecord]]:
    buckets: dict[str, list[EditRecord]] = {}
    for e in edits:
        buckets.setdefault(key(e), []).append(e)
    return dict(sorted(buckets.items()))
