"""Glossary enforcement on every test double: corrupted segments, term accuracy, re-decodes, time.

Not a test; run it by hand (the numbers go into the issue's closing note):

    .venv/bin/python tests/glossary_shapes_eval.py [--before REV] [--json FILE]

For each double of ``i18n_pipeline.testing.doubles.copy_double_shapes()`` (real CTranslate2 copy
models in Argos and OPUS-MT packs with six tokenizer shapes and nine attention patterns, and
Python copy doubles) and for models that drop, mistranslate or move terms
(``BehaviourDouble``), in ru and arm, over the English sentences of
tests/data/glossary/term_sentences.tsv and the news sentences of test_glossary_shapes.py:

  corrupted   segments where a word outside the terms was lost, changed or added
              (copy doubles: the output is not the source with accepted forms in place of
              its terms; behaviour doubles: a source word that is no term is missing)
  exact       term occurrences whose preferred approved form (or an inflection of it) is there
  lemmatized  term occurrences whose approved lemmas are there (pymorphy3 / suffix-stripped)
  redecoded   segments decoded again with a term forced in
  seconds     wall time of enforcement (the engine's first decode not included)

``--before REV`` also runs the enforcement module of that git revision on the same doubles.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from glossary_double import load_references  # noqa: E402
from test_glossary_shapes import NEWS, _QUOTES, check_copy_property  # noqa: E402

from i18n_pipeline.glossary import enforce_detailed, lemmatized_present, load_glossary  # noqa: E402
from i18n_pipeline.glossary.compliance import compliance  # noqa: E402
from i18n_pipeline.locales import resolve_locale  # noqa: E402
from i18n_pipeline.testing.doubles import BehaviourDouble, copy_double_shapes  # noqa: E402

DATA = ROOT / "tests" / "data" / "glossary" / "term_sentences.tsv"
DAMAGED = ["Five Eyes", "CIA", "Moscow", "White House", "Washington"]
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]")


def _old_enforce(rev: str):
    code = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:i18n_pipeline/glossary/enforce.py"],
                          capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("i18n_pipeline.glossary._enforce_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "i18n_pipeline.glossary"
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    exec(compile(code, f"{rev}:enforce.py", "exec"), module.__dict__)
    return module.enforce_detailed


def _lost_word(source: str, text: str, hits) -> bool:
    """Whether a source word outside every term (and its possessive) is missing from ``text``."""
    outside, cursor = [], 0
    for hit in sorted(hits, key=lambda h: h.start):
        outside.append(source[cursor : hit.start])
        found = re.match(r"['’]s?(?!\w)", source[hit.end :])
        cursor = hit.end + (found.end() if found else 0)
    outside.append(source[cursor:])
    free = _TOKEN.findall(_QUOTES.sub("", text))
    for word in _TOKEN.findall(_QUOTES.sub("", " ".join(outside))):
        if word not in free:
            return True
        free.remove(word)
    return False


def measure(engine, sentences, glossary, locale, enforce, copy: bool) -> dict:
    translations = engine.translate(sentences, num_hypotheses=2, return_attention=True)
    start = time.perf_counter()
    results = enforce(sentences, translations, engine, glossary, locale)
    seconds = time.perf_counter() - start
    corrupted = exact = lemmatized = total = 0
    for source, result in zip(sentences, results):
        if copy:
            try:
                check_copy_property(source, result, locale)
            except AssertionError:
                corrupted += 1
        elif _lost_word(source, result.text, result.hits):
            corrupted += 1
        hits = [h for h in result.hits if h.expected]
        total += len(hits)
        checked = compliance(hits, result.text, locale)
        exact += sum(h.status in ("ok", "enforced") for h in checked)
        lemmatized += sum(lemmatized_present(h.expected, result.text, locale.lang) for h in hits)
    return {"segments": len(sentences), "corrupted": corrupted, "terms": total,
            "exact": exact / max(total, 1), "lemmatized": lemmatized / max(total, 1),
            "redecoded": sum(bool(getattr(r, "redecoded", False)) for r in results), "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="also measure the enforcement of this git revision")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    glossary = load_glossary(ROOT / "glossary")
    sentences = list(dict.fromkeys(NEWS + [en for en, _, _ in load_references(DATA)]))
    versions = {"now": enforce_detailed}
    if args.before:
        versions["before"] = _old_enforce(args.before)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        doubles = []
        for name, shape in copy_double_shapes().items():
            engine = shape.build(Path(scratch) / name.replace("/", "-"))
            usable = [s for s in sentences if _QUOTES.sub("", shape.expected_text(s)) == _QUOTES.sub("", s)]
            doubles.append((name, engine, usable, True))
        for behaviour in ("drop", "wrong", "move"):
            for attention in ("exact", "shift+2", "blur", "sink"):
                engine = BehaviourDouble("bpe1k", behaviour=behaviour, terms=DAMAGED, attention=attention)
                doubles.append((f"python/bpe1k/{attention}/{behaviour}", engine, sentences, False))
        for name, engine, usable, copy in doubles:
            for site in ("ru", "arm"):
                locale = resolve_locale(site)
                for version, enforce in versions.items():
                    try:
                        row = measure(engine, usable, glossary, locale, enforce, copy)
                    except Exception as exc:  # the old code may not run on a double at all
                        row = {"error": f"{type(exc).__name__}: {exc}"[:80]}
                    rows.append({"double": name, "locale": site, "version": version, **row})
                    print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
