"""Build real Argos Translate packages (``.argosmodel``) offline, for tests and benchmarks.

A package is a zip holding one directory with ``metadata.json``, ``sentencepiece.model`` and
``model/`` (a CTranslate2 Transformer written through ``ctranslate2.converters.Converter``).
Two kinds of weights:

- random (``build_random_argos_package``): any size, e.g. transformer-base for benchmarks;
- copy (``build_copy_argos_package``): hand-set weights that reproduce the source exactly, with
  a diagonal cross-attention (see ``copy_model``).
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
from .copy_model import build_copy_spec
from .tokenizer import DEFAULT_VOCAB_SIZE, load_pieces, train_sentencepiece_bytes

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
) -> Path:
    """Write an Argos package whose model copies its input, and return ``out_file``.

    Sources up to ``max_positions`` pieces (``</s>`` included if the caller adds one) are copied
    exactly; a longer source is cut to its first ``max_positions`` pieces.
    """
    sp_model = train_sentencepiece_bytes(training_lines, sp_vocab_size)
    pieces = load_pieces(sp_model)
    spec = build_copy_spec(len(pieces), pieces.index("</s>"), max_positions)
    return _write_argos_package(out_file, spec, pieces, sp_model, quantization, from_code, to_code, package_version)


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
