"""Train small SentencePiece models, deterministically and in milliseconds, for test model packs.

``train_sentencepiece`` / ``train_sentencepiece_bytes`` give today's model (BPE, ~1,000 pieces).
``TOKENIZER_SHAPES`` names the other shapes real models come in, so a property can be checked on
every one of them (``tokenizer_shape(name).build()`` → serialized model, cached per process):

==========  ===========================================================================================
``char``    one piece per character (416 pieces): every space is a standalone ``▁``
``bpe1k``   today's: BPE, 1,000 pieces; standalone ``▁`` before punctuation, digits and rare letters
``bpe4k``   BPE, 3,901 pieces (all the built-in text allows; the bench's news-sized tokenizer)
``unigram`` unigram LM like OPUS-MT's SentencePiece models (~890 pieces: all the text allows)
``nospace`` ``bpe1k`` edited so the vocabulary has NO standalone ``▁``: a ``▁x`` piece for every
            character it knows and for the newsroom's scripts, merged first (see ``_without_space_piece``)
``nfkc``    ``bpe1k`` trained with NMT-NFKC normalization (what Argos and OPUS-MT models use)
==========  ===========================================================================================

Every shape has ``byte_fallback``: the project's test sentences (Şəhla Talıbova, «quotes», ’, —,
digits, Cyrillic, Armenian, emoji) encode without ``<unk>``; an unseen character becomes its UTF-8
bytes (``<0xC9>`` ``<0x99>`` for ``ə``) and decodes back to itself. All shapes except ``nfkc`` use
the ``identity`` normalization, so ``decode(encode(text)) == text`` apart from runs of spaces
(squeezed) and leading/trailing spaces (dropped): ``expected_text`` says exactly what comes back.

Caveats, by shape:

- ``nfkc``: text comes back NFKC-normalized, so a copy holds *modulo* the normalization:
  ``km²`` → ``km2``, ``…`` → ``...``, ``½`` → ``1⁄2``, no-break and other Unicode spaces → a space,
  full-width letters and digits → ASCII, ligatures (``ﬁ``) split. ’ ‘ “ ” « » — – ₽ and all
  Latin/Cyrillic/Armenian letters are unchanged. Source spans still index the *original* text
  (SentencePiece tracks the normalization), so ``source[span]`` is the raw surface, e.g. ``²``
  for a piece ``2``.
- ``nospace``: a space before a character outside the covered repertoire (CJK, most emoji) has
  no ``▁x`` piece, so its ``▁`` falls back to bytes ``<0xE2><0x96><0x81>`` and decodes as a
  literal ``▁``: the copy property holds for text whose characters after a space are in
  ``NOSPACE_REPERTOIRE`` (Latin, IPA, Greek, Cyrillic, Armenian, punctuation, currency, symbols,
  emoticons) or known to the model.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sentencepiece as spm

from ..fsutil import atomic_write_bytes
from .corpus import default_training_lines

DEFAULT_VOCAB_SIZE = 1000

# Code-point ranges [start, stop) whose characters get a "▁x" piece in the ``nospace`` shape.
NOSPACE_REPERTOIRE: tuple[tuple[int, int], ...] = (
    (0x21, 0x7F),  # ASCII
    (0xA1, 0x2B0),  # Latin-1, Latin Extended-A/B, IPA (ə)
    (0x370, 0x400),  # Greek
    (0x400, 0x530),  # Cyrillic (+ supplement)
    (0x531, 0x590),  # Armenian
    (0x1E00, 0x1F00),  # Latin Extended Additional
    (0x2010, 0x2060),  # general punctuation: dashes, quotes, …
    (0x20A0, 0x20C1),  # currency
    (0x2100, 0x2200),  # letterlike, number forms, arrows
    (0x1F600, 0x1F650),  # emoticons
)


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


def train_sentencepiece_bytes(
    lines: Iterable[str] | None = None,
    vocab_size: int = DEFAULT_VOCAB_SIZE,
    *,
    model_type: str = "bpe",
    normalization: str = "identity",
    user_defined_symbols: tuple[str, ...] = (),
) -> bytes:
    """The serialized model ``train_sentencepiece`` writes, for callers that zip it directly."""
    text = [line for line in (default_training_lines() if lines is None else lines) if line.strip()]
    # The trainer draws random numbers (e.g. for sampling); a fixed seed makes builds reproducible.
    spm.set_random_generator_seed(0)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text),
        model_writer=model,
        vocab_size=vocab_size,
        model_type=model_type,
        byte_fallback=True,
        character_coverage=1.0,
        normalization_rule_name=normalization,
        hard_vocab_limit=False,
        shuffle_input_sentence=False,
        num_threads=1,
        minloglevel=2,
        **({"user_defined_symbols": list(user_defined_symbols)} if user_defined_symbols else {}),
    )
    return model.getvalue()


def load_pieces(model: bytes) -> list[str]:
    """The model's pieces in id order: the shared vocabulary a CTranslate2 model is built on."""
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def processor_of(model: bytes) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_proto=model)


