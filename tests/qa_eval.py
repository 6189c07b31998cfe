"""Precision and recall of the QA checks on the labelled set in tests/data/qa (not a test).

    .venv/bin/python tests/qa_eval.py [--dictionaries DIR] [--show-errors]

Each item lists the check ids that must fire (``expected``) and those that may also fire
without counting against precision (``allowed``: a truncated sentence may also lose a
number). Items sharing a ``group`` are checked together for consistency. Spelling is left
out unless --dictionaries points at Hunspell files: the set is labelled without it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from i18n_pipeline.document import Article, Block, Role, Segment, Target, TermHit  # noqa: E402
from i18n_pipeline.glossary.forbidden import ForbiddenVariant  # noqa: E402
from i18n_pipeline.locales import resolve_locale  # noqa: E402
from i18n_pipeline.qa import CHECKS, QAConfig, check_batch_consistency, check_segment  # noqa: E402

DATA = ROOT / "data" / "qa"
LANGS = ("ru", "hy")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_items(lang: str) -> list[dict]:
    return json.loads((DATA / f"labelled_{lang}.json").read_text(encoding="utf-8"))["items"]


def predict(lang: str, config: QAConfig) -> dict[str, set[str]]:
    """Check ids fired per item id."""
    items = load_items(lang)
    fired: dict[str, set[str]] = {}
    for item in items:
        hits = [TermHit(**{**h, "expected": tuple(h["expected"])}) for h in item.get("term_hits", [])]
        forbidden = [ForbiddenVariant(**{**v, "approved": tuple(v["approved"])}) for v in item.get("forbidden", [])]
        flags = check_segment(item["source"], item["target"], source_lang="en", target_lang=lang,
                              dnt_terms=item.get("dnt_terms", ()), term_hits=hits, config=config,
                              forbidden=forbidden)
        fired[item["id"]] = {f.check for f in flags}
    groups: dict[str, list[dict]] = {}
    for item in items:
        if "group" in item:
            groups.setdefault(item["group"], []).append(item)
    locale = resolve_locale(lang)
    for members in groups.values():
        targets = {m["id"]: Target(m["target"]) for m in members}
        segments = [Segment(m["id"], m["source"], 0, len(m["source"]), {locale.site: targets[m["id"]]}) for m in members]
        article = Article("labelled", "labelled", [Block("b", Role.BODY, "", lang="en", segments=segments)])
        check_batch_consistency([article], locale, config)
        for item_id, target in targets.items():
            fired[item_id] |= {f.check for f in target.flags}
    return fired


def evaluate(lang: str, config: QAConfig | None = None) -> tuple[dict[str, Score], list[str]]:
    """Scores per check id, and one line per disagreement with the labels."""
    config = config or QAConfig(off=frozenset({"spelling"}))
    fired = predict(lang, config)
    scores = {c: Score() for c in CHECKS if config.enabled(c)}
    errors = []
    for item in load_items(lang):
        expected, allowed, got = set(item["expected"]), set(item.get("allowed", ())), fired[item["id"]]
        for check in scores:
            if check in got and check in expected:
                scores[check].tp += 1
            elif check in got and check not in allowed:
                scores[check].fp += 1
                errors.append(f"FP {item['id']} {check}: {item['target'][:70]!r} ({item['note']})")
            elif check in expected and check not in got:
                scores[check].fn += 1
                errors.append(f"FN {item['id']} {check}: {item['target'][:70]!r} ({item['note']})")
    return scores, errors


def total(scores: dict[str, Score]) -> Score:
    return Score(*(sum(getattr(s, f) for s in scores.values()) for f in ("tp", "fp", "fn")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dictionaries", help="folder with Hunspell .dic/.aff files (enables spelling)")
    parser.add_argument("--show-errors", action="store_true", help="list every disagreement with the labels")
    args = parser.parse_args()
    config = QAConfig(off=frozenset({"spelling"}))
    if args.dictionaries:
        config = replace(config, off=frozenset(), dictionary_dirs=(args.dictionaries,))
    for lang in LANGS:
        scores, errors = evaluate(lang, config)
        items = load_items(lang)
        print(f"\nen→{lang}: {len(items)} pairs, {sum(1 for i in items if i['expected'])} with labelled problems")
        print(f"{'check':18} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}")
        for check, s in scores.items():
            if s.tp + s.fp + s.fn:
                print(f"{check:18} {s.tp:4} {s.fp:4} {s.fn:4} {s.precision:10.2f} {s.recall:7.2f}")
        t = total(scores)
        print(f"{'all (micro)':18} {t.tp:4} {t.fp:4} {t.fn:4} {t.precision:10.2f} {t.recall:7.2f}")
        if args.show_errors:
            print("\n".join(errors))


if __name__ == "__main__":
    main()
