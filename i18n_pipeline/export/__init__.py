"""Writers for one article and locale: XLIFF 2.1, TMX 1.4b, review HTML, JSON, translated article.

``write_outputs`` renders everything in memory first, then writes each file atomically (temp
file + rename in the same directory), so a killed run leaves either the old file or the new one
under each name, never half of one; a rerun rewrites them all.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..document import Article
from ..errors import WriteError
from ..fsutil import atomic_write_bytes
from ..locales import Locale
from .article import article_html, article_text
from .json_doc import json_bytes
from .review_page import review_html
from .tmx import tmx_bytes
from .xliff import xliff_bytes

log = logging.getLogger(__name__)

# File name suffix after the site code → renderer. Order is the order files are written.
OUTPUT_SUFFIXES = (".xlf", ".tmx", ".review.html", ".json", ".txt", ".html")


def render_outputs(article: Article, locale: Locale, *, source_lang: str = "en") -> dict[str, bytes]:
    """Every output for one locale as ``{file name: bytes}``, without touching the disk."""
    site = locale.site
    return {
        f"{site}.xlf": xliff_bytes(article, locale, source_lang=source_lang),
        f"{site}.tmx": tmx_bytes(article, locale, source_lang=source_lang),
        f"{site}.review.html": review_html(article, locale, source_lang=source_lang).encode("utf-8"),
        f"{site}.json": json_bytes(article, locale, source_lang=source_lang),
        f"{site}.txt": article_text(article, locale).encode("utf-8"),
        f"{site}.html": article_html(article, locale).encode("utf-8"),
    }


def write_outputs(article: Article, locale: Locale, out_dir: Path, *, source_lang: str = "en") -> list[Path]:
    """Write all six files under ``out_dir/<article.stem>/``; returns their paths in write order."""
    if article.stem in ("", ".", "..") or Path(article.stem).name != article.stem:
        # "...md" has the stem "..": its outputs would land beside out/, not inside it.
        raise WriteError(f"{article.path}: the file name gives no safe output folder name ({article.stem!r}); rename the file")
    rendered = render_outputs(article, locale, source_lang=source_lang)
    folder = Path(out_dir) / article.stem
    written = [atomic_write_bytes(folder / name, data) for name, data in rendered.items()]
    log.debug("%s: wrote %d files for %s", folder, len(written), locale.site)
    return written


__all__ = ["OUTPUT_SUFFIXES", "render_outputs", "write_outputs"]
