"""Site profiles: the data (TOML under ``sites/``) that says how to find the article on a page.

A profile lists line patterns for the dateline, byline, credit and view count, the site's
section names, and the chrome strings by role. Editors extend the TOML; nothing here is
site-specific. See ``sites/caliber.az.toml`` for the syntax.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import UsageError

SITES_DIR = Path(__file__).with_name("sites")
GENERIC_FILE = "_generic.toml"
# Chrome and field lines are short; longer lines are never matched (also keeps a 5 MB line cheap).
MAX_PATTERN_LINE = 300


@dataclass(frozen=True)
class LinePattern:
    """One entry of a profile list: an exact line (case-insensitive) or a ``re:`` regex."""

    text: str
    regex: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, raw: str, source: Path) -> LinePattern:
        if raw.startswith("re:"):
            try:
                return cls(raw, re.compile(raw[3:]))
            except re.error as exc:
                raise UsageError(f"{source}: bad regular expression {raw!r} ({exc}); fix the site profile") from exc
        return cls(raw.strip().casefold())

    def match(self, line: str) -> re.Match[str] | bool | None:
        if self.regex is not None:
            return self.regex.fullmatch(line)
        return line.casefold() == self.text


@dataclass(frozen=True)
class SiteProfile:
    name: str
    source: Path
    hosts: tuple[str, ...] = ()
    language: str = ""
    timezone: str = "Asia/Baku"
    date_formats: tuple[str, ...] = ()
    signatures: tuple[LinePattern, ...] = ()
    sections: frozenset[str] = frozenset()
    fields: dict[str, LinePattern] = field(default_factory=dict)
    chrome: tuple[tuple[str, LinePattern], ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def chrome_role(self, line: str) -> str:
        """The chrome role of a line (``""`` when it is not chrome)."""
        if len(line) > MAX_PATTERN_LINE:
            return ""
        for role, pattern in self.chrome:
            if pattern.match(line):
                return role
        return ""

    def field_match(self, name: str, line: str) -> re.Match[str] | bool | None:
        pattern = self.fields.get(name)
        if pattern is None or len(line) > MAX_PATTERN_LINE:
            return None
        return pattern.match(line)

    def is_section(self, line: str) -> bool:
        return len(line) <= MAX_PATTERN_LINE and line.strip().upper() in self.sections

    def identifies(self, line: str) -> bool:
        return len(line) <= MAX_PATTERN_LINE and any(p.match(line) for p in self.signatures)

    def parse_date(self, text: str) -> datetime | None:
        """A dateline in one of the profile's formats, made timezone-aware in the site's zone."""
        cleaned = " ".join(text.split())
        for fmt in self.date_formats:
            try:
                parsed = datetime.strptime(cleaned, fmt)
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.zone)
        return None


def load_profile(path: Path) -> SiteProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a readable site profile ({exc}); fix the TOML") from exc
    timezone = data.get("timezone", "Asia/Baku")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(f"{path}: unknown timezone {timezone!r}; use an IANA name such as Asia/Baku") from exc
    return SiteProfile(
        name=data.get("name", path.stem),
        source=path,
        hosts=tuple(h.lower() for h in data.get("hosts", [])),
        language=data.get("language", ""),
        timezone=timezone,
        date_formats=tuple(data.get("date_formats", [])),
        signatures=tuple(LinePattern.parse(s, path) for s in data.get("signatures", [])),
        sections=frozenset(s.strip().upper() for s in data.get("sections", [])),
        fields={k: LinePattern.parse(v, path) for k, v in data.get("fields", {}).items()},
        chrome=tuple((role, LinePattern.parse(p, path)) for role, items in data.get("chrome", {}).items() for p in items),
    )


@lru_cache(maxsize=8)
def load_profiles(directory: Path | None = None) -> tuple[tuple[SiteProfile, ...], SiteProfile]:
    """Return ``(site profiles, generic profile)`` from ``directory`` (default: the shipped ones).

    A directory given by the user adds to the shipped profiles; a profile there with the same
    name replaces the shipped one.
    """
    by_name: dict[str, SiteProfile] = {}
    generic = load_profile(SITES_DIR / GENERIC_FILE)
    for folder in [SITES_DIR] + ([directory] if directory else []):
        if not folder.is_dir():
            raise UsageError(f"{folder}: site profile directory not found; pass an existing directory")
        for path in sorted(folder.glob("*.toml")):
            if path.name.startswith("_"):
                if path.name == GENERIC_FILE and folder != SITES_DIR:
                    generic = load_profile(path)
                continue
            profile = load_profile(path)
            by_name[profile.name] = profile
    return tuple(by_name.values()), generic


def profile_for_host(profiles: tuple[SiteProfile, ...], host: str) -> SiteProfile | None:
    host = host.lower().removeprefix("www.")
    for profile in profiles:
        if any(host == h.removeprefix("www.") or host.endswith("." + h.removeprefix("www.")) for h in profile.hosts):
            return profile
    return None


def profile_for_lines(profiles: tuple[SiteProfile, ...], lines: list[str]) -> SiteProfile | None:
    for profile in profiles:
        if any(profile.identifies(line) for line in lines):
            return profile
    return None
