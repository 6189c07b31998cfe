"""What a term change touches: per-segment glossary keys, and the published segments a change affects.

A segment's *glossary key* is the hash of the entries that match it (``match_terms``: the same
hits that MT enforcement and QA use), for one locale. The pipeline stores it as the TM row's
``glossary_hash``, so an MT row stays valid until an entry that matches its source changes:
a new name re-translates only the sentences that contain it. A segment no entry matches has
the key of the empty set, which no glossary edit changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..locales import resolve_locale
from .matcher import match_terms
from .termbase import (
    Glossary, TermEntry, _canonical_row, _csv_files, _parse_text, _prepare_add, _prepare_update, _read_text,
)

KEY_PREFIX = "t1:"  # a TM row written with the whole-glossary hash never equals a segment key


def entry_hash(entry: TermEntry) -> str:
    """What MT and enforcement read of an entry (forbidden variants are QA's: no re-translation)."""
    return hashlib.sha256(_canonical_row(entry, forbidden=False).encode("utf-8")).hexdigest()[:16]


def segment_key(glossary: Glossary | None, text: str, locale: str) -> str:
    """The hash of the glossary entries that match ``text`` for ``locale`` (site or ISO code)."""
    if glossary is None or not glossary.entries:
        return ""
    site = resolve_locale(locale).site
    ids = sorted({hit.entry_id for hit in match_terms(glossary, text, site)})
    parts = [entry_hash(e) for i in ids if (e := glossary.get(i)) is not None]
    return KEY_PREFIX + hashlib.sha256(f"{site}\x1f{','.join(parts)}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PublishedSegment:
    article: str
    locale: str
    segment: str
    source: str
    target: str
    terms: tuple[tuple[str, str], ...] = ()  # (entry id, status in the published target), as QA found them
    term_status: str = ""  # where_used: this entry's status in the target ("" if QA did not check it)


def published_segments(out_dir: Path) -> Iterator[PublishedSegment]:
    """Every translated segment of ``<out>/<article>/<site>.json``; unreadable files are skipped."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return
    for path in sorted(out_dir.glob("*/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            blocks = doc["blocks"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for block in blocks:
            for seg in block.get("segments") or ():
                target = seg.get("target") or {}
                if target.get("text") is None:
                    continue
                yield PublishedSegment(path.parent.name, path.stem, seg.get("id", ""), seg.get("source", ""),
                                       target["text"], _term_status(target))


def _term_status(target: dict) -> tuple[tuple[str, str], ...]:
    return tuple((str(t.get("entry_id", "")), str(t.get("status", ""))) for t in target.get("terms") or ())


def proposed_glossary(directory: Path, fields: dict | None, original: str = "") -> Glossary:
    """The usable entries as they would be after saving ``fields`` (over ``original``) or, with
    ``fields=None``, after retiring ``original``. Nothing is written."""
    directory = Path(directory)
    if fields is None:
        from .termbase import _locate

        path, lines, first, last = _locate(directory, original, None)
        new_text = "".join(lines[: first - 1] + lines[last:])
    elif original:
        path, new_text, _ = _prepare_update(directory, original, fields, None)
    else:
        path, new_text, _ = _prepare_add(directory, fields)
    entries: list[TermEntry] = []
    for other in sorted(set(_csv_files(directory)) | {path}):
        text = new_text.removeprefix("\ufeff") if other == path else _read_text(other)
        entries += _parse_text(text, str(other))[0]
    return Glossary(entries, directory)


def affected(out_dir: Path, before: Glossary, after: Glossary) -> list[PublishedSegment]:
    """Published segments whose glossary key differs between the two bases: what a rerun re-translates."""
    return [s for s in published_segments(out_dir)
            if segment_key(before, s.source, s.locale) != segment_key(after, s.source, s.locale)]


def where_used(out_dir: Path, glossary: Glossary, entry_id: str) -> list[PublishedSegment]:
    """Published segments whose source contains the entry, with its status in the target."""
    found = []
    for s in published_segments(out_dir):
        if any(h.entry_id == entry_id for h in match_terms(glossary, s.source, s.locale)):
            status = next((st for i, st in s.terms if i == entry_id), "")
            found.append(PublishedSegment(s.article, s.locale, s.segment, s.source, s.target, s.terms, status))
    return found
