"""Is there a translation at all, and is it in the target language?

``empty``, ``identical``, ``untranslated`` and ``wrong-language`` say one thing each, so one
bad target gets one of them, not all four: a verbatim copy is ``identical`` only, a target left
in the source language is ``untranslated``, any other language is ``wrong-language``.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from .pair import Pair
from .text import LANG_SCRIPT, is_name_like, normalize_space, script_shares, strip_placeables, words

log = logging.getLogger(__name__)


def _has_content(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def check_empty(pair: Pair) -> list[str]:
    if _has_content(pair.source) and not _has_content(pair.target):
        return ["target is empty" if not pair.target.strip() else f"target has no words: {pair.target.strip()!r}"]
    return []


def _translatable_words(text: str, dnt: list[str]) -> list[str]:
    """Words that should change in translation: not names, acronyms or do-not-translate terms."""
    for term in dnt:
        text = text.replace(term, " ")
    return words(strip_placeables(text))


def is_identical(pair: Pair) -> bool:
    return bool(pair.target.strip()) and normalize_space(pair.source) == normalize_space(pair.target)


def check_identical(pair: Pair) -> list[str]:
    if not is_identical(pair):
        return []
    left = _translatable_words(pair.source, pair.dnt_in_source())
    # A name or a title is seldom more than three capitalized words; a sentence is.
    if any(not is_name_like(w) for w in left if len(w) > 1) or len(left) > 3:
        return ["target is the source copied unchanged"]
    return []


def _expected_script(pair: Pair) -> str | None:
    expected = LANG_SCRIPT.get(pair.target_lang)
    if expected is None or expected == LANG_SCRIPT.get(pair.source_lang):
        return None  # same script both sides (or unknown): scripts tell nothing here
    return expected


def check_untranslated(pair: Pair) -> list[str]:
    expected = _expected_script(pair)
    if expected is None or is_identical(pair) or not _has_content(pair.target):
        return []
    source_script = LANG_SCRIPT[pair.source_lang] if pair.source_lang in LANG_SCRIPT else None
    text = _without_dnt(pair)
    shares, _ = script_shares(text)
    foreign = [w for w in words(text) if _word_script(w) == source_script]
    if shares.get(expected, 0.0) < pair.config.min_script_share and shares.get(source_script, 0.0) > 0.5:
        if sum(1 for w in foreign if not is_name_like(w)) >= 2 or len(foreign) > 3:
            return [f"target is in {source_script} script, not {expected}: left in the source language"]
    run = _longest_copied_run(words(text), words(pair.source), source_script)
    common = [w for w in run if not is_name_like(w)]
    if len(run) >= pair.config.untranslated_min_words and len(common) >= 2:
        return [f"{len(run)} source words left untranslated: {' '.join(run)!r}"]
    return []


def check_wrong_language(pair: Pair) -> list[str]:
    expected = _expected_script(pair)
    if expected is None or is_identical(pair):
        return []
    text = _without_dnt(pair)
    shares, letters = script_shares(text)
    if not shares:
        return []
    dominant = max(shares, key=shares.get)
    if shares.get(expected, 0.0) < pair.config.min_script_share:
        if dominant != LANG_SCRIPT.get(pair.source_lang):  # source-language output is `untranslated`
            return [f"target is in {dominant} script, expected {expected} for {pair.target_lang}"]
        return []
    if letters >= pair.config.langid_min_letters:
        return _same_script_language(pair, text, expected)
    return []


def _same_script_language(pair: Pair, text: str, expected: str) -> list[str]:
    """Russian vs Ukrainian or Bulgarian share a script: ask the language identifier.

    The target language is the prior, so a short target is not re-labelled on a few letters.
    """
    try:
        from ..langid import detect_text
    except ImportError:
        log.debug("i18n_pipeline.langid not available: wrong-language checks scripts only")
        return []
    lang, confidence = detect_text(text, prior=pair.target_lang)
    same_script = LANG_SCRIPT.get(lang) == expected
    if lang and lang != pair.target_lang and same_script and confidence >= pair.config.langid_min_confidence:
        return [f"target looks like {lang} ({confidence:.2f}), not {pair.target_lang}"]
    return []


def _without_dnt(pair: Pair) -> str:
    text = strip_placeables(pair.target)
    for term in pair.dnt_in_source():
        text = text.replace(term, " ")
    return text


@lru_cache(maxsize=65_536)  # news words repeat: each is classified once a run
def _word_script(word: str) -> str | None:
    shares, _ = script_shares(word)
    return max(shares, key=shares.get) if shares else None


def _longest_copied_run(target: list[str], source: list[str], script: str | None) -> list[str]:
    """The longest run of consecutive target words that stands, in order, in the source."""
    tgt = [w.lower() if _word_script(w) == script else None for w in target]
    src = [w.lower() for w in source]
    best_len, best_end = 0, 0
    previous = [0] * (len(src) + 1)
    for i, word in enumerate(tgt):
        current = [0] * (len(src) + 1)
        if word is not None:
            for j, other in enumerate(src):
                if word == other:
                    current[j + 1] = previous[j] + 1
                    if current[j + 1] > best_len:
                        best_len, best_end = current[j + 1], i + 1
        previous = current
    return target[best_end - best_len : best_end]
