"""Precision of the glossary candidates on real news text (not a test; test_glossary_candidates_eval uses it).

    .venv/bin/python tests/candidates_eval.py [--top 30] [--show]

The corpus: the sample article (articles/) and tests/data/candidates/news.txt (short news items
paraphrasing reported events, one article per ``## `` heading). Each candidate the ranking can
put in the top is labelled in tests/data/candidates/labels.json: true for a real name (person,
organisation, place, event, product), false otherwise. Candidates are ranked against the
starter glossary, as the desk sees them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from i18n_pipeline.glossary import load_glossary  # noqa: E402
from i18n_pipeline.glossary.candidates import Candidate, rank_candidates  # noqa: E402
from i18n_pipeline.segment import split_sentences  # noqa: E402

DATA = ROOT / "data" / "candidates"


def corpus() -> list[tuple[str, str]]:
    """(article, sentence) pairs."""
    pairs = []
    for path in sorted((ROOT.parent / "articles").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            pairs += [(path.stem, text[a:b].strip()) for a, b in split_sentences(text, "en") if text[a:b].strip()]
    article = ""
    for line in (DATA / "news.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            article = line[3:].strip()
        elif line.strip() and not line.startswith("#"):
            pairs.append((article, line.strip()))
    return pairs


def ranked(top: int = 30) -> list[Candidate]:
    return rank_candidates(corpus(), load_glossary(ROOT.parent / "glossary"), limit=top)


def precision(top: int = 30) -> tuple[float, list[Candidate], list[str]]:
    """(precision of the top ``top``, the candidates, names with no label)."""
    labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
    found = ranked(top)
    unlabelled = [c.name for c in found if c.name not in labels]
    good = sum(1 for c in found if labels.get(c.name) is True)
    return (good / len(found) if found else 0.0), found, unlabelled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    value, found, unlabelled = precision(args.top)
    if args.show:
        labels = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))
        for c in found:
            print(f"{labels.get(c.name)!s:5} {c.articles} {c.count} {c.kind:24} {c.name}")
    print(f"precision@{len(found)} = {value:.2f}" + (f"; unlabelled: {', '.join(unlabelled)}" if unlabelled else ""))


if __name__ == "__main__":
    main()
