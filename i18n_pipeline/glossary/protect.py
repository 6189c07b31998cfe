"""Verbatim items (do-not-translate terms, URLs, e-mail addresses, numbers): find, then verify.

No placeholders are put into the source: NMT models not trained with them drop or mangle them
(OPUS-MT, NLLB under CTranslate2 — OpenNMT/CTranslate2#1798; Bergamot reports the same), while
they copy a Latin brand name or a URL most of the time. So ``protect`` records what must come
back byte for byte and returns the text to send to the engine unchanged; ``verify`` lists what
did not come back; enforcement puts a missing item back where attention aligns it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..document import TermHit

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"«»]+[^\s<>\"«».,;:!?)\]]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,\u00a0 ]\d{3})*(?:[.,]\d+)?(?![\w])")


@dataclass(frozen=True)
class Verbatim:
    """One item that must survive translation unchanged (numbers: the same digits)."""

    text: str
    start: int
    end: int
    kind: str  # "term" | "url" | "email" | "number"


def protect(segment_text: str, hits: list[TermHit]) -> tuple[str, list[Verbatim]]:
    """The text to translate and the verbatim items in it (see the module docstring for why no placeholders)."""
    items = [Verbatim(h.term, h.start, h.end, "term") for h in hits if h.expected == (h.term,)]
    taken = [(i.start, i.end) for i in items]
    for kind, pattern in (("url", _URL), ("email", _EMAIL), ("number", _NUMBER)):
        for found in pattern.finditer(segment_text):
            if all(found.end() <= s or found.start() >= e for s, e in taken):
                items.append(Verbatim(found.group(0), found.start(), found.end(), kind))
                taken.append((found.start(), found.end()))
    return segment_text, sorted(items, key=lambda i: i.start)


def verify(target_text: str, restore_map: list[Verbatim]) -> list[Verbatim]:
    """Items missing from ``target_text`` (counted: an item twice in the source must be there twice).

    Numbers compare by their digits, since localization may regroup them (1,000 → 1 000).
    """
    missing: list[Verbatim] = []
    have = Counter(_key(kind, text) for kind, text in _items_in(target_text))
    for term in {i.text for i in restore_map if i.kind == "term"}:
        have[("term", term)] = len(re.findall(rf"(?<!\w){re.escape(term)}(?!\w)", target_text))
    for item in restore_map:
        key = _key(item.kind, item.text)
        if have[key] > 0:
            have[key] -= 1
        else:
            missing.append(item)
    return missing


def _items_in(text: str) -> list[tuple[str, str]]:
    found = [("url", m.group(0)) for m in _URL.finditer(text)]
    found += [("email", m.group(0)) for m in _EMAIL.finditer(text)]
    found += [("number", m.group(0)) for m in _NUMBER.finditer(text)]
    return found


def _key(kind: str, text: str) -> tuple[str, str]:
    return (kind, re.sub(r"\D", "", text)) if kind == "number" else (kind, text)

