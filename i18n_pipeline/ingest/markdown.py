"""Reader for ``.md`` articles (markdown-it-py), with optional YAML front matter.

Front matter keys: ``title``/``headline``, ``published``/``date``, ``author``, ``section``/
``category``, ``credit``, ``views``. Without a title, the first level-1 heading is the headline.
"""

from __future__ import annotations

from typing import Any

import yaml
from markdown_it import MarkdownIt

from ..document import Kind
from .lines import Parsed, RawLine, ReaderFormatError, classify_body
from .metadata import apply_metadata
from .profile import SiteProfile

_INLINE_TEXT = ("text", "code_inline", "html_inline")


class FrontMatterError(ReaderFormatError):
    """The YAML front matter is not a mapping or not valid YAML."""


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    try:
        data = yaml.safe_load(text[3:end]) or {}
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    except RecursionError as exc:  # "[[[[…" thousands deep: PyYAML recurses per level
        raise FrontMatterError("front matter nested too deeply to be article fields") from exc
    if not isinstance(data, dict):
        raise FrontMatterError("front matter is not a key: value mapping")
    rest = text[end + 4 :]
    return data, rest.split("\n", 1)[1] if "\n" in rest else ""


def markdown_lines(source: str) -> list[RawLine]:
    tokens = MarkdownIt("commonmark").parse(source)
    lines: list[RawLine] = []
    context: list[str] = []
    for token in tokens:
        if token.nesting == 1:
            context.append(token.tag)
        elif token.nesting == -1 and context:
            context.pop()
        elif token.type == "inline":
            lines.append(RawLine(_plain(token), *_kind(context)))
        elif token.type in ("fence", "code_block"):
            lines.append(RawLine(token.content, Kind.TEXT))
    return lines


def parse_markdown(text: str, generic: SiteProfile) -> Parsed:
    meta, body = split_front_matter(text)
    lines = markdown_lines(body)
    parsed = Parsed()
    apply_metadata(parsed, meta, generic)
    if not parsed.headline:
        for i, line in enumerate(lines):
            if line.level == 1:
                parsed.headline = line.text
                del lines[i]
                break
    else:
        lines = [line for line in lines if not (line.level == 1 and line.text == parsed.headline)]
    return classify_body(lines, generic, parsed)


def _plain(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in _INLINE_TEXT:
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def _kind(context: list[str]) -> tuple[Kind, int]:
    for tag in reversed(context):
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return Kind.HEADING, int(tag[1])
        if tag == "li":
            return Kind.LIST_ITEM, 0
    if "blockquote" in context:
        return Kind.QUOTE, 0
    return Kind.PARAGRAPH, 0
