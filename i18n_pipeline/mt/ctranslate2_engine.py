"""The CTranslate2 engine: one loaded translator, batched decoding, token-level detail.

Load an engine from an installed pack with ``i18n_pipeline.mt.store.ModelStore(dir).load(info,
settings.mt)`` or, for a pack directory you hold, ``load_engine(Path(pack_dir), MTSettings())``.

All sentences of a run go through one ``translate_batch`` call with ``batch_type="tokens"``;
CTranslate2 sorts by length and cuts the batches itself (measured: splitting by length into
several calls cost up to 2.5× with fixed-length decoding, since decode steps dominate).
The translator is loaded once per engine.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..config import MTSettings
from ..errors import CorruptModelError
from .base import Hypothesis, ModelInfo, Translation

log = logging.getLogger(__name__)

EOS = "</s>"
MAX_AUTO_WORKERS = 4  # more replicas add workspace memory for little gain on a batch of one run


def thread_layout(settings: MTSettings, cores: int | None = None) -> tuple[int, int]:
    """``(inter_threads, intra_threads)`` for CTranslate2; 0 in a setting means "choose".

    A run is one big batch, so throughput wins over latency: CTranslate2 spreads the sub-batches
    over ``inter_threads`` workers that share the weights. Measured on 2 cores (bench/README.md):
    2 workers × 1 thread decode the bench's batch 1.2× faster than 1 worker on both cores.
    """
    cores = cores or os.cpu_count() or 1
    inter = settings.inter_threads or max(1, min(cores // (settings.intra_threads or 1), MAX_AUTO_WORKERS))
    intra = settings.intra_threads or max(1, cores // inter)
    return inter, intra


@dataclass(frozen=True)
class PieceCodec:
    """How a pack turns text into model pieces and back."""

    encode: Callable[[str], list[str]]
    decode: Callable[[Sequence[str]], str]
    add_eos: bool = False  # Marian models want exactly one </s> at the end of the source
    target_prefix: tuple[str, ...] = ()  # e.g. a language token for multilingual packs


class CTranslate2Engine:
    """A TranslationEngine over one CTranslate2 model directory."""

    engine_name = "ctranslate2"

    def __init__(self, model_dir: Path, codec: PieceCodec, info: ModelInfo, settings: MTSettings):
        import ctranslate2

        self.info = info
        self.codec = codec
        self.settings = settings
        inter_threads, intra_threads = thread_layout(settings)
        try:
            self._translator = ctranslate2.Translator(
                str(model_dir),
                device="cpu",
                compute_type=settings.compute_type,
                inter_threads=inter_threads,
                intra_threads=intra_threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise CorruptModelError(
                f"{model_dir}: CTranslate2 cannot load this model ({exc}); "
                f"reinstall the {info.from_code}→{info.to_code} pack"
            ) from exc

    # -- the TranslationEngine interface ---------------------------------------------------

    def source_pieces(self, sentence: str) -> list[str]:
        pieces = [p for p in self.codec.encode(sentence) if p != EOS]
        return pieces + [EOS] if self.codec.add_eos else pieces

    def detokenize(self, pieces: Sequence[str]) -> str:
        return self.codec.decode([p for p in pieces if p != EOS])

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        return_attention: bool = False,
        target_prefixes: Sequence[str | None] | None = None,
    ) -> list[Translation]:
        if not sentences:
            return []
        sources = [self.source_pieces(s) for s in sentences]
        prefixes = [self._prefix_pieces(p) for p in (target_prefixes or [None] * len(sentences))]
        raw = self._translator.translate_batch(
            sources,
            target_prefix=prefixes if any(prefixes) else None,
            max_batch_size=self.settings.max_batch_tokens,
            batch_type="tokens",
            beam_size=max(self.settings.beam_size, num_hypotheses),
            num_hypotheses=num_hypotheses,
            min_decoding_length=self.settings.min_decoding_length,
            max_decoding_length=self._length_cap(max(len(p) for p in sources)),
            return_scores=True,
            return_attention=return_attention,
        )
        return [self._to_translation(src, result, return_attention) for src, result in zip(sources, raw)]

    def score(self, sentences: Sequence[str], targets: Sequence[str]) -> list[float]:
        if not sentences:
            return []
        sources = [self.source_pieces(s) for s in sentences]
        target_pieces = [list(self.codec.target_prefix) + self._target_encode(t) for t in targets]
        results = self._translator.score_batch(
            sources, target_pieces, max_batch_size=self.settings.max_batch_tokens, batch_type="tokens"
        )
        return [float(sum(r.log_probs)) for r in results]

    def prefix_fits(self, sentence: str, prefix: str) -> bool:
        return len(self._prefix_pieces(prefix)) < self._length_cap(len(self.source_pieces(sentence)))

    # -- helpers ---------------------------------------------------------------------------

    def _target_encode(self, text: str) -> list[str]:
        return [p for p in self.codec.encode(text) if p != EOS]

    def _prefix_pieces(self, prefix_text: str | None) -> list[str] | None:
        if prefix_text is None:
            return list(self.codec.target_prefix) or None
        return list(self.codec.target_prefix) + self._target_encode(prefix_text)

    def _length_cap(self, source_length: int) -> int:
        """Runaway guard: at most ratio × source pieces + 10 target pieces (and the configured max)."""
        settings = self.settings
        cap = int(settings.max_length_ratio * source_length) + 10 + len(self.codec.target_prefix)
        return max(min(settings.max_decoding_length, cap), settings.min_decoding_length)

    def _to_translation(self, source: list[str], result, with_attention: bool) -> Translation:
        skip = len(self.codec.target_prefix)
        hypotheses = []
        # One call serves the whole batch, so its cap follows the longest source; each
        # sentence is then held to its own cap (a runaway tail is garbage, not content).
        own_cap = self._length_cap(len(source)) - skip
        # Each read of these properties converts every hypothesis to Python lists: read once.
        all_attention = result.attention if with_attention else None
        scores = result.scores
        for rank, tokens in enumerate(result.hypotheses):
            tokens = list(tokens)[skip:][:own_cap]
            attention = all_attention[rank][skip:][:own_cap] if all_attention else None
            score = float(scores[rank]) if scores else 0.0
            hypotheses.append(Hypothesis(self.detokenize(tokens), score, tokens, attention))
        return Translation(source_tokens=source, hypotheses=hypotheses)


def model_adds_source_eos(model_dir: Path) -> bool:
    """Whether the converted model's config already appends </s> to every source."""
    config = model_dir / "config.json"
    try:
        return bool(json.loads(config.read_text(encoding="utf-8")).get("add_source_eos", False))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise CorruptModelError(f"{config}: unreadable model config ({exc}); reinstall the pack") from exc


def load_engine(pack_dir: Path, settings: MTSettings) -> CTranslate2Engine:
    """Load an engine from an installed pack directory of any known kind."""
    from .packs import open_pack

    return open_pack(pack_dir).load(settings)
