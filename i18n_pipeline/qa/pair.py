"""What every segment check receives: one source/target pair and what is known about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..document import TermHit
from .config import QAConfig


@dataclass(frozen=True)
class Pair:
    source: str
    target: str
    source_lang: str  # ISO 639-1, e.g. "en"
    target_lang: str  # ISO 639-1, e.g. "ru", "hy" (never the site code "arm")
    dnt_terms: tuple[str, ...] = ()
    term_hits: tuple[TermHit, ...] = ()
    forbidden: tuple = ()  # glossary.forbidden.ForbiddenVariant of the target locale
    config: QAConfig = field(default_factory=QAConfig)

    def dnt_in_source(self) -> list[str]:
        """Do-not-translate terms that actually stand in the source, longest first."""
        return sorted({t for t in self.dnt_terms if t and t in self.source}, key=len, reverse=True)
