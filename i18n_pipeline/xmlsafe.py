"""Hardened XML parsing for every file the pipeline imports (XLIFF, TMX, TBX…).

Translators' files come from outside, so parsing must not expand entities (billion laughs),
read local files or the network (XXE), or build unbounded trees. lxml does the parsing with
entity resolution, DTD loading and network access switched off; on top of that we refuse, like
defusedxml's ``forbid_entities``, any document that declares an internal DTD subset or entities
or still holds an entity reference.

One deliberate allowance: a bare external DOCTYPE line such as
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">`` is accepted, because OmegaT and other CAT tools write it
into every TMX they export and, with ``load_dtd=False`` and ``no_network=True``, lxml never
opens it. Anything inside ``[...]`` (where ENTITY declarations live) is refused.
"""

from __future__ import annotations

from lxml import etree

from .errors import InputError


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe and are cheap to build.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )


def parse_xml_bytes(data: bytes, source_name: str) -> etree._Element:
    """Parse untrusted XML bytes and return the root element, or raise InputError.

    ``source_name`` is only used in the error message (the path the user passed).
    """
    if not data.strip():
        raise InputError(source_name, "empty file; expected an XML document (XLIFF or TMX)")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc.msg).lower():  # libxml2's own guard against entity bombs fired
            raise InputError(source_name, f"XML entity declarations are refused for safety ({exc.msg})") from exc
        raise InputError(source_name, f"not well-formed XML ({exc.msg}); fix or re-export the file") from exc
    declared = root.getroottree().docinfo.internalDTD
    if declared is not None and (any(True for _ in declared.entities()) or any(True for _ in declared.iterelements())):
        raise InputError(
            source_name,
            "XML with DTD declarations (<!DOCTYPE … [<!ENTITY …>]>) is refused for safety; re-export the file without them",
        )
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise InputError(
                source_name,
                f"XML entity reference &{node.name}; is refused for safety; re-export the file without entities",
            )
    return root
