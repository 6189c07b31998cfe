"""CPU vs GPU on the transformer-base random pack: raw CTranslate2 ceiling and pipeline throughput.

Run by ``bench/gpu.sh`` on a machine with an NVIDIA GPU; prints one JSON line. Not part of
``make bench`` or the tests (no GPU there). Knobs: GPU_BENCH_SENTENCES (ceiling batch, default
2000), GPU_BENCH_ARTICLES (pipeline inbox, default 40), GPU_BENCH_LENGTH (target tokens, 48).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.config import BenchConfig, ModelSize
from bench.models import ensure_models
from i18n_pipeline.testing.corpus import SAMPLE_ARTICLE_SENTENCES

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"


def ceiling(pack_dir: Path, sentences: list[str], device: str, compute_type: str, length: int) -> float:
    """Sentences per second of one raw translate_batch (beam 4, exactly ``length`` target tokens)."""
    import ctranslate2
    import sentencepiece

    sp = sentencepiece.SentencePieceProcessor(model_file=str(pack_dir / "sentencepiece.model"))
    pieces = [sp.encode(s, out_type=str) for s in sentences]
    translator = ctranslate2.Translator(str(pack_dir / "model"), device=device, compute_type=compute_type,
                                        inter_threads=1 if device == "cuda" else 2, intra_threads=1)
    translator.translate_batch(pieces[:8], beam_size=4, min_decoding_length=length, max_decoding_length=length)
    start = time.perf_counter()
    translator.translate_batch(pieces, beam_size=4, min_decoding_length=length, max_decoding_length=length,
                               max_batch_size=4096 if device == "cuda" else 2048, batch_type="tokens")
    return len(sentences) / (time.perf_counter() - start)


def pipeline(store_dir: Path, articles: int, device: str, length: int) -> float:
    """Segments per second of ``pipeline.run`` (ru and arm) on ``articles`` distinct copies of the sample."""
    from i18n_pipeline.config import MTSettings, Settings
    from i18n_pipeline.locales import parse_locale_list
    from i18n_pipeline.pipeline import run

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        inbox = root / "inbox"
        inbox.mkdir()
        text = SAMPLE.read_text(encoding="utf-8")
        for n in range(articles):
            (inbox / f"a{n}.txt").write_text(text.replace("Certain US allies", f"Certain US allies ({n})"))
        mt = MTSettings(device=device, min_decoding_length=length, max_decoding_length=length)
        settings = Settings(models_dir=store_dir, state_dir=root / "state", out_dir=root / "out",
                            glossary_dir=root / "no-glossary", mt=mt)
        start = time.perf_counter()
        report = run([inbox], parse_locale_list("ru,arm"), settings)
        seconds = time.perf_counter() - start
    return sum(s.segments for s in report.locales.values()) / seconds


def main() -> None:
    import ctranslate2

    gpus = ctranslate2.get_cuda_device_count()
    length = int(os.environ.get("GPU_BENCH_LENGTH", 48))
    config = replace(BenchConfig(), model=ModelSize())  # transformer-base
    models = ensure_models(config)
    sentences = list(SAMPLE_ARTICLE_SENTENCES) * (int(os.environ.get("GPU_BENCH_SENTENCES", 2000))
                                                  // len(SAMPLE_ARTICLE_SENTENCES) + 1)
    sentences = sentences[: int(os.environ.get("GPU_BENCH_SENTENCES", 2000))]
    articles = int(os.environ.get("GPU_BENCH_ARTICLES", 40))
    result = {"gpus": gpus, "model": "transformer-base random", "target_tokens": length, "beam": 4,
              "cpu_cores": os.cpu_count(), "sentences": len(sentences), "articles": articles}
    result["ceiling_cpu_sent_s"] = round(ceiling(models.pack_dirs["ru"], sentences, "cpu", "int8", length), 1)
    result["pipeline_cpu_seg_s"] = round(pipeline(models.store_dir, articles, "cpu", length), 1)
    if gpus:
        result["ceiling_gpu_sent_s"] = round(ceiling(models.pack_dirs["ru"], sentences, "cuda", "int8_float16",
                                                     length), 1)
        result["pipeline_gpu_seg_s"] = round(pipeline(models.store_dir, articles, "cuda", length), 1)
        result["ceiling_speedup"] = round(result["ceiling_gpu_sent_s"] / result["ceiling_cpu_sent_s"], 1)
        result["pipeline_speedup"] = round(result["pipeline_gpu_seg_s"] / result["pipeline_cpu_seg_s"], 1)
    else:
        result["note"] = "no CUDA device visible to CTranslate2: CPU figures only"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
