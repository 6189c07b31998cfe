"""Test doubles of many shapes, and a catalogue of them for property tests.

``BehaviourDouble`` is a Python ``TranslationEngine`` that tokenizes with a real SentencePiece
model (any ``tokenizer.TOKENIZER_SHAPES`` entry, spans from ``mt.spm_codec``) and "translates" by
copying the source pieces, with a behaviour applied to given terms:

  copy   nothing changes
  drop   the term's pieces are left out
  wrong  the term is rendered by another word (``replacement``, a new ▁-word)
  move   the term is taken out and said elsewhere: before the final punctuation, or at the
         start when it already ends the sentence

Terms are per sentence (``{sentence: [span | string, ...]}``) or for every sentence (a list);
a string stands for each of its occurrences. ``behaviour`` is one name or ``{term string: name}``.
Its attention comes from its own alignment (output piece → source pieces): ``exact`` (weight on
the aligned pieces), ``shift+k``/``shift-k`` (on the piece k away, clamped to the sentence),
``blur`` (softmax of −|s−a| around the aligned pieces), ``sink`` (a head that does not copy:
0.9 on the last source piece) and ``uniform``. With a target prefix it continues as a model
would: the prefix, then the intended output for the source it has not covered yet (the
prefix's own alignment: text shared with the intended output, and an unshared tail standing for
the damaged term at that point). Hypotheses after the first are the intended output with 1, 2, …
pieces fewer at the end. ``score`` is minus the piece edit distance to the intended output.

``copy_double_shapes()`` lists every copy-double configuration (real CTranslate2 copy models in
Argos and OPUS-MT packs, and copying ``BehaviourDouble``s) with a factory; ``load_copy_double``
builds one into a directory and returns the loaded engine.
"""

from __future__ import annotations

import difflib
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..mt.base import Hypothesis, ModelInfo, Span, Translation
from ..mt.spm_codec import decode_with_spans, encode_with_spans
from .tokenizer import TOKENIZER_SHAPES, expected_copy_text, processor_of, tokenizer_shape

BEHAVIOURS = ("copy", "drop", "wrong", "move")
ATTENTION_PATTERNS = ("exact", "shift+k", "shift-k", "blur", "sink", "uniform")
EOS = "</s>"
Term = Span | str


@dataclass
class _Plan:
    source_pieces: list[str]
    source_spans: list[Span]
    pieces: list[str]  # intended output pieces
    align: list[tuple[int, ...]]  # per output piece, the source pieces it renders
    terms: list[tuple[int, ...]]  # source pieces of each term, in source order
    damaged: list[int | None]  # per output piece, the term it renders in damaged form


