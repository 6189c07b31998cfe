"""``i18n-pipeline tm search``'s library call: fuzzy matches from the configured TM, glossary terms
compared; and ``tm index``'s (and ``serve``'s start): the matches' index built ahead of the first lookup.

The TM package scores matches and knows nothing of the glossary; this layer opens the memory the
settings name (``[tm] url`` — PostgreSQL with ``pg_trgm`` — or ``<state>/tm.sqlite``), loads the
usable term base of ``settings.glossary_dir`` (when there is one) and hands its term finder to
``tm.fuzzy.search``, so a match whose source has another glossary term than the query says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .config import Settings
from .locales import Locale
from .tm import open_memory
from .tm.fuzzy import DEFAULT_MIN, FuzzyMatch, Terms, search


def glossary_terms(glossary, locale: Locale) -> Terms | None:
    """The term finder ``fuzzy.rank`` takes, for a loaded glossary (None without one)."""
    if glossary is None or not len(glossary):
        return None
    from .glossary.matcher import term_finder

    return term_finder(glossary, locale.site)


def load_terms(glossary_dir: Path, locale: Locale) -> Terms | None:
    """The term finder of the usable entries in ``glossary_dir`` (None when the folder is absent)."""
    if not Path(glossary_dir).is_dir():
        return None
    from .glossary import load_usable_glossary

    glossary, _problems = load_usable_glossary(Path(glossary_dir))  # broken rows are left out, as in translate
    return glossary_terms(glossary, locale)


def fuzzy_matches(settings: Settings, text: str, locale: Locale, *, min_score: int = DEFAULT_MIN,
                  limit: int = 5) -> list[FuzzyMatch]:
    """The TM's fuzzy matches for one English sentence into ``locale``, best first."""
    terms = load_terms(settings.glossary_dir, locale)
    Path(settings.state_dir).mkdir(parents=True, exist_ok=True)
    with open_memory(settings) as tm:
        return search(tm, text, "en", locale.lang, min_score=min_score, limit=limit, terms=terms)


@dataclass(frozen=True)
class FuzzyIndex:
    """What ``prepare_fuzzy_index`` found: the memory, its rows, and whether (and how long) it built the index."""

    location: str
    rows: int
    built: bool
    seconds: float


def prepare_fuzzy_index(settings: Settings, on_build: Callable[[str, int], None] | None = None) -> FuzzyIndex:
    """Build the configured TM's fuzzy-match index if it is missing, before any lookup needs it.

    The first lookup would build it otherwise, and on a PostgreSQL memory of 200,000 rows that is
    70–90 s: longer than a browser request should wait, and past a load balancer's usual 60 s.
    ``on_build(location, rows)`` is called just before a build, so a caller can say why it waits.
    """
    Path(settings.state_dir).mkdir(parents=True, exist_ok=True)
    with open_memory(settings) as tm:
        rows = len(tm)
        if tm.fuzzy_index_ready():
            return FuzzyIndex(tm.location, rows, False, 0.0)
        if on_build is not None:
            on_build(tm.location, rows)
        start = time.perf_counter()
        tm.build_fuzzy_index()
        return FuzzyIndex(tm.location, rows, True, time.perf_counter() - start)
