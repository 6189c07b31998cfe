"""Choosing a query's rarest trigrams for the fuzzy candidates (no SQL; both back-ends use it).

A near match shares most of the query's trigrams, rare ones included, so asking the index for the
rarest few finds it while reading short posting lists; common trigrams ("the", "ing") would
match most of the memory. ``pick_rare`` takes trigrams the counts do not know yet (new since they
were counted, so rare) first, then at least ``RARE_MIN`` known ones rarest first, more while
their rows together stay under ``POSTINGS_BUDGET``, never more than ``RARE_MAX`` — and no more
than ``PER_WORD`` from one word until every word has had its turn, so that one rare word that
differs (the word a near match changed) cannot crowd out the words it shares.
"""

from __future__ import annotations

RARE_MIN = 6  # the query's rarest trigrams always asked
RARE_MAX = 48  # and never more than this many (a small memory: every trigram of the query)
POSTINGS_BUDGET = 8_000  # more rare trigrams while their rows together stay under this
PER_WORD = 2  # rare trigrams taken from one word before the other words have theirs


def trigrams(key: str, *, lowered: bool = False) -> tuple[list[str], dict[str, int]]:
    """The distinct lower-case 3-character substrings of ``key`` (as FTS5's trigram tokenizer cuts
    them), each with the number of the word it starts in. ``lowered``: ``key`` is lower-case already
    (PostgreSQL's ``lower()`` did it, so the grams are those its trigger stored)."""
    text = key if lowered else key.lower()
    word_of: dict[str, int] = {}
    word = 0
    for i in range(len(text) - 2):
        if text[i].isspace():
            word += 1
        word_of.setdefault(text[i : i + 3], word)
    return sorted(word_of), word_of


def pick_rare(grams: list[str], word_of: dict[str, int], counts: dict[str, int], *,
              budget: int = POSTINGS_BUDGET) -> list[str]:
    """The rarest of ``grams`` to ask the index for (see the module docstring); ``budget``: rows."""
    unknown = [g for g in grams if g not in counts][: RARE_MAX - RARE_MIN]  # room left for RARE_MIN known
    per_word: dict[int, int] = {}
    for g in unknown:
        per_word[word_of[g]] = per_word.get(word_of[g], 0) + 1
    ordered = sorted((g for g in grams if g in counts), key=lambda g: (counts[g], g))
    first = [g for g in ordered if _take(per_word, word_of[g])]
    taken = set(first)
    chosen, known, rows = list(unknown), 0, 0
    for gram in first + [g for g in ordered if g not in taken]:
        if len(chosen) >= RARE_MAX or (known >= RARE_MIN and rows + counts[gram] > budget):
            break
        chosen.append(gram)
        known, rows = known + 1, rows + counts[gram]
    return chosen


def _take(per_word: dict[int, int], word: int) -> bool:
    if per_word.get(word, 0) >= PER_WORD:
        return False
    per_word[word] = per_word.get(word, 0) + 1
    return True
