"""XLIFF 1.2 writer, for the CAT tools that read only 1.2 (Trados, Virtaal, XTM, OmegaT before 5.8).

Layout (valid against the OASIS XLIFF 1.2 strict schema's content model):

- ``<xliff version="1.2">`` with one ``<file original source-language target-language
  datatype="plaintext" tool-id="i18n-pipeline">``; ``target-language`` is the standard code
  (``hy``, not ``arm``). ``<header>`` holds the ``<tool>`` and one note with the article's
  stem, site, headline and publication date.
- One ``<group id="<block id>" resname="<role>" xml:space="preserve">`` per translatable block,
  with notes for its role, detected language and pipeline notes (``annotates="source"`` /
  ``"general"``), and one ``<trans-unit id="<segment id>" xml:space="preserve">`` per sentence.
- ``<trans-unit>``: ``<source xml:lang>``, then ``<target xml:lang state state-qualifier>`` when
  the segment has a non-empty target, then its provenance, glossary and QA notes (QA notes carry
  ``priority``: error 1, warning 5, info 9; ``from="i18n-pipeline"``).
- States, as Trados, Virtaal and OmegaT read them (and as ``review.read_bilingual`` reads them back):

  ======================  ===========================================  ============
  our state               ``<target state>`` (``state-qualifier``)     ``approved``
  ======================  ===========================================  ============
  no target               no ``<target>``                              ``no``
  initial (stale TM)      ``needs-translation`` (``tm-suggestion``)    ``no``
  translated (MT, …)      ``needs-review-translation`` (``mt-suggestion``  ``no``
                          for MT, ``leveraged-tm`` for a TM hit)
  reviewed                ``translated``                               ``yes``
  final                   ``final``                                    ``yes``
  ======================  ===========================================  ============

  MT output is never written as ``translated``: Virtaal and Trados show that as done work.
- XLIFF 1.2 has no ``<cp>``: a character XML 1.0 cannot carry becomes
  ``<x id="cp<n>" ctype="x-cp-<hex>"/>``, which ``review.read_bilingual`` turns back into it.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .. import __version__
from ..document import Article, Block, Origin, State
from ..locales import Locale
from .aligned import AlignedSegment, aligned_blocks, is_xml_unsafe, nmtoken, split_xml_unsafe, xml_text
from .xliff import QA_PRIORITY

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TOOL_ID = "i18n-pipeline"
CP_CTYPE_PREFIX = "x-cp-"

_X = f"{{{XLIFF12_NS}}}"
_SPACE = f"{{{XML_NS}}}space"
_LANG = f"{{{XML_NS}}}lang"

# our state → (<target state>, approved)
TARGET_STATE = {
    State.INITIAL: ("needs-translation", False),
    State.TRANSLATED: ("needs-review-translation", False),
    State.REVIEWED: ("translated", True),
    State.FINAL: ("final", True),
}


def xliff12_bytes(article: Article, locale: Locale, *, source_lang: str = "en") -> bytes:
    """The article's XLIFF 1.2 document for one locale, UTF-8 with an XML declaration."""
    root = build_xliff12(article, locale, source_lang=source_lang)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_xliff12(article: Article, locale: Locale, *, source_lang: str = "en") -> etree._Element:
    root = etree.Element(_X + "xliff", nsmap={None: XLIFF12_NS}, version="1.2")
    file_el = etree.SubElement(
        root,
        _X + "file",
        original=xml_text(article.original or Path(article.path).name),
        datatype="plaintext",
    )
    file_el.set("source-language", source_lang)
    file_el.set("target-language", locale.lang)
    file_el.set("tool-id", TOOL_ID)
    header = etree.SubElement(file_el, _X + "header")
    tool = etree.SubElement(header, _X + "tool")
    tool.set("tool-id", TOOL_ID)
    tool.set("tool-name", "i18n-pipeline")
    tool.set("tool-version", __version__)
    published = article.published.isoformat() if article.published else ""
    described = "; ".join(
        f"{name}: {value}" for name, value in (("article", article.stem), ("site", article.site), ("headline", article.headline), ("published", published)) if value
    )
    if described:
        _note(header, described, annotates="general")
    body = etree.SubElement(file_el, _X + "body")
    counter = [0]
    for block, segments in aligned_blocks(article, locale.site):
        body.append(_group(block, segments, source_lang, locale.lang, counter))
    return root


