"""Train a small SentencePiece model, deterministically and in milliseconds, for test model packs."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import sentencepiece as spm

from ..fsutil import atomic_write_bytes
from .corpus import default_training_lines

DEFAULT_VOCAB_SIZE = 1000


def train_sentencepiece(
    out_dir: Path,
    lines: Iterable[str] | None = None,
    vocab_size: int = DEFAULT_VOCAB_SIZE,
    name: str = "sentencepiece",
) -> Path:
    """Write ``out_dir/<name>.model`` trained on ``lines`` and return its path.

    ``byte_fallback`` makes any UTF-8 text encode without ``<unk>``; the ``identity`` normalization
    makes decode(encode(text)) give the text back (apart from runs of spaces), which the copy
    model's exact-output tests rely on. ``vocab_size`` is an upper bound: a few lines cannot fill a
    large vocabulary, and the model is then as large as the text allows.
    """
    model = train_sentencepiece_bytes(lines, vocab_size)
    return atomic_write_bytes(Path(out_dir) / f"{name}.model", model)


def train_sentencepiece_bytes(lines: Iterable[str] | None = None, vocab_size: int = DEFAULT_VOCAB_SIZE) -> bytes:
    """The serialized model ``train_sentencepiece`` writes, for callers that zip it directly."""
    text = [line for line in (default_training_lines() if lines is None else lines) if line.strip()]
    # The trainer draws random numbers (e.g. for sampling); a fixed seed makes builds reproducible.
    spm.set_random_generator_seed(0)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        normalization_rule_name="identity",
        hard_vocab_limit=False,
        shuffle_input_sentence=False,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def load_pieces(model: bytes) -> list[str]:
    """The model's pieces in id order: the shared vocabulary a CTranslate2 model is built on."""
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
