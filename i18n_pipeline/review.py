"""The translator review loop: read bilingual files back, feed approvals to the TM, export work files.

Formats read (always through ``xmlsafe``): XLIFF 2.0/2.1, XLIFF 1.2 and TMX (1.1–1.4).

What counts as an approved (human) translation:

- XLIFF 2.x: a segment with a non-empty target and ``state="reviewed"`` or ``"final"`` —
  unless its ``subState`` is ``poedit:fuzzy`` (Poedit's "needs work"), which reads as ``translated``.
- XLIFF 1.2: a non-empty target whose ``state`` is ``"final"`` or ``"signed-off"``, or whose
  ``trans-unit`` has ``approved="yes"`` (how Trados, Virtaal and memoQ mark confirmed
  segments), or a target with no ``state`` at all that differs from its source (OmegaT writes
  its translations that way, and copies the source into the target of a segment it left alone).
  ``state="translated"`` alone is *not* an approval: MT output is "translated" too, and a
  ``needs-review-*`` state (Poedit's and Virtaal's fuzzy) is never one, whatever ``approved`` says.
  Mapped to our states: final/signed-off → ``final``; approved="yes" or an OmegaT target →
  ``reviewed``; any other state with a target → ``translated``; no target or
  ``new``/``needs-translation`` → ``initial``.
- TMX: every unit with a non-empty target, because a TMX is a memory of finished translations —
  except units our own writer marked ``x-state`` = ``initial``/``translated`` (that is our
  machine output, exported for reference, not a translator's approval).

Languages are compared by primary subtag (``ru-RU`` → ``ru``, ``hy-AM`` → ``hy``).
Inline codes are flattened to their text: XLIFF 2 ``<pc>``/``<mrk>`` keep their text, ``<cp>``
becomes its character, ``<ph>``/``<sc>``/``<ec>`` vanish; XLIFF 1.2/TMX ``<g>``/``<mrk>``/
``<hi>`` keep their text, native-code elements (``<x>``, ``<bx>``, ``<ex>``, ``<ph>``,
``<bpt>``, ``<ept>``, ``<it>``, ``<ut>``) vanish.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from lxml import etree

from .document import Article, Origin, Provenance, State
from .errors import InputError, UsageError
from .export.xliff import xliff_bytes
from .export.xliff12 import xliff12_bytes
from .fsutil import atomic_write_bytes
from .locales import Locale
from .tm import Conflict, TMEntry, TranslationMemory, normalize_lang
from .xmlsafe import parse_xml_bytes

log = logging.getLogger(__name__)

XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_APPROVED_STATES = {State.REVIEWED.value, State.FINAL.value}
_XLIFF12_FINAL = {"final", "signed-off"}
_XLIFF12_INITIAL = {"new", "needs-translation"}
_XLIFF12_NEEDS_WORK = {"needs-review-translation", "needs-review-l10n", "needs-review-adaptation", "needs-l10n", "needs-adaptation"}
_POEDIT_FUZZY = "poedit:fuzzy"
_CP_CTYPE = "x-cp-"  # how export.xliff12 writes a character XML 1.0 cannot carry
_DROPPED_CODES = {"x", "bx", "ex", "ph", "bpt", "ept", "it", "ut", "sc", "ec", "sub"}


@dataclass(frozen=True)
class BilingualUnit:
    """One segment of a bilingual file, format-neutral (what QA and the TM import need)."""

    source: str
    target: str  # "" when the file has no target for it
    source_lang: str
    target_lang: str
    state: str  # XLIFF 2 state name; "" for TMX units that carry none
    segment_id: str  # "<unit id>/<segment id>" for XLIFF, the tuid (or position) for TMX
    notes: tuple[str, ...] = ()
    format: str = ""  # "xliff2" | "xliff1.2" | "tmx"

    @property
    def approved(self) -> bool:
        """A translator's approval (see the module docstring for each format's rule)."""
        if not self.target.strip():
            return False
        if self.format == "tmx":
            return self.state not in (State.INITIAL.value, State.TRANSLATED.value)
        return self.state in _APPROVED_STATES


@dataclass(frozen=True)
class ConflictReport:
    conflict: Conflict
    where: tuple[str, ...]  # "<file>#<segment id>" for every approval involved, "tm" for the memory


@dataclass
class ImportReport:
    files: list[Path] = field(default_factory=list)  # read successfully
    errors: list[InputError] = field(default_factory=list)  # files that could not be read
    units: int = 0  # segments read
    approved: int = 0  # of which approvals
    stored: int = 0  # new human entries in the TM
    unchanged: int = 0  # approvals the TM already held
    conflicts: list[ConflictReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts


# -- reading ---------------------------------------------------------------------------------


def read_bilingual(path: Path) -> list[BilingualUnit]:
    """Every segment of an XLIFF 2.x, XLIFF 1.2 or TMX file; raises InputError for anything else."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror or exc}); check the path") from exc
    root = parse_xml_bytes(data, str(path))
    if root.tag == f"{{{XLIFF2_NS}}}xliff":
        return list(_read_xliff2(root, path))
    if root.tag in (f"{{{XLIFF12_NS}}}xliff", "xliff") and root.get("version", "1.2").startswith("1."):
        return list(_read_xliff12(root, path))
    if root.tag == "tmx":
        return list(_read_tmx(root, path))
    raise InputError(path, f"not an XLIFF 2.x, XLIFF 1.2 or TMX file (root element {root.tag!r}); export XLIFF or TMX")


