"""The MT stage: unique source sentences in, target texts out, through one engine route.

Every sentence of a run for one language pair goes through the route in one batched pass
(per hop); a pivot route (src→en→tgt) runs the first hop plainly and applies the glossary on
the last hop, because the glossary is keyed on English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..document import Segment, TermHit
from .base import TranslationEngine

ProgressHook = Callable[[int], None]


@dataclass
class MTResult:
    text: str
    terms: list[TermHit] = field(default_factory=list)


def translate_sources(
    sources: Sequence[str],
    route: Sequence[TranslationEngine],
    *,
    glossary=None,
    locale=None,
    on_progress: ProgressHook | None = None,
) -> list[MTResult]:
    """Translate unique sources along ``route``; glossary enforcement on the last hop only."""
    texts = list(sources)
    for hop, engine in enumerate(route):
        last = hop == len(route) - 1
        if last and glossary is not None and locale is not None and glossary.entries:
            results = _translate_with_glossary(texts, engine, glossary, locale)
        else:
            results = [MTResult(t.best.text) for t in engine.translate(texts)]
        texts = [r.text for r in results]
    if on_progress:
        on_progress(len(sources))
    return results if route else [MTResult(t) for t in texts]


def _translate_with_glossary(texts: list[str], engine: TranslationEngine, glossary, locale) -> list[MTResult]:
    from ..glossary import enforce, match_terms, protect, restore

    segments = []
    protected_texts = []
    restore_maps = []
    for index, text in enumerate(texts):
        hits = match_terms(glossary, text, locale.lang)
        protected, restore_map = protect(text, hits)
        segments.append(Segment(id=f"mt{index}", source=text, start=0, end=len(text), terms=hits))
        protected_texts.append(protected)
        restore_maps.append(restore_map)
    wants_detail = any(s.terms for s in segments)
    translations = engine.translate(
        protected_texts,
        num_hypotheses=4 if wants_detail else 1,
        return_attention=wants_detail,
    )
    for translation, restore_map in zip(translations, restore_maps):
        for hypothesis in translation.hypotheses:
            hypothesis.text = restore(hypothesis.text, restore_map)
    finals = enforce(segments, translations, engine, glossary, locale)
    return [MTResult(text, list(segment.terms)) for text, segment in zip(finals, segments)]
