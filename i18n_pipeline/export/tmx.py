"""TMX 1.4b writer: one ``<tu>`` per segment of every translatable block.

Each ``<tu tuid="<segment id>">`` has the source ``<tuv>`` and, when the locale has a target,
the target ``<tuv>`` (``xml:lang`` uses standard codes: ``hy``, not ``arm``). Provenance and
state go into ``<prop>`` elements with TMX's ``x-`` prefix for user-defined types:
``x-origin``, ``x-engine``, ``x-model``, ``x-model-version``, ``x-glossary-hash``,
``x-tm-hit``, ``x-state``, ``x-note``, plus ``x-block`` and ``x-role`` for context
(empty values are left out). The review import reads ``x-state`` back: units our own writer
marked ``initial``/``translated`` are machine output, not approvals.

No DOCTYPE line and no dates: the file validates against tmx14.dtd when checked explicitly, and
a rerun over unchanged input writes byte-identical files.
"""

from __future__ import annotations

from lxml import etree

from .. import __version__
from ..document import Article
from ..locales import Locale
from .aligned import AlignedSegment, aligned_blocks, xml_text

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tmx_bytes(article: Article, locale: Locale, *, source_lang: str = "en") -> bytes:
    """The article's TMX 1.4b document for one locale, UTF-8 with an XML declaration."""
    return etree.tostring(build_tmx(article, locale, source_lang=source_lang), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_tmx(article: Article, locale: Locale, *, source_lang: str = "en") -> etree._Element:
    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(
        root,
        "header",
        creationtool="i18n-pipeline",
        creationtoolversion=__version__,
        segtype="sentence",
        adminlang="en",
        srclang=source_lang,
        datatype="plaintext",
    )
    header.set("o-tmf", "i18n-pipeline")
    etree.SubElement(header, "prop", type="x-article").text = xml_text(article.stem)
    body = etree.SubElement(root, "body")
    for block, segments in aligned_blocks(article, locale.site):
        for item in segments:
            body.append(_tu(item, source_lang, locale.lang))
    return root


def _tu(item: AlignedSegment, source_lang: str, target_lang: str) -> etree._Element:
    tu = etree.Element("tu", tuid=item.segment.id)
    props = {"x-block": item.block.id, "x-role": item.block.role.value}
    if item.target is not None:
        p = item.target.provenance
        props |= {
            "x-origin": p.origin.value,
            "x-engine": p.engine,
            "x-model": p.model,
            "x-model-version": p.model_version,
            "x-glossary-hash": p.glossary_hash,
            "x-tm-hit": "yes" if p.tm_hit else "",
            "x-state": item.target.state.value,
            "x-note": p.note,
            "x-licence": p.licence,
        }
    for name, value in props.items():
        if value:
            etree.SubElement(tu, "prop", type=name).text = xml_text(value)
    _tuv(tu, source_lang, item.segment.source)
    if item.target is not None:
        _tuv(tu, target_lang, item.target.text)
    return tu


def _tuv(tu: etree._Element, lang: str, text: str) -> None:
    tuv = etree.SubElement(tu, "tuv")
    tuv.set(XML_LANG, lang)
    etree.SubElement(tuv, "seg").text = xml_text(text)
