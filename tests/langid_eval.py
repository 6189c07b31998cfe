"""Compare language detectors on the labelled sample in tests/data/langid/ (not a pytest module).

    .venv/bin/python tests/langid_eval.py            # ours and py3langid (installed)
    /tmp/venv/bin/python tests/langid_eval.py        # also langdetect and lingua, where installed

Detectors: ours (i18n_pipeline.langid.detect_text, no prior), langdetect alone (seeded, all its
languages), py3langid alone (all 97 languages), lingua (restricted to our candidate languages).
Buckets from tatoeba_sample.tsv: "short" = sentences of at most 20 characters, "sentence" =
longer sentences, "paragraph" = four consecutive sentences of one language joined with spaces.
From news_paragraphs.tsv: "news-sent" (its sentences, split by segment.split_sentences) and
"news-para". From names_in_english.tsv: "names" (English full of native-spelling names, and
real az/ru/hy/uk paragraphs).
Prints accuracy per language and bucket, and microseconds per item.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from i18n_pipeline.langid import DEFAULT_CANDIDATES, detect_text  # noqa: E402
from i18n_pipeline.segment import split_sentences  # noqa: E402

DATA = ROOT / "tests" / "data" / "langid"
SAMPLE = DATA / "tatoeba_sample.tsv"
NEWS = DATA / "news_paragraphs.tsv"
NAMES = DATA / "names_in_english.tsv"
SHORT_CHARS = 20


def read_labelled(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def load_items() -> list[tuple[str, str, str]]:
    """(bucket, lang, text) items."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for lang, text in read_labelled(SAMPLE):
        by_lang[lang].append(text)
    items = []
    for lang, texts in by_lang.items():
        for text in texts:
            items.append(("short" if len(text) <= SHORT_CHARS else "sentence", lang, text))
        for i in range(0, len(texts) - 3, 4):
            items.append(("paragraph", lang, " ".join(texts[i : i + 4])))
    for lang, paragraph in read_labelled(NEWS):
        items += [("news-sent", lang, paragraph[start:end]) for start, end in split_sentences(paragraph, lang)]
        items.append(("news-para", lang, paragraph))
    items += [("names", lang, text) for lang, text in read_labelled(NAMES)]
    return items


def detectors() -> dict[str, object]:
    found = {"ours": lambda text: detect_text(text)[0]}
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0

        def langdetect_alone(text: str) -> str:
            try:
                return detect(text)
            except LangDetectException:
                return "und"

        found["langdetect"] = langdetect_alone
    except ImportError:
        print("langdetect not installed: skipped")
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        found["py3langid"] = lambda text: identifier.classify(text)[0]
    except ImportError:
        print("py3langid not installed: skipped")
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        languages = [IsoCode639_1.from_str(code) for code in DEFAULT_CANDIDATES]
        detector = LanguageDetectorBuilder.from_iso_codes_639_1(*languages).build()

        def lingua(text: str) -> str:
            found_lang = detector.detect_language_of(text)
            return found_lang.iso_code_639_1.name.lower() if found_lang else "und"

        found["lingua(candidates)"] = lingua
    except ImportError:
        print("lingua-language-detector not installed: skipped")
    return found


def main() -> None:
    items = load_items()
    langs = sorted({lang for _, lang, _ in items})
    buckets = ("short", "sentence", "paragraph", "news-sent", "news-para", "names")
    print(f"{len(items)} items from {DATA.relative_to(ROOT)}")
    for name, detect in detectors().items():
        detect(items[0][2])  # load models outside the timing
        hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        started = time.perf_counter()
        for bucket, lang, text in items:
            ok = detect(text) == lang
            for key in ((bucket, lang), (bucket, "ALL")):
                hits[key][0] += ok
                hits[key][1] += 1
        elapsed = time.perf_counter() - started
        print(f"\n== {name}: {elapsed / len(items) * 1e6:.0f} µs/item")
        print("bucket     " + " ".join(f"{lang:>10}" for lang in langs + ["ALL"]))
        for bucket in buckets:
            cells = []
            for lang in langs + ["ALL"]:
                ok, total = hits.get((bucket, lang), [0, 0])
                cells.append(f"{ok / total:>6.1%}({total:>2})" if total else f"{'-':>10}")
            print(f"{bucket:<10} " + " ".join(cells))


if __name__ == "__main__":
    main()
