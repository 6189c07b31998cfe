"""Localization for ru and hy (site code arm): catalogs, CLDR dates and numbers, typography.

Public API:
    localize_article(article, locale) -> Article        section, dateline, byline, credit
    localized_chrome(block, locale, article=None) -> str | None
    apply_typography(text, lang, protected=()) -> str   rules for ru and hy MT output
    translator(locale) -> babel.support.Translations     gettext/ngettext/pgettext
    format_number / format_percent / format_datetime_long
    review_labels, state_label, origin_label, severity_label, qa_check_title,
    segments_flagged, errors_count, warnings_count, glossary_terms_missing
"""

from __future__ import annotations

from .article import localize_article, localized_chrome
from .catalog import (
    DOMAIN,
    LOCALES_DIR,
    byline,
    chrome_text,
    errors_count,
    glossary_terms_missing,
    origin_label,
    qa_check_title,
    review_labels,
    section_name,
    segments_flagged,
    severity_label,
    state_label,
    translator,
    views_line,
    warnings_count,
)
from .dates import format_datetime_long, format_number, format_percent
from .typography import apply_typography

__all__ = [
    "DOMAIN",
    "LOCALES_DIR",
    "apply_typography",
    "byline",
    "chrome_text",
    "errors_count",
    "format_datetime_long",
    "format_number",
    "format_percent",
    "glossary_terms_missing",
    "localize_article",
    "localized_chrome",
    "origin_label",
    "qa_check_title",
    "review_labels",
    "section_name",
    "segments_flagged",
    "severity_label",
    "state_label",
    "translator",
    "views_line",
    "warnings_count",
]
