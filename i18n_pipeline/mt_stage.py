"""The MT stage: unique source sentences in, target texts out, through one engine route.

It sits above ``mt/`` (engines) and ``glossary/`` (terms, enforcement) and combines them, so
no engine ever imports the glossary.

Every sentence of a run for one language pair goes through the route in one batched pass
(per hop); a pivot route (src→en→tgt) runs the first hop plainly and applies the glossary on
the last hop, because the glossary is keyed on English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from .document import TermHit
from .glossary import enforce_detailed, match_terms, protect, queue_term_renderings
from .mt.base import TranslationEngine, translate_async


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
    return submit_sources(sources, route, glossary=glossary, locale=locale, hypotheses=hypotheses).results()


class PendingMT:
    """Sources queued on the engine (``submit_sources``); ``results()`` waits for the decoding,
    then runs glossary enforcement, which needs the whole batch's first decode."""

    def __init__(self, finish: Callable[[], list[MTResult]], decoded: Callable[[], object] = lambda: None,
                 enforces: bool = False):
        self._finish, self._decoded, self._results = finish, decoded, None
        self.enforces = enforces  # results() will call the engine again (glossary enforcement, a pivot hop)

    def wait(self) -> None:
        """Until the first decode is done (a pivot route decodes in ``results``)."""
        self._decoded()

    def results(self) -> list[MTResult]:
        if self._results is None:
            self._results = self._finish()
            # The engine's translations (hypotheses, attention: large) are not needed any more.
            self._finish, self._decoded = list, lambda: None
        return self._results


def submit_sources(
    sources: Sequence[str],
    route: Sequence[TranslationEngine],
    *,
    glossary=None,
    locale=None,
    hypotheses: int = 2,
) -> PendingMT:
    """``translate_sources`` in two halves: queue the first decode now and return; the caller
    does other work (reads the next articles, writes finished ones) while the engine decodes.
    A pivot route runs when ``results()`` is called (its second hop needs the first one's text)."""
    texts = list(sources)
    if not texts:
        return PendingMT(list)
    if len(route) != 1:
        return PendingMT(lambda: _translate_route(texts, route, glossary, locale, hypotheses), enforces=True)
    engine = route[0]
    if glossary is None or locale is None or not glossary.entries:
        return _plain(engine, texts)
    hits = [match_terms(glossary, text, locale.site) for text in texts]
    careful = [i for i, text in enumerate(texts) if hits[i] or _has_verbatim(text)]
    if not careful:
        return _plain(engine, texts)
    # Sentences with terms or verbatim items come back with hypotheses and attention, for
    # enforcement; the rest as plain text (two queued calls cost what one does, and attention
    # for every hypothesis of every sentence would hold hundreds of MB of Python lists).
    # ``hypotheses`` should be the beam size: the beam holds them anyway, so asking for more
    # than one costs nothing, while asking for more than the beam would widen it.
    chosen = set(careful)
    plain = [i for i in range(len(texts)) if i not in chosen]
    # The terms' own translations first: tiny, and enforcement needs them as soon as these are decoded.
    queue_term_renderings(engine, glossary, locale, {h.term for i in careful for h in hits[i] if h.expected})
    detailed = translate_async(engine, [texts[i] for i in careful], num_hypotheses=max(2, hypotheses),
                               return_attention=True)
    rest = translate_async(engine, [texts[i] for i in plain]) if plain else None

    def decoded() -> None:
        detailed.result()
        if rest is not None:
            rest.result()

    def finish() -> list[MTResult]:
        results: list[MTResult | None] = [None] * len(texts)
        for i, translation in zip(plain, rest.result() if rest is not None else []):
            results[i] = MTResult(translation.best.text)
        enforced = enforce_detailed([texts[i] for i in careful], detailed.result(), engine, glossary, locale)
        for i, item in zip(careful, enforced):
            results[i] = MTResult(item.text, list(item.hits), item.redecoded)
        return results

    return PendingMT(finish, decoded, enforces=True)


def _plain(engine: TranslationEngine, texts: list[str]) -> PendingMT:
    pending = translate_async(engine, texts)
    return PendingMT(lambda: [MTResult(t.best.text) for t in pending.result()], pending.result)


def _translate_route(texts: list[str], route, glossary, locale, hypotheses: int) -> list[MTResult]:
    results = [MTResult(t) for t in texts]
    for hop, engine in enumerate(route):
        last = hop == len(route) - 1
        results = submit_sources(texts, [engine], glossary=glossary if last else None, locale=locale,
                                 hypotheses=hypotheses).results()
        texts = [r.text for r in results]
    return results


def _has_verbatim(text: str) -> bool:
    """Terms or verbatim items (URLs, e-mail) need hypotheses and attention; numbers are only
    verified, so they need none. This is the verbatim half."""
    return any(item.kind in ("url", "email") for item in protect(text, [])[1])
