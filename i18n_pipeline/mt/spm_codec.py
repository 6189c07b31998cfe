"""Pieces and their character spans, as SentencePiece itself reports them.

``encode_as_proto`` / ``decode_pieces_as_proto`` give every piece its surface and its
``begin``/``end``; those are UTF-8 byte offsets, so the only arithmetic here is turning bytes
into characters. Byte-fallback pieces (``<0xC5>``), a standalone ``▁``, pieces that print
nothing and ``<unk>`` all come out right because SentencePiece accounts for them, not us.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .base import Span


def _byte_to_char(text: str) -> list[int]:
    """``table[b]`` = index of the character that UTF-8 byte ``b`` of ``text`` belongs to (+ end)."""
    table: list[int] = []
    for index, ch in enumerate(text):
        table += [index] * len(ch.encode("utf-8"))
    table.append(len(text))
    return table


def encode_with_spans(processor, text: str) -> tuple[list[str], list[Span]]:
    """Source pieces of ``text`` and the characters of ``text`` each one stands for."""
    proto = processor.encode_as_proto(text)
    table = _byte_to_char(text)
    pieces = [p.piece for p in proto.pieces]
    spans = [(table[p.begin], table[p.end]) for p in proto.pieces]
    return pieces, spans


def decode_with_spans(processor, pieces: Sequence[str]) -> tuple[str, list[Span]]:
    """Text of target ``pieces`` and the characters each one printed.

    A piece the model has but the tokenizer does not (CTranslate2's ``replace_unknowns`` copies
    a source piece into the target; a separate target vocabulary may lack it) comes back from
    SentencePiece verbatim, ``▁`` included: its surface is then the piece with ``▁`` as a space.
    """
    proto = processor.decode_pieces_as_proto(list(pieces))
    unknown = processor.unk_id()
    surfaces = []
    for piece in proto.pieces:
        surface = piece.surface
        if piece.id == unknown and piece.piece != processor.id_to_piece(unknown):
            surface = surface.replace("▁", " ")
            if not "".join(surfaces):
                surface = surface.lstrip(" ")  # the dummy prefix SentencePiece drops at the start
        surfaces.append(surface)
    spans: list[Span] = []
    cursor = 0
    for surface in surfaces:
        spans.append((cursor, cursor + len(surface)))
        cursor += len(surface)
    return "".join(surfaces), spans


@dataclass(frozen=True)
class SpanCodec:
    """How a pack turns text into model pieces and back, with character spans both ways.

    ``normalize`` (OPUS-MT's preprocess table) returns the normalized text and, per character,
    where it came from: source spans are mapped back onto the caller's text through it.
    """

    source: object  # sentencepiece.SentencePieceProcessor
    target: object
    normalize: Callable[[str], tuple[str, list[int]]] | None = None

    def encode(self, text: str) -> tuple[list[str], list[Span]]:
        if self.normalize is None:
            return encode_with_spans(self.source, text)
        normalized, origin = self.normalize(text)
        pieces, spans = encode_with_spans(self.source, normalized)
        return pieces, [_original_span(origin, start, end) for start, end in spans]

    def encode_target(self, text: str) -> list[str]:
        """Target-side pieces of a text (forced prefixes, forms to score): the target tokenizer."""
        return [p.piece for p in self.target.encode_as_proto(text).pieces]

    def encode_target_with_spans(self, text: str) -> tuple[list[str], list[Span]]:
        return encode_with_spans(self.target, text)

    def decode(self, pieces: Sequence[str]) -> tuple[str, list[Span]]:
        return decode_with_spans(self.target, pieces)


def _original_span(origin: list[int], start: int, end: int) -> Span:
    if start == end:
        return origin[start], origin[start]
    return origin[start], origin[end - 1] + 1
