"""A tiny NLLB-200 model in CTranslate2 format, as ``TransformersConverter`` writes one.

The folder holds ``model.bin``, ``config.json``, ``shared_vocabulary.json`` and
``sentencepiece.bpe.model``, plus a ``README.md`` naming the licence, like the pre-converted int8
folders. The SentencePiece model has the FLORES-200 language tokens (``eng_Latn``, ``hye_Armn``,
``rus_Cyrl``) as user-defined symbols, so they are single pieces of the shared vocabulary, as in
the real model. Weights are the hand-set copy model (``copy_model``): with the source
``[eng_Latn] + pieces + </s>`` and the decoder forced to start with ``hye_Armn``, it writes the
target language token and then copies the pieces after the source language token, so a pack that
drops the first output token returns the source text, and one that got the order wrong does not.
``weights="random"`` gives random weights of the same shape instead.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from ctranslate2.specs import transformer_spec

from ..fsutil import atomic_write_bytes, atomic_write_text
from .copy_model import build_copy_spec
from .models import COPY_MAX_POSITIONS, _fill_random, _PreparedSpecConverter
from .tokenizer import load_pieces, train_sentencepiece_bytes

LANGUAGE_TOKENS = ("eng_Latn", "hye_Armn", "rus_Cyrl")
README = """\
# nllb-200-test-ct2-int8

Test model built by i18n_pipeline.testing in the layout of a CTranslate2 NLLB-200 conversion.
License: CC-BY-NC-4.0 (the licence of the NLLB-200 weights this stands in for).
"""


def build_tiny_nllb_folder(out_dir: Path, *, weights: str = "copy", legacy: bool = False,
                           language_tokens: tuple[str, ...] = LANGUAGE_TOKENS, seed: int = 0) -> Path:
    """Write the folder into ``out_dir`` and return it. ``legacy=True`` adds a
    ``tokenizer_config.json`` with ``"legacy_behaviour": true`` (language after ``</s>``)."""
    out_dir = Path(out_dir)
    spm_model = train_sentencepiece_bytes(user_defined_symbols=language_tokens)
    pieces = load_pieces(spm_model)
    if weights == "copy":
        spec = build_copy_spec(len(pieces), pieces.index("</s>"), COPY_MAX_POSITIONS)
    else:
        spec = transformer_spec.TransformerSpec.from_config((1, 1), 2, pre_norm=True)
        _fill_random(spec, len(pieces), 32, 64, np.random.default_rng(seed))
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="i18n-test-nllb-") as work:
        _PreparedSpecConverter(spec).convert(str(Path(work) / "model"), quantization="int8")
        for path in (Path(work) / "model").iterdir():
            atomic_write_bytes(out_dir / path.name, path.read_bytes())
    atomic_write_bytes(out_dir / "sentencepiece.bpe.model", spm_model)
    atomic_write_text(out_dir / "README.md", README)
    if legacy:
        atomic_write_text(out_dir / "tokenizer_config.json", json.dumps({"legacy_behaviour": True}))
    return out_dir
