"""Word-level diffs for the translator: what a save changed, what changed in a source.

``diff_words(old, new)`` cuts both texts into words, punctuation runs and spaces (the tokens the
fuzzy-match percentage counts) and returns runs of ``(text, op)`` with op ``"equal"``,
``"delete"`` (only in ``old``) or ``"insert"`` (only in ``new``); joining the equal and delete
runs gives ``old`` back, the equal and insert runs ``new``. rapidfuzz's Levenshtein opcodes do
the alignment.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")

Run = tuple[str, str]


def diff_words(old: str, new: str) -> list[Run]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[Run] = []
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            _add(runs, "".join(a[op.src_start : op.src_end]), "equal")
            continue
        _add(runs, "".join(a[op.src_start : op.src_end]), "delete")
        _add(runs, "".join(b[op.dest_start : op.dest_end]), "insert")
    return runs


def _add(runs: list[Run], text: str, op: str) -> None:
    if not text:
        return
    if runs and runs[-1][1] == op:
        runs[-1] = (runs[-1][0] + text, op)
    else:
        runs.append((text, op))
