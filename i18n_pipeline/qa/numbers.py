"""``numbers``: every number of the source stands in the target, and no new one appears.

Tolerant of how each locale writes numbers: 1,234.5 ↔ 1 234,5 (space, NBSP, narrow NBSP or
thin space as group separator), "5 million" ↔ «5 млн» ↔ «5 մլն» ↔ 5 000 000, 25% ↔ 25 %,
small numbers spelled out (3 ↔ «три»/«երեք»), centuries in Roman numerals (21st ↔ XXI).
Babel parses one known format; translated text mixes formats, so parsing is done here.
"""

from __future__ import annotations

import re

from .dates import source_months
from .pair import Pair
from .text import strip_placeables

_S = r"[\s\u00a0\u202f]*"  # the scale word may follow after any kind of space
# Scale words after a number. English letter abbreviations only when glued on ("$5m", "3bn"):
# "5 m" is five metres.
_SCALES = {
    "en": [(rf"{_S}thousand|k", 1e3), (rf"{_S}(?:million|mln)|m", 1e6), (rf"{_S}billion|bn", 1e9),
           (rf"{_S}trillion|tn", 1e12)],
    "ru": [(rf"{_S}(?:тыс\.?|тысяч[а-я]*)", 1e3), (rf"{_S}(?:млн\.?|миллион[а-я]*)", 1e6),
           (rf"{_S}(?:млрд\.?|миллиард[а-я]*)", 1e9), (rf"{_S}(?:трлн\.?|триллион[а-я]*)", 1e12)],
    "hy": [(rf"{_S}(?:հազար\w*|հզ\.?)", 1e3), (rf"{_S}(?:մլն\.?|միլիոն\w*)", 1e6),
           (rf"{_S}(?:մլրդ\.?|միլիարդ\w*)", 1e9), (rf"{_S}(?:տրլն\.?|տրիլիոն\w*)", 1e12)],
}
# Spelled-out small numbers: used only to excuse, never to flag (stems, for Russian cases).
_WORD_NUMBERS = {
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "first": 1, "second": 2,
           "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
           "tenth": 10, "twice": 2, "both": 2, "half": 0.5},
    "ru": {"од[ниуо]": 1, "перв": 1, "дв[аeеу]|двух|дво": 2, "втор": 2, "тр[иеё]": 3, "чет[ыв]": 4,
           "пят": 5, "шест": 6, "сем": 7, "вос[ье]м": 8, "девят": 9, "десят": 10, "одиннадцат": 11,
           "двенадцат": 12, "пол": 0.5},
    "hy": {"մեկ|առաջին": 1, "երկու|երկրորդ": 2, "երեք|երրորդ": 3, "չորս|չորրորդ": 4, "հինգ|հինգերորդ": 5,
           "վեց|վեցերորդ": 6, "յոթ|յոթերորդ": 7, "ութ|ութերորդ": 8, "ինը|իններորդ": 9, "տաս": 10,
           "տասնմեկ": 11, "տասներկու": 12, "կես": 0.5},
}
_SPACE = " \u00a0\u202f\u2009"
_NUMBER_RE = re.compile(rf"(?<![\d\w])(?:\d{{1,3}}(?:[{_SPACE}]\d{{3}}(?!\d))+(?:,\d+)?|\d+(?:[.,]\d+)*)")
_ROMAN_RE = re.compile(r"\b[IVXLC]{2,7}\b|\b[IVX]\b(?=[\s-]*(?:век|դար))")


def _key(value: float) -> float:
    return round(value, 6)


def _scale_after(text: str, end: int, lang: str) -> float:
    rest = text[end : end + 16]
    for pattern, factor in _SCALES.get(lang, []):
        if re.match(rf"(?:{pattern})(?!\w)", rest, re.IGNORECASE):
            return factor
    return 1.0


