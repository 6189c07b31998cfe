"""Reader for ``.json`` CMS exports: one object with title, published, author, section, body.

``body`` (aliases ``content``, ``html``, ``text``) is HTML when it contains tags, otherwise plain
text with blank lines (or single newlines) between paragraphs. The object may also be wrapped
as ``{"article": {...}}``. A missing body is an error; every other field may be missing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .html import html_to_lines, parse_document
from .lines import Parsed, RawLine, ReaderFormatError, classify_body
from .metadata import apply_metadata
from .profile import SiteProfile

BODY_KEYS = ("body", "content", "html", "text", "body_html")
_LOOKS_LIKE_HTML = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|blockquote|br|span|a|strong|em)\b", re.IGNORECASE)


class CmsFormatError(ReaderFormatError):
    """The JSON is valid but not an article export."""


def parse_cms_json(text: str, generic: SiteProfile) -> Parsed:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CmsFormatError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError as exc:  # "[[[[…" thousands deep: the decoder recurses per level
        raise CmsFormatError("JSON nested too deeply to be an article export") from exc
    if isinstance(data, dict) and isinstance(data.get("article"), dict):
        data = data["article"]
    if not isinstance(data, dict):
        raise CmsFormatError(f"expected one JSON object per article, found {type(data).__name__}")
    body = _body(data)
    if body is None:
        raise CmsFormatError(f"no article body: none of the keys {', '.join(BODY_KEYS)} holds text")
    parsed = apply_metadata(Parsed(), data, generic)
    return classify_body(_body_lines(body), generic, parsed)


def _body(data: dict[str, Any]) -> str | None:
    for key in BODY_KEYS:
        value = data.get(key)
        if isinstance(value, list):
            value = "\n\n".join(str(v) for v in value if isinstance(v, str))
        if isinstance(value, str) and value.strip():
            return value
    return None


def _body_lines(body: str) -> list[RawLine]:
    if _LOOKS_LIKE_HTML.search(body):
        return html_to_lines(parse_document(f"<html><body>{body}</body></html>"))
    return [RawLine(part) for part in re.split(r"\n", body)]
