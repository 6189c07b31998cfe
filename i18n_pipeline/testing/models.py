"""Build real Argos Translate packages (``.argosmodel``) offline, for tests and benchmarks.

A package is a zip holding one directory with ``metadata.json``, ``sentencepiece.model`` and
``model/`` (a CTranslate2 Transformer written through ``ctranslate2.converters.Converter``).
Two kinds of weights:

- random (``build_random_argos_package``): any size, e.g. transformer-base for benchmarks;
- copy (``build_copy_argos_package``): hand-set weights that reproduce the source exactly, with
  a diagonal cross-attention (see ``copy_model``), or with a reported head that looks elsewhere
  (``attention="shift+2"``, ``"blur"``, …), on any tokenizer shape (``tokenizer="char"``, …).

``build_copy_opus_mt_pack`` writes the same copy model as an OPUS-MT pack directory with
separate source and target vocabularies (``source.spm`` ≠ ``target.spm``, see
``separate_target_tokenizer``), loadable by ``mt.opus_mt_pack.OpusMTPack``.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from babel import Locale, UnknownLocaleError
from ctranslate2.converters.converter import Converter
from ctranslate2.specs import transformer_spec

from ..fsutil import atomic_write_bytes
from .copy_model import CopyAttention, build_copy_spec
from .corpus import ARMENIAN_LINES, RUSSIAN_LINES
from .tokenizer import DEFAULT_VOCAB_SIZE, load_pieces, tokenizer_shape, train_sentencepiece_bytes

COPY_MAX_POSITIONS = 512
_STORE_ABOVE_BYTES = 4 << 20


class _PreparedSpecConverter(Converter):
    """Converter for a spec whose weights are already set: ``convert`` validates, quantizes, saves."""

    def __init__(self, spec: transformer_spec.TransformerSpec):
        self._spec = spec

    def _load(self) -> transformer_spec.TransformerSpec:
        return self._spec


def build_random_argos_package(
    out_file: Path,
    from_code: str = "en",
    to_code: str = "ru",
    *,
    layers: int = 2,
    d_model: int = 64,
    heads: int = 4,
    ffn: int = 128,
    vocab_size: int | None = None,
    seed: int = 0,
    quantization: str = "int8",
    package_version: str = "1.0",
    training_lines: Iterable[str] | None = None,
    sp_vocab_size: int = DEFAULT_VOCAB_SIZE,
) -> Path:
    """Write an Argos package with random weights and return ``out_file``.

    ``vocab_size`` larger than the SentencePiece vocabulary pads the model vocabulary with unused
    symbols, so a transformer-base-size model (32k vocabulary) needs no 32k tokenizer.
    """
    sp_model = train_sentencepiece_bytes(training_lines, sp_vocab_size)
    pieces = load_pieces(sp_model)
    if vocab_size is not None and vocab_size > len(pieces):
        pieces += [f"<unused{i}>" for i in range(vocab_size - len(pieces))]
    spec = transformer_spec.TransformerSpec.from_config((layers, layers), heads, pre_norm=True)
    _fill_random(spec, len(pieces), d_model, ffn, np.random.default_rng(seed))
    return _write_argos_package(out_file, spec, pieces, sp_model, quantization, from_code, to_code, package_version)


def build_copy_argos_package(
    out_file: Path,
    from_code: str = "en",
    to_code: str = "ru",
    *,
    max_positions: int = COPY_MAX_POSITIONS,
    quantization: str = "int8",
    package_version: str = "1.0",
    training_lines: Iterable[str] | None = None,
    sp_vocab_size: int = DEFAULT_VOCAB_SIZE,
    attention: str | CopyAttention = "exact",
    tokenizer: str | None = None,
) -> Path:
    """Write an Argos package whose model copies its input, and return ``out_file``.

    Sources up to ``max_positions`` pieces (``</s>`` included if the caller adds one) are copied
    exactly; a longer source is cut to its first ``max_positions`` pieces. ``attention`` is what
    ``return_attention`` reports (``copy_model.CopyAttention.parse``); ``tokenizer`` names a
    ``tokenizer.TOKENIZER_SHAPES`` entry (default: BPE with ``sp_vocab_size`` pieces).
    """
    sp_model = _sentencepiece_model(tokenizer, training_lines, sp_vocab_size)
    pieces = load_pieces(sp_model)
    spec = build_copy_spec(len(pieces), pieces.index("</s>"), max_positions, attention=attention)
    return _write_argos_package(out_file, spec, pieces, sp_model, quantization, from_code, to_code, package_version)


def build_copy_opus_mt_pack(
    out_dir: Path,
    from_code: str = "en",
    to_code: str = "hy",
    *,
    tokenizer: str = "unigram",
    attention: str | CopyAttention = "exact",
    max_positions: int = COPY_MAX_POSITIONS,
    quantization: str = "int8",
    package_version: str = "1.0",
) -> Path:
    """Write an OPUS-MT pack directory (``model/``, ``source.spm``, ``target.spm``,
    ``metadata.json``) whose model copies its input, and return ``out_dir``.

    The two vocabularies differ (``separate_target_tokenizer``): the model maps each source piece
    to the target piece with the same string, whatever its id. The pack's engine normalizes the
    source as OPUS-MT does (’ → ', “ ” → ", … → ...), so the copy is of the normalized text.
    """
    out_dir = Path(out_dir)
    source_model = tokenizer_shape(tokenizer).build()
    target_model = separate_target_tokenizer(source_model)
    source_pieces, target_pieces = load_pieces(source_model), load_pieces(target_model)
    source_ids = {piece: i for i, piece in enumerate(source_pieces)}
    codes = [source_ids.get(piece) for piece in target_pieces]
    spec = build_copy_spec(len(source_pieces), source_ids["</s>"], max_positions, attention=attention,
                           target_codes=codes)
    spec.register_source_vocabulary(source_pieces)
    spec.register_target_vocabulary(target_pieces)
    out_dir.mkdir(parents=True, exist_ok=True)
    _PreparedSpecConverter(spec).convert(str(out_dir / "model"), quantization=quantization, force=True)
    atomic_write_bytes(out_dir / "source.spm", source_model)
    atomic_write_bytes(out_dir / "target.spm", target_model)
    metadata = {"kind": "opus-mt", "from_code": from_code, "to_code": to_code, "package_version": package_version}
    (out_dir / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return out_dir


def separate_target_tokenizer(source_model: bytes, extra_lines: Iterable[str] | None = None) -> bytes:
    """A target SentencePiece model: every piece of ``source_model`` plus Russian and Armenian
    pieces it lacks, with other ids (``</s>`` 0, ``<unk>`` 1, ``<s>`` 2 as in Marian vocabularies,
    then the extra pieces, then the source's pieces shifted).

    Extra pieces hold only Cyrillic/Armenian letters (and ``▁``) and score below every source
    piece, so English text encodes exactly as with the source model.
    """
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto()
    proto.ParseFromString(source_model)
    lines = list(extra_lines) if extra_lines is not None else [*RUSSIAN_LINES, *ARMENIAN_LINES]
    have = {p.piece for p in proto.pieces}
    normal = pb.ModelProto.SentencePiece.NORMAL
    floor = min(p.score for p in proto.pieces if p.type == normal) - 1.0

    def foreign(piece: str) -> bool:
        return any(ch != "▁" for ch in piece) and all(ch == "▁" or "\u0400" <= ch <= "\u058f" for ch in piece)

    # Whole words, with and without "▁", and word pairs: pieces no trained vocabulary of these
    # shapes holds in full (SentencePiece never merges across a space).
    words = [w.strip(".,:;!?«»()—։՝") for line in lines for w in line.split()]
    words = [w for w in words if w]
    candidates = [*("▁" + w for w in words), *words, *("▁" + a + "▁" + b for a, b in zip(words, words[1:]))]
    extras = list(dict.fromkeys(c for c in candidates if c not in have and foreign(c)))
    by_piece = {p.piece: p for p in proto.pieces}
    control = [by_piece["</s>"], by_piece["<unk>"], by_piece["<s>"]]
    rest = [p for p in proto.pieces if p.piece not in ("</s>", "<unk>", "<s>")]
    added = [pb.ModelProto.SentencePiece(piece=piece, score=floor - i, type=normal) for i, piece in enumerate(extras)]
    ordered = [pb.ModelProto.SentencePiece.FromString(p.SerializeToString()) for p in (*control, *added, *rest)]
    del proto.pieces[:]
    proto.pieces.extend(ordered)
    proto.trainer_spec.eos_id, proto.trainer_spec.unk_id, proto.trainer_spec.bos_id = 0, 1, 2
    return proto.SerializeToString()


def _sentencepiece_model(tokenizer: str | None, lines: Iterable[str] | None, vocab_size: int) -> bytes:
    if tokenizer is None:
        return train_sentencepiece_bytes(lines, vocab_size)
    return tokenizer_shape(tokenizer).build(lines)


def language_name(code: str) -> str:
    """English name of a language code (``hy`` → ``Armenian``), or the code when babel has none."""
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (ValueError, UnknownLocaleError):
        return code


def _write_argos_package(
    out_file: Path,
    spec: transformer_spec.TransformerSpec,
    pieces: list[str],
    sp_model: bytes,
    quantization: str,
    from_code: str,
    to_code: str,
    package_version: str,
) -> Path:
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    metadata = {
        "package_version": package_version,
        "argos_version": "1.0",
        "from_code": from_code,
        "from_name": language_name(from_code),
        "to_code": to_code,
        "to_name": language_name(to_code),
        "type": "translate",
    }
    top = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    archive = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="i18n-test-model-") as work:
        model_dir = Path(work) / "model"
        _PreparedSpecConverter(spec).convert(str(model_dir), quantization=quantization)
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
            bundle.writestr(f"{top}/metadata.json", json.dumps(metadata, indent=2) + "\n")
            bundle.writestr(f"{top}/sentencepiece.model", sp_model)
            bundle.writestr(f"{top}/README.md", f"Test model built by i18n_pipeline.testing ({from_code}→{to_code}).\n")
            for path in sorted(model_dir.iterdir()):
                # Random weights do not compress: storing a big model.bin saves seconds.
                big = path.stat().st_size > _STORE_ABOVE_BYTES
                bundle.write(path, f"{top}/model/{path.name}", zipfile.ZIP_STORED if big else None)
    return atomic_write_bytes(out_file, archive.getvalue())


def _fill_random(spec, vocab_size: int, d_model: int, ffn: int, rng: np.random.Generator) -> None:
    """Set every weight of a pre-norm TransformerSpec to small random values (std 1/sqrt(fan-in))."""

    def dense(rows: int, cols: int) -> np.ndarray:
        # Uniform rather than normal: several times faster to draw for a transformer-base model.
        values = rng.random((rows, cols), dtype=np.float32)
        values -= np.float32(0.5)
        values *= np.float32(math.sqrt(12.0 / cols))
        return values

    def norm(layer_norm) -> None:
        layer_norm.gamma = np.ones(d_model, np.float32)
        layer_norm.beta = np.zeros(d_model, np.float32)

    def linear(spec_linear, rows: int, cols: int) -> None:
        spec_linear.weight = dense(rows, cols)
        spec_linear.bias = np.zeros(rows, np.float32)

    def feed_forward(spec_ffn) -> None:
        norm(spec_ffn.layer_norm)
        linear(spec_ffn.linear_0, ffn, d_model)
        linear(spec_ffn.linear_1, d_model, ffn)

    def attention(spec_attention, fused: list[int]) -> None:
        norm(spec_attention.layer_norm)
        for spec_linear, rows in zip(spec_attention.linear, fused):
            linear(spec_linear, rows * d_model, d_model)

    # Embeddings are multiplied by sqrt(d_model) at run time: std 1/sqrt(d) gives unit-scale inputs.
    spec.encoder.embeddings[0].weight = dense(vocab_size, d_model)
    spec.decoder.embeddings.weight = dense(vocab_size, d_model)
    for layer in spec.encoder.layer:
        attention(layer.self_attention, [3, 1])
        feed_forward(layer.ffn)
    for layer in spec.decoder.layer:
        attention(layer.self_attention, [3, 1])
        attention(layer.attention, [1, 2, 1])
        feed_forward(layer.ffn)
    norm(spec.encoder.layer_norm)
    norm(spec.decoder.layer_norm)
    linear(spec.decoder.projection, vocab_size, d_model)
