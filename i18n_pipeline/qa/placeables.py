"""Text that must come through verbatim or as approved: ``urls``, ``dnt-changed``, ``glossary-term``,
and targets the glossary forbids: ``glossary-forbidden``."""

from __future__ import annotations

from collections import Counter

from .pair import Pair
from .text import placeables


def check_urls(pair: Pair) -> list[str]:
    source, target = Counter(placeables(pair.source)), Counter(placeables(pair.target))
    missing = list((source - target).elements())
    extra = list((target - source).elements())
    problems = []
    if missing:
        problems.append(f"URL/e-mail/handle/hashtag missing or changed in target: {', '.join(missing)}")
    if extra:
        problems.append(f"URL/e-mail/handle/hashtag not in source: {', '.join(extra)}")
    return problems


def check_dnt(pair: Pair) -> list[str]:
    changed = []
    target = pair.target
    for term in pair.dnt_in_source():  # longest first, so "NATO summit" is not also "NATO"
        if pair.source.count(term) > target.count(term):
            changed.append(term)
        target = target.replace(term, " ")
    return [f"do-not-translate term {t!r} changed or missing" for t in changed]


def check_forbidden(pair: Pair) -> list[str]:
    if not pair.forbidden or not pair.target:
        return []
    from ..glossary.forbidden import find_forbidden

    problems = []
    for variant, found in find_forbidden(pair.forbidden, pair.target, pair.target_lang):
        instead = f"; use {variant.preferred}" if variant.preferred else ""
        problems.append(f"forbidden variant {found!r} of {variant.entry_id!r}{instead}")
    return problems


def check_glossary(pair: Pair) -> list[str]:
    problems = []
    for hit in pair.term_hits:
        if hit.status == "missing":
            wanted = " / ".join(hit.expected[:3]) or "an approved form"
            problems.append(f"term {hit.term!r} not rendered as {wanted}")
        elif hit.status == "no-target":
            problems.append(f"term {hit.term!r} has no approved {pair.target_lang} translation in the glossary")
    return problems
