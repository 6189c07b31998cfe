"""Line classifier shared by every reader: which line is the headline, the body, the byline, chrome.

Readers turn their format into ``RawLine``s (one per paragraph, heading, list item or quote, in
page order, with the kind the markup says); this module decides each line's role with a site
profile. Three modes:

* ``classify_page``: a whole page (text dump, saved HTML of a profiled site). The dateline
  anchors the article: the headline is the last content line above it, the body runs from it to
  the byline/credit/views; everything else is chrome or a field. Without a site profile, the
  generic heuristics apply: short lines without sentence punctuation, widget strings and lines
  repeated on the page are chrome, and so is everything after the last real paragraph.
* ``classify_body``: text known to be the article (CMS JSON body, Markdown): every line is body
  except recognised fields (byline, dateline, views, credit) and widget strings.
* ``classify_prose``: plain text that is not a page dump (``looks_like_page`` is false): the
  article itself, so every paragraph is body, short or not; the first line is the headline only
  when it looks like one (``looks_like_headline``) and more text follows it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from datetime import datetime

from ..document import Block, Kind, Role
from .profile import SiteProfile

SENTENCE_END = re.compile(r"[.!?…։:;\"'”»)\]]\s*$")
SHORT_LINE_WORDS = 3  # generic heuristic: a line this short without punctuation is a widget
# A headline has no sentence-final full stop (a question or exclamation it may have) and is short.
_NOT_HEADLINE_END = re.compile(r"[.…:;,]\s*$")
MAX_HEADLINE_WORDS = 25
_WORD = re.compile(r"\S+")


def word_count(text: str, cap: int) -> int:
    """Words in ``text``, counting no further than ``cap`` (a 5 MB line must not be split)."""
    return sum(1 for _ in islice(_WORD.finditer(text), cap))


class ReaderFormatError(ValueError):
    """A file whose structure its reader cannot use (each reader has its own subclass)."""


@dataclass
class RawLine:
    text: str
    kind: Kind = Kind.PARAGRAPH
    level: int = 0  # heading level from markup (1 for <h1> / "# "), 0 when unknown


@dataclass
class Parsed:
    """What a reader hands to ``read_article``: classified blocks plus the article fields."""

    blocks: list[Block] = field(default_factory=list)
    headline: str = ""
    published: datetime | None = None
    author: str = ""
    section: str = ""
    credit: str = ""
    views: int | None = None


def clean_lines(lines: list[RawLine]) -> list[RawLine]:
    """Drop empty lines and trim each line (non-breaking spaces included)."""
    return [RawLine(line.text.strip(), line.kind, line.level) for line in lines if line.text.strip()]


def classify_page(lines: list[RawLine], profile: SiteProfile, *, generic: bool) -> Parsed:
    lines = clean_lines(lines)
    roles: list[tuple[Role, str] | None] = [None] * len(lines)
    for i, line in enumerate(lines):
        chrome = profile.chrome_role(line.text)
        if chrome:
            roles[i] = (Role.CHROME, chrome)
    if generic:
        _mark_repeated(lines, roles)
    parsed = Parsed()
    date_idx = _find_dateline(lines, roles, profile)
    head_idx = _find_headline(lines, roles, profile, date_idx)
    if head_idx is not None:
        roles[head_idx] = (Role.HEADLINE, "")
        parsed.headline = lines[head_idx].text
        section_idx = _find_section(lines, roles, profile, head_idx)
        if section_idx is not None:
            roles[section_idx] = (Role.SECTION, "")
            parsed.section = lines[section_idx].text
    if date_idx is not None:
        roles[date_idx] = (Role.DATELINE, "")
        parsed.published = profile.parse_date(lines[date_idx].text)
    anchors = [i for i in (head_idx, date_idx) if i is not None]
    body_start = max(anchors) + 1 if anchors else 0
    body_end = _find_body_end(lines, profile, body_start)
    if generic:
        body_end = _trim_generic_tail(lines, roles, body_start, body_end)
    for i in range(body_start, body_end):
        if roles[i] is None:
            if generic and _looks_like_widget(lines[i]):
                roles[i] = (Role.CHROME, "widget")
            else:
                roles[i] = (Role.BODY, "")
    for i, line in enumerate(lines):
        if roles[i] is None:
            roles[i] = _field_or_chrome(line, profile, parsed, after_body=i >= body_end)
    parsed.blocks = _blocks(lines, roles)
    return parsed


def classify_body(lines: list[RawLine], profile: SiteProfile, parsed: Parsed) -> Parsed:
    """Classify lines known to be the article body; fields found fill ``parsed`` if still empty."""
    lines = clean_lines(lines)
    roles: list[tuple[Role, str] | None] = []
    for line in lines:
        role = _field_role(line, profile, parsed)
        if role is None:
            chrome = profile.chrome_role(line.text)
            role = (Role.CHROME, chrome) if chrome else (Role.BODY, "")
        roles.append(role)
    parsed.blocks.extend(_blocks(lines, roles, first_id=len(parsed.blocks) + 1))
    return parsed


def looks_like_page(lines: list[str], generic: SiteProfile) -> bool:
    """Whether text lines are a page dump: some line is site chrome, a dateline or a view count."""
    return any(
        generic.chrome_role(line) or generic.field_match("dateline", line) or generic.field_match("views", line)
        for line in (text.strip() for text in lines)
        if line
    )


def looks_like_headline(text: str, profile: SiteProfile) -> bool:
    """A first line that reads as a headline: short, no closing full stop, not a field line."""
    if _NOT_HEADLINE_END.search(text[-8:]) or word_count(text, MAX_HEADLINE_WORDS + 1) > MAX_HEADLINE_WORDS:
        return False
    return not any(profile.field_match(name, text) for name in ("byline", "credit", "views", "dateline"))


def classify_prose(lines: list[RawLine], profile: SiteProfile) -> Parsed:
    """Classify plain prose: an optional headline line, then the body (see module docstring)."""
    lines = clean_lines(lines)
    parsed = Parsed()
    if len(lines) > 1 and looks_like_headline(lines[0].text, profile):
        parsed.headline = lines[0].text
        parsed.blocks = _blocks(lines[:1], [(Role.HEADLINE, "")])
        lines = lines[1:]
    return classify_body(lines, profile, parsed)


def _find_dateline(lines: list[RawLine], roles: list, profile: SiteProfile) -> int | None:
    fallback = None
    for i, line in enumerate(lines):
        if roles[i] is None and profile.field_match("dateline", line.text):
            if profile.parse_date(line.text) is not None:
                return i
            fallback = i if fallback is None else fallback
    return fallback


def _is_candidate(line: RawLine, role, profile: SiteProfile) -> bool:
    if role is not None or profile.is_section(line.text):
        return False
    if any(profile.field_match(name, line.text) for name in ("byline", "credit", "views", "dateline")):
        return False
    return word_count(line.text, 2) >= 2


def _find_headline(lines: list[RawLine], roles: list, profile: SiteProfile, date_idx: int | None) -> int | None:
    level_one = [i for i, line in enumerate(lines) if line.level == 1 and roles[i] is None]
    if level_one:
        return level_one[0]
    if date_idx is not None:
        for i in range(date_idx - 1, -1, -1):
            if _is_candidate(lines[i], roles[i], profile):
                return i
        for i in range(date_idx + 1, len(lines)):
            if _is_candidate(lines[i], roles[i], profile):
                return i
        return None
    for i, line in enumerate(lines):
        if _is_candidate(line, roles[i], profile) and word_count(line.text, 4) >= 4:
            return i
    return None


def _find_section(lines: list[RawLine], roles: list, profile: SiteProfile, head_idx: int) -> int | None:
    for i in range(head_idx - 1, -1, -1):
        text = lines[i].text
        if roles[i] is not None and roles[i][0] is Role.CHROME:
            continue
        if profile.is_section(text):
            return i
        if not profile.sections and word_count(text, 4) <= 3 and text.isupper():
            return i  # generic: an all-caps label right above the headline
        return None
    return None


def _find_body_end(lines: list[RawLine], profile: SiteProfile, start: int) -> int:
    for i in range(start, len(lines)):
        if any(profile.field_match(name, lines[i].text) for name in ("byline", "credit", "views")):
            return i
    return len(lines)


def _trim_generic_tail(lines: list[RawLine], roles: list, start: int, end: int) -> int:
    """Without a profile, the body ends with its last real paragraph; the rest is page furniture."""
    for i in range(end - 1, start - 1, -1):
        if roles[i] is None and not _looks_like_widget(lines[i]):
            return i + 1
    return start


def _looks_like_widget(line: RawLine) -> bool:
    if line.kind in (Kind.HEADING, Kind.LIST_ITEM, Kind.QUOTE):
        return False
    return word_count(line.text, SHORT_LINE_WORDS + 1) <= SHORT_LINE_WORDS and not SENTENCE_END.search(line.text[-8:])


def _mark_repeated(lines: list[RawLine], roles: list) -> None:
    counts = Counter(line.text.casefold() for line in lines if len(line.text) <= 200)
    for i, line in enumerate(lines):
        if roles[i] is None and len(line.text) <= 200 and counts[line.text.casefold()] > 1 and word_count(line.text, 9) <= 8:
            roles[i] = (Role.CHROME, "repeated")


def _field_role(line: RawLine, profile: SiteProfile, parsed: Parsed) -> tuple[Role, str] | None:
    text = line.text
    byline = profile.field_match("byline", text)
    if byline:
        author = byline.groupdict().get("author") if isinstance(byline, re.Match) else None
        parsed.author = parsed.author or (author or text).strip()
        return (Role.BYLINE, "")
    views = profile.field_match("views", text)
    if views:
        digits = views.groupdict().get("views") if isinstance(views, re.Match) else None
        if digits and parsed.views is None:
            parsed.views = int(re.sub(r"\D", "", digits))
        return (Role.VIEWS, "")
    if profile.field_match("credit", text):
        parsed.credit = parsed.credit or text
        return (Role.CREDIT, "")
    if profile.field_match("dateline", text):
        parsed.published = parsed.published or profile.parse_date(text)
        return (Role.DATELINE, "")
    return None


def _field_or_chrome(line: RawLine, profile: SiteProfile, parsed: Parsed, *, after_body: bool) -> tuple[Role, str]:
    role = _field_role(line, profile, parsed) if after_body else None
    if role is not None:
        return role
    if after_body and profile.is_section(line.text):
        return (Role.CHROME, "more-from-section")
    return (Role.CHROME, "unclassified")


def _blocks(lines: list[RawLine], roles: list, first_id: int = 1) -> list[Block]:
    blocks = []
    for n, (line, (role, chrome)) in enumerate(zip(lines, roles), start=first_id):
        kind = Kind.HEADING if role is Role.HEADLINE else line.kind
        if role not in (Role.BODY, Role.HEADLINE):
            kind = Kind.TEXT
        blocks.append(Block(id=f"b{n:03d}", role=role, text=line.text, kind=kind, chrome_role=chrome))
    return blocks
