"""The systems under test, each run on the same model, beam size and fixed decoding length.

(a) ``run_argos``: Argos Translate per paragraph, in a child process (``bench.argos_system``).
(b)/(d) ``run_pipeline``: ``i18n-pipeline translate`` as a user runs it, timed as a whole command.
(c) ``run_ceiling``: one raw ``ctranslate2.Translator.translate_batch`` over the pre-tokenized
    sentences the pipeline sends — the most this machine can do with this model.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from .config import PROJECT_ROOT, Decoding
from .measure import BenchError, Measured, run_measured


@dataclass(frozen=True)
class CeilingRun:
    seconds: float
    segments: int
    source_tokens: int
    target_tokens: int


@dataclass(frozen=True)
class ArgosRun:
    seconds: float  # the translate() calls only: imports and model load are not counted
    process: Measured  # the whole child process (wall time incl. imports and load, peak RSS)
    detail: dict


@dataclass(frozen=True)
class PipelineRun:
    measured: Measured
    summary: dict  # the --json summary the command printed

    @property
    def seconds(self) -> float:
        return self.measured.seconds

    def counts(self, site: str) -> dict:
        return self.summary["locales"][site]


def cli_command() -> list[str]:
    """The installed console script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("i18n-pipeline")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "i18n_pipeline"]


def run_ceiling(pack_dir: Path, sentences: Sequence[str], decoding: Decoding) -> CeilingRun:
    import ctranslate2
    import sentencepiece

    from i18n_pipeline.config import MTSettings
    from i18n_pipeline.mt.ctranslate2_engine import thread_layout

    # The same encoding the pipeline's Argos codec and Argos's SentencePieceTokenizer use.
    processor = sentencepiece.SentencePieceProcessor(model_file=str(pack_dir / "sentencepiece.model"))
    sources = [processor.encode(s, out_type=str) for s in sentences]
    inter_threads, intra_threads = thread_layout(
        MTSettings(inter_threads=decoding.inter_threads, intra_threads=decoding.intra_threads))
    translator = ctranslate2.Translator(
        str(pack_dir / "model"), device="cpu", compute_type=decoding.compute_type,
        inter_threads=inter_threads, intra_threads=intra_threads,
    )
    options = dict(beam_size=decoding.beam_size, min_decoding_length=decoding.length,
                   max_decoding_length=decoding.length, batch_type="tokens",
                   max_batch_size=decoding.max_batch_tokens)
    translator.translate_batch(sources[:1], **options)  # first-call set-up stays off the clock
    start = time.perf_counter()
    results = translator.translate_batch(sources, **options)
    seconds = time.perf_counter() - start
    return CeilingRun(seconds, len(sources), sum(map(len, sources)),
                      sum(len(r.hypotheses[0]) for r in results))


def run_argos(request: dict, *, env: Mapping[str, str], scratch: Path) -> ArgosRun:
    """Run ``bench.argos_system`` on ``request`` (see that module for its keys)."""
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=scratch, delete=False, encoding="utf-8") as handle:
        json.dump(request, handle, ensure_ascii=False)
    try:
        measured = run_measured([sys.executable, "-m", "bench.argos_system", handle.name],
                                cwd=PROJECT_ROOT, env=env).check("Argos Translate (bench.argos_system)")
    finally:
        Path(handle.name).unlink()
    detail = json.loads(measured.stdout)
    return ArgosRun(detail.pop("seconds"), measured, detail)


@dataclass(frozen=True)
class PipelineJob:
    """One ``i18n-pipeline translate`` command line."""

    inputs: Path
    locales: str  # e.g. "ru" or "ru,arm"
    models_dir: Path
    state_dir: Path
    out_dir: Path
    config_file: Path

    def command(self) -> list[str]:
        return cli_command() + [
            "translate", str(self.inputs), "--to", self.locales, "--out", str(self.out_dir),
            "--models", str(self.models_dir), "--state", str(self.state_dir),
            "--config", str(self.config_file), "--json", "--quiet",
        ]

    def reset(self) -> None:
        """Empty state (TM) and output folders: the next run is cold."""
        for folder in (self.state_dir, self.out_dir):
            shutil.rmtree(folder, ignore_errors=True)


def run_pipeline(job: PipelineJob, *, env: Mapping[str, str]) -> PipelineRun:
    measured = run_measured(job.command(), cwd=PROJECT_ROOT, env=env)
    measured.check(" ".join(job.command()))
    try:
        summary = json.loads(measured.stdout)
    except ValueError as exc:
        raise BenchError(f"i18n-pipeline translate printed no JSON summary ({exc}): {measured.stdout[:200]!r}") from exc
    if summary.get("failed"):
        raise BenchError(f"i18n-pipeline translate failed on some inputs: {summary['failed'][:3]}")
    return PipelineRun(measured, summary)


def pipeline_settings_toml(decoding: Decoding) -> str:
    """The ``[mt]`` table that gives the pipeline the same decoding as the other systems."""
    return (
        "# Written by the benchmark (bench/config.py: Decoding); min = max decoding length.\n"
        "[mt]\n"
        f"beam_size = {decoding.beam_size}\n"
        f"min_decoding_length = {decoding.length}\n"
        f"max_decoding_length = {decoding.length}\n"
        f"max_batch_tokens = {decoding.max_batch_tokens}\n"
        f"inter_threads = {decoding.inter_threads}\n"
        f"intra_threads = {decoding.intra_threads}\n"
        f'compute_type = "{decoding.compute_type}"\n'
    )
