"""What every writer needs from an Article: translatable blocks with their segments and targets.

Kept apart so the five writers agree on which blocks are exported, how ids look in XML, and how
a block's translated text is put back together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Article, Block, Segment, Target

# XML 1.0 forbids most C0 controls (and U+FFFE/U+FFFF); lxml refuses them outright.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_NMTOKEN = re.compile(r"[^\w.\-:]")


@dataclass(frozen=True)
class AlignedSegment:
    block: Block
    segment: Segment
    target: Target | None  # None: no translation for this locale yet


def aligned_blocks(article: Article, site: str) -> list[tuple[Block, list[AlignedSegment]]]:
    """Translatable blocks in page order, each with its segments and their targets for ``site``."""
    return [
        (block, [AlignedSegment(block, seg, seg.targets.get(site)) for seg in block.segments])
        for block in article.translatable_blocks()
        if block.segments
    ]


def xml_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (formats without an escape for them: TMX, HTML)."""
    return _NOT_XML.sub("", text)


def split_xml_unsafe(text: str) -> list[str]:
    """Split text into runs of XML-safe text and single unsafe characters (for XLIFF ``<cp/>``)."""
    return [part for part in re.split(f"({_NOT_XML.pattern})", text) if part]


def is_xml_unsafe(char: str) -> bool:
    return len(char) == 1 and bool(_NOT_XML.fullmatch(char))


def nmtoken(value: str, fallback: str) -> str:
    """An XML NMTOKEN for an id attribute: our ids are usually fine, but never trust them blindly."""
    token = _NOT_NMTOKEN.sub("_", value)
    return token or fallback


def block_translation(block: Block, site: str) -> str:
    """The block's text in the target locale: targets joined with the source's own spacing.

    A segment without a target, or with an empty one (MT produced nothing), keeps its source
    text, as a passthrough does, so no sentence silently drops out of the article; the JSON and
    the review page show which segments those are.
    """
    if not block.segments:
        return block.text
    parts: list[str] = []
    previous_end: int | None = None
    for seg in block.segments:
        if previous_end is not None:
            gap = block.text[previous_end : seg.start] if 0 <= previous_end <= seg.start <= len(block.text) else ""
            parts.append(gap if gap.strip() == "" and gap else " ")
        target = seg.targets.get(site)
        parts.append(target.text if target is not None and target.text.strip() else seg.source)
        previous_end = seg.end
    return "".join(parts).strip()
