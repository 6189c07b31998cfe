"""Small helpers the templates use: source text split around glossary terms, shortcuts, labels."""

from __future__ import annotations

from ..document import Segment, TermHit

SHORTCUTS = (
    ("Ctrl+Enter", "save as reviewed, go to the next segment"),
    ("Ctrl+Shift+Enter", "save as final (reviewers), go to the next segment"),
    ("Alt+Enter", "save as translated (a draft), go to the next segment"),
    ("Alt+↓ / Alt+↑", "next / previous segment not yet reviewed"),
    ("Ctrl+↓ / Ctrl+↑", "next / previous segment"),
    ("Alt+S", "copy the source into the edit"),
    ("Alt+M", "put the MT text back into the edit"),
    ("Alt+T", "insert the exact TM match"),
    ("Ctrl+I", "insert the best fuzzy TM match (the words that differ are marked)"),
    ("Esc", "undo changes in this segment (back to the saved text)"),
    ("?", "this list (outside a text box; Ctrl+/ anywhere)"),
)


def marked_source(segment: Segment) -> list[tuple[str, TermHit | None]]:
    """The source as (text, hit) pieces: hit is the glossary term the piece is, or None."""
    pieces: list[tuple[str, TermHit | None]] = []
    pos = 0
    for hit in sorted(segment.terms, key=lambda h: (h.start, -h.end)):
        if hit.start < pos or hit.end > len(segment.source):
            continue  # overlapping or stale offsets: show the text plainly
        if hit.start > pos:
            pieces.append((segment.source[pos:hit.start], None))
        pieces.append((segment.source[hit.start:hit.end], hit))
        pos = hit.end
    if pos < len(segment.source):
        pieces.append((segment.source[pos:], None))
    return pieces


def template_globals() -> dict:
    return {"shortcuts": SHORTCUTS}