class BehaviourDouble:
    """A ``TranslationEngine`` that copies, damaging the given terms (see the module docstring)."""

    engine_name = "behaviour-double"

    def __init__(
        self,
        tokenizer="bpe1k",
        *,
        behaviour: str | Mapping[str, str] = "copy",
        terms: Sequence[Term] | Mapping[str, Sequence[Term]] = (),
        attention: str = "exact",
        replacement: str = "Zork",
        target_tokenizer=None,
        to_code: str = "ru",
        max_length_ratio: float = 3.0,
    ):
        self.source = _processor(tokenizer)
        self.target = self.source if target_tokenizer is None else _processor(target_tokenizer)
        self.behaviour = behaviour
        self.terms = terms
        self.attention = attention
        _attention_row(attention, (0,), 1)  # validate early
        for name in behaviour.values() if isinstance(behaviour, Mapping) else [behaviour]:
            if name not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {name!r}; known: {', '.join(BEHAVIOURS)}")
        self.replacement = replacement
        self.max_length_ratio = max_length_ratio
        self.info = ModelInfo("behaviour-double", "double", "en", to_code, "1", "")
        self.calls: list[dict] = []

    # -- the TranslationEngine interface ---------------------------------------------------

    def source_pieces(self, sentence: str) -> list[str]:
        return encode_with_spans(self.source, sentence)[0]

    def detokenize(self, pieces: Sequence[str]) -> str:
        return decode_with_spans(self.target, [p for p in pieces if p != EOS])[0]

    def prefix_fits(self, sentence: str, prefix: str) -> bool:
        return len(self._target_pieces(prefix)) < self._cap(sentence)

    def translate(self, sentences, *, num_hypotheses=1, return_attention=False, target_prefixes=None, max_length=None, beam_size=None):
        self.calls.append({"n": len(sentences), "prefixes": list(target_prefixes or [])})
        out = []
        for index, sentence in enumerate(sentences):
            prefix = target_prefixes[index] if target_prefixes else None
            plan = self.plan(sentence)
            pieces, align = (plan.pieces, plan.align) if prefix is None else self._continue(plan, prefix)
            hypotheses = []
            for rank in range(num_hypotheses):
                keep = max(len(pieces) - rank, 0) if prefix is None else len(pieces)
                hypotheses.append(self._hypothesis(plan, pieces[:keep], align[:keep], -float(rank), return_attention))
            out.append(Translation(plan.source_pieces, hypotheses, plan.source_spans))
        return out

    def score(self, sentences: Sequence[str], targets: Sequence[str], *,
              after: Sequence[int] | None = None) -> list[float]:
        self.calls.append({"score": len(sentences)})
        scores = []
        for index, (sentence, target) in enumerate(zip(sentences, targets)):
            intended, candidate = self.plan(sentence).pieces, self._target_pieces(target)
            if after is not None:  # a beginning: compared with as much of the intended output
                intended = intended[: len(candidate)]
            matched = sum(b.size for b in difflib.SequenceMatcher(None, intended, candidate, autojunk=False).get_matching_blocks())
            scores.append(-float(len(intended) + len(candidate) - 2 * matched))
        return scores

    # -- what the double intends to say ----------------------------------------------------

    def plan(self, sentence: str) -> _Plan:
        pieces, spans = encode_with_spans(self.source, sentence)
        owner = _effective_spans(spans)
        term_spans = _resolve_terms(sentence, self._terms_for(sentence))
        terms = []
        for start, end in term_spans:
            members = tuple(i for i, (s, e) in enumerate(owner) if max(s, start) < min(e, end) and sentence[max(s, start):min(e, end)].strip())
            if members:
                first, last = members[0], members[-1]
                behaviour = self._behaviour_for(sentence[start:end])
                if behaviour != "copy" and first > 0 and not pieces[first - 1].replace("▁", "") and first - 1 not in {
                        j for m, _ in terms for j in m}:
                    first -= 1  # a standalone "▁" before the term goes with it (no double space)
                terms.append((tuple(range(first, last + 1)), sentence[start:end]))
        units: list[tuple[list[str], list[tuple[int, ...]], int | None]] = []  # (pieces, align, term)
        in_term = {i: t for t, (members, _) in enumerate(terms) for i in members}
        moved: list[tuple[int, int]] = []  # (term, where it stood among the units)
        i = 0
        while i < len(pieces):
            if i not in in_term:
                units.append(([pieces[i]], [(i,)], None))
                i += 1
                continue
            t = in_term[i]
            members, text = terms[t]
            i = members[-1] + 1
            behaviour = self._behaviour_for(text)
            if behaviour == "copy":
                units.append(([pieces[j] for j in members], [(j,) for j in members], None))
            elif behaviour == "wrong":
                new = self._target_pieces(self.replacement)
                units.append((new, [_share(members, k, len(new)) for k in range(len(new))], t))
            elif behaviour == "move":
                moved.append((t, len(units)))
            # "drop": nothing
        trailing = len(units)
        while trailing > 0 and all(_is_punctuation(p) for p in units[trailing - 1][0]):
            trailing -= 1
        front, back = [], []
        for t, place in moved:
            members, text = terms[t]
            new, new_spans = encode_with_spans(self.target, text)
            base = owner[members[0]][0]
            base = sentence.find(text, base) if sentence.find(text, base) >= 0 else base
            align = []
            for k, (s, e) in enumerate(_effective_spans(new_spans)):
                hit = tuple(j for j in members if max(owner[j][0], base + s) < min(owner[j][1], base + e))
                align.append(hit or _share(members, k, len(new)))
            # Words follow the term: say it before the final punctuation; else at the start.
            (back if place < trailing else front).append((new, align, t))
        units = front + units[:trailing] + back + units[trailing:]
        out_pieces, out_align, damaged = [], [], []
        for unit_pieces, unit_align, term in units:
            out_pieces += unit_pieces
            out_align += unit_align
            damaged += [term] * len(unit_pieces)
        return _Plan(pieces, spans, out_pieces, out_align, [members for members, _ in terms], damaged)

    # -- helpers ---------------------------------------------------------------------------

    def _terms_for(self, sentence: str) -> Sequence[Term]:
        if isinstance(self.terms, Mapping):
            return self.terms.get(sentence, ())
        return self.terms

    def _behaviour_for(self, term_text: str) -> str:
        if isinstance(self.behaviour, Mapping):
            return self.behaviour.get(term_text, "copy")
        return self.behaviour

    def _target_pieces(self, text: str) -> list[str]:
        return [p.piece for p in self.target.encode_as_proto(text).pieces]

    def _cap(self, sentence: str) -> int:
        return int(self.max_length_ratio * len(self.source_pieces(sentence))) + 10

    def _continue(self, plan: _Plan, prefix: str) -> tuple[list[str], list[tuple[int, ...]]]:
        """Prefix pieces, then the intended output for the source the prefix has not covered."""
        prefix_pieces = self._target_pieces(prefix)
        prefix_text, prefix_spans = decode_with_spans(self.target, prefix_pieces)
        text, spans = decode_with_spans(self.target, plan.pieces)
        shared = 0
        while shared < min(len(text), len(prefix_text)) and text[shared] == prefix_text[shared]:
            shared += 1
        k = 0  # first intended piece not wholly inside the shared text
        while k < len(spans) and spans[k][1] <= shared and (spans[k][1] > spans[k][0] or spans[k][0] < shared):
            k += 1
        if shared < len(prefix_text):
            while k > 0 and not plan.pieces[k - 1].replace("▁", ""):
                k -= 1  # a standalone "▁" only separates: it belongs to what follows the prefix
        covered = {s for a in plan.align[:k] for s in a}
        tail_align: tuple[int, ...] = ()
        pieces: list[str] = []
        align: list[tuple[int, ...]] = []
        if shared < len(prefix_text):
            term = plan.damaged[k] if k < len(plan.damaged) else None
            if term is None:  # e.g. a dropped term: the first one not covered yet
                last = max(covered, default=-1)
                term = next((t for t, members in enumerate(plan.terms) if min(members) > last), None)
            if term is not None:
                tail_align = plan.terms[term]
                covered |= set(tail_align)
        elif k < len(spans) and spans[k][0] < shared:  # the prefix ends inside intended piece k
            pieces = [self._as_pieces(text[shared:spans[k][1]])]
            pieces = pieces[0]
            align = [plan.align[k]] * len(pieces)
            covered |= set(plan.align[k])
            k += 1
        for j in range(k, len(plan.pieces)):
            if plan.align[j] and set(plan.align[j]) <= covered and plan.damaged[j] is None:
                continue
            if plan.damaged[j] is not None and set(plan.terms[plan.damaged[j]]) <= set(tail_align):
                continue  # the prefix already rendered this term
            last = pieces[-1] if pieces else (prefix_pieces[-1] if prefix_pieces else "")
            if not plan.pieces[j].replace("▁", "") and last and not last.replace("▁", ""):
                continue  # no double space where a skipped term stood between two "▁"
            pieces.append(plan.pieces[j])
            align.append(plan.align[j])
        prefix_align = []
        for start, end in prefix_spans:
            chars = range(start, max(end, start + 1))
            row = set()
            for c in chars:
                if c < shared:
                    row |= {s for j, (a, b) in enumerate(spans) if a <= c < b for s in plan.align[j]}
                else:
                    row |= set(tail_align)
            prefix_align.append(tuple(sorted(row)))
        return prefix_pieces + pieces, prefix_align + align

    def _as_pieces(self, text: str) -> list[str]:
        """``text`` glued to what precedes it: one piece per character (bytes if unknown)."""
        out = []
        for ch in text:
            if ch == " ":
                out.append("▁")  # may be a byte fallback in the nospace shape; rare at a cut
            elif self.target.piece_to_id(ch) != self.target.unk_id():
                out.append(ch)
            else:
                out += [f"<0x{b:02X}>" for b in ch.encode("utf-8")]
        return out

    def _hypothesis(self, plan: _Plan, pieces, align, score: float, with_attention: bool) -> Hypothesis:
        text, spans = decode_with_spans(self.target, pieces)
        attention = None
        if with_attention:
            n = len(plan.source_pieces)
            attention = [_attention_row(self.attention, a, n) for a in align]
        return Hypothesis(text, score, list(pieces), attention, spans)