def _read_xliff2(root: etree._Element, path: Path) -> Iterator[BilingualUnit]:
    ns = {"x": XLIFF2_NS}
    src_lang = root.get("srcLang", "")
    tgt_lang = root.get("trgLang", "")
    if not src_lang:
        raise InputError(path, "XLIFF 2 file without srcLang; re-export it from the CAT tool")
    for unit in root.iterfind(".//x:unit", ns):
        notes = tuple(_text(n, XLIFF2_NS) for n in unit.iterfind("x:notes/x:note", ns))
        unit_id = unit.get("id", "")
        for n, segment in enumerate(unit.iterfind("x:segment", ns), 1):
            source = segment.find("x:source", ns)
            target = segment.find("x:target", ns)
            if source is None:
                raise InputError(path, f"unit {unit_id!r}: segment without <source>; the file is damaged")
            yield BilingualUnit(
                source=_text(source, XLIFF2_NS),
                target=_text(target, XLIFF2_NS) if target is not None else "",
                source_lang=src_lang,
                target_lang=tgt_lang,
                state=_xliff2_state(segment),
                segment_id=f"{unit_id}/{segment.get('id') or n}",
                notes=notes,
                format="xliff2",
            )


def _xliff2_state(segment: etree._Element) -> str:
    state = segment.get("state", State.INITIAL.value)
    if state in _APPROVED_STATES and segment.get("subState", "").strip().lower() == _POEDIT_FUZZY:
        return State.TRANSLATED.value  # Poedit's "needs work" is not an approval
    return state


def _read_xliff12(root: etree._Element, path: Path) -> Iterator[BilingualUnit]:
    ns = {"x": root.nsmap.get(None)} if root.nsmap.get(None) else {}
    q = (lambda tag: f"x:{tag}") if ns else (lambda tag: tag)
    ns_uri = ns.get("x", "")
    for file_el in root.iterfind(q("file"), ns):
        src_lang = file_el.get("source-language", "")
        tgt_lang = file_el.get("target-language", "")
        if not src_lang:
            raise InputError(path, "XLIFF 1.2 <file> without source-language; re-export it from the CAT tool")
        for tu in file_el.iterfind(f".//{q('trans-unit')}", ns):
            notes = tuple(_text(n, ns_uri) for n in tu.iterfind(q("note"), ns))
            tu_id = tu.get("id", "")
            approved = tu.get("approved") == "yes"
            target = tu.find(q("target"), ns)
            seg_source = tu.find(q("seg-source"), ns)
            seg_marks = seg_source.iterfind(f".//{q('mrk')}[@mtype='seg']", ns) if seg_source is not None else []
            pairs = [
                (m.get("mid", ""), m, target.find(f".//{q('mrk')}[@mtype='seg'][@mid='{m.get('mid', '')}']", ns) if target is not None else None)
                for m in seg_marks
            ]
            if not pairs:  # not segmented: the whole trans-unit is one segment
                pairs = [("", tu.find(q("source"), ns), target)]
            for mid, src_el, tgt_el in pairs:
                if src_el is None:
                    raise InputError(path, f"trans-unit {tu_id!r} without <source>; the file is damaged")
                # XLIFF 1.2 keeps state on <target>; some tools repeat it on the segment's <mrk>.
                state_attr = next((el.get("state") for el in (tgt_el, target) if el is not None and el.get("state")), "")
                text = _text(tgt_el, ns_uri) if tgt_el is not None else ""
                source_text = _text(src_el, ns_uri)
                # OmegaT: a target with no state is its translator's; one equal to the source is a copy
                omegat = tgt_el is not None and not state_attr and text.strip() != source_text.strip()
                yield BilingualUnit(
                    source=source_text,
                    target=text,
                    source_lang=src_lang,
                    target_lang=tgt_lang,
                    state=_xliff12_state(state_attr, approved or omegat, has_target=bool(text.strip())),
                    segment_id=f"{tu_id}/{mid}" if mid else tu_id,
                    notes=notes,
                    format="xliff1.2",
                )


