"""The aligned document as JSON; the schema is documented in ``JSON_SCHEMA.md`` next to this file.

Every block of the article is listed (chrome too, marked ``translatable: false``) so a CMS can
rebuild the page; only translatable blocks carry targets.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .. import __version__
from ..document import (
    Article, Block, Kind, LocalizedFields, Origin, Provenance, QAFlag, Role, Segment, State, Target, TermHit,
)
from ..locales import Locale
from .aligned import block_translation

SCHEMA_ID = "i18n-pipeline/aligned-document"
SCHEMA_VERSION = 1


def json_bytes(article: Article, locale: Locale, *, source_lang: str = "en") -> bytes:
    text = json.dumps(aligned_document(article, locale, source_lang=source_lang), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def aligned_document(article: Article, locale: Locale, *, source_lang: str = "en") -> dict[str, Any]:
    localized = article.localized.get(locale.site)
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generator": f"i18n-pipeline {__version__}",
        "source_lang": source_lang,
        "target_lang": locale.lang,
        "locale": locale.site,
        "article": {
            "path": article.path,
            "original": article.original,
            "stem": article.stem,
            "site": article.site,
            "language": article.language,
            "headline": article.headline,
            "published": article.published.isoformat() if article.published else None,
            "author": article.author,
            "section": article.section,
            "credit": article.credit,
            "views": article.views,
        },
        "localized": _localized(localized) if localized is not None else None,
        "blocks": [_block(block, locale.site) for block in article.blocks],
    }


def _localized(fields: LocalizedFields) -> dict[str, str]:
    return {"section": fields.section, "dateline": fields.dateline, "byline": fields.byline, "credit": fields.credit}


def _block(block: Block, site: str) -> dict[str, Any]:
    translatable = block.translatable
    return {
        "id": block.id,
        "role": block.role.value,
        "kind": block.kind.value,
        "chrome_role": block.chrome_role or None,
        "lang": block.lang or None,
        "confidence": round(block.confidence, 4),
        "translatable": translatable,
        "text": block.text,
        "translation": block_translation(block, site) if translatable else None,
        "notes": list(block.notes),
        "segments": [_segment(seg, site) for seg in block.segments],
    }


def _segment(seg: Segment, site: str) -> dict[str, Any]:
    target = seg.targets.get(site)
    return {
        "id": seg.id,
        "source": seg.source,
        "start": seg.start,
        "end": seg.end,
        "terms": [_term(hit) for hit in seg.terms],
        "target": _target(target) if target is not None else None,
    }


def _target(target: Target) -> dict[str, Any]:
    return {
        "text": target.text,
        "state": target.state.value,
        "provenance": _provenance(target.provenance),
        "flags": [_flag(flag) for flag in target.flags],
        "terms": [_term(hit) for hit in target.terms],
    }


def _provenance(p: Provenance) -> dict[str, Any]:
    return {
        "origin": p.origin.value,
        "engine": p.engine,
        "model": p.model,
        "model_version": p.model_version,
        "glossary_hash": p.glossary_hash,
        "termbase": p.termbase,
        "tm_hit": p.tm_hit,
        "note": p.note,
        "summary": p.describe(),
    }


def _flag(flag: QAFlag) -> dict[str, str]:
    return {"check": flag.check, "severity": flag.severity, "message": flag.message}


def _term(hit: TermHit) -> dict[str, Any]:
    return {
        "term": hit.term,
        "start": hit.start,
        "end": hit.end,
        "entry_id": hit.entry_id,
        "expected": list(hit.expected),
        "status": hit.status,
        "rendered": hit.rendered,
    }


# -- reading back --------------------------------------------------------------------------------


def article_from_document(doc: dict[str, Any]) -> Article:
    """The Article an aligned document describes, with targets for its one locale.

    The inverse of ``aligned_document`` for everything the writers use, so an article's outputs
    can be re-rendered from its JSON alone (the workspace does this after a correction).
    Raises KeyError/ValueError/TypeError for a document that is not one of ours.
    """
    if doc.get("schema") != SCHEMA_ID:
        raise ValueError(f"not an aligned document (schema {doc.get('schema')!r})")
    site = doc["locale"]
    meta = doc["article"]
    article = Article(
        path=meta["path"], stem=meta["stem"], headline=meta.get("headline", ""),
        published=datetime.fromisoformat(meta["published"]) if meta.get("published") else None,
        author=meta.get("author", ""), section=meta.get("section", ""), language=meta.get("language", ""),
        credit=meta.get("credit", ""), views=meta.get("views"), site=meta.get("site", ""),
        original=meta.get("original", ""),
    )
    if doc.get("localized") is not None:
        article.localized[site] = LocalizedFields(**doc["localized"])
    for b in doc["blocks"]:
        block = Block(id=b["id"], role=Role(b["role"]), text=b["text"], kind=Kind(b["kind"]), lang=b.get("lang") or "",
                      confidence=float(b.get("confidence") or 0.0), chrome_role=b.get("chrome_role") or "",
                      notes=list(b.get("notes", [])))
        for s in b["segments"]:
            segment = Segment(id=s["id"], source=s["source"], start=s["start"], end=s["end"],
                              terms=[_read_term(t) for t in s.get("terms", [])])
            if s.get("target") is not None:
                segment.targets[site] = _read_target(s["target"])
            block.segments.append(segment)
        article.blocks.append(block)
    return article


def _read_target(t: dict[str, Any]) -> Target:
    p = t["provenance"]
    provenance = Provenance(Origin(p["origin"]), engine=p.get("engine", ""), model=p.get("model", ""),
                            model_version=p.get("model_version", ""), glossary_hash=p.get("glossary_hash", ""),
                            tm_hit=bool(p.get("tm_hit")), note=p.get("note", ""),
                            termbase=p.get("termbase", ""))  # "" in a document from before it was recorded
    return Target(text=t["text"], state=State(t["state"]), provenance=provenance,
                  flags=[QAFlag(f["check"], f["severity"], f["message"]) for f in t.get("flags", [])],
                  terms=[_read_term(h) for h in t.get("terms", [])])


def _read_term(h: dict[str, Any]) -> TermHit:
    return TermHit(term=h["term"], start=h["start"], end=h["end"], entry_id=h["entry_id"],
                   expected=tuple(h.get("expected", ())), status=h.get("status", "pending"), rendered=h.get("rendered", ""))
