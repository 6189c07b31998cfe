"""An engine double that misbehaves with glossary terms the way NMT does.

It "translates" a sentence by looking up a reference translation in which each glossary term
occurrence is marked ``[[…]]`` (in source-hit order), then damages the terms as told:

  wrong      the term rendered by another word that still carries the case ending
  drop       the term left out (and its attention with it)
  duplicate  the term said twice ("ЦРУ ЦРУ")
  recase     the term in lower case
  translit   the English term transliterated letter by letter (+ the case ending)
  noisy      correct text, but the attention of every other piece is random
  second     hypothesis 1 is the reference, hypothesis 0 is damaged ("wrong")

Pieces are whitespace words with a leading "▁" (what SentencePiece shows), each with the
character span the double's own tokenizer knows; a sentence it has no reference for (a term
translated on its own) comes back as the term rendered the way the sentence modes damage it
(in the nominative / without a suffix); attention is a near-one-hot alignment (term pieces → the source term pieces, other pieces → the source
piece at the same relative position) plus noise. ``score`` prefers the reference, word by
word, so choosing among Russian case forms by score has a real signal; with a target prefix
the double continues with the reference after the dropped term, so the sentence agrees.
Used by tests/test_glossary_enforce.py and tests/glossary_eval.py.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Sequence

from i18n_pipeline.glossary import inflect_hy
from i18n_pipeline.glossary.matcher import match_terms
from i18n_pipeline.mt.base import Hypothesis, ModelInfo, Translation

MODES = ("wrong", "drop", "duplicate", "recase", "translit", "noisy", "second")
_MARK = re.compile(r"\[\[(.+?)\]\]")
_CYR = dict(zip("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввксиз"))
_ARM = dict(zip("abcdefghijklmnopqrstuvwxyz", "աբցդեֆգհիջկլմնոպքրստուվվքյզ"))


@dataclass
class Reference:
    source: str
    marked: str  # reference translation with [[term]] marks

    @property
    def clean(self) -> str:
        return _MARK.sub(r"\1", self.marked)


@dataclass
class MisbehavingEngine:
    references: dict[str, Reference]
    glossary: object
    lang: str  # "ru" | "hy"
    modes: dict[str, str] = field(default_factory=dict)  # source → mode (default "wrong")
    seed: int = 0
    term_mode: str = "wrong"  # how a term translated on its own comes back
    calls: list[dict] = field(default_factory=list)
    info: ModelInfo = field(default_factory=lambda: ModelInfo("double", "test", "en", "xx", "0", ""))

    # -- the TranslationEngine interface ----------------------------------------------------

    def source_pieces(self, sentence: str) -> list[str]:
        return _pieces(sentence)

    def detokenize(self, pieces: Sequence[str]) -> str:
        return "".join(pieces).replace("▁", " ").strip()

    def translate(self, sentences, *, num_hypotheses=1, return_attention=False, target_prefixes=None, max_length=None, beam_size=None):
        self.calls.append({"n": len(sentences), "prefixes": list(target_prefixes or [])})
        out = []
        for index, sentence in enumerate(sentences):
            prefix = target_prefixes[index] if target_prefixes else None
            out.append(self._translate_one(sentence, num_hypotheses, prefix))
        return out

    def prefix_fits(self, sentence, prefix):
        return True  # the double has no length cap

    def score(self, sentences, targets, *, after=None):
        self.calls.append({"score": len(sentences)})
        scores = []
        for sentence, target in zip(sentences, targets):
            reference = self.references[sentence].clean.split()
            words = target.split()
            if after is not None:  # a beginning of a translation: compare it with as much
                reference = [w.rstrip(".,;:!?։") for w in reference[: len(words)]]
                words = [w.rstrip(".,;:!?։") for w in words]
            same = sum(a == b for a, b in zip(words, reference))
            scores.append(-float(max(len(words), len(reference)) - same))
        return scores

    # -- the misbehaviour ---------------------------------------------------------------------

    def _translate_one(self, sentence: str, num_hypotheses: int, prefix: str | None) -> Translation:
        if sentence not in self.references:
            return self._translate_term(sentence)
        reference = self.references[sentence]
        mode = self.modes.get(sentence, "wrong")
        source_pieces = self.source_pieces(sentence)
        rng = random.Random(f"{self.seed}:{sentence}:{prefix}")
        if prefix is not None:
            words = self._continue_after(reference, prefix)
            hyp = self._hypothesis(words, sentence, source_pieces, rng, noisy=False)
            return Translation(source_pieces, [hyp], _spans(sentence))
        damaged = self._damage(reference, sentence, "wrong" if mode == "second" else mode)
        hypotheses = [self._hypothesis(damaged, sentence, source_pieces, rng, noisy=mode == "noisy")]
        if num_hypotheses > 1:
            good = self._words(reference, sentence, lambda i, term, hit: term)
            second = good if mode == "second" else self._damage(reference, sentence, "recase")
            hypotheses.append(self._hypothesis(second, sentence, source_pieces, rng, noisy=False))
        return Translation(source_pieces, hypotheses[:num_hypotheses], _spans(sentence))

    def _translate_term(self, term: str) -> Translation:
        """A term on its own: damaged the way the sentences' mode damages it, without an ending."""
        mode = self.term_mode
        if mode in ("wrong", "translit"):
            table = _CYR if self.lang == "ru" else _ARM
            base = "".join(table.get(ch.lower(), ch) for ch in term if ch.isalpha() or ch == " ")
            text = base[::-1].strip() if mode == "wrong" else base
            text = text[:1].upper() + text[1:]
        else:
            text = term
        pieces = _pieces(text)
        return Translation(_pieces(term), [Hypothesis(text, -1.0, pieces, None, _spans(text))], _spans(term))

    def _damage(self, reference: Reference, sentence: str, mode: str):
        def change(i, term, hit):
            if mode == "drop":
                return ""
            if mode == "duplicate":
                return f"{term} {term}"
            if mode == "recase":
                return term.lower()
            if mode in ("wrong", "translit"):
                return self._mangle(term, hit, "translit" if mode == "translit" else "wrong")
            return term

        return self._words(reference, sentence, change)

    def _words(self, reference: Reference, sentence: str, change) -> list[tuple[str, int | None]]:
        """Target words, each with the source piece it aligns to when it renders a term."""
        hits = match_terms(self.glossary, sentence, self.lang)
        parts = _MARK.split(reference.marked)  # text, term, text, term, …
        text = ""
        ranges: list[tuple[int, int, list[int]]] = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                text += part
                continue
            hit = hits[i // 2] if i // 2 < len(hits) else None
            new = change(i // 2, part, hit)
            start = len(text)
            text += new
            pieces = _source_pieces_of(sentence, hit.start, hit.end) if hit else []
            ranges.append((start, len(text), pieces))
        self._term_pieces = {p for _, _, pieces in ranges for p in pieces}
        words = []
        for found in re.finditer(r"\S+", text):
            pieces = next((p for s, e, p in ranges if s < found.end() and e > found.start()), [])
            # Each word of a term looks at the term's pieces in order (the last one repeats).
            k = sum(1 for w, q in words if q is not None and q in pieces)
            words.append((found.group(0), pieces[min(k, len(pieces) - 1)] if pieces else None))
        return words

    def _mangle(self, term: str, hit, how: str) -> str:
        """A wrong rendering that keeps the case ending the sentence gave the term."""
        en = hit.term if hit else term
        table = _CYR if self.lang == "ru" else _ARM
        base = "".join(table.get(ch.lower(), ch) for ch in en if ch.isalpha() or ch == " ")
        if how == "wrong":
            base = base[::-1].strip() or base
        base = base[:1].upper() + base[1:]
        if self.lang == "hy":
            approved = hit.expected if hit and hit.expected else ()
            suffix = term.rsplit("-", 1)[1] if "-" in term else inflect_hy.read_suffix(term, approved)
            return inflect_hy.attach(base, suffix) if suffix else base
        ending = _ru_ending(term)
        return base[:-1] + ending if ending and base[-1:] in "аяо" else base + ending

    def _hypothesis(self, words, sentence, source_pieces, rng, *, noisy: bool) -> Hypothesis:
        pieces, aligned_to = [], []
        for word, piece in words:
            split = _pieces(word)
            pieces += split
            # Punctuation glued to a term word looks at the source punctuation, not the term.
            aligned_to += [piece if re.match(r"\w", p.lstrip("▁")) else None for p in split]
        words = list(zip(pieces, aligned_to))
        n_src = len(source_pieces)
        term_pieces = getattr(self, "_term_pieces", set())
        free = [i for i in range(n_src) if i not in term_pieces] or list(range(n_src))
        attention = []
        for t, (_, aligned) in enumerate(words):
            row = [rng.random() * (0.5 if noisy else 0.05) for _ in range(n_src)]
            if aligned is not None:
                row[aligned] += 1.0
            elif not noisy:
                # Other words look at the source word at the same relative position (not a term).
                position = round(t * n_src / max(len(words), 1))
                row[min(free, key=lambda i: abs(i - position))] += 0.3
            total = sum(row)
            attention.append([x / total for x in row])
        text = self.detokenize(pieces)
        return Hypothesis(text, -1.0, pieces, attention, _target_spans(pieces))

    def _continue_after(self, reference: Reference, prefix: str) -> list[tuple[str, int | None]]:
        """Honour the prefix, then go on with the reference after the term the prefix ends with."""
        clean = reference.clean
        words = prefix.split()
        ref_words = clean.split()
        # Find where the prefix's last word sits in the reference (lower-case, ending-insensitive).
        def stem(w):
            return re.sub(r"\W", "", w.lower())[:4]
        for k in range(len(ref_words) - 1, -1, -1):
            if stem(ref_words[k]) == stem(words[-1]):
                # Punctuation glued to the reference word ("Мексикой.") follows the prefix too.
                glued = re.search(r"[^\w»”\"]+$", ref_words[k])
                if glued and not words[-1].endswith(glued.group(0)):
                    words = words[:-1] + [words[-1] + glued.group(0)]
                return [(w, None) for w in words + ref_words[k + 1 :]]
        return [(w, None) for w in words + ref_words[len(words) :]]


_PIECE = re.compile(r"\w(?:[\w'’.\-]*\w)?|[^\w\s]")


def _pieces(text: str) -> list[str]:
    """Words and punctuation marks, "▁" marking a space before (as SentencePiece shows it)."""
    return [("▁" if m.start() == 0 or text[m.start() - 1].isspace() else "") + m.group(0) for m in _PIECE.finditer(text)]


def _spans(text: str) -> list[tuple[int, int]]:
    """Character span of each piece ("▁" excluded: the space is not the word's)."""
    return [m.span() for m in _PIECE.finditer(text)]


def _target_spans(pieces: list[str]) -> list[tuple[int, int]]:
    """Spans of pieces in ``detokenize(pieces)``: the "▁" of every piece but the first is a space."""
    spans, cursor = [], 0
    for k, piece in enumerate(pieces):
        space = piece.startswith("▁") and k > 0
        start = cursor + (1 if space else 0)
        end = start + len(piece.lstrip("▁"))
        spans.append((cursor, end) if space else (start, end))
        cursor = end
    return spans


def _source_pieces_of(sentence: str, start: int, end: int) -> list[int]:
    """Indices of the pieces that overlap characters [start, end)."""
    return [i for i, m in enumerate(_PIECE.finditer(sentence)) if m.start() < end and m.end() > start]


def _ru_ending(form: str) -> str:
    """The inflectional ending of the last word (what a wrong rendering would still carry)."""
    last = re.sub(r"[^\w]", "", form.split()[0])  # the head comes first in these names
    if last.isupper():
        return ""
    for ending in ("ами", "ями", "ого", "ому", "ой", "ом", "ой", "ую", "ов", "ам", "ах", "е", "у", "ы", "и", "ю", "а"):
        if last.endswith(ending) and len(last) > len(ending) + 2:
            return ending
    return ""


def load_references(path) -> list[tuple[str, str, str]]:
    """(en, ru-marked, arm-marked) rows of the TSV."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            if line.strip():
                en, ru, arm = line.rstrip("\n").split("\t")
                rows.append((en, ru, arm))
    return rows
