"""Write a tiny OPUS-MT / Tatoeba-Challenge release (Marian format) with random weights.

The layout is a real Tatoeba-Challenge release's: ``decoder.yml`` naming the ``.npz`` and one
shared vocabulary twice (what ``OpusMTConverter`` reads), a Marian ``.npz`` (weights under Marian's
names plus the ``special:model.yml`` entry holding the training options), the joint vocabulary
``.yml`` as yaml-cpp writes it, ``source.spm`` / ``target.spm``, ``README.md``, ``LICENSE``, the
release ``.yml``, ``preprocess.sh`` and ``postprocess.sh`` (``opus_mt_files`` writes the text files).
Real releases are zips of this directory's files at top level.

A multi-target release (``target_labels=("hye", "rus")``) has a ``>>id<<`` token per target in
its vocabulary, and its README and ``.yml`` say that every source sentence must start with one.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..fsutil import atomic_write_bytes, atomic_write_text
from .corpus import ARMENIAN_LINES, ENGLISH_LINES, RUSSIAN_LINES, SAMPLE_ARTICLE_SENTENCES
from .opus_mt_files import LICENSE_TEXT, POSTPROCESS_SH, PREPROCESS_SH, readme, release_yml, tatoeba_code, vocabulary_yaml
from .tokenizer import load_pieces, train_sentencepiece_bytes

MODEL_FILE = "opus.spm32k-spm32k.transformer-align.model1.npz.best-perplexity.npz"
VOCAB_FILE = "opus.spm32k-spm32k.vocab.yml"
RELEASE_YML = "opus-2000-01-01.yml"  # Tatoeba names it after the release date


@dataclass(frozen=True)
class ReleaseLayout:
    """How one Tatoeba-Challenge release names its files and says it needs a label."""

    name: str = "opus-2000-01-01"  # the zip's stem; the .yml is <name>.yml
    dataset: str = "opus"  # prefix of the vocabulary and model file names
    model_type: str = "transformer-align"
    label_style: str = "unquoted"  # see opus_mt_files.release_yml
    list_labels: bool = True  # whether the README lists the valid labels

    @property
    def vocab_file(self) -> str:
        return f"{self.dataset}.spm32k-spm32k.vocab.yml"

    @property
    def model_file(self) -> str:
        return f"{self.dataset}.spm32k-spm32k.{self.model_type}.model1.npz.best-perplexity.npz"


# As the model cards say (Helsinki-NLP/Tatoeba-Challenge models/hyx-hyx, models/eng-zle: README.md
# and <release>.yml): vocabulary names, label lists, and how each writes its labels.
HYX_HYX_2021 = ReleaseLayout("opus4m+btTCv20210807-2021-09-30", "opus4m+btTCv20210807", "transformer", "quoted")
ENG_ZLE_BIG_2022 = ReleaseLayout("opusTCv20210807+bt_transformer-big_2022-03-13", "opusTCv20210807+bt",
                                 "transformer-big", "empty", list_labels=False)
_LINES_BY_LANGUAGE = {"en": (*SAMPLE_ARTICLE_SENTENCES, *ENGLISH_LINES), "ru": RUSSIAN_LINES, "hy": ARMENIAN_LINES}


def build_tiny_opus_mt_release(
    out_dir: Path,
    *,
    src: str = "en",
    tgt: str = "hy",
    layers: int = 1,
    d_model: int = 32,
    heads: int = 2,
    ffn: int = 64,
    seed: int = 0,
    source_lines: Iterable[str] | None = None,
    target_lines: Iterable[str] | None = None,
    target_labels: Sequence[str] = (),
    layout: ReleaseLayout = ReleaseLayout(),
) -> Path:
    """Write the release files into ``out_dir`` and return it.

    Text for each SentencePiece model defaults to the built-in lines of that language (en, ru, hy).
    ``target_labels`` (Tatoeba ids such as ``hye``) make it a multi-target release.
    """
    out_dir = Path(out_dir)
    source_spm = train_sentencepiece_bytes(_lines(src, source_lines), vocab_size=600)
    target_spm = train_sentencepiece_bytes(_lines(tgt, target_lines), vocab_size=600)
    labels = [f">>{label}<<" for label in target_labels]
    vocab = _joint_vocabulary(source_spm, target_spm, labels)
    weights = _random_marian_weights(len(vocab), layers, d_model, heads, ffn, np.random.default_rng(seed))

    atomic_write_bytes(out_dir / "source.spm", source_spm)
    atomic_write_bytes(out_dir / "target.spm", target_spm)
    atomic_write_text(out_dir / layout.vocab_file, vocabulary_yaml(vocab))
    model = io.BytesIO()
    np.savez(model, **weights)
    atomic_write_bytes(out_dir / layout.model_file, model.getvalue())
    decoder = {
        "models": [layout.model_file],
        "vocabs": [layout.vocab_file, layout.vocab_file],
        "beam-size": 4,
        "normalize": 1,
        "word-penalty": 0,
        "mini-batch": 16,
        "maxi-batch": 100,
        "maxi-batch-sort": "src",
        "relative-paths": True,
    }
    atomic_write_text(out_dir / "decoder.yml", yaml.safe_dump(decoder, sort_keys=False))
    codes = tatoeba_code(src), tatoeba_code(tgt)
    names = {"name": layout.name, "dataset": layout.dataset, "model_type": layout.model_type}
    atomic_write_text(out_dir / "README.md", readme(*codes, labels, list_labels=layout.list_labels, **names))
    atomic_write_text(out_dir / f"{layout.name}.yml", release_yml(*codes, labels, label_style=layout.label_style, **names))
    atomic_write_text(out_dir / "LICENSE", LICENSE_TEXT)
    for name, script in (("preprocess.sh", PREPROCESS_SH), ("postprocess.sh", POSTPROCESS_SH)):
        atomic_write_text(out_dir / name, script).chmod(0o755)
    return out_dir


def zip_opus_mt_release(release_dir: Path, out_file: Path) -> Path:
    """Zip a release directory the way OPUS-MT publishes it (files at the archive's top level)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        for path in sorted(Path(release_dir).iterdir()):
            if path.is_file():
                bundle.write(path, path.name)
    return atomic_write_bytes(out_file, archive.getvalue())


def _lines(language: str, lines: Iterable[str] | None) -> list[str]:
    if lines is not None:
        return list(lines)
    # A language without built-in text trains on all of it: byte fallback covers the rest.
    return list(_LINES_BY_LANGUAGE.get(language) or [l for group in _LINES_BY_LANGUAGE.values() for l in group])


def _joint_vocabulary(source_spm: bytes, target_spm: bytes, labels: Sequence[str] = ()) -> list[str]:
    """Marian's joint vocabulary: ``</s>`` = 0, ``<unk>`` = 1, the target labels (whole tokens of
    the training data, not SentencePiece pieces), then every piece of both models."""
    vocab = ["</s>", "<unk>"]
    seen = set(vocab) | {"<s>"}  # Marian vocabularies have no <s>; decoding starts from zeros
    for piece in [*labels, *load_pieces(source_spm), *load_pieces(target_spm)]:
        if piece not in seen:
            seen.add(piece)
            vocab.append(piece)
    return vocab


def _marian_config(vocab_size: int, layers: int, d_model: int, heads: int, ffn: int) -> bytes:
    config = {
        "type": "transformer",
        "dim-vocabs": [vocab_size, vocab_size],
        "dim-emb": d_model,
        "enc-depth": layers,
        "dec-depth": layers,
        "transformer-heads": heads,
        "transformer-dim-ffn": ffn,
        "transformer-ffn-depth": 2,
        "transformer-ffn-activation": "swish",
        "transformer-preprocess": "",
        "transformer-postprocess": "dan",
        "transformer-postprocess-emb": "d",
        "transformer-decoder-autoreg": "self-attention",
        "transformer-no-projection": False,
        "transformer-guided-alignment-layer": "last",
        "tied-embeddings-all": True,
        "version": "v1.10.0 (test build)",
    }
    # Marian stores the options as a NUL-terminated string in an int8 array.
    return yaml.safe_dump(config, sort_keys=False).encode("utf-8") + b"\0"


def _random_marian_weights(
    vocab_size: int, layers: int, d_model: int, heads: int, ffn: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Post-norm Transformer weights under Marian's names ([in, out] matrices, [1, n] vectors)."""

    def dense(rows: int, cols: int) -> np.ndarray:
        return rng.standard_normal((rows, cols), dtype=np.float32) / np.float32(math.sqrt(rows))

    def row(n: int, value: float = 0.0) -> np.ndarray:
        return np.full((1, n), value, np.float32)

    weights: dict[str, np.ndarray] = {
        "special:model.yml": np.frombuffer(_marian_config(vocab_size, layers, d_model, heads, ffn), np.int8),
        "Wemb": dense(vocab_size, d_model),
        "decoder_ff_logit_out_b": row(vocab_size),
    }

    def attention(scope: str) -> None:
        for name in ("q", "k", "v", "o"):
            weights[f"{scope}_W{name}"] = dense(d_model, d_model)
            weights[f"{scope}_b{name}"] = row(d_model)
        weights[f"{scope}_Wo_ln_scale"] = row(d_model, 1.0)
        weights[f"{scope}_Wo_ln_bias"] = row(d_model)

    def feed_forward(scope: str) -> None:
        weights[f"{scope}_ffn_W1"] = dense(d_model, ffn)
        weights[f"{scope}_ffn_b1"] = row(ffn)
        weights[f"{scope}_ffn_W2"] = dense(ffn, d_model)
        weights[f"{scope}_ffn_b2"] = row(d_model)
        weights[f"{scope}_ffn_ffn_ln_scale"] = row(d_model, 1.0)
        weights[f"{scope}_ffn_ffn_ln_bias"] = row(d_model)

    for layer in range(1, layers + 1):
        attention(f"encoder_l{layer}_self")
        feed_forward(f"encoder_l{layer}")
        attention(f"decoder_l{layer}_self")
        attention(f"decoder_l{layer}_context")
        feed_forward(f"decoder_l{layer}")
    return weights