def _note(parent: etree._Element, text: str, *, annotates: str = "", priority: int = 0) -> None:
    note = etree.SubElement(parent, _X + "note")
    note.set("from", TOOL_ID)
    if priority:
        note.set("priority", str(priority))
    if annotates:
        note.set("annotates", annotates)
    note.text = xml_text(text)


def _group(block: Block, segments: list[AlignedSegment], source_lang: str, target_lang: str, counter: list[int]) -> etree._Element:
    group = etree.Element(_X + "group", id=nmtoken(block.id, "u"), resname=block.role.value)
    group.set(_SPACE, "preserve")
    _note(group, f"role: {block.role.value}", annotates="general")
    _note(group, f"language: {block.lang or 'unknown'} (confidence {block.confidence:.2f})", annotates="source")
    for text in block.notes:
        _note(group, text, annotates="general")
    for item in segments:
        group.append(_trans_unit(item, source_lang, target_lang, counter))
    return group


def _trans_unit(item: AlignedSegment, source_lang: str, target_lang: str, counter: list[int]) -> etree._Element:
    unit = etree.Element(_X + "trans-unit", id=nmtoken(item.segment.id, "s"))
    unit.set(_SPACE, "preserve")
    source = etree.SubElement(unit, _X + "source")
    source.set(_LANG, source_lang)
    _set_content(source, item.segment.source, counter)
    target = item.target
    approved = False
    if target is not None and target.text.strip():
        state, approved = TARGET_STATE[target.state]
        element = etree.SubElement(unit, _X + "target", state=state)
        element.set(_LANG, target_lang)
        qualifier = _qualifier(item)
        if qualifier:
            element.set("state-qualifier", qualifier)
        _set_content(element, target.text, counter)
    unit.set("approved", "yes" if approved else "no")
    if target is not None:
        _note(unit, target.provenance.describe(), annotates="target")
    terms = target.terms if target is not None and target.terms else item.segment.terms
    for hit in terms:
        expected = " | ".join(hit.expected) or "(no approved target)"
        rendered = f", rendered as “{hit.rendered}”" if hit.rendered else ""
        _note(unit, f"glossary: {hit.term} → {expected} ({hit.status}{rendered}; entry {hit.entry_id})", annotates="source")
    for flag in target.flags if target is not None else []:
        _note(unit, f"{flag.check} ({flag.severity}): {flag.message}", annotates="target", priority=QA_PRIORITY.get(flag.severity, 5))
    return unit


def _qualifier(item: AlignedSegment) -> str:
    target = item.target
    assert target is not None
    if target.state is State.INITIAL:
        return "tm-suggestion"
    if target.state is not State.TRANSLATED:
        return ""
    if target.provenance.tm_hit or target.provenance.origin is Origin.TM:
        return "leveraged-tm"
    if target.provenance.origin is Origin.MT:
        return "mt-suggestion"
    return ""


def _set_content(element: etree._Element, text: str, counter: list[int]) -> None:
    """Text with XML-illegal characters as ``<x ctype="x-cp-<hex>"/>`` placeholders."""
    last: etree._Element | None = None
    for part in split_xml_unsafe(text):
        if is_xml_unsafe(part):
            counter[0] += 1
            last = etree.SubElement(element, _X + "x", id=f"cp{counter[0]}", ctype=f"{CP_CTYPE_PREFIX}{ord(part):04X}")
        elif last is None:
            element.text = part
        else:
            last.tail = part