# -- alignment helpers ----------------------------------------------------------------------


def _processor(tokenizer):
    if isinstance(tokenizer, str):
        return processor_of(tokenizer_shape(tokenizer).build())
    if isinstance(tokenizer, bytes):
        return processor_of(tokenizer)
    return tokenizer


def _effective_spans(spans: Sequence[Span]) -> list[Span]:
    """Spans where a byte piece that prints nothing takes the span of the byte that completes it."""
    out = list(spans)
    for i in range(len(out) - 2, -1, -1):
        if out[i][0] == out[i][1] and out[i + 1][0] == out[i][0]:
            out[i] = out[i + 1]
    return out


def _resolve_terms(sentence: str, terms: Sequence[Term]) -> list[Span]:
    spans: list[Span] = []
    for term in terms:
        if isinstance(term, str):
            if term:
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(term), sentence)]
        else:
            spans.append((int(term[0]), int(term[1])))
    chosen: list[Span] = []
    for start, end in sorted(spans):
        if start < end and (not chosen or start >= chosen[-1][1]):
            chosen.append((start, end))
    return chosen


def _share(members: tuple[int, ...], k: int, count: int) -> tuple[int, ...]:
    """Piece k of ``count`` new pieces rendering ``members``: its proportional share."""
    lo = members[k * len(members) // count]
    hi = members[max((k + 1) * len(members) // count - 1, k * len(members) // count)]
    return tuple(range(lo, hi + 1))


def _is_punctuation(piece: str) -> bool:
    surface = piece.replace("▁", "")
    return bool(surface) and all(not ch.isalnum() for ch in surface) and not surface.startswith("<0x")


def _attention_row(pattern: str, aligned: Sequence[int], n: int) -> list[float]:
    if n == 0:
        return []
    aligned = list(aligned) or [n - 1]
    if pattern == "exact":
        weights = [0.0] * n
        for a in aligned:
            weights[a] += 1.0 / len(aligned)
        return weights
    shift = re.fullmatch(r"shift([+-]\d+)", pattern)
    if shift:
        weights = [0.0] * n
        for a in aligned:
            weights[min(max(a + int(shift.group(1)), 0), n - 1)] += 1.0 / len(aligned)
        return weights
    if pattern == "blur":
        raw = [sum(math.exp(-abs(s - a)) for a in aligned) for s in range(n)]
    elif pattern == "sink":
        raw = [0.1 / n + (0.9 if s == n - 1 else 0.0) for s in range(n)]
    elif pattern == "uniform":
        raw = [1.0] * n
    else:
        raise ValueError(f"unknown attention pattern {pattern!r}; known: {', '.join(ATTENTION_PATTERNS)}")
    total = sum(raw)
    return [w / total for w in raw]


# -- the catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyDoubleShape:
    """One copy-double configuration: an engine whose ``translate`` text is ``expected_text``."""

    name: str
    kind: str  # "argos" | "opus-mt" (real CTranslate2 copy models) | "python" (BehaviourDouble)
    tokenizer: str
    attention: str  # what the reported attention does: exact | shift±k | blur | uniform | sink
    factory: Callable[[Path], object] = field(compare=False, repr=False)

    def build(self, directory: Path):
        """Build into ``directory`` (created) and return the loaded ``TranslationEngine``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        return self.factory(directory)

    @property
    def attention_shift(self) -> int | None:
        match = re.fullmatch(r"shift([+-]\d+)", self.attention)
        return int(match.group(1)) if match else (0 if self.attention == "exact" else None)

    def expected_text(self, sentence: str) -> str:
        """The text a copy of ``sentence`` comes back as: the tokenizer's normalization, and for
        OPUS-MT packs the release's source normalization first (’ → ', “” → ", … → ...)."""
        if self.kind == "opus-mt":
            from ..mt.normalize import opus_mt_normalize

            sentence = opus_mt_normalize(sentence)[0]
        return expected_copy_text(processor_of(tokenizer_shape(self.tokenizer).build()), sentence)


def _settings():
    from ..config import MTSettings

    # Character-level sources run to a few hundred pieces: room for the longest test sentence.
    return MTSettings(max_decoding_length=1024)


def _argos_factory(tokenizer: str, attention: str) -> Callable[[Path], object]:
    def build(directory: Path):
        from ..mt.packs import open_pack
        from .models import build_copy_argos_package

        package = build_copy_argos_package(directory / "copy.argosmodel", tokenizer=tokenizer, attention=attention)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(directory / "pack")
        (top,) = (directory / "pack").iterdir()
        return open_pack(top).load(_settings())

    return build


def _opus_mt_factory(tokenizer: str, attention: str) -> Callable[[Path], object]:
    def build(directory: Path):
        from ..mt.packs import open_pack
        from .models import build_copy_opus_mt_pack

        return open_pack(build_copy_opus_mt_pack(directory / "pack", tokenizer=tokenizer, attention=attention)).load(_settings())

    return build


def _python_factory(tokenizer: str, attention: str) -> Callable[[Path], object]:
    return lambda directory: BehaviourDouble(tokenizer, attention=attention)


SHIFTS = ("shift+1", "shift+2", "shift+3", "shift-1", "shift-2", "shift-3")


def copy_double_shapes() -> dict[str, CopyDoubleShape]:
    """Every copy-double configuration by name (``kind/tokenizer/attention``), with a factory."""
    configurations = (
        [("argos", t, "exact") for t in TOKENIZER_SHAPES]
        + [("opus-mt", t, "exact") for t in TOKENIZER_SHAPES]
        + [("argos", "bpe1k", a) for a in (*SHIFTS, "blur", "uniform")]
        + [("opus-mt", "unigram", "shift+2"), ("opus-mt", "unigram", "blur"), ("argos", "nospace", "shift-1"),
           ("argos", "nfkc", "shift+1"), ("argos", "char", "shift+2"), ("opus-mt", "bpe4k", "shift-3")]
        + [("python", t, "exact") for t in TOKENIZER_SHAPES]
        + [("python", "bpe1k", a) for a in ("shift+2", "shift-1", "blur", "sink", "uniform")]
    )
    factories = {"argos": _argos_factory, "opus-mt": _opus_mt_factory, "python": _python_factory}
    shapes = {}
    for kind, tokenizer, attention in configurations:
        name = f"{kind}/{tokenizer}/{attention}"
        shapes[name] = CopyDoubleShape(name, kind, tokenizer, attention, factories[kind](tokenizer, attention))
    return shapes


def load_copy_double(name: str, directory: Path):
    """Build the named copy double into ``directory`` and return the loaded engine."""
    shapes = copy_double_shapes()
    if name not in shapes:
        raise ValueError(f"unknown copy double {name!r}; known: {', '.join(shapes)}")
    return shapes[name].build(directory)
