"""Article fields and recognised site chrome rendered from the catalogs and CLDR, never by MT."""

from __future__ import annotations

import logging
import re

from ..document import Article, Block, LocalizedFields, Origin, Provenance, Role, State, Target
from ..locales import Locale
from .catalog import byline, chrome_text, section_name, views_line
from .dates import format_datetime_long

logger = logging.getLogger(__name__)

_BY_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
_COUNT = re.compile(r"\d[\d,.\s\u00a0\u202f]*")


def localize_article(article: Article, locale: Locale) -> Article:
    """Fill ``article.localized[locale.site]`` and mark the chrome blocks the catalog renders."""
    section = section_name(article.section, locale) if article.section else None
    if article.section and section is None:
        logger.info("%s: section %r has no %s catalog entry; add it to localize/messages.py", article.path, article.section, locale.lang)
    article.localized[locale.site] = LocalizedFields(
        section=section or "",
        dateline=format_datetime_long(article.published, locale) if article.published else "",
        byline=byline(article.author, locale) if article.author else "",
        credit=article.credit,  # a brand line (Caliber.Az): the same in every locale
    )
    for block in article.blocks:
        if block.translatable:
            continue
        rendered = localized_chrome(block, locale, article)
        if rendered is not None:
            _mark_rendered(block, locale, rendered)
    return article


def localized_chrome(block: Block, locale: Locale, article: Article | None = None) -> str | None:
    """The catalog/CLDR rendering of a non-translatable block, or None when there is none.

    Section, byline, views and recognised chrome come from the catalog; the dateline from CLDR
    (needs ``article.published``). Credit lines and unknown chrome give None: keep the source.
    """
    if block.translatable:
        return None
    if block.role is Role.SECTION:
        return section_name(block.text, locale)
    if block.role is Role.BYLINE:
        author = article.author if article and article.author else _BY_PREFIX.sub("", block.text).strip()
        return byline(author, locale) if author else None
    if block.role is Role.DATELINE:
        return format_datetime_long(article.published, locale) if article and article.published else None
    if block.role is Role.VIEWS:
        count = article.views if article and article.views is not None else _parse_count(block.text)
        return views_line(count, locale) if count is not None else None
    if block.role is Role.CHROME:  # a widget string, or a section name in menus and teasers
        return chrome_text(block.text, locale) or section_name(block.text, locale)
    return None


def _parse_count(text: str) -> int | None:
    match = _COUNT.search(text)
    digits = re.sub(r"\D", "", match.group()) if match else ""
    return int(digits) if digits else None


def _mark_rendered(block: Block, locale: Locale, rendered: str) -> None:
    note = f"{locale.site}: rendered from the message catalog, not machine-translated"
    if note not in block.notes:
        block.notes.append(note)
    if len(block.segments) == 1:  # a segmented chrome block: its one target is the catalog string
        block.segments[0].targets[locale.site] = Target(
            rendered, State.FINAL, Provenance(Origin.CATALOG, note=f"role {block.role.value}")
        )
