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
from typing import Callable, Protocol, Sequence

from ..config import MTSettings
from ..errors import CorruptModelError
from .base import Hypothesis, ModelInfo, Span, Translation

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


def resolve_device(settings: MTSettings, cuda_devices: int | None = None) -> tuple[str, str]:
    """``(device, compute_type)``: "auto" picks CUDA when CTranslate2 sees a GPU; int8_float16 there, int8 on CPU."""
    device = settings.device
    if device == "auto":
        if cuda_devices is None:
            import ctranslate2

            cuda_devices = ctranslate2.get_cuda_device_count()
        device = "cuda" if cuda_devices > 0 else "cpu"
    compute_type = settings.compute_type
    if compute_type == "auto":
        compute_type = "int8_float16" if device == "cuda" else "int8"
    return device, compute_type


class Codec(Protocol):
    """How a pack turns text into model pieces and back (``spm_codec.SpanCodec`` for SentencePiece)."""

    def encode(self, text: str) -> tuple[list[str], list[Span] | None]: ...

    def encode_target(self, text: str) -> list[str]: ...

    def encode_target_with_spans(self, text: str) -> tuple[list[str], list[Span] | None]: ...

    def decode(self, pieces: Sequence[str]) -> tuple[str, list[Span] | None]: ...


@dataclass(frozen=True)
class PlainCodec:
    """A tokenizer that reports no offsets (Argos's BPE packages): pieces and text, spans None."""

    encode_text: Callable[[str], list[str]]
    decode_text: Callable[[Sequence[str]], str]

    def encode(self, text: str) -> tuple[list[str], None]:
        return self.encode_text(text), None

    def encode_target(self, text: str) -> list[str]:
        return self.encode_text(text)

    def encode_target_with_spans(self, text: str) -> tuple[list[str], None]:
        return self.encode_text(text), None

    def decode(self, pieces: Sequence[str]) -> tuple[str, None]:
        return self.decode_text(list(pieces)), None


@dataclass(frozen=True)
class PackFormat:
    """What a pack adds around the pieces."""

    add_eos: bool = False  # Marian models want exactly one </s> at the end of the source
    source_prefix: tuple[str, ...] = ()  # e.g. ">>hye<<" for a multi-target OPUS-MT release
    target_prefix: tuple[str, ...] = ()  # e.g. a language token for multilingual Argos packs
    source_suffix: tuple[str, ...] = ()  # after </s>: legacy NLLB packs end with the source language


