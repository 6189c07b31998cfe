"""XLIFF 2.1 writer: one ``<unit>`` per translatable block, one ``<segment>`` per sentence.

Where things go (all valid against the OASIS XLIFF 2.1 core and metadata schemas):

- ``<xliff version="2.1" srcLang trgLang>``; ``trgLang`` is the standard code (``hy``, not ``arm``).
- ``<file id="f1" original="<input path relative to its inbox>">`` with an ``mda:metadata`` group ``article``
  (stem, site, headline, published) for tools that want to map the file back.
- ``<unit id="<block id>" name="<role>" xml:space="preserve">``:
  - ``mda:metadata``: group ``block`` (role, kind, lang, confidence) and one group
    ``provenance`` per segment (``segment``, ``origin``, ``engine``, ``model``,
    ``model_version``, ``glossary_hash``, ``tm_hit``), machine-readable;
  - ``<notes>`` for translators: ``category="role"``, ``category="language"`` (detected
    language and confidence), ``category="pipeline"`` (block notes such as "no model for az→ru"),
    and per segment ``category="provenance"``, ``category="glossary"`` and ``category="qa"``
    notes, each starting with ``[<segment id>]`` and with ``appliesTo`` = source/target.
    A note's ``id`` is ``<segment id>-prov`` / ``-term<n>`` / ``-qa<n>``.
    QA notes carry ``priority`` = ``QA_PRIORITY[severity]`` (error 1, warning 5, info 9;
    XLIFF priority 1 is the most important) and the check id as their first word.
  - ``<segment id="<segment id>" state="…">`` with ``<source>`` and, when the locale has a
    target (even an empty one), ``<target>``; a segment with no target is ``state="initial"``.
- Characters XML 1.0 cannot carry are written as ``<cp hex="…"/>``, as XLIFF 2 prescribes.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .. import __version__
from ..document import Article, Block, State
from ..locales import Locale
from .aligned import AlignedSegment, aligned_blocks, is_xml_unsafe, nmtoken, split_xml_unsafe, xml_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XLIFF_VERSION = "2.1"
XLIFF_VERSIONS = ("2.1", "2.0")  # the same core and metadata module; Poedit < 3.3 rejects "2.1"
QA_PRIORITY = {"error": 1, "warning": 5, "info": 9}
_DEFAULT_QA_PRIORITY = 5

_X = f"{{{XLIFF_NS}}}"
_M = f"{{{MDA_NS}}}"


def xliff_bytes(article: Article, locale: Locale, *, source_lang: str = "en", version: str = XLIFF_VERSION) -> bytes:
    """The article's XLIFF 2.1 (or, with ``version="2.0"``, 2.0) document for one locale, UTF-8."""
    root = build_xliff(article, locale, source_lang=source_lang, version=version)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_xliff(article: Article, locale: Locale, *, source_lang: str = "en", version: str = XLIFF_VERSION) -> etree._Element:
    """XLIFF 2.x. What we write uses nothing 2.1 added, so a 2.0 document differs only in ``version``."""
    if version not in XLIFF_VERSIONS:
        raise ValueError(f"XLIFF version {version!r} is not one of {', '.join(XLIFF_VERSIONS)}")
    root = etree.Element(
        _X + "xliff",
        nsmap={None: XLIFF_NS, "mda": MDA_NS},
        version=version,
        srcLang=source_lang,
        trgLang=locale.lang,
    )
    file_el = etree.SubElement(root, _X + "file", id="f1", original=xml_text(article.original or Path(article.path).name))
    file_el.append(_article_metadata(article))
    units = aligned_blocks(article, locale.site)
    if not units:
        # A <file> needs at least one unit; an article with nothing to translate still gets a
        # valid document, with an empty placeholder unit marked translate="no".
        empty = etree.SubElement(file_el, _X + "unit", id="empty", translate="no")
        segment = etree.SubElement(empty, _X + "segment")
        etree.SubElement(segment, _X + "source")
    for block, segments in units:
        file_el.append(_unit(block, segments))
    return root


def _article_metadata(article: Article) -> etree._Element:
    fields = {
        "stem": article.stem,
        "site": article.site,
        "headline": article.headline,
        "published": article.published.isoformat() if article.published else "",
        "generator": f"i18n-pipeline {__version__}",
    }
    return _metadata([("article", None, fields)])


