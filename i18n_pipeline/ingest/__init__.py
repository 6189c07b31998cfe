"""Readers: one input file (site text dump, saved HTML, Markdown, CMS JSON) → one Article.

``read_article`` picks the reader by extension, decodes the bytes (UTF-8, UTF-16/32 with BOM,
cp1251), classifies every line with a site profile (``sites/*.toml``; data an editor can
extend) and returns an Article whose blocks carry their role (headline, body, byline,
dateline, section, credit, views, chrome with ``chrome_role``). Language and sentences are
later stages (``langid.detect_languages``, ``segment.segment_article``). ``describe`` turns an
article into the JSON object ``i18n-pipeline detect --json`` prints (schema in DETECT_SCHEMA.md).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..document import Article, Block, Kind, Role
from ..errors import InputError
from .decode import decode_bytes, read_bytes
from .lines import Parsed, ReaderFormatError
from .profile import load_profiles
from .text_dump import parse_text_dump

__all__ = ["InputError", "SUPPORTED_SUFFIXES", "describe", "describe_error", "read_article"]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".md", ".markdown", ".json")


def read_article(path: Path, *, site_profiles_dir: Path | None = None) -> Article:
    """Read one input file into an Article; raise InputError naming the file for bad input."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(path, f"unsupported file type {suffix or '(none)'!r}; use one of {', '.join(SUPPORTED_SUFFIXES)}")
    if path.stem in ("", ".", ".."):  # "...md": out/<stem>/ would be out/.. (export refuses it too)
        raise InputError(path, f"the file name gives no output folder name (stem {path.stem!r}); rename the file")
    text, encoding = decode_bytes(path, read_bytes(path))
    profiles, generic = load_profiles(site_profiles_dir)
    site = ""
    try:
        parsed, profile = _parse(suffix, text, profiles, generic)
    except ReaderFormatError as exc:
        raise InputError(path, f"{exc}; fix or re-export the file") from exc
    if profile is not None:
        site = profile.name
    if not any(b.role is Role.BODY for b in parsed.blocks):
        raise InputError(path, "no article body found; check that the file is an article page or export")
    log.debug("%s: read as %s (%s), site %s", path, suffix, encoding, site or "unknown")
    return _article(path, parsed, site)


def _parse(suffix: str, text: str, profiles, generic):
    # HTML and Markdown readers are imported on first use: their parsers cost more to import
    # than a rerun of an unchanged inbox takes otherwise.
    if suffix == ".txt":
        return parse_text_dump(text, profiles, generic)
    if suffix in (".html", ".htm"):
        from .html import parse_html

        return parse_html(text, profiles, generic)
    if suffix == ".json":
        from .cms_json import parse_cms_json

        return parse_cms_json(text, generic), None
    from .markdown import parse_markdown

    return parse_markdown(text, generic), None


def describe(article: Article) -> dict[str, Any]:
    """The per-input object of ``detect --json`` (see DETECT_SCHEMA.md)."""
    return {
        "path": article.path,
        "site": article.site or None,
        "headline": article.headline,
        "published": article.published.isoformat() if article.published else None,
        "author": article.author or None,
        "section": article.section or None,
        "credit": article.credit or None,
        "views": article.views,
        "language": article.language or None,
        "blocks": [_describe_block(block) for block in article.blocks],
    }


def describe_error(path: Path | str, error: Exception) -> dict[str, Any]:
    """The object ``detect --json`` prints for an input that could not be read."""
    return {"path": str(path), "error": str(error)}


def _describe_block(block) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": block.id,
        "role": block.role.value,
        "kind": block.kind.value,
        "text": block.text,
        "lang": block.lang or None,
        "confidence": block.confidence,
    }
    if block.chrome_role:
        item["chrome_role"] = block.chrome_role
    if block.translatable:
        item["sentences"] = [{"id": s.id, "text": s.source, "start": s.start, "end": s.end} for s in block.segments]
    return item


def _article(path: Path, parsed: Parsed, site: str) -> Article:
    blocks = parsed.blocks
    if parsed.headline and not any(b.role is Role.HEADLINE for b in blocks):
        # Readers that take the title from metadata (front matter, CMS fields, <title>) must
        # still hand it to MT: the headline is translated like any body block.
        blocks = [Block(id="b000", role=Role.HEADLINE, text=parsed.headline, kind=Kind.HEADING), *blocks]
    return Article(
        path=str(path),
        stem=path.stem,
        blocks=blocks,
        headline=parsed.headline,
        published=parsed.published,
        author=parsed.author,
        section=parsed.section,
        credit=parsed.credit,
        views=parsed.views,
        site=site,
    )