class CTranslate2Engine:
    """A TranslationEngine over one CTranslate2 model directory."""

    engine_name = "ctranslate2"

    def __init__(self, model_dir: Path, codec: Codec, info: ModelInfo, settings: MTSettings,
                 pack_format: PackFormat = PackFormat()):
        import ctranslate2

        self.info = info
        self.codec = codec
        self.format = pack_format
        self._caps: dict[str, int] = {}  # source sentence → its length cap, for prefix_fits
        self.settings = settings
        inter_threads, intra_threads = thread_layout(settings)
        device, compute_type = resolve_device(settings)
        self._workers = inter_threads
        try:
            self._translator = ctranslate2.Translator(
                str(model_dir),
                device=device,
                compute_type=compute_type,
                inter_threads=inter_threads,
                intra_threads=intra_threads,
                # translate_async must return at once: a bounded queue would block the caller
                # (reading the next articles) until the workers take a batch
                max_queued_batches=-1,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise CorruptModelError(
                f"{model_dir}: CTranslate2 cannot load this model ({exc}); "
                f"reinstall the {info.from_code}→{info.to_code} pack"
            ) from exc

    # -- the TranslationEngine interface ---------------------------------------------------

    def source_pieces(self, sentence: str) -> list[str]:
        return self._encode_source(sentence)[0]

    def detokenize(self, pieces: Sequence[str]) -> str:
        return self.codec.decode([p for p in pieces if p != EOS])[0]

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
        return self.translate_async(sentences, num_hypotheses=num_hypotheses, return_attention=return_attention,
                                    target_prefixes=target_prefixes, max_length=max_length,
                                    beam_size=beam_size).result()

    def translate_async(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        return_attention: bool = False,
        target_prefixes: Sequence[str | None] | None = None,
        max_length: int | None = None,
        beam_size: int | None = None,
    ) -> "PendingTranslations":
        """Queue the batch on CTranslate2's workers and return at once (they run without the
        GIL); ``result()`` waits. Calls queued one after another keep every worker busy."""
        if not sentences:
            return PendingTranslations(self, [], [], False)
        encoded = [self._encode_source(s) for s in sentences]
        sources = [pieces for pieces, _ in encoded]
        prefixes = [self._prefix_pieces(p) for p in (target_prefixes or [None] * len(sentences))]
        cap = self._length_cap(max(len(p) for p in sources))
        if max_length is not None:  # a short call (a term alone, a look past a prefix): no minimum length
            forced = max((len(p) for p in prefixes if p), default=0)
            cap = max(1, min(cap, forced + max_length))
        futures = self._translator.translate_batch(
            sources,
            target_prefix=prefixes if any(prefixes) else None,
            max_batch_size=self._batch_tokens(sources),
            batch_type="tokens",
            beam_size=max(beam_size or self.settings.beam_size, num_hypotheses),
            num_hypotheses=num_hypotheses,
            min_decoding_length=min(self.settings.min_decoding_length, cap),
            max_decoding_length=cap,
            return_scores=True,
            return_attention=return_attention,
            # As Argos does: an <unk> becomes the source piece it attends to most, never "⁇".
            replace_unknowns=True,
            asynchronous=True,
        )
        return PendingTranslations(self, encoded, futures, return_attention)

    def score(self, sentences: Sequence[str], targets: Sequence[str], *,
              after: Sequence[int] | None = None) -> list[float]:
        if not sentences:
            return []
        sources = [self.source_pieces(s) for s in sentences]
        encoded = [self.codec.encode_target_with_spans(t) for t in targets]
        skip = len(self.format.target_prefix)
        target_pieces = [list(self.format.target_prefix) + pieces for pieces, _ in encoded]
        results = self._translator.score_batch(
            sources, target_pieces, max_batch_size=self._batch_tokens(sources), batch_type="tokens"
        )
        if after is None:
            return [float(sum(r.log_probs)) for r in results]
        scores = []
        for (pieces, spans), cut, result in zip(encoded, after, results):
            # log_probs: one per piece (the prefix token's first), then </s>, which a beginning lacks.
            probs = list(result.log_probs)[skip : skip + len(pieces)]
            counted = [p for p, span in zip(probs, spans or [(cut, cut)] * len(probs)) if span[0] >= cut]
            scores.append(float(sum(counted)))
        return scores

    def prefix_fits(self, sentence: str, prefix: str) -> bool:
        # Enforcement asks this for many placings of one sentence: its length is looked up once.
        cap = self._caps.get(sentence)
        if cap is None:
            if len(self._caps) > 20_000:  # a backfill actor lives long: keep the memo small
                self._caps.clear()
            cap = self._caps[sentence] = self._length_cap(len(self.source_pieces(sentence)))
        return len(self._prefix_pieces(prefix)) < cap

    # -- helpers ---------------------------------------------------------------------------

    def _encode_source(self, sentence: str) -> tuple[list[str], list[Span] | None]:
        """Source pieces with their character spans: label pieces first, one </s> last (Marian)."""
        pieces, spans = self.codec.encode(sentence)
        keep = [i for i, p in enumerate(pieces) if p != EOS]
        pieces = list(self.format.source_prefix) + [pieces[i] for i in keep]
        if spans is not None:
            spans = [(0, 0)] * len(self.format.source_prefix) + [spans[i] for i in keep]
        tail = ([EOS] if self.format.add_eos else []) + list(self.format.source_suffix)
        pieces += tail
        if spans is not None:
            spans += [(len(sentence), len(sentence))] * len(tail)
        return pieces, spans

    def _prefix_pieces(self, prefix_text: str | None) -> list[str] | None:
        if prefix_text is None:
            return list(self.format.target_prefix) or None
        return list(self.format.target_prefix) + self.codec.encode_target(prefix_text)

    def _batch_tokens(self, sources: Sequence[Sequence[str]]) -> int:
        """Tokens per sub-batch: the configured size, or for a call too small to fill every
        worker, an even share of it per worker (one urgent article then decodes on every core,
        not on one)."""
        limit = self.settings.max_batch_tokens
        total = sum(len(s) for s in sources)
        if total < limit * self._workers:
            # a sub-batch counts its padding: ~15% headroom keeps a share from spilling over
            limit = max(max(len(s) for s in sources) + 1, -(-total * 115 // (100 * self._workers)))
        return limit

    def _length_cap(self, source_length: int) -> int:
        """Runaway guard: at most ratio × source pieces + 10 target pieces (and the configured max)."""
        settings = self.settings
        cap = int(settings.max_length_ratio * source_length) + 10 + len(self.format.target_prefix)
        return max(min(settings.max_decoding_length, cap), settings.min_decoding_length)

    def _to_translation(self, source: list[str], source_spans, result, with_attention: bool) -> Translation:
        skip = len(self.format.target_prefix)
        hypotheses = []
        # One call serves the whole batch, so its cap follows the longest source; each
        # sentence is then held to its own cap (a runaway tail is garbage, not content).
        own_cap = self._length_cap(len(source)) - skip
        # Each read of these properties converts every hypothesis to Python lists: read once.
        all_attention = result.attention if with_attention else None
        scores = result.scores
        for rank, tokens in enumerate(result.hypotheses):
            tokens = list(tokens)[skip:]
            truncated = len(tokens) >= own_cap
            tokens = tokens[:own_cap]
            attention = all_attention[rank][skip:][:own_cap] if all_attention else None
            score = float(scores[rank]) if scores else 0.0
            text, spans = self.codec.decode([t for t in tokens if t != EOS])
            if spans is not None and len(spans) != len(tokens):
                spans = _with_eos_spans(tokens, spans, len(text))
            hypotheses.append(Hypothesis(text, score, tokens, attention, spans, truncated))
        return Translation(source_tokens=source, hypotheses=hypotheses, source_spans=source_spans)


class PendingTranslations:
    """A queued ``translate_async`` batch; ``result()`` waits for it and reads it once."""

    def __init__(self, engine: CTranslate2Engine, encoded, futures, with_attention: bool):
        self._engine, self._encoded, self._futures, self._attention = engine, encoded, futures, with_attention
        self._done: list[Translation] | None = None

    def result(self) -> list[Translation]:
        if self._done is None:
            self._done = [self._engine._to_translation(pieces, spans, future.result(), self._attention)
                          for (pieces, spans), future in zip(self._encoded, self._futures)]
            self._encoded = self._futures = []
        return self._done


def _with_eos_spans(tokens: list[str], spans: list[Span], end: int) -> list[Span]:
    """Spans for ``tokens`` when the decoded list left out </s> pieces: (end, end) for each."""
    out, it = [], iter(spans)
    for token in tokens:
        out.append((end, end) if token == EOS else next(it))
    return out


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
