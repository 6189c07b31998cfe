"""Signs of MT failure in the shape of the output: ``repeated-words`` (stutter and loops),
``length-ratio`` (truncation, hallucination) and ``sentence-count`` (split or merged sentences)."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import pysbd

from ..segment import is_one_sentence
from .pair import Pair
from .text import normalize_space, strip_placeables

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")  # hyphenated words stay one: «еле-еле», «կամաց-կամաց»
_DIGIT_SEPARATOR = re.compile(r"(?<=\d)[:.,](?=\d)")
_IN_WORD_MARKS = str.maketrans("", "", "\u055b\u055c\u055e")
_PUNCT_BETWEEN = re.compile(r"[,.;:!?։՝—–]")


def check_repeated_words(pair: Pair) -> list[str]:
    target = pair.target
    matches = list(_TOKEN.finditer(target))
    tokens = [m.group().lower() for m in matches]
    found = []
    for n in range(1, pair.config.stutter_max_ngram + 1):
        for i in range(len(tokens) - 2 * n + 1):
            if tokens[i : i + n] != tokens[i + n : i + 2 * n] or tokens[i].isdigit():
                continue
            if n == 1 and _is_initial(target, matches[i + 1]):
                continue  # «и И. Алиев»: a conjunction before an initial
            gap = target[matches[i + n - 1].end() : matches[i + n].start()]
            if n == 1 and _PUNCT_BETWEEN.search(gap):
                continue  # «Да, да» is speech, «в в» is a stutter
            phrase = " ".join(m.group() for m in matches[i : i + n])
            if not _repeated_in_source(pair.source, tokens[i : i + n]):
                found.append(f"{phrase!r} twice in a row")
    loops = Counter(tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2))
    for gram, count in loops.items():
        if count >= 3 and not any(g.isdigit() for g in gram):
            found.append(f"{' '.join(gram)!r} {count} times")
    return list(dict.fromkeys(found))[:3]


def _is_initial(text: str, match: re.Match[str]) -> bool:
    return len(match.group()) == 1 and match.group().isupper() and text[match.end() : match.end() + 1] == "."


def _repeated_in_source(source: str, gram: list[str]) -> bool:
    # Names and DNT terms copied as they stand: a repeat that the source has is not MT stutter.
    phrase = " ".join(gram)
    return f"{phrase} {phrase}" in " ".join(t.lower() for t in _TOKEN.findall(source))


def check_length_ratio(pair: Pair) -> list[str]:
    source, target = normalize_space(pair.source), normalize_space(pair.target)
    if len(source) < pair.config.length_min_source_chars or not target:
        return []
    low, high = pair.config.ratio_bounds(pair.source_lang, pair.target_lang)
    ratio = len(target) / len(source)
    if ratio < low:
        return [f"target is {ratio:.2f}× the source length (below {low}): truncated?"]
    if ratio > high:
        return [f"target is {ratio:.2f}× the source length (above {high}): added text?"]
    return []


_PYSBD_LANGS = {"en", "hi", "mr", "zh", "es", "am", "ar", "el", "ru", "fa", "it", "ur", "nl", "pl", "my",
                "da", "fr", "hy", "ja", "de", "bg", "kk", "sk"}


@lru_cache(maxsize=8)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGS else "en", clean=False)


def count_sentences(text: str, lang: str) -> int:
    """Sentences in a text, by pysbd's rules for the language (English rules if it has none)."""
    if not text.strip():
        return 0
    # pysbd's Armenian rules end a sentence at any ':' (a stand-in for ։), so 10:00 or a URL
    # would split; numbers and placeables hold no sentence boundary anyway.
    # Armenian ՞ ՜ ՛ sit inside a word and end nothing.
    text = _DIGIT_SEPARATOR.sub("", strip_placeables(text)).translate(_IN_WORD_MARKS)
    pieces = [text] if is_one_sentence(text) else _segmenter(lang).segment(text)
    return sum(1 for s in pieces if any(ch.isalnum() for ch in s))


def check_sentence_count(pair: Pair) -> list[str]:
    if not pair.target.strip():
        return []
    source = count_sentences(pair.source, pair.source_lang)
    target = count_sentences(pair.target, pair.target_lang)
    if source != target:
        return [f"{source} sentence(s) in the source, {target} in the target"]
    return []
