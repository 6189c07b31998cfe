"""The MT stage: unique source sentences in, target texts out, through one engine route.

Every sentence of a run for one language pair goes through the route in one batched pass
(per hop); a pivot route (src→en→tgt) runs the first hop plainly and applies the glossary on
the last hop, because the glossary is keyed on English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from ..document import TermHit
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
    """Sentences with terms or verbatim items get hypotheses and attention for enforcement;
    the rest decode plainly (cheaper). Both groups are one batched call each."""
    from ..glossary import enforce_detailed, match_terms, protect

    def needs_care(text: str) -> bool:  # numbers are only verified, so they need no attention
        return bool(match_terms(glossary, text, locale.site)) or any(
            item.kind in ("url", "email") for item in protect(text, [])[1])

    needs_care = [needs_care(t) for t in texts]
    results: list[MTResult | None] = [None] * len(texts)
    plain = [i for i, care in enumerate(needs_care) if not care]
    for i, translation in zip(plain, engine.translate([texts[i] for i in plain])):
        results[i] = MTResult(translation.best.text)
    careful = [i for i, care in enumerate(needs_care) if care]
    if careful:
        sources = [texts[i] for i in careful]
        translations = engine.translate(sources, num_hypotheses=4, return_attention=True)
        for i, enforced in zip(careful, enforce_detailed(sources, translations, engine, glossary, locale)):
            results[i] = MTResult(enforced.text, list(enforced.hits))
    return [r for r in results if r is not None]
