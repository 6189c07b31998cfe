"""The translated article itself, for the CMS: headline, dateline, byline, body (.txt and .html).

Dateline, byline and credit come from ``article.localized[site]`` (rendered by the localization
stage from catalogs and CLDR, never by MT); when the stage did not run for this locale they fall
back to the source values (the DATELINE/BYLINE/CREDIT blocks, else the article's fields). The
headline and body are the targets, sentence by sentence; a sentence without a target keeps its
source text. Chrome (navigation, share buttons, copyright) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from lxml.html import builder as E

from ..document import Article, Kind, Role
from ..locales import Locale
from .aligned import block_translation, xml_text


@dataclass(frozen=True)
class TranslatedArticle:
    headline: str
    dateline: str
    byline: str
    credit: str
    body: list[tuple[Kind, str]]  # (block kind, translated text) in page order


def translated_article(article: Article, locale: Locale) -> TranslatedArticle:
    site = locale.site
    localized = article.localized.get(site)
    headline_blocks = [b for b in article.blocks if b.role is Role.HEADLINE]
    headline = " ".join(block_translation(b, site) for b in headline_blocks) or article.headline
    return TranslatedArticle(
        headline=headline,
        dateline=(localized.dateline if localized and localized.dateline else _source_text(article, Role.DATELINE, "")),
        byline=(localized.byline if localized and localized.byline else _source_text(article, Role.BYLINE, article.author)),
        credit=(localized.credit if localized and localized.credit else _source_text(article, Role.CREDIT, article.credit)),
        body=[(b.kind, block_translation(b, site)) for b in article.blocks if b.role is Role.BODY],
    )


def _source_text(article: Article, role: Role, fallback: str) -> str:
    texts = [b.text.strip() for b in article.blocks if b.role is role and b.text.strip()]
    return " ".join(texts) or fallback


def article_text(article: Article, locale: Locale) -> str:
    """Plain text: headline, blank line, dateline and byline, blank line, paragraphs, credit."""
    doc = translated_article(article, locale)
    head = [doc.headline] if doc.headline else []
    meta = [line for line in (doc.dateline, doc.byline) if line]
    body = [("• " + text if kind is Kind.LIST_ITEM else text) for kind, text in doc.body if text]
    sections = [head, meta, ["\n\n".join(body)] if body else [], [doc.credit] if doc.credit else []]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


def article_html(article: Article, locale: Locale) -> str:
    """A standalone HTML5 article; built with lxml's builder, so every text is escaped."""
    doc = translated_article(article, locale)
    parts: list = []
    if doc.headline:
        parts.append(E.H1(xml_text(doc.headline)))
    if doc.dateline:
        parts.append(E.P(E.CLASS("dateline"), xml_text(doc.dateline)))
    if doc.byline:
        parts.append(E.P(E.CLASS("byline"), xml_text(doc.byline)))
    parts.extend(_body_elements(doc.body))
    if doc.credit:
        parts.append(E.P(E.CLASS("credit"), xml_text(doc.credit)))
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(xml_text(doc.headline))),
        E.BODY(E.E.article(*parts)),
        lang=locale.lang,
    )
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="unicode", pretty_print=True)


def _body_elements(body: list[tuple[Kind, str]]) -> list:
    """Paragraphs, headings and quotes in order; consecutive list items become one list."""
    elements: list = []
    open_list = None
    for kind, text in body:
        if not text:
            continue
        text = xml_text(text)
        if kind is Kind.LIST_ITEM:
            if open_list is None:
                open_list = E.UL()
                elements.append(open_list)
            open_list.append(E.LI(text))
            continue
        open_list = None
        if kind is Kind.HEADING:
            elements.append(E.H2(text))
        elif kind is Kind.QUOTE:
            elements.append(E.BLOCKQUOTE(E.P(text)))
        else:
            elements.append(E.P(text))
    return elements
