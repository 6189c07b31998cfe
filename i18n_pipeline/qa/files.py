"""Re-check bilingual files that translators edited: XLIFF 2.1, XLIFF 1.2 and TMX.

    check_file(path, glossary=None, config=None) -> FileReport   (raises InputError)

The files carry no term hits a check could trust (a translator may have changed the target
after ``translate`` wrote them), so glossary terms are matched again on every unit's source
and the target is checked with ``glossary.compliance``: an approved term in any inflected form
(Russian case, Armenian suffix) passes, a replaced or dropped one is ``glossary-term``, and a
do-not-translate term that changed is ``dnt-changed``; a variant the glossary forbids, anywhere
in a target, is ``glossary-forbidden``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..document import QAFlag, TermHit
from ..errors import UnknownLocaleError
from ..locales import resolve_locale
from .config import QAConfig
from .runner import check_segment, dnt_terms_of


@dataclass(frozen=True)
class CheckedUnit:
    segment_id: str  # "<unit id>/<segment id>" for XLIFF, the tuid (or position) for TMX
    flags: list[QAFlag]


@dataclass(frozen=True)
class FileReport:
    path: Path
    units: list[CheckedUnit]

    @property
    def counts(self) -> dict[str, int]:
        """Units flagged per check id."""
        return dict(Counter(flag.check for unit in self.units for flag in unit.flags))


def check_file(path: Path, glossary=None, config: QAConfig | None = None) -> FileReport:
    """Every segment-level check on every unit of ``path``, with glossary terms matched afresh."""
    from ..review import read_bilingual

    checked = []
    forbidden: dict[str, tuple] = {}
    for unit in read_bilingual(path):
        hits = term_hits(glossary, unit.source, unit.target, unit.target_lang)
        if unit.target_lang not in forbidden:
            forbidden[unit.target_lang] = forbidden_of(glossary, unit.target_lang)
        flags = check_segment(unit.source, unit.target, source_lang=unit.source_lang, target_lang=unit.target_lang,
                              dnt_terms=dnt_terms_of(hits), term_hits=hits, config=config,
                              forbidden=forbidden[unit.target_lang])
        checked.append(CheckedUnit(unit.segment_id, flags))
    return FileReport(Path(path), checked)


def forbidden_of(glossary, target_lang: str) -> tuple:
    """The glossary's forbidden variants for a file's target language (none for another language)."""
    from ..glossary.forbidden import forbidden_variants

    if glossary is None:
        return ()
    try:
        locale = resolve_locale(target_lang.split("-")[0])
    except UnknownLocaleError:
        return ()
    return forbidden_variants(glossary, locale.site)


def term_hits(glossary, source: str, target: str, target_lang: str) -> list[TermHit]:
    """The glossary's hits in ``source`` with their status in ``target``; none without a glossary."""
    from ..glossary import compliance, match_terms

    if glossary is None:
        return []
    try:
        locale = resolve_locale(target_lang.split("-")[0])  # "ru-RU" in a TMX from a CAT tool
    except UnknownLocaleError:
        return []  # a language the glossary has no column for
    return compliance(match_terms(glossary, source, locale.site), target, locale)
