"""``spelling``: words of the target the Hunspell dictionary does not know.

Dictionaries are Debian's (``hunspell-ru``, ``myspell-hy``), read in-process by spylls (a pure-
Python Hunspell port) so no binary is needed. Without a usable dictionary the check is skipped
and ``skip_reason`` says why, once, instead of a flag on every segment. A dictionary must know
one everyday word of today's spelling: Debian's hy_AM is in classical orthography and would
mark every «-ություն» of modern news as an error, so it is skipped with that reason.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .config import QAConfig
from .pair import Pair
from .text import LANG_SCRIPT, script_of, strip_placeables, words


# One common word in the orthography the newsroom writes (Russian; reformed Eastern Armenian).
_PROBES = {"ru": "правительство", "hy": "կառավարություն"}
_MIN_LETTERS = 3


def find_dictionary(lang: str, dirs: tuple[str, ...]) -> Path | None:
    """The .dic/.aff pair for a language (``ru_RU``, ``hy_AM``, or plain ``ru``) in the given folders."""
    for folder in map(Path, dirs):
        if not folder.is_dir():
            continue
        for dic in sorted(folder.glob(f"{lang}_*.dic")) + sorted(folder.glob(f"{lang}.dic")):
            if dic.with_suffix(".aff").is_file():
                return dic.with_suffix("")
    return None


@lru_cache(maxsize=4)
def _load(stem: str):  # -> spylls Dictionary, loaded once per process (seconds for ru_RU)
    from spylls.hunspell import Dictionary

    return Dictionary.from_files(stem)


@lru_cache(maxsize=8)
def _speller(lang: str, dirs: tuple[str, ...]):
    """(dictionary, None) when usable, else (None, why not)."""
    try:
        import spylls  # noqa: F401  (optional: the check is skipped without it)
    except ImportError:
        return None, "spylls is not installed"
    stem = find_dictionary(lang, dirs)
    if stem is None:
        return None, f"no Hunspell dictionary for {lang} in {', '.join(dirs)}"
    try:
        dictionary = _load(str(stem))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, IndexError) as exc:
        return None, f"{stem}.dic cannot be read ({exc})"
    probe = _PROBES.get(lang)
    if probe and not dictionary.lookup(probe):
        return None, f"{stem}.dic does not know {probe!r}: another orthography, unusable for this text"
    return dictionary, None


def skip_reason(lang: str, config: QAConfig) -> str | None:
    """Why spelling cannot be checked for this language, or None when it can."""
    return _speller(lang, tuple(config.dictionary_dirs))[1]


@lru_cache(maxsize=65536)
def _known(lang: str, dirs: tuple[str, ...], word: str) -> bool:
    dictionary = _speller(lang, dirs)[0]
    return dictionary.lookup(word) or (word[:1].isupper() and dictionary.lookup(word.lower()))


def check_spelling(pair: Pair) -> list[str]:
    dirs = tuple(pair.config.dictionary_dirs)
    if _speller(pair.target_lang, dirs)[0] is None:
        return []
    script = LANG_SCRIPT.get(pair.target_lang)
    # Glossary targets are approved spellings (names, acronyms) the dictionary cannot know.
    approved = [form for hit in pair.term_hits for form in (*hit.expected, hit.rendered) if form]
    skip = set(" ".join([*pair.dnt_terms, *approved]).split())
    skip |= {w for form in approved for w in words(form)}
    unknown = []
    for i, word in enumerate(words(strip_placeables(pair.target))):
        if len(word) < _MIN_LETTERS or word in skip or any(script_of(ch) != script for ch in word):
            continue
        if word[:1].isupper() and i > 0:
            continue  # a capital inside the sentence: a name the dictionary cannot be expected to know
        if not _known(pair.target_lang, dirs, word):
            unknown.append(word)
    return [f"unknown word(s): {', '.join(dict.fromkeys(unknown))}"] if unknown else []
