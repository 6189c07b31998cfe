"""``spelling``: words of the target the Hunspell dictionary does not know.

Dictionaries are Debian's (``hunspell-ru``; ``myspell-hy``), checked by the ``hunspell`` program
kept running in pipe mode (``-a``), one process per dictionary and run. A pure-Python reader
(spylls) took 6.7 s to load ru_RU on every run; hunspell loads it in about 0.15 s. Without the
program or a usable dictionary the check is skipped and ``skip_reason`` says why, once, instead
of a flag on every segment. A dictionary must know one everyday word of today's spelling:
Debian's hy_AM is in classical orthography and would mark every «-ություն» of modern news as
an error, so it is skipped with that reason.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
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


class HunspellPipe:
    """One ``hunspell -a`` process: a line of words in, one verdict line per word, then a blank line."""

    def __init__(self, binary: str, stem: Path):
        self._process = subprocess.Popen(
            [binary, "-a", "-i", "utf-8", "-d", str(stem)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", bufsize=1,
        )
        banner = self._process.stdout.readline()
        if not banner.startswith("@"):
            self.close()
            raise OSError(f"hunspell did not start with {stem}")
        atexit.register(self.close)

    def unknown(self, batch: list[str]) -> set[str]:
        # "^" marks the line as text, so a word can never be read as a pipe-mode command.
        self._process.stdin.write("^" + " ".join(batch) + "\n")
        self._process.stdin.flush()
        unknown = set()
        while (line := self._process.stdout.readline()) not in ("\n", ""):
            if line[0] in "&#":  # "& word n offset: suggestions" / "# word offset"
                unknown.add(line.split(" ", 2)[1])
        return unknown

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=5)


@lru_cache(maxsize=8)
def _speller(lang: str, dirs: tuple[str, ...]):
    """(HunspellPipe, None) when usable, else (None, why not)."""
    binary = shutil.which("hunspell")
    if binary is None:
        return None, "the hunspell program is not installed (Debian package hunspell)"
    stem = find_dictionary(lang, dirs)
    if stem is None:
        return None, f"no Hunspell dictionary for {lang} in {', '.join(dirs)}"
    try:
        speller = HunspellPipe(binary, stem)
    except OSError as exc:
        return None, f"{stem}.dic cannot be used ({exc})"
    probe = _PROBES.get(lang)
    if probe and speller.unknown([probe]):
        speller.close()
        return None, f"{stem}.dic does not know {probe!r}: another orthography, unusable for this text"
    return speller, None


def skip_reason(lang: str, config: QAConfig) -> str | None:
    """Why spelling cannot be checked for this language, or None when it can."""
    return _speller(lang, tuple(config.dictionary_dirs))[1]


def check_spelling(pair: Pair) -> list[str]:
    dirs = tuple(pair.config.dictionary_dirs)
    if _speller(pair.target_lang, dirs)[0] is None:
        return []
    script = LANG_SCRIPT.get(pair.target_lang)
    # Glossary targets are approved spellings (names, acronyms) the dictionary cannot know.
    approved = [form for hit in pair.term_hits for form in (*hit.expected, hit.rendered) if form]
    skip = set(" ".join([*pair.dnt_terms, *approved]).split())
    skip |= {w for form in approved for w in words(form)}
    candidates = []
    for i, word in enumerate(words(strip_placeables(pair.target))):
        if len(word) < _MIN_LETTERS or word in skip or any(script_of(ch) != script for ch in word):
            continue
        if word[:1].isupper() and i > 0:
            continue  # a capital inside the sentence: a name the dictionary cannot be expected to know
        candidates.append(word)
    batch = tuple(dict.fromkeys(candidates))
    unknown = _unknown_words(pair.target_lang, dirs, batch)
    listed = [w for w in batch if w in unknown]  # hunspell may split a word we kept whole: report ours
    return [f"unknown word(s): {', '.join(listed)}"] if listed else []


@lru_cache(maxsize=4096)
def _unknown_words(lang: str, dirs: tuple[str, ...], batch: tuple[str, ...]) -> frozenset[str]:
    speller = _speller(lang, dirs)[0]
    found = speller.unknown(list(batch)) if batch else set()
    # A capitalised sentence-initial word is fine if its lower-case form is known.
    retry = [w for w in found if w[:1].isupper()]
    known_lower = {w for w in retry if w.lower() not in speller.unknown([w.lower()])} if retry else set()
    return frozenset(found - known_lower)
