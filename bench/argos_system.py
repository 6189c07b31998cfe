"""System (a): Argos Translate's own ``argostranslate.translate.translate()``, one call per paragraph.

This module runs in a child process of its own (``python -m bench.argos_system REQUEST.json``,
started by ``bench.systems.run_argos``): argostranslate reads its settings from the environment
once, at import, and creates directories there, so it gets a fresh interpreter whose environment
points at ``.bench/argos-home`` and nothing else in the harness can have imported it first.

Two visible changes to Argos, both needed to run it here and compare like with like:

1. Sentence splitting. Argos's default splitter (MiniSBD) downloads a model at run time; the
   ``MiniSBDSentencizer`` name in ``argostranslate.translate`` is replaced with a splitter that
   returns the sentences the pipeline splits that paragraph into. They are computed beforehand,
   so Argos is not charged for splitting at all (in its favour).
2. Decoding length. ``apply_packaged_translation`` passes no min/max decoding length to
   ``translate_batch``; the module's ``ctranslate2`` reference is replaced with a shim whose
   ``Translator`` adds min = max = the benchmark's length to every call (and counts calls and
   tokens). Everything else in the call (its batch size, length penalty…) is Argos's own.

Beam size, threads and compute type go through Argos's own settings (``ARGOS_BEAM_SIZE``…).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

# Argos's default ARGOS_BATCH_SIZE (in tokens: it calls translate_batch with batch_type="tokens").
ARGOS_DEFAULT_BATCH_SIZE = "32"
# Argos's default thread layout: one translator on all cores. Kept because it is also Argos's
# fastest on this path: a sentence at a time, 2 workers × 1 thread took 1.24× as long on 2 cores.
ARGOS_DEFAULT_INTER_THREADS, ARGOS_DEFAULT_INTRA_THREADS = "1", "0"
WARM_UP_TEXT = "The benchmark loads the model before the clock starts."


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    json.dump(run(request), sys.stdout)
    return 0


def run(request: dict) -> dict:
    """Translate every paragraph of ``request`` with Argos and return timing and counts."""
    home = Path(request["home"])
    os.environ.update(argos_environment(home, request))
    started = time.perf_counter()
    import argostranslate.settings as argos_settings

    if not Path(argos_settings.package_data_dir).is_relative_to(home):
        raise RuntimeError(f"argostranslate was imported before its home was set ({argos_settings.package_data_dir})")
    import argostranslate.translate as argos_translate

    _install(Path(request["package"]), request["version"], request["from_code"], request["to_code"])
    splits = {p["text"]: p["sentences"] for p in request["paragraphs"]}
    argos_translate.MiniSBDSentencizer = _presplit_sentencizer(splits)
    counter = _FixedLengthCTranslate2(request["length"])
    argos_translate.ctranslate2 = counter

    from_code, to_code = request["from_code"], request["to_code"]
    argos_translate.translate(WARM_UP_TEXT, from_code, to_code)  # loads the model
    load_seconds = time.perf_counter() - started
    counter.reset()
    start = time.perf_counter()
    for paragraph in request["paragraphs"]:
        argos_translate.translate(paragraph["text"], from_code, to_code)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "load_seconds": load_seconds,
        "paragraphs": len(request["paragraphs"]),
        "sentences": counter.sentences,
        "translate_batch_calls": counter.calls,
        "target_tokens": counter.target_tokens,
        "batch_size": int(argos_settings.batch_size),
        "beam_size": int(argos_settings.beam_size),
    }


def argos_environment(home: Path, request: dict) -> dict[str, str]:
    data = home / "data"
    return {
        "XDG_DATA_HOME": str(data),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGES_DIR": str(data / "argos-translate" / "packages"),
        "ARGOS_DEVICE_TYPE": "cpu",
        "ARGOS_MODEL_PROVIDER": "OPENNMT",
        "ARGOS_CHUNK_TYPE": "MINISBD",  # resolved to the MiniSBDSentencizer name replaced above
        "ARGOS_BEAM_SIZE": str(request["beam_size"]),
        "ARGOS_INTER_THREADS": ARGOS_DEFAULT_INTER_THREADS,
        "ARGOS_INTRA_THREADS": ARGOS_DEFAULT_INTRA_THREADS,
        "ARGOS_COMPUTE_TYPE": request["compute_type"],
        "ARGOS_BATCH_SIZE": ARGOS_DEFAULT_BATCH_SIZE,
    }


def _install(package: Path, version: str, from_code: str, to_code: str) -> None:
    """Install the benchmark package into Argos's package folder unless this version is there."""
    from argostranslate import package as argos_package

    for installed in argos_package.get_installed_packages():
        if (installed.from_code, installed.to_code) == (from_code, to_code):
            if str(installed.package_version) == version:
                return
            shutil.rmtree(installed.package_path)
    argos_package.install_from_path(package)


def _presplit_sentencizer(splits: dict[str, list[str]]):
    from argostranslate.sbd import ISentenceBoundaryDetectionModel

    class PresplitSentencizer(ISentenceBoundaryDetectionModel):
        """The pipeline's sentences for each paragraph; an unknown text is one sentence."""

        def __init__(self, pkg):
            self.pkg = pkg

        def split_sentences(self, text: str) -> list[str]:
            return splits.get(text) or [text]

    return PresplitSentencizer


class _FixedLengthCTranslate2:
    """Stands in for the ``ctranslate2`` module inside ``argostranslate.translate`` only."""

    def __init__(self, length: int):
        self.length = length
        self.reset()

    def reset(self) -> None:
        self.calls = self.sentences = self.target_tokens = 0

    def Translator(self, **params):  # noqa: N802 - the name Argos calls
        import ctranslate2

        return _FixedLengthTranslator(ctranslate2.Translator(**params), self)


class _FixedLengthTranslator:
    def __init__(self, translator, counter: _FixedLengthCTranslate2):
        self._translator = translator
        self._counter = counter

    def translate_batch(self, source, **options):
        counter = self._counter
        options.update(min_decoding_length=counter.length, max_decoding_length=counter.length)
        results = self._translator.translate_batch(source, **options)
        counter.calls += 1
        counter.sentences += len(source)
        counter.target_tokens += sum(len(r.hypotheses[0]) for r in results)
        return results


if __name__ == "__main__":
    sys.exit(main(sys.argv))
