"""The site's locale codes and their standard (BCP-47 / ISO 639-1) equivalents.

The site calls Armenian ``arm``; every standard output (XLIFF, TMX, babel) says ``hy``.
File names use the site code; everything else uses ``lang``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UnknownLocaleError


@dataclass(frozen=True)
class Locale:
    site: str  # the site's code, used in file names: "ru", "arm"
    lang: str  # ISO 639-1 / BCP-47, used in XLIFF, TMX, babel: "ru", "hy"
    name: str

    def __str__(self) -> str:
        return self.site if self.site == self.lang else f"{self.lang} ({self.site})"


SITE_LOCALES: dict[str, Locale] = {
    "ru": Locale("ru", "ru", "Russian"),
    "arm": Locale("arm", "hy", "Armenian"),
}
DEFAULT_TARGETS = ("ru", "arm")
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"  # the gettext catalogs, per language
_BY_LANG = {loc.lang: loc for loc in SITE_LOCALES.values()}


def resolve_locale(code: str) -> Locale:
    """Accept a site code (``arm``) or an ISO code (``hy``) and return the Locale."""
    key = code.strip().lower()
    if key in SITE_LOCALES:
        return SITE_LOCALES[key]
    if key in _BY_LANG:
        return _BY_LANG[key]
    known = ", ".join(f"{loc.site} ({loc.lang})" if loc.site != loc.lang else loc.site for loc in SITE_LOCALES.values())
    raise UnknownLocaleError(f"unknown locale code {code!r}: use one of {known}")


def parse_locale_list(text: str) -> list[Locale]:
    """Parse ``"ru,arm"`` into Locales, in order, without duplicates."""
    seen: dict[str, Locale] = {}
    for part in text.split(","):
        if part.strip():
            loc = resolve_locale(part)
            seen.setdefault(loc.site, loc)
    if not seen:
        raise UnknownLocaleError("no target locale given: use e.g. --to ru,arm")
    return list(seen.values())
