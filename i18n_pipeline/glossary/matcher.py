"""Find glossary terms in an English segment.

Rules: the longest match wins and matches never overlap; case-sensitive entries match their
exact spelling (CSIS, not csis), the others any case; terms match whole words only; a
possessive ('s, ’s) or a plural (-s, -es, -y → -ies) may follow; spaces and hyphens inside a
term are interchangeable ("Five-Eyes"); a name followed by its acronym in parentheses
("Canadian Security Intelligence Service (CSIS)") yields the acronym as a hit of its own, or
as a no-target hit of the name's entry when the acronym is not in the glossary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import TermHit
from ..locales import resolve_locale
from .termbase import Glossary, TermEntry

_JOINER = r"(?:[\s\u00a0]+|\s*[-\u2010\u2011]\s*)"
# Whole words only. A term glued after a hyphen ("pro-Russia", "anti-US") is part of a compound
# adjective that translates as a derived word (пророссийский), so it is not a term occurrence.
# A possessive needs no rule: "'" is not a word character, so "CSIS's" matches "CSIS".
_BEFORE = r"(?<![\w\u2010\u2011-])"
_AFTER = r"(?!\w)"


@dataclass(frozen=True)
class _Pattern:
    entry: TermEntry
    variant: str
    regex: re.Pattern


def match_terms(glossary: Glossary, segment_text: str, locale_lang: str) -> list[TermHit]:
    """Glossary hits in ``segment_text`` in text order, with the targets for ``locale_lang``."""
    # MT, enforcement and QA all ask about the same segments; a glossary never changes in a run.
    memo = glossary._cache.setdefault("hits", {})
    key = (segment_text, locale_lang)
    if key not in memo:
        memo[key] = tuple(_match_terms(glossary, segment_text, locale_lang))
    return list(memo[key])


def term_finder(glossary: Glossary, locale_lang: str):
    """``text -> set of entry ids`` found in it: what fuzzy TM matches compare (``tm.fuzzy.rank(terms=…)``)."""

    def terms(text: str) -> set[str]:
        return {hit.entry_id for hit in match_terms(glossary, text, locale_lang)}

    return terms


def _match_terms(glossary: Glossary, segment_text: str, locale_lang: str) -> list[TermHit]:
    site = resolve_locale(locale_lang).site
    candidates: list[tuple[int, int, TermEntry]] = []
    for pattern in _patterns(glossary):
        for found in pattern.regex.finditer(segment_text):
            candidates.append((found.start("term"), found.end("term"), pattern.entry))
    # Longest first, then leftmost; earlier glossary rows win ties.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[tuple[int, int, TermEntry]] = []
    for start, end, entry in candidates:
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, entry))
    chosen.sort(key=lambda c: c[0])
    hits = [_hit(segment_text, start, end, entry, site) for start, end, entry in chosen]
    return _add_parenthesised_acronyms(segment_text, hits, {h.start for h in hits})


def _hit(text: str, start: int, end: int, entry: TermEntry, site: str) -> TermHit:
    term = text[start:end]
    if entry.dnt:
        # Do-not-translate: the target must carry the source spelling byte for byte.
        return TermHit(term, start, end, entry.id, (term,))
    expected = entry.approved_targets(site)
    return TermHit(term, start, end, entry.id, expected, status="pending" if expected else "no-target")


def _patterns(glossary: Glossary) -> list[_Pattern]:
    cached = glossary._cache.get("patterns")
    if cached is None:
        cached = [_Pattern(e, v, variant_pattern(e, v)) for e in glossary.entries for v in e.en]
        glossary._cache["patterns"] = cached
    return cached


def variant_pattern(entry: TermEntry, variant: str) -> re.Pattern:
    flags = 0 if entry.case_sensitive else re.IGNORECASE
    # Separators at the ends ("U.S.-", a spreadsheet slip) are dropped like spaces; a term of
    # nothing but separators ("-") is matched as written rather than crashing the run.
    words = [w for w in re.split(r"[\s\u00a0-]+", variant.strip()) if w]
    if not words:
        return re.compile(f"{_BEFORE}(?P<term>{re.escape(variant.strip())})", flags)
    body = _JOINER.join(re.escape(w) for w in words[:-1])
    last = words[-1]
    tail = re.escape(last)
    if _pluralisable(entry, last):
        tail = f"(?:{re.escape(last[:-1])}ies|{tail})" if last.endswith("y") else f"{tail}(?:es|s)?"
    body = f"{body}{_JOINER}{tail}" if body else tail
    after = _AFTER if last[-1].isalnum() else ""  # "U.S." ends in a dot: nothing to guard
    return re.compile(f"{_BEFORE}(?P<term>{body}){after}", flags)


def _pluralisable(entry: TermEntry, last_word: str) -> bool:
    """Plurals make sense for common nouns, not for acronyms, names already plural or dnt brands."""
    if entry.dnt or entry.pos in ("abbr", "propn") or not last_word.isalpha():
        return False
    return not last_word.isupper() and not last_word.endswith("s")


_ACRONYM_AFTER = re.compile(r"\s*\(\s*(?P<acr>[A-Z][A-Z.&]{1,9})\s*\)")


def _add_parenthesised_acronyms(text: str, hits: list[TermHit], starts: set[int]) -> list[TermHit]:
    """"Name (ACR)": keep a glossary acronym hit as is; otherwise record the acronym, unenforced."""
    extra: list[TermHit] = []
    for hit in hits:
        found = _ACRONYM_AFTER.match(text, hit.end)
        if not found or found.start("acr") in starts:
            continue
        acronym = found.group("acr").replace(".", "")
        initials = "".join(w[0] for w in re.split(r"[\s-]+", hit.term) if w[:1].isupper())
        if acronym == initials or acronym == "".join(w[0] for w in hit.term.split()).upper():
            extra.append(TermHit(found.group("acr"), found.start("acr"), found.end("acr"), hit.entry_id, (), status="no-target"))
    return sorted(hits + extra, key=lambda h: h.start)
