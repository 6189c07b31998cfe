"""``inconsistent``: one source sentence, several translations within a batch.

Grouped on the source with spacing normalized; targets compared the same way, so a stray
double space is the ``whitespace`` check's business, not this one's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..document import Target
from .text import normalize_space


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_inconsistent(pairs: Iterable[tuple[str, Target]]) -> list[tuple[Target, str]]:
    """(target, message) for every target whose source is translated more than one way."""
    groups: dict[str, list[Target]] = defaultdict(list)
    for source, target in pairs:
        if any(ch.isalpha() for ch in source):
            groups[normalize_space(source)].append(target)
    found = []
    for targets in groups.values():
        variants = list(dict.fromkeys(normalize_space(t.text) for t in targets))
        if len(variants) < 2:
            continue
        shown = " | ".join(f"«{_short(v)}»" for v in variants[:3])
        message = f"same source translated {len(variants)} ways in this batch: {shown}"
        found.extend((t, message) for t in targets)
    return found