def _xliff12_state(state: str, approved: bool, *, has_target: bool) -> str:
    if not has_target or state in _XLIFF12_INITIAL:
        return State.INITIAL.value
    if state in _XLIFF12_FINAL:
        return State.FINAL.value
    if state in _XLIFF12_NEEDS_WORK:
        return State.TRANSLATED.value
    if approved:
        return State.REVIEWED.value
    return State.TRANSLATED.value


def _read_tmx(root: etree._Element, path: Path) -> Iterator[BilingualUnit]:
    header = root.find("header")
    header_src = header.get("srclang", "") if header is not None else ""
    body = root.find("body")
    if body is None:
        raise InputError(path, "TMX without <body>; the file is damaged")
    for n, tu in enumerate(body.iterfind("tu"), 1):
        tuvs = [(tuv.get(_XML_LANG) or tuv.get("lang") or "", tuv) for tuv in tu.iterfind("tuv")]
        if not tuvs:
            continue
        src_lang = tu.get("srclang") or header_src
        if not src_lang or src_lang.lower() == "*all*":
            src_lang = tuvs[0][0]
        source_tuv = next((tuv for lang, tuv in tuvs if normalize_lang(lang) == normalize_lang(src_lang)), None)
        if source_tuv is None:
            raise InputError(path, f"TMX unit {tu.get('tuid') or n}: no <tuv> in the source language {src_lang!r}")
        props = {p.get("type", ""): (p.text or "") for p in tu.iterfind("prop")}
        notes = tuple(_text(note, "") for note in tu.iterfind("note"))
        targets = [(lang, tuv) for lang, tuv in tuvs if tuv is not source_tuv]
        for lang, tuv in targets or [("", None)]:
            yield BilingualUnit(
                source=_seg_text(source_tuv),
                target=_seg_text(tuv) if tuv is not None else "",
                source_lang=src_lang,
                target_lang=lang,
                state=props.get("x-state", ""),
                segment_id=tu.get("tuid") or str(n),
                notes=notes,
                format="tmx",
            )


def _seg_text(tuv: etree._Element) -> str:
    seg = tuv.find("seg")
    return _text(seg, "") if seg is not None else ""


