"""Measure glossary term accuracy (WMT terminology-task style). Not a test; run it by hand:

    .venv/bin/python tests/glossary_eval.py [--failures N]

Data: tests/data/glossary/term_sentences.tsv — English sentences with glossary terms in varied
roles, and Russian/Armenian reference translations with each term occurrence marked [[…]].
Only hits with an approved target for the locale count (needs-review targets are not enforced).

Metrics, per locale and engine, before and after enforcement:
  exact       the term's reference form (the marked, correctly inflected string) is in the output;
              for the copy model, whose output is English, the preferred approved form is;
  lemmatized  an approved target's lemmas (pymorphy3 normal forms for ru, suffix-stripped
              stems for hy) appear in order in the output's.
Engines: the misbehaving double (tests/glossary_double.py) in each mode and in a mix that
cycles the modes over the sentences; the real CTranslate2 engine with the copy model.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from glossary_double import MODES, MisbehavingEngine, Reference, load_references  # noqa: E402

from i18n_pipeline.config import MTSettings  # noqa: E402
from i18n_pipeline.glossary import enforce_detailed, lemmatized_present, load_glossary, match_terms  # noqa: E402
from i18n_pipeline.locales import resolve_locale  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "glossary" / "term_sentences.tsv"
_MARK = re.compile(r"\[\[(.+?)\]\]")


def score(items, outputs, lang):
    """items: per sentence, list of (hit, reference form); returns (n, exact, lemma, failures)."""
    n = exact = lemma = 0
    failures = []
    for (source, pairs), output in zip(items, outputs):
        for hit, reference_form in pairs:
            n += 1
            ok_exact = reference_form in output
            ok_lemma = reference_form in output or lemmatized_present(hit.expected, output, lang)
            exact += ok_exact
            lemma += ok_lemma
            if not ok_exact:
                failures.append((source, hit.term, reference_form, output, ok_lemma))
    return n, exact, lemma, failures


def evaluate_double(glossary, rows, site, column, mode_for):
    locale = resolve_locale(site)
    references = {en: Reference(en, row[column]) for en, *row in [(r[0], r[1], r[2]) for r in rows]}
    sources = [r[0] for r in rows]
    engine = MisbehavingEngine(references, glossary, locale.lang, modes={s: mode_for(i) for i, s in enumerate(sources)})
    items = []
    for source in sources:
        hits = match_terms(glossary, source, site)
        marks = _MARK.findall(references[source].marked)
        if len(marks) != len(hits):
            raise SystemExit(f"{DATA}: {source!r}: {len(marks)} marks but {len(hits)} glossary hits ({[h.term for h in hits]})")
        items.append((source, [(h, m) for h, m in zip(hits, marks) if h.expected]))
    translations = engine.translate(sources, num_hypotheses=2, return_attention=True)
    before = score(items, [t.best.text for t in translations], locale.lang)
    after_results = enforce_detailed(sources, translations, engine, glossary, locale)
    after = score(items, [r.text for r in after_results], locale.lang)
    return before, after


def evaluate_copy(glossary, rows, site, engine):
    locale = resolve_locale(site)
    sources = [r[0] for r in rows]
    items = [(s, [(h, h.expected[0]) for h in match_terms(glossary, s, site) if h.expected]) for s in sources]
    translations = engine.translate(sources, num_hypotheses=2, return_attention=True)
    before = score(items, [t.best.text for t in translations], locale.lang)
    after = score(items, [r.text for r in enforce_detailed(sources, translations, engine, glossary, locale)], locale.lang)
    return before, after


def copy_engine(lang: str, workdir: Path):
    from i18n_pipeline.mt.store import ModelStore
    from i18n_pipeline.testing import build_copy_argos_package, default_training_lines

    package = build_copy_argos_package(workdir / f"copy-{lang}.argosmodel", "en", lang, training_lines=default_training_lines())
    store = ModelStore(workdir / f"models-{lang}")
    store.install(package)
    return store.load(store.find("en", lang), MTSettings(beam_size=2))


def line(label, result):
    n, exact, lemma, _ = result
    return f"{label:<28} terms={n:<4} exact={exact / n:6.1%}  lemmatized={lemma / n:6.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", type=int, default=12, help="failure cases to print per locale")
    args = parser.parse_args()
    glossary = load_glossary(ROOT / "glossary")
    rows = load_references(DATA)
    print(f"{len(rows)} sentences, glossary {glossary.hash}")
    with tempfile.TemporaryDirectory() as tmp:
        for site, column in (("ru", 0), ("arm", 1)):
            print(f"\n== {site} ==")
            failures = []
            for mode in MODES + ("mixed",):
                chosen = (lambda i, m=mode: MODES[i % len(MODES)] if m == "mixed" else m)
                before, after = evaluate_double(glossary, rows, site, column, chosen)
                print(line(f"double/{mode} before", before))
                print(line(f"double/{mode} after", after))
                if mode == "mixed":
                    failures = after[3]
            lang = resolve_locale(site).lang
            before, after = evaluate_copy(glossary, rows, site, copy_engine(lang, Path(tmp)))
            print(line("copy model before", before))
            print(line("copy model after", after))
            kinds = Counter("lemma ok" if f[4] else "lemma wrong" for f in failures)
            print(f"-- failures after enforcement (double/mixed): {len(failures)} {dict(kinds)}")
            for source, term, wanted, output, lemma_ok in failures[: args.failures]:
                print(f"   {term!r} want {wanted!r}{' (lemma ok)' if lemma_ok else ''}\n      {source}\n      → {output}")
            for source, term, wanted, output, _ in after[3][: args.failures]:
                print(f"   copy: {term!r} want {wanted!r} → {output}")


if __name__ == "__main__":
    main()