def _unit(block: Block, segments: list[AlignedSegment]) -> etree._Element:
    unit = etree.Element(_X + "unit", id=nmtoken(block.id, "u"), name=block.role.value)
    unit.set(f"{{{XML_NS}}}space", "preserve")
    groups: list[tuple[str, str | None, dict[str, str]]] = [
        ("block", None, {"role": block.role.value, "kind": block.kind.value, "lang": block.lang, "confidence": f"{block.confidence:.3f}"})
    ]
    for item in segments:
        if item.target is not None:
            p = item.target.provenance
            groups.append(
                (
                    "provenance",
                    "target",
                    {
                        "segment": item.segment.id,
                        "origin": p.origin.value,
                        "engine": p.engine,
                        "model": p.model,
                        "model_version": p.model_version,
                        "glossary_hash": p.glossary_hash,
                        "tm_hit": "yes" if p.tm_hit else "no",
                    },
                )
            )
    unit.append(_metadata(groups))
    unit.append(_notes(block, segments))
    for item in segments:
        unit.append(_segment(item))
    return unit


def _metadata(groups: list[tuple[str, str | None, dict[str, str]]]) -> etree._Element:
    metadata = etree.Element(_M + "metadata")
    for category, applies_to, fields in groups:
        group = etree.SubElement(metadata, _M + "metaGroup", category=category)
        if applies_to:
            group.set("appliesTo", applies_to)
        for name, value in fields.items():
            if value:
                etree.SubElement(group, _M + "meta", type=name).text = xml_text(value)
    return metadata


def _notes(block: Block, segments: list[AlignedSegment]) -> etree._Element:
    notes = etree.Element(_X + "notes")

    def add(text: str, category: str, *, note_id: str = "", applies_to: str = "", priority: int = 0) -> None:
        note = etree.SubElement(notes, _X + "note", category=category)
        if note_id:
            note.set("id", note_id)
        if applies_to:
            note.set("appliesTo", applies_to)
        if priority:
            note.set("priority", str(priority))
        note.text = xml_text(text)

    add(block.role.value, "role")
    add(f"{block.lang or 'unknown'} (confidence {block.confidence:.2f})", "language", applies_to="source")
    for text in block.notes:
        add(text, "pipeline")
    for item in segments:
        sid = nmtoken(item.segment.id, "s")
        if item.target is not None:
            add(f"[{item.segment.id}] {item.target.provenance.describe()}", "provenance", note_id=f"{sid}-prov", applies_to="target")
        terms = item.target.terms if item.target is not None and item.target.terms else item.segment.terms
        for n, hit in enumerate(terms, 1):
            expected = " | ".join(hit.expected) or "(no approved target)"
            rendered = f", rendered as “{hit.rendered}”" if hit.rendered else ""
            add(
                f"[{item.segment.id}] {hit.term} → {expected} ({hit.status}{rendered}; entry {hit.entry_id})",
                "glossary",
                note_id=f"{sid}-term{n}",
                applies_to="source",
            )
        for n, flag in enumerate(item.target.flags if item.target is not None else [], 1):
            add(
                f"[{item.segment.id}] {flag.check} ({flag.severity}): {flag.message}",
                "qa",
                note_id=f"{sid}-qa{n}",
                applies_to="target",
                priority=QA_PRIORITY.get(flag.severity, _DEFAULT_QA_PRIORITY),
            )
    return notes


def _segment(item: AlignedSegment) -> etree._Element:
    target = item.target
    state = target.state if target is not None else State.INITIAL
    segment = etree.Element(_X + "segment", id=nmtoken(item.segment.id, "s"), state=state.value)
    _set_content(etree.SubElement(segment, _X + "source"), item.segment.source)
    if target is not None:
        _set_content(etree.SubElement(segment, _X + "target"), target.text)
    return segment


def _set_content(element: etree._Element, text: str) -> None:
    """Text with XML-illegal characters as ``<cp hex="…"/>`` (lxml refuses them as text)."""
    last: etree._Element | None = None
    for part in split_xml_unsafe(text):
        if is_xml_unsafe(part):
            last = etree.SubElement(element, _X + "cp", hex=f"{ord(part):04X}")
        elif last is None:
            element.text = part
        else:
            last.tail = part
