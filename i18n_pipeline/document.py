"""The one data model every stage reads and enriches: Article → Block → Segment → Target.

Readers build an Article with blocks; language detection sets ``Block.lang``; the segmenter
fills ``Block.segments``; TM, MT, glossary, localization and QA fill ``Segment.targets``
(keyed by the site locale code, e.g. ``"ru"`` or ``"arm"``); writers serialize it.
No I/O and no third-party imports here, so every stage and test can use it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """What a block is on the page."""

    HEADLINE = "headline"
    BODY = "body"
    BYLINE = "byline"
    DATELINE = "dateline"
    SECTION = "section"
    CREDIT = "credit"
    VIEWS = "views"
    CHROME = "chrome"


class Kind(StrEnum):
    """The block's shape, for writers (paragraph, heading, quote, list item)."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    QUOTE = "quote"
    LIST_ITEM = "list_item"
    TEXT = "text"


class State(StrEnum):
    """XLIFF 2.1 segment states, in order of trust."""

    INITIAL = "initial"
    TRANSLATED = "translated"
    REVIEWED = "reviewed"
    FINAL = "final"


class Origin(StrEnum):
    """Where a target came from."""

    MT = "mt"
    TM = "tm"
    HUMAN = "human"
    SOURCE = "source"  # passed through: already in the target language, or no model for it
    CATALOG = "catalog"  # fixed string rendered from a gettext catalog


TRANSLATABLE_ROLES = frozenset({Role.HEADLINE, Role.BODY})


@dataclass(frozen=True)
class Provenance:
    """Who produced a target, with everything needed to decide whether it is still valid."""

    origin: Origin
    engine: str = ""  # e.g. "ctranslate2"
    model: str = ""  # model pack name, e.g. "translate-en_ru"
    model_version: str = ""
    glossary_hash: str = ""  # the key of the term-base entries that matched this sentence
    tm_hit: bool = False
    note: str = ""
    licence: str = ""  # set for a non-commercial model (CC-BY-NC-4.0): its output may not be sold
    termbase: str = ""  # the whole term base's version (``Glossary.hash``) the run used; "" without one

    def describe(self) -> str:
        """One human-readable line for XLIFF/TMX notes and the review page."""
        if self.origin is Origin.MT:
            text = f"mt: {self.engine} {self.model} {self.model_version}".rstrip()
        else:
            text = self.origin.value
            if self.model:
                text += f" (from {self.model} {self.model_version})".rstrip()
        if self.tm_hit and self.origin is not Origin.TM:
            text += " via tm"
        text += f"; licence {self.licence}: non-commercial use only" if self.licence else ""
        return text + (f"; {self.note}" if self.note else "")


@dataclass(frozen=True)
class QAFlag:
    """One finding of a QA check on a target segment."""

    check: str  # id, e.g. "numbers", "untranslated", "glossary-term"
    severity: str  # "error" | "warning" | "info"
    message: str


@dataclass(frozen=True)
class TermHit:
    """A glossary term found in the source and what became of it in the target."""

    term: str  # source text as it stands in the segment
    start: int  # character offsets in the segment source
    end: int
    entry_id: str  # glossary entry key
    expected: tuple[str, ...]  # approved target forms (preferred first)
    status: str = "pending"  # "pending" | "ok" | "enforced" | "missing" | "no-target"
    rendered: str = ""  # the form that stands in the target, if any


@dataclass
class Target:
    """One segment's translation into one locale."""

    text: str
    state: State = State.TRANSLATED
    provenance: Provenance = field(default_factory=lambda: Provenance(Origin.MT))
    flags: list[QAFlag] = field(default_factory=list)
    terms: list[TermHit] = field(default_factory=list)


@dataclass
class Segment:
    """One sentence of a block, with offsets into the block text and a stable id."""

    id: str
    source: str
    start: int
    end: int
    targets: dict[str, Target] = field(default_factory=dict)  # site locale code → target
    terms: list[TermHit] = field(default_factory=list)  # glossary hits in the source


@dataclass
class Block:
    """A unit of the page: headline, a body paragraph, the byline, or a piece of site chrome."""

    id: str
    role: Role
    text: str
    kind: Kind = Kind.PARAGRAPH
    lang: str = ""  # ISO 639-1, set by language detection
    confidence: float = 0.0
    chrome_role: str = ""  # for Role.CHROME: navigation, social, share, copyright, …
    segments: list[Segment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "no model for az→ru: passed through"

    @property
    def translatable(self) -> bool:
        return self.role in TRANSLATABLE_ROLES


@dataclass
class LocalizedFields:
    """Article fields rendered for one locale from catalogs and CLDR, never by MT."""

    section: str = ""
    dateline: str = ""
    byline: str = ""
    credit: str = ""


@dataclass
class Article:
    """One input article and everything the pipeline learns about it."""

    path: str
    stem: str
    blocks: list[Block] = field(default_factory=list)
    headline: str = ""
    published: datetime | None = None  # timezone-aware
    author: str = ""
    section: str = ""
    language: str = ""  # the article's main language (ISO 639-1)
    credit: str = ""
    views: int | None = None
    site: str = ""  # site profile name, e.g. "caliber.az"
    localized: dict[str, LocalizedFields] = field(default_factory=dict)  # site locale → fields
    original: str = ""  # the path relative to the inbox folder given (XLIFF `original`); never absolute

    def translatable_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.translatable]

    def chrome(self) -> list[Block]:
        return [b for b in self.blocks if b.role is Role.CHROME]

    def segments(self) -> list[Segment]:
        return [s for b in self.translatable_blocks() for s in b.segments]