def _text(element: etree._Element, ns_uri: str) -> str:
    """Text content with inline codes flattened (see the module docstring)."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            parts.append(child.tail or "")
            continue
        local = etree.QName(child).localname
        if local == "cp" and ns_uri == XLIFF2_NS:
            try:
                parts.append(chr(int(child.get("hex", ""), 16)))
            except ValueError:
                pass  # a malformed code point is dropped, like any other unreadable inline code
        elif local == "x" and (child.get("ctype") or "").startswith(_CP_CTYPE):
            try:
                parts.append(chr(int(child.get("ctype", "")[len(_CP_CTYPE):], 16)))
            except ValueError:
                pass  # as for <cp>: an unreadable code is dropped
        elif local not in _DROPPED_CODES:
            parts.append(_text(child, ns_uri))
        parts.append(child.tail or "")
    return "".join(parts)


# -- importing -------------------------------------------------------------------------------


def import_reviewed(paths: Sequence[Path], tm: TranslationMemory) -> ImportReport:
    """Put every approved segment of these files into the TM as a human translation.

    A file that cannot be read is recorded in ``report.errors`` and the others go on.
    Conflicting approvals (same source and languages, different targets — within the files or
    against an approval already in the TM) are reported and none of them is stored.
    """
    report = ImportReport()
    entries: list[TMEntry] = []
    origins: dict[tuple[str, str, str], list[tuple[str, str]]] = {}  # key → [(target, where)]
    for path in paths:
        try:
            units = read_bilingual(Path(path))
        except InputError as exc:
            log.warning("%s", exc)
            report.errors.append(exc)
            continue
        report.files.append(Path(path))
        report.units += len(units)
        for unit in units:
            if not unit.approved:
                continue
            if not unit.target_lang:
                report.errors.append(InputError(path, f"segment {unit.segment_id}: no target language; set trgLang/xml:lang"))
                continue
            state = State(unit.state) if unit.state in _APPROVED_STATES else State.REVIEWED
            entry = TMEntry(unit.source, unit.target, unit.source_lang, unit.target_lang, Origin.HUMAN, state)
            entries.append(entry)
            origins.setdefault(entry.key, []).append((unit.target, f"{path}#{unit.segment_id}"))
    report.approved = len(entries)
    result = tm.import_human(entries)
    report.stored, report.unchanged = result.stored, result.unchanged
    for conflict in result.conflicts:
        key = (TMEntry(conflict.source, "", conflict.src_lang, conflict.tgt_lang)).key
        where = tuple(w for _, w in origins.get(key, []))
        if conflict.in_memory is not None:
            where = ("tm", *where)
        report.conflicts.append(ConflictReport(conflict, where))
    return report


# -- exporting for review --------------------------------------------------------------------


EXPORT_FORMATS = ("xliff21", "xliff20", "xliff12")


def review_xliff_bytes(article: Article, locale: Locale, fmt: str = "xliff21", *, source_lang: str = "en") -> bytes:
    """The work file in one of ``EXPORT_FORMATS`` (XLIFF 2.1, 2.0 or 1.2)."""
    if fmt == "xliff12":
        return xliff12_bytes(article, locale, source_lang=source_lang)
    if fmt in ("xliff21", "xliff20"):
        return xliff_bytes(article, locale, source_lang=source_lang, version=f"{fmt[5]}.{fmt[6]}")
    raise UsageError(f"unknown review format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def review_document(article: Article, locale: Locale, tm: TranslationMemory, *, source_lang: str = "en") -> Article:
    """A copy of ``article`` with what a translator should start from, for ``review_xliff_bytes``.

    Each segment gets, in this order of preference: the TM's human translation (state as
    approved: reviewed/final); the article's own target (MT or passthrough, state translated);
    a stale MT row from the TM (older model or glossary; state ``initial`` so the translator
    must confirm it); nothing (state initial).
    """
    work = copy.deepcopy(article)
    segments = work.segments()
    rows = tm.entries_for([seg.source for seg in segments], source_lang, locale.lang)
    for seg in segments:
        entry = rows.get(seg.source)
        current = seg.targets.get(locale.site)
        if entry is not None and entry.origin is Origin.HUMAN:
            seg.targets[locale.site] = entry.as_target()
        elif current is not None:
            continue
        elif entry is not None:
            stale = entry.as_target()
            stale.state = State.INITIAL
            stale.provenance = Provenance(
                origin=Origin.TM, engine=entry.engine, model=entry.model, model_version=entry.model_version,
                glossary_hash=entry.glossary_hash, tm_hit=True, note="stale: older model or glossary; confirm or edit",
            )  # fmt: skip
            seg.targets[locale.site] = stale
    return work


def export_for_review(
    article: Article, locale: Locale, tm: TranslationMemory, out: Path, *, source_lang: str = "en", fmt: str = "xliff21"
) -> Path:
    """Write the XLIFF (2.1, or ``fmt`` xliff20/xliff12) a translator should work on; return its path.

    The segments are filled as ``review_document`` says. ``out`` is the file to write if it ends in
    ``.xlf``/``.xliff``, else a folder that receives ``<stem>.<site>.xlf``.
    """
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown review format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    path = out if out.suffix.lower() in (".xlf", ".xliff") else out / f"{article.stem}.{locale.site}.xlf"
    work = review_document(article, locale, tm, source_lang=source_lang)
    atomic_write_bytes(path, review_xliff_bytes(work, locale, fmt, source_lang=source_lang))
    return path