def _interpretations(token: str, english: bool) -> set[float]:
    """Every value a written number can stand for (the source is read the English way only)."""
    compact = re.sub(f"[{_SPACE}]", "", token)
    values: set[float] = set()
    if compact != token:  # space-grouped: 12 345,6
        values.add(float(compact.replace(",", ".")))
        if " " in token:  # a plain space may also just separate two numbers
            values.update(float(p.replace(",", ".")) for p in token.split(" ") if p)
        return values
    parts = re.split(r"[.,]", compact)
    seps = re.findall(r"[.,]", compact)
    if not seps:
        return {float(compact)}
    if english:
        if "," in seps and all(len(p) == 3 for p in compact.split(".")[0].split(",")[1:]):
            return {float(compact.replace(",", ""))}
        if seps == ["."]:
            return {float(compact)}
    if len(seps) >= 2 and len(set(seps)) == 1 and not all(len(p) == 3 for p in parts[1:]):
        return {float(p) for p in parts}  # 05.03.2024: a numeric date, its parts are numbers
    if len(set(seps)) == 2:  # 1,234.5 or 1.234,5: the last separator is the decimal one
        decimal = seps[-1]
        group = "," if decimal == "." else "."
        return {float(compact.replace(group, "").replace(decimal, "."))}
    sep = seps[0]
    if len(seps) == 1:
        values.add(float(compact.replace(sep, ".")))
    if all(len(p) == 3 for p in parts[1:]):
        values.add(float(compact.replace(sep, "")))
    return values or {float(p) for p in parts}


def extract(text: str, lang: str, english: bool) -> list[tuple[str, set[float]]]:
    """Numbers in reading order: (as written, the values it may stand for, scaled by million/млн…)."""
    text = strip_placeables(text)
    found = []
    for m in _NUMBER_RE.finditer(text):
        factor = _scale_after(text, m.end(), lang)
        found.append((m.group(), {_key(v * factor) for v in _interpretations(m.group(), english)}))
    return found


def _word_values(text: str, lang: str) -> set[float]:
    lowered = text.lower()
    values = set()
    for stem, value in _WORD_NUMBERS.get(lang, {}).items():
        if re.search(rf"(?<!\w)(?:{stem})", lowered):
            values.add(value)
    return values


def _roman_values(text: str) -> set[float]:
    table = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    values = set()
    for m in _ROMAN_RE.finditer(text):
        total = 0
        digits = [table[c] for c in m.group()]
        for i, d in enumerate(digits):
            total += -d if i + 1 < len(digits) and digits[i + 1] > d else d
        values.add(float(total))
    return values


def _afternoon_hours(text: str) -> set[float]:
    """3 p.m. may become 15:00."""
    return {float(int(m.group(1)) + 12) for m in re.finditer(r"\b(\d{1,2})(?::\d\d)?\s*(?:p\.m\.|pm\b|PM\b)", text)}


def check_numbers(pair: Pair) -> list[str]:
    source = extract(pair.source, pair.source_lang, english=pair.source_lang == "en")
    target = extract(pair.target, pair.target_lang, english=False)
    if not source and not target:
        return []
    target_values = set().union(*(v for _, v in target)) if target else set()
    words = _word_values(pair.target, pair.target_lang) | _roman_values(pair.target)
    afternoon = _afternoon_hours(pair.source)
    missing = []
    for written, values in source:
        if values & target_values or {_key(v + 12) for v in values} & afternoon & target_values:
            continue
        # "5 million" may be written «пять миллионов»: the mantissa as a word, the scale as a word.
        mantissas = {v / f for v in values for _, f in _SCALES.get(pair.source_lang, [])} | values
        if any(_key(m) in words for m in mantissas):
            continue
        missing.append(written)
    source_values = set().union(*(v for _, v in source)) if source else set()
    source_values |= _afternoon_hours(pair.source)
    excused = _word_values(pair.source, pair.source_lang) | {float(i) for i in source_months(pair.source)}
    # 0 stands for "no number" only in times (15:00) and zero padding; it never carries news.
    extra = [w for w, values in target if not values & (source_values | excused) and values != {0.0}]
    problems = []
    if missing:
        problems.append(f"number(s) missing in target: {', '.join(missing)}")
    if extra:
        problems.append(f"number(s) not in source: {', '.join(extra)}")
    return problems
