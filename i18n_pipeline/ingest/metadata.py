"""Article fields from a key/value source (CMS JSON, Markdown front matter), with key aliases."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from .lines import Parsed
from .profile import SiteProfile

ALIASES = {
    "headline": ("title", "headline", "name"),
    "published": ("published", "published_at", "publishedAt", "date", "datePublished", "pubdate"),
    "author": ("author", "byline", "authors"),
    "section": ("section", "category", "rubric"),
    "credit": ("credit", "source"),
    "views": ("views", "view_count", "viewCount"),
}


def first(data: dict[str, Any], field: str) -> Any:
    for key in ALIASES[field]:
        value = data.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def apply_metadata(parsed: Parsed, data: dict[str, Any], profile: SiteProfile) -> Parsed:
    parsed.headline = _text(first(data, "headline"))
    parsed.author = _author(first(data, "author")).removeprefix("By ").strip()
    parsed.section = _text(first(data, "section"))
    parsed.credit = _text(first(data, "credit"))
    parsed.published = to_datetime(first(data, "published"), profile)
    views = first(data, "views")
    if isinstance(views, int) and not isinstance(views, bool):
        parsed.views = views
    elif isinstance(views, str) and views.strip().replace(",", "").isascii() and views.strip().replace(",", "").isdigit():
        # isascii: "²" is a digit to str.isdigit but not to int()
        parsed.views = int(views.strip().replace(",", ""))
    return parsed


def to_datetime(value: Any, profile: SiteProfile) -> datetime | None:
    """ISO 8601 strings, YAML dates/datetimes or dateline text → tz-aware (site zone if naive)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return profile.parse_date(value)
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=profile.zone)


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or ""
    return " ".join(str(value).split()) if value is not None else ""


def _author(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    return _text(value)