# -- named shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenizerShape:
    """One way a real model's SentencePiece tokenizer can look."""

    name: str
    description: str
    model_type: str = "bpe"
    vocab_size: int = DEFAULT_VOCAB_SIZE
    normalization: str = "identity"
    standalone_space: bool = True  # whether "▁" is a piece of the vocabulary
    edit: Callable[[bytes], bytes] | None = field(default=None, compare=False)

    def build(self, lines: Iterable[str] | None = None) -> bytes:
        """The serialized model (cached for the built-in training text)."""
        if lines is None:
            return _build_cached(self.name)
        return self._train(list(lines))

    def _train(self, lines: list[str] | None) -> bytes:
        model = train_sentencepiece_bytes(lines, self.vocab_size, model_type=self.model_type,
                                          normalization=self.normalization)
        return self.edit(model) if self.edit else model

    def expected_text(self, text: str) -> str:
        """What decode(encode(text)) gives: the text a copy through this tokenizer returns."""
        return expected_copy_text(processor_of(self.build()), text)


def expected_copy_text(processor: spm.SentencePieceProcessor, text: str) -> str:
    """``text`` as the tokenizer's normalizer leaves it: spaces squeezed and trimmed, and for an
    NFKC shape NFKC-folded (the normalizer writes ``▁`` for a space)."""
    return processor.normalize(text).replace("▁", " ").strip(" ")


def _without_space_piece(model: bytes) -> bytes:
    """Drop the "▁" piece and add a top-scored "▁x" for every known or repertoire character x.

    SentencePiece BPE merges the best-scored adjacent pair first, so "▁" joins the character after
    it before anything else and is never left alone (unless that character is outside both sets,
    see the module docstring). The model's other pieces and their order are unchanged.
    """
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto()
    proto.ParseFromString(model)
    normal = pb.ModelProto.SentencePiece.NORMAL
    by_piece = {p.piece: p for p in proto.pieces}
    known = {p.piece for p in proto.pieces if p.type == normal and len(p.piece) == 1}
    repertoire = {chr(c) for start, stop in NOSPACE_REPERTOIRE for c in range(start, stop)}
    top = max(p.score for p in proto.pieces if p.type == normal) + 1.0
    added = []
    for ch in sorted((known | repertoire) - {"▁"}):
        if ch.isspace() or not ch.isprintable():
            continue
        existing = by_piece.get("▁" + ch)
        if existing is not None:
            existing.score = top
        else:
            added.append(pb.ModelProto.SentencePiece(piece="▁" + ch, score=top, type=normal))
    kept = [p for p in proto.pieces if p.piece != "▁"]
    del proto.pieces[:]
    proto.pieces.extend(kept)
    proto.pieces.extend(added)
    return proto.SerializeToString()


TOKENIZER_SHAPES: dict[str, TokenizerShape] = {
    shape.name: shape
    for shape in (
        TokenizerShape("char", "character-level, byte fallback; every space a standalone ▁", model_type="char"),
        TokenizerShape("bpe1k", "BPE, ~1,000 pieces (today's test tokenizer)"),
        TokenizerShape("bpe4k", "BPE, ~3,900 pieces (news-model sized)", vocab_size=8000),
        TokenizerShape("unigram", "unigram LM (OPUS-MT's kind), ~890 pieces", model_type="unigram", vocab_size=4000),
        TokenizerShape("nospace", "BPE ~1k with no standalone ▁ piece (▁ always glued to the next character)",
                       standalone_space=False, edit=_without_space_piece),
        TokenizerShape("nfkc", "BPE ~1k with NMT-NFKC normalization (copies hold modulo NFKC)",
                       normalization="nmt_nfkc"),
    )
}


def tokenizer_shape(name: str) -> TokenizerShape:
    try:
        return TOKENIZER_SHAPES[name]
    except KeyError:
        raise ValueError(f"unknown tokenizer shape {name!r}; known: {', '.join(TOKENIZER_SHAPES)}") from None


@lru_cache(maxsize=None)
def _build_cached(name: str) -> bytes:
    return TOKENIZER_SHAPES[name]._train(None)
