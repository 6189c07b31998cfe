"""Forbidden variants: targets the desk rejects (``forbidden`` column), found wherever they stand.

    forbidden_variants(glossary, locale) -> tuple[ForbiddenVariant, ...]
    find_forbidden(variants, target_text, lang) -> list[(variant, text found)]

A forbidden variant is looked for in every target of its locale, whether or not the source
names the entry (a model may write «Пятёрка» for "the alliance"), in any inflected form
(Russian case forms by pymorphy3, Armenian case suffixes), ignoring case, ё/е and quotes, and
only as whole words. Text that renders an approved target of an entry with forbidden variants
is never flagged: a forbidden «Пятёрка» does not fire inside an approved «Большая пятёрка».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..locales import resolve_locale
from .compliance import _normalise, accepted_forms
from .termbase import Glossary


@dataclass(frozen=True)
class ForbiddenVariant:
    entry_id: str
    form: str  # the rejected target as the desk wrote it
    preferred: str  # the entry's preferred approved target for the locale ("" if none)
    approved: tuple[str, ...] = ()  # every target of the entry for the locale


def forbidden_variants(glossary: Glossary | None, locale: str) -> tuple[ForbiddenVariant, ...]:
    """Every entry's forbidden variants for ``locale`` (site or ISO code), longest first."""
    if glossary is None:
        return ()
    site = resolve_locale(locale).site
    found = [ForbiddenVariant(e.id, form, (e.targets.get(site) or ("",))[0], e.targets.get(site, ()))
             for e in glossary.entries for form in e.forbidden.get(site, ())]
    return tuple(sorted(found, key=lambda v: -len(v.form)))


def find_forbidden(variants, target_text: str, lang: str) -> list[tuple[ForbiddenVariant, str]]:
    """(variant, the text that stands in the target) for each forbidden variant found, in text order."""
    text = _normalise(target_text)
    taken: list[tuple[int, int]] = []
    for variant in variants:  # approved targets of the same entry mask their own words first
        if variant.approved:
            taken += [m.span() for m in _pattern(variant.approved, lang).finditer(text)]
    found = []
    for variant in variants:
        for match in _pattern((variant.form,), lang).finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append((start, variant, target_text[start:end]))
    return [(v, t) for _, v, t in sorted(found, key=lambda f: f[0])]


@lru_cache(maxsize=1024)
def _pattern(forms: tuple[str, ...], lang: str) -> re.Pattern:
    every = sorted({_normalise(f.strip("«»\"“”„ ")) for f in accepted_forms(forms, lang)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(f) for f in every if f)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
