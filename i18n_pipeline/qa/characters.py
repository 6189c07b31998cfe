"""Characters a reader may not see but search, layout and screen readers do:
``whitespace``, ``invisible-chars`` and ``mixed-script`` (look-alike Latin letters in a word);
and ``unknown-token``, the marks a model writes for a piece it has no word for."""

from __future__ import annotations

import re
import unicodedata

from .pair import Pair
from .text import LATIN, script_of

_DOUBLE_SPACE = re.compile(r"[ \u00a0]{2,}")
_SPACE_BEFORE = re.compile(r"\S([ \u00a0]+)([,.;:!?։])(?=\s|$)")
# Zero-width, bidi-control and other format characters (category Cf), soft hyphen included.
_BIDI_AND_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f"}


def check_whitespace(pair: Pair) -> list[str]:
    target, source = pair.target, pair.source
    problems = []
    if target[:1].isspace() and not source[:1].isspace():
        problems.append("leading whitespace")
    if target[-1:].isspace() and not source[-1:].isspace():
        problems.append("trailing whitespace")
    if _DOUBLE_SPACE.search(target.strip()) and not _DOUBLE_SPACE.search(source.strip()):
        problems.append("double space")
    if any(ch in target.strip() for ch in "\t\n\r") and not any(ch in source for ch in "\t\n\r"):
        problems.append("tab or line break inside the segment")
    m = _SPACE_BEFORE.search(target)
    if m and not _SPACE_BEFORE.search(source):
        problems.append(f"space before {m.group(2)!r}")
    return problems


def check_invisible(pair: Pair) -> list[str]:
    found = {}
    for i, ch in enumerate(pair.target):
        category = unicodedata.category(ch)
        if ch in _BIDI_AND_ZERO_WIDTH or category == "Cf" or (category == "Cc" and ch not in "\t\n\r"):
            found.setdefault(ch, i)
    return [
        f"U+{ord(ch):04X} {unicodedata.name(ch, 'CONTROL CHARACTER')} at {pos}" for ch, pos in found.items()
    ]


# SentencePiece decodes the unknown piece as U+2047 "⁇"; other vocabularies spell it <unk>.
UNKNOWN_MARKS = ("\u2047", "<unk>")


def check_unknown_token(pair: Pair) -> list[str]:
    found = [f"{mark!r} \u00d7{n}" if n > 1 else repr(mark)
             for mark in UNKNOWN_MARKS if (n := pair.target.count(mark) - pair.source.count(mark)) > 0]
    return [f"unknown-word mark {', '.join(found)} in the target: a word the model could not write"] if found else []


_WORD = re.compile(r"[^\W\d_]+")


def check_mixed_script(pair: Pair) -> list[str]:
    bad = []
    for m in _WORD.finditer(pair.target):
        scripts = {script_of(ch) for ch in m.group()} - {None}
        if len(scripts) > 1 and m.group() not in pair.source:
            latin = "".join(ch for ch in m.group() if script_of(ch) == LATIN)
            bad.append(f"{m.group()!r} ({'Latin ' + latin if latin else ' + '.join(sorted(scripts))})")
    return [f"mixed scripts in {', '.join(dict.fromkeys(bad))}"] if bad else []
