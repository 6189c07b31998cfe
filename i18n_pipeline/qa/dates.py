"""``dates``: English month/weekday names, a.m./p.m. and m/d/y dates left in the target, and
months that changed or vanished. Localized month names come from babel (CLDR)."""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale as BabelLocale

from .pair import Pair

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_ABBR = {m[:3]: i for i, m in enumerate(_MONTHS, 1)} | {"Sept": 9}
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# "May" and "March" are also a verb and a modal: only a month next to a number or a preposition.
_AMBIGUOUS = {"May", "March"}
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_ABBR_RE = re.compile(r"\b(" + "|".join(_ABBR) + r")(?:\.|\b(?=\s*\d))")
_DATE_CONTEXT = re.compile(r"(?:\b(?:in|of|since|until|till|by|from|to|early|late|mid|last|next|this|on)[\s-]+$)|\d[\s,]*$")
_AMPM_RE = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|AM\b|PM\b)")
_SLASH_DATE_RE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")


def source_months(text: str) -> list[int]:
    """Month numbers named in an English text (ambiguous May/March only in a date context)."""
    found = []
    for m in _MONTH_RE.finditer(text):
        name = m.group(1)
        if name in _AMBIGUOUS:
            before, after = text[: m.start()], text[m.end() : m.end() + 3]
            if not (_DATE_CONTEXT.search(before) or re.match(r"\s*\d", after)):
                continue
        found.append(_MONTHS.index(name) + 1)
    found.extend(_ABBR[m.group(1)] for m in _ABBR_RE.finditer(text))
    return found


@lru_cache(maxsize=8)
def _month_patterns(lang: str) -> dict[int, re.Pattern[str]]:
    """A pattern per month matching its CLDR names with case endings (января, январе, հունվարին)."""
    locale = BabelLocale.parse(lang)
    patterns = {}
    for month in range(1, 13):
        forms = {locale.months[ctx]["wide"][month].lower() for ctx in ("format", "stand-alone")}
        stem = _common_prefix(forms)
        if len(stem) >= 3:
            pattern = rf"(?<!\w){re.escape(stem)}\w{{0,3}}(?!\w)"
        else:  # май/мая: too short for a stem, list the forms (and the locative "мае")
            alternatives = sorted(forms | {stem + "е"})
            pattern = r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)"
        patterns[month] = re.compile(pattern, re.IGNORECASE)
    return patterns


def _common_prefix(forms: set[str]) -> str:
    first, *rest = sorted(forms)
    length = len(first)
    for other in rest:
        while not other.startswith(first[:length]):
            length -= 1
    return first[:length]


def check_dates(pair: Pair) -> list[str]:
    problems = []
    target = pair.target
    dnt = " ".join(pair.dnt_terms)
    left = [m.group(1) for m in _MONTH_RE.finditer(target) if m.group(1) not in dnt]
    left += [w for w in _WEEKDAYS if re.search(rf"\b{w}\b", target) and w not in dnt]
    if left:
        problems.append(f"English {', '.join(dict.fromkeys(left))} left in the target")
    if _AMPM_RE.search(target):
        problems.append(f"12-hour time {_AMPM_RE.search(target).group()!r} not localized (use 24-hour)")
    if _SLASH_DATE_RE.search(target):
        problems.append(f"date {_SLASH_DATE_RE.search(target).group()!r} in m/d/y form, not localized")
    if left or pair.source_lang != "en":
        return problems
    try:
        patterns = _month_patterns(pair.target_lang)
    except (ValueError, LookupError):  # babel knows no such locale: month names cannot be checked
        return problems
    wanted = set(source_months(pair.source))
    present = {month for month, pattern in patterns.items() if pattern.search(target)}
    numeric_date = re.search(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b", target)
    missing = sorted(wanted - present)
    if missing and not numeric_date:
        names = ", ".join(_MONTHS[m - 1] for m in missing)
        changed = sorted(present - wanted)
        if changed:
            problems.append(f"month changed: {names} in the source, {', '.join(_MONTHS[m - 1] for m in changed)} in the target")
        else:
            problems.append(f"month {names} of the source is not in the target")
    return problems
