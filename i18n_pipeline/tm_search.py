"""``i18n-pipeline tm search``'s library call: fuzzy matches from the configured TM, glossary terms compared.

The TM package scores matches and knows nothing of the glossary; this layer opens the memory the
settings name (``[tm] url`` — PostgreSQL with ``pg_trgm`` — or ``<state>/tm.sqlite``), loads the
usable term base of ``settings.glossary_dir`` (when there is one) and hands its term finder to
``tm.fuzzy.search``, so a match whose source has another glossary term than the query says so.
"""

from __future__ import annotations

from pathlib import Path

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
