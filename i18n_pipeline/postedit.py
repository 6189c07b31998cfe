"""Post-editing figures: how much translators changed the MT (HTER, chrF) and how often they kept it.

Per segment, from the newest save of each edited segment (``WorkspaceStore.all_latest``): the
MT text it started from against the final text. HTER is sacrebleu's TER with the MT as the
hypothesis and the post-edit as the reference, case-sensitive as WMT's APE tasks score it;
chrF is sacrebleu's chrF (same direction). Groups (overall, per article, locale, translator)
are scored at corpus level, so long sentences weigh more, as sacrebleu does for a test set.
Segments without an MT text (saved over a human translation) are left out. Every figure
carries the metric signatures that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sacrebleu.metrics import CHRF, TER

from .tm.workspace import EditRecord


@dataclass
class Figures:
    segments: int
    unchanged: int  # saved with the MT text as it was
    hter: float  # percent
    chrf: float

    @property
    def unchanged_share(self) -> float:
        return 100 * self.unchanged / self.segments if self.segments else 0.0

    def as_dict(self) -> dict:
        return {"segments": self.segments, "unchanged": self.unchanged, "unchanged_share": round(self.unchanged_share, 1),
                "hter": round(self.hter, 2), "chrf": round(self.chrf, 2)}


@dataclass
class PostEditReport:
    overall: Figures
    by: dict[str, dict[str, Figures]] = field(default_factory=dict)  # "article" | "locale" | "who" → key → figures
    signatures: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"overall": self.overall.as_dict(), "signatures": self.signatures,
                **{group: {k: f.as_dict() for k, f in items.items()} for group, items in self.by.items()}}


def segment_hter(mt: str, post_edit: str) -> float:
    """HTER of one segment, percent: TER of the MT against its post-edit (case-sensitive)."""
    return TER(case_sensitive=True).sentence_score(mt, [post_edit]).score


def figures(edits: Iterable[EditRecord], metrics: tuple[TER, CHRF] | None = None) -> Figures:
    ter, chrf = metrics or (TER(case_sensitive=True), CHRF())
    pairs = [(e.mt_text, e.target) for e in edits if e.mt_text]
    if not pairs:
        return Figures(0, 0, 0.0, 0.0)
    hyps, refs = [m for m, _ in pairs], [[t for _, t in pairs]]
    return Figures(len(pairs), sum(m == t for m, t in pairs), ter.corpus_score(hyps, refs).score,
                   chrf.corpus_score(hyps, refs).score)


def report(edits: list[EditRecord]) -> PostEditReport:
    """Figures overall and per article, locale and translator."""
    metrics = (TER(case_sensitive=True), CHRF())
    result = PostEditReport(figures(edits, metrics))
    if result.overall.segments:  # sacrebleu knows the signature once a metric has scored
        result.signatures = {"hter": str(metrics[0].get_signature()), "chrf": str(metrics[1].get_signature())}
    for group, key in (("article", lambda e: e.article), ("locale", lambda e: e.locale), ("who", lambda e: e.who)):
        buckets: dict[str, list[EditRecord]] = {}
        for e in edits:
            buckets.setdefault(key(e), []).append(e)
        result.by[group] = {k: figures(v, metrics) for k, v in sorted(buckets.items())}
    return result
