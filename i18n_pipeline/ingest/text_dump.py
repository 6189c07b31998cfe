"""Reader for ``.txt`` files: a site dump (one page element per line, as a browser's "save as
text" gives) or plain prose (an article typed or pasted as paragraphs).

A file is read as a page dump when a site profile identifies it or when it shows page chrome,
a dateline or a view count (``lines.looks_like_page``); then the page heuristics find the
article among the chrome. Anything else is prose: every paragraph is body, and the first line
is the headline only when it looks like one.
"""

from __future__ import annotations

from .lines import Parsed, RawLine, classify_page, classify_prose, looks_like_page
from .profile import SiteProfile, profile_for_lines


def parse_text_dump(text: str, profiles: tuple[SiteProfile, ...], generic: SiteProfile) -> tuple[Parsed, SiteProfile | None]:
    lines = [RawLine(line) for line in text.splitlines()]
    stripped = [line.text.strip() for line in lines]
    profile = profile_for_lines(profiles, stripped)
    if profile is None and not looks_like_page(stripped, generic):
        return classify_prose(lines, generic), None
    parsed = classify_page(lines, profile or generic, generic=profile is None)
    return parsed, profile
