"""The MT stage: unique source sentences in, target texts out, through one engine route.

It sits above ``mt/`` (engines) and ``glossary/`` (terms, enforcement) and combines them, so
no engine ever imports the glossary.

Every sentence of a run for one language pair goes through the route in one batched pass
(per hop); a pivot route (src→en→tgt) runs the first hop plainly and applies the glossary on
the last hop, because the glossary is keyed on English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .document import TermHit
from .glossary import enforce_detailed, match_terms, protect
from .mt.base import TranslationEngine


@dataclass
class MTResult:
    text: str
    terms: list[TermHit] = field(default_factory=list)
    redecoded: bool = False  # glossary enforcement decoded it a second time with a term forced in


def translate_sources(
    sources: Sequence[str],
    route: Sequence[TranslationEngine],
    *,
    glossary=None,
    locale=None,
    hypotheses: int = 2,
) -> list[MTResult]:
    """Translate unique sources along ``route`` (one engine, or two through English);
    glossary enforcement on the last hop only."""
    texts = list(sources)
    results = [MTResult(t) for t in texts]
    for hop, engine in enumerate(route):
        last = hop == len(route) - 1
        if last and glossary is not None and locale is not None and glossary.entries:
            results = _translate_with_glossary(texts, engine, glossary, locale, hypotheses)
        else:
            results = [MTResult(t.best.text) for t in engine.translate(texts)]
        texts = [r.text for r in results]
    return results


def _translate_with_glossary(texts: list[str], engine: TranslationEngine, glossary, locale,
                             hypotheses: int) -> list[MTResult]:
    """One batched call for all; when any sentence has terms or verbatim items, every sentence
    comes back with hypotheses and attention (cheaper than a second decode loop), and those
    sentences go through enforcement.

    ``hypotheses`` should be the beam size: the beam holds them anyway, so asking for more
    than one costs nothing, while asking for more than the beam would widen it."""
    def needs_care(text: str) -> bool:  # numbers are only verified, so they need no attention
        return bool(match_terms(glossary, text, locale.site)) or any(
            item.kind in ("url", "email") for item in protect(text, [])[1])

    careful = [i for i, text in enumerate(texts) if needs_care(text)]
    if not careful:
        return [MTResult(t.best.text) for t in engine.translate(texts)]
    translations = engine.translate(texts, num_hypotheses=max(2, hypotheses), return_attention=True)
    results = [MTResult(t.best.text) for t in translations]
    sources = [texts[i] for i in careful]
    enforced = enforce_detailed(sources, [translations[i] for i in careful], engine, glossary, locale)
    for i, item in zip(careful, enforced):
        results[i] = MTResult(item.text, list(item.hits), item.redecoded)
    return results
