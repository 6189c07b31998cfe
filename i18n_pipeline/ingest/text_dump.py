"""Reader for ``.txt`` site dumps: one page element per line, as a browser's "save as text" gives."""

from __future__ import annotations

from .lines import Parsed, RawLine, classify_page
from .profile import SiteProfile, profile_for_lines


def parse_text_dump(text: str, profiles: tuple[SiteProfile, ...], generic: SiteProfile) -> tuple[Parsed, SiteProfile | None]:
    lines = [RawLine(line) for line in text.splitlines()]
    stripped = [line.text.strip() for line in lines]
    profile = profile_for_lines(profiles, stripped)
    parsed = classify_page(lines, profile or generic, generic=profile is None)
    return parsed, profile
