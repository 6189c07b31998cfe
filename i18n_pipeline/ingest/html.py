"""Reader for saved ``.html`` pages.

Pages of a profiled site (found by canonical/og:url host or by a signature line) are flattened
to lines and classified with the site profile, so chrome is kept aside with its role. Pages of
other sites go through trafilatura, a proven main-text extractor; its chrome is discarded.
Scripts, styles, iframes and other non-content elements are removed before anything reads text.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlparse

import lxml.etree
import lxml.html

from ..document import Kind
from .lines import Parsed, RawLine, ReaderFormatError, classify_body, classify_page
from .profile import SiteProfile, profile_for_host, profile_for_lines

NON_CONTENT = ("script", "style", "iframe", "noscript", "template", "svg", "object", "embed", "canvas", "frame", "frameset", "head")
BLOCK_TAGS = frozenset(
    "p div section article header footer nav aside main h1 h2 h3 h4 h5 h6 li ul ol dl dt dd "
    "blockquote pre table tr td th caption figure figcaption address form fieldset hr br "
    "body html".split()
)
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SPACES = re.compile(r"\s+")  # not str.split(): a 5 MB paragraph would become a huge list
PUBLISHED_META = ("article:published_time", "og:published_time", "datePublished", "pubdate", "date", "dc.date")


class HtmlError(ReaderFormatError):
    """The markup cannot be parsed at all."""


def parse_document(markup: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise HtmlError(str(exc) or "no HTML content") from exc


def html_to_lines(root: lxml.html.HtmlElement) -> list[RawLine]:
    """Flatten the page to one line per block element, in document order, with its kind."""
    root = _without_non_content(root)
    lines: list[RawLine] = []
    buffer: list[str] = []
    stack: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(buffer)).strip()
        buffer.clear()
        if text:
            lines.append(RawLine(text, *_kind_of(stack)))

    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS:
                flush()
            stack.append(tag)
            if tag and element.text:
                buffer.append(element.text)
        else:
            if tag in BLOCK_TAGS:
                flush()  # before popping: the text still belongs to this element's kind
            stack.pop()
            if element.tail:
                buffer.append(element.tail)
    flush()
    return lines


def parse_html(markup: str, profiles: tuple[SiteProfile, ...], generic: SiteProfile) -> tuple[Parsed, SiteProfile | None]:
    root = parse_document(markup)
    meta = _meta(root)
    profile = profile_for_host(profiles, urlparse(meta.get("url", "")).hostname or "")
    lines = html_to_lines(root)
    if profile is None:
        profile = profile_for_lines(profiles, [line.text for line in lines])
    if profile is not None:
        parsed = classify_page(lines, profile, generic=False)
    else:
        parsed = _extract_unknown_site(markup, generic)
    _fill_from_meta(parsed, meta, profile or generic)
    return parsed, profile


def _extract_unknown_site(markup: str, generic: SiteProfile) -> Parsed:
    # Imported here: trafilatura pulls in a large dependency tree that profiled sites never need.
    import trafilatura

    xml = trafilatura.extract(markup, output_format="xml", include_comments=False, include_tables=False, with_metadata=True)
    parsed = Parsed()
    if not xml:
        return parsed
    doc = lxml.etree.fromstring(xml.encode("utf-8"), parser=lxml.etree.XMLParser(resolve_entities=False, no_network=True))
    lines = []
    for element in doc.iter("head", "p", "item"):
        text = _SPACES.sub(" ", "".join(element.itertext())).strip()
        if element.tag == "head":
            level = int((element.get("rend") or "h2").lstrip("h") or 2)
            lines.append(RawLine(text, Kind.HEADING, level))
        elif element.tag == "item":
            lines.append(RawLine(text, Kind.LIST_ITEM))
        else:
            quoted = any(a.tag == "quote" for a in element.iterancestors())
            lines.append(RawLine(text, Kind.QUOTE if quoted else Kind.PARAGRAPH))
    title = " ".join((doc.get("title") or "").split())
    if lines and lines[0].level == 1:
        title = title or lines[0].text
        lines = lines[1:]
    parsed.headline = title
    parsed.author = doc.get("author") or ""
    parsed.section = (doc.get("categories") or "").split(";")[0].strip()
    return classify_body(lines, generic, parsed)


def _without_non_content(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    root = lxml.html.fromstring(lxml.html.tostring(root))  # work on a copy: callers keep the original
    lxml.etree.strip_elements(root, *NON_CONTENT, with_tail=False)
    lxml.etree.strip_elements(root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
    return root


def _kind_of(stack: list[str]) -> tuple[Kind, int]:
    for tag in reversed(stack):
        if tag in HEADINGS:
            return Kind.HEADING, HEADINGS[tag]
        if tag == "li":
            return Kind.LIST_ITEM, 0
    if "blockquote" in stack:
        return Kind.QUOTE, 0
    return Kind.PARAGRAPH, 0


def _meta(root: lxml.html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        if key and element.get("content"):
            found.setdefault(key, element.get("content").strip())
    for element in root.iter("link"):
        if (element.get("rel") or "").lower() == "canonical" and element.get("href"):
            found.setdefault("url", element.get("href"))
    if "og:url" in found:
        found.setdefault("url", found["og:url"])
    return found


def _fill_from_meta(parsed: Parsed, meta: dict[str, str], profile: SiteProfile) -> None:
    if parsed.published is None:
        for key in PUBLISHED_META:
            if key in meta:
                parsed.published = _parse_iso(meta[key], profile)
                if parsed.published:
                    break
    parsed.author = parsed.author or meta.get("author", "")
    parsed.section = parsed.section or meta.get("article:section", "")
    parsed.headline = parsed.headline or meta.get("og:title", "")


def _parse_iso(value: str, profile: SiteProfile) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return profile.parse_date(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=profile.zone)
