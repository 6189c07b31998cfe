"""Where, in a hypothesis, the model rendered a term: found in the text, never read off attention.

A term hit that compliance calls missing is usually there in some other shape. We look for:

- the English term itself (a copy, a name left in Latin script), with its possessive;
- the model's own rendering of the term: every term is translated on its own by the same model
  (one batched call per run, cached per model and glossary), and that rendering is looked for
  word by word with lemmas: Russian through pymorphy3 (or a shared stem with an inflectional
  ending, for words it does not know), Armenian with the case suffix stripped;
- an approved target in a form compliance does not accept (lower case, say);
- the term transliterated (a name the model spelled out in Cyrillic or Armenian letters):
  anyascii's romanization of the words close to the term's (rapidfuzz ratio).

Each place found is a ``Place``; enforcement decides which hit gets which place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

from ..document import TermHit
from . import inflect_hy, inflect_ru
from .matcher import variant_pattern
from .termbase import Glossary

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s?(?![^\W_])")
_RU_ENDINGS = frozenset(
    "а я о е и ы у ю ь й ой ей ом ем ам ям ах ях ую юю ою ею ами ями ов ев ий ый ая яя ое ее ие ые "
    "ого его ому ему ым им ых их".split()
)
# Quotes a rendering may stand in; they belong to the term when the approved form brings its own.
OPEN_QUOTES = "«\"“„"
CLOSE_QUOTES = "»\"”“"


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    possessive: bool = False  # "Saudi Arabia's": the replacement takes the genitive
    how: str = "source"  # "source" | "rendering" | "approved"


def find_places(hit: TermHit, text: str, lang: str, glossary: Glossary, renderings: list[str]) -> list[Place]:
    """Every stretch of ``text`` that renders ``hit``'s term, longest first at equal starts."""
    places: dict[tuple[int, int], Place] = {}
    entry = glossary.get(hit.entry_id)
    variants = tuple(entry.en) if entry else (hit.term,)
    for variant in dict.fromkeys(variants + (hit.term,)):
        pattern = variant_pattern(entry, variant) if entry else re.compile(re.escape(variant))
        for found in pattern.finditer(text):
            start, end = found.span("term") if "term" in pattern.groupindex else found.span()
            possessive = _POSSESSIVE.match(text, end)
            if possessive:
                end = possessive.end()
            places.setdefault((start, end), Place(start, end, bool(possessive), "source"))
    for how, phrases in (("rendering", renderings), ("approved", hit.expected)):
        for phrase in phrases:
            for start, end in _lemma_windows(phrase, text, lang):
                # A name left in Latin script keeps its English possessive: "Zork's" → genitive.
                possessive = bool(re.search(r"[A-Za-z]['’]s?$", text[start:end]))
                places.setdefault((start, end), Place(start, end, possessive, how))
    for start, end in _transliterations(hit.term, text):
        places.setdefault((start, end), Place(start, end, False, "translit"))
    return _outermost(sorted(places.values(), key=lambda p: (p.start, -(p.end - p.start))))


TRANSLIT_RATIO = 85  # rapidfuzz ratio between romanizations: Исаеву/Isayev 83, Кхаган/Khagan 92


def _transliterations(term: str, text: str) -> list[tuple[int, int]]:
    """Word windows in Cyrillic or Armenian letters whose romanization is close to the term's."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z .\-]{3,}", term):
        return []
    wanted = anyascii(term).lower()
    size = len(term.split())
    words = list(_WORD.finditer(text))
    out = []
    for i in range(len(words) - size + 1):
        window = words[i : i + size]
        phrase = text[window[0].start() : window[-1].end()]
        if not re.search("[\u0400-\u04ff\u0531-\u0587]", phrase):
            continue
        seen = anyascii(phrase).lower().replace("'", "")
        # The whole word, or its start: a case ending follows the name (Вашингтоне, Վաշինգտոնում).
        if max(fuzz.ratio(seen, wanted), fuzz.ratio(seen[: len(wanted)], wanted)) >= TRANSLIT_RATIO:
            out.append((window[0].start(), window[-1].end()))
    return out


def _outermost(places: list[Place]) -> list[Place]:
    """Drop places inside another place of the same hit ("Arabia" within "Saudi Arabia")."""
    kept: list[Place] = []
    for place in places:
        if kept and place.start < kept[-1].end:
            if place.end > kept[-1].end:
                kept[-1] = Place(kept[-1].start, place.end, place.possessive, kept[-1].how)
            continue
        kept.append(place)
    return kept


def _lemma_windows(phrase: str, text: str, lang: str) -> list[tuple[int, int]]:
    wanted = [w.group(0) for w in _WORD.finditer(phrase)]
    if not wanted:
        return []
    words = list(_WORD.finditer(text))
    out = []
    for i in range(len(words) - len(wanted) + 1):
        window = words[i : i + len(wanted)]
        if all(same_word(w.group(0), want, lang) for w, want in zip(window, wanted)):
            out.append((window[0].start(), window[-1].end()))
    return out


def same_word(found: str, wanted: str, lang: str) -> bool:
    """Whether two words are forms of one word (lemmas, suffix-stripped stems, any case)."""
    a, b = found.lower().replace("ё", "е"), wanted.lower().replace("ё", "е")
    if a == b:
        return True
    if _has(a, "ru") and _has(b, "ru"):
        if set(_ru_lemmas(a)) & set(_ru_lemmas(b)):
            return True
        return _shares_ru_stem(a, b)
    if _has(a, "hy") and _has(b, "hy"):
        # A bare form can look suffixed itself (Վաշինգտոն: ն is the stem's, not the article).
        return bool({a, _hy_stem(a)} & {b, _hy_stem(b)})
    # Latin (a name left in English): the possessive or a case suffix after a hyphen.
    return _strip_latin(a) == _strip_latin(b)


def _has(word: str, script: str) -> bool:
    if script == "ru":
        return bool(re.search("[а-я]", word))
    return bool(re.search("[\u0561-\u0587]", word))


@lru_cache(maxsize=8192)
def _ru_lemmas(word: str) -> tuple[str, ...]:
    return tuple(p.normal_form.replace("ё", "е") for p in inflect_ru._morph().parse(word))


def _shares_ru_stem(a: str, b: str) -> bool:
    """Unknown words (a transliterated name): one stem, endings from the inflection table."""
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    rest_a, rest_b = a[common:], b[common:]
    return common >= 3 and all(not r or r in _RU_ENDINGS for r in (rest_a, rest_b))


def _hy_stem(word: str) -> str:
    return inflect_hy.stem(word)


def _strip_latin(word: str) -> str:
    word = re.sub(r"['’]s?$", "", word)
    head, _, tail = word.rpartition("-")
    return head if head and tail in inflect_hy.SUFFIXES else word


__all__ = ["Place", "find_places", "same_word"]
