"""The small interface every MT engine implements, so a new model kind is one module.

Engines take whole batches of plain-text sentences (never one call per segment) and return,
per sentence, one or more hypotheses with the token-level detail that glossary enforcement
needs: the source and target pieces, the character span of every piece (as the tokenizer
reports it, never recomputed from piece strings) and, when asked, the attention between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

Span = tuple[int, int]  # [start, end) characters; (k, k) for a piece that prints nothing


@dataclass(frozen=True)
class ModelInfo:
    """Identity of an installed model pack; goes into every target's provenance."""

    name: str  # e.g. "translate-en_ru"
    kind: str  # "argos" | "opus-mt" | "nllb"
    from_code: str
    to_code: str
    version: str
    path: str
    # As recorded in the pack's metadata.json at install ("unknown" when the source names none).
    licence: str = "unknown"
    source_url: str = ""
    attribution: str = ""

    @property
    def non_commercial(self) -> bool:
        return "-NC" in self.licence.upper()


@dataclass
class Hypothesis:
    text: str
    score: float = 0.0
    target_tokens: list[str] = field(default_factory=list)
    # attention[t][s]: weight of source piece s when producing target piece t (if requested)
    attention: list[list[float]] | None = None
    # spans[t]: characters of ``text`` that target piece t printed, from the tokenizer's decoder
    spans: list[Span] | None = None
    # decoding stopped at the length cap, not at </s>: the model did not finish this text
    truncated: bool = False


@dataclass
class Translation:
    source_tokens: list[str]
    hypotheses: list[Hypothesis]
    # source_spans[s]: characters of the source sentence that source piece s stands for
    source_spans: list[Span] | None = None

    @property
    def best(self) -> Hypothesis:
        return self.hypotheses[0]


class TranslationEngine(Protocol):
    info: ModelInfo

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        return_attention: bool = False,
        target_prefixes: Sequence[str | None] | None = None,
        max_length: int | None = None,
        beam_size: int | None = None,
    ) -> list[Translation]:
        """Translate all sentences in as few engine calls as possible; order is preserved.

        ``max_length`` (target pieces after the prefix) marks a short call, such as a glossary
        term on its own: the configured minimum length does not apply and nothing longer is
        decoded. ``beam_size`` overrides the configured beam for this call (1: greedy)."""
        ...

    def score(self, sentences: Sequence[str], targets: Sequence[str], *,
              after: Sequence[int] | None = None) -> list[float]:
        """Log-probability of each target given its source (to choose between forms).

        With ``after``, target i is a beginning of a translation: only the pieces that print at or
        after character ``after[i]`` count (how likely the model says *that* next, given what
        comes before it), and the end of the sentence is not scored."""
        ...

    def prefix_fits(self, sentence: str, prefix: str) -> bool:
        """Whether a decode forced to start with ``prefix`` can still add a token within the
        engine's length cap (if not, it could only return the prefix, cut)."""
        ...

    def source_pieces(self, sentence: str) -> list[str]:
        """How the engine tokenizes a source sentence (what attention columns refer to)."""
        ...

    def detokenize(self, pieces: Sequence[str]) -> str:
        """Target pieces back to text."""
        ...


class Pending(Protocol):
    def result(self) -> list[Translation]: ...


@dataclass
class Finished:
    """A batch an engine without a queue translated at once."""

    translations: list[Translation]

    def result(self) -> list[Translation]:
        return self.translations


def translate_async(engine: TranslationEngine, sentences: Sequence[str], **options) -> Pending:
    """``engine.translate_async`` where the engine has one (CTranslate2 queues the batch on its
    workers and returns at once, so the caller's Python work overlaps the decoding); otherwise
    ``engine.translate``, done before this returns."""
    submit = getattr(engine, "translate_async", None)
    return submit(sentences, **options) if submit is not None else Finished(engine.translate(sentences, **options))
