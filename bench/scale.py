"""Beyond one machine (issue 17): ``python -m bench --backfill`` and ``--tm-compare``.

    --backfill    (e) ``i18n-pipeline backfill CORPUS --to ru --ray auto --workers 2`` (2 actors
                  × 1 thread) against (b) ``translate`` on the same corpus, cores and decoding,
                  both cold, both the wall time of the whole command; and Ray's start-up alone
                  (``import ray`` and ``ray.init`` of a local 2-CPU Ray, in a fresh process)
    --tm-compare  the PostgreSQL TM (a throwaway local server, ``initdb`` + ``pg_ctl``) against
                  SQLite: store 2,000 MT segments in one call, look them up in one call (the
                  pipeline's pattern, per batch and pair), and look them up one at a time

Results go to ``bench/results-scale.json``; the default ``make bench`` runs neither.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

from i18n_pipeline.fsutil import atomic_write_text

from .config import PROJECT_ROOT, SAMPLE_ARTICLE, BenchConfig
from .corpus import ensure_corpus
from .measure import BenchError, run_measured
from .models import ensure_models
from .systems import PipelineJob, cli_command, pipeline_settings_toml, run_pipeline

TM_SEGMENTS = 2_000
RAY_WORKERS = 2

_RAY_STARTUP = """
import json, time
started = time.perf_counter()
import ray, ray.data
imported = time.perf_counter()
ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
ready = time.perf_counter()
ray.shutdown()
print(json.dumps({"import_s": imported - started, "init_s": ready - imported,
                  "shutdown_s": time.perf_counter() - ready}))
"""


def run_backfill_compare(config: BenchConfig, note: Callable[[str], None], batch_articles: int = 0) -> dict:
    env = dict(os.environ)
    load_before = os.getloadavg()
    models = ensure_models(config)
    _, workload = ensure_corpus(SAMPLE_ARTICLE, config.articles, config.corpus_dir)
    atomic_write_text(config.pipeline_config_file, pipeline_settings_toml(config.decoding))
    # default: one batch per actor's share, so neither actor waits on a short last batch
    batch = batch_articles or max(1, -(-config.articles // RAY_WORKERS))

    note("Ray start-up: import ray + ray.init (local, 2 CPUs) in a fresh process")
    startup = run_measured([sys.executable, "-c", _RAY_STARTUP], cwd=PROJECT_ROOT, env=env).check("ray start-up")
    ray_startup = {**json.loads(startup.stdout.strip().splitlines()[-1]), "process_s": startup.seconds}
    note(f"    import {ray_startup['import_s']:.2f} s, init {ray_startup['init_s']:.2f} s")

    job = PipelineJob(config.corpus_dir, "ru", models.store_dir, config.cache_dir / "state-scale-b",
                      config.cache_dir / "out-scale-b", config.pipeline_config_file)
    job.reset()
    note("(b) i18n-pipeline translate --to ru, cold")
    single = run_pipeline(job, env=env)
    note(f"    {single.seconds:.2f} s")

    state, out = config.cache_dir / "state-scale-e", config.cache_dir / "out-scale-e"
    PipelineJob(config.corpus_dir, "ru", models.store_dir, state, out, config.pipeline_config_file).reset()
    command = cli_command() + [
        "backfill", str(config.corpus_dir), "--to", "ru", "--ray", "auto", "--workers", str(RAY_WORKERS),
        "--batch-articles", str(batch), "--out", str(out), "--models", str(models.store_dir), "--state", str(state),
        "--config", str(config.pipeline_config_file), "--json", "--quiet",
    ]
    note(f"(e) i18n-pipeline backfill --to ru --ray auto --workers {RAY_WORKERS} --batch-articles {batch}, cold")
    measured = run_measured(command, cwd=PROJECT_ROOT, env=env).check(" ".join(command))
    summary = json.loads(measured.stdout)
    if summary.get("failed") or len(summary["articles"]) != config.articles:
        raise BenchError(f"backfill did not translate every article: {summary.get('failed', [])[:3]}")
    note(f"    {measured.seconds:.2f} s")
    segments = single.summary["locales"]["ru"]["segments"]
    return {
        "articles": config.articles,
        "segments": segments,
        "batch_articles": batch,
        "workers": RAY_WORKERS,
        "pipeline_s": single.seconds,
        "backfill_s": measured.seconds,
        "pipeline_vs_backfill": single.seconds / measured.seconds,  # issue 17's (b)/(e), target >= 0.9
        "backfill_minus_pipeline_s": measured.seconds - single.seconds,
        "ray_startup": ray_startup,
        "pipeline_peak_rss_mb": single.measured.peak_rss_mb,
        "backfill_driver_peak_rss_mb": measured.peak_rss_mb,
        "articles_per_hour": {"pipeline": config.articles / single.seconds * 3600,
                              "backfill": config.articles / measured.seconds * 3600},
        "locales": {"pipeline": single.summary["locales"]["ru"], "backfill": summary["locales"]["ru"]},
        "corpus": {"unique_sentences": len(workload.unique_sentences)},
        "machine": {"cpu_count": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": os.getloadavg()},
    }


def run_tm_compare(note: Callable[[str], None], segments: int = TM_SEGMENTS) -> dict:
    from i18n_pipeline.testing.postgres_server import SKIP_REASON, find_bin_dir, start_server

    load_before = os.getloadavg()
    results = {"segments": segments}
    with tempfile.TemporaryDirectory(prefix="bench-tm-") as scratch:
        note(f"TM: SQLite, {segments} segments")
        results["sqlite"] = _time_tm(Path(scratch) / "tm.sqlite", segments)
    bin_dir = find_bin_dir()
    if bin_dir is None:
        note(f"TM: PostgreSQL skipped: {SKIP_REASON}")
        results["postgresql"] = None
    else:
        note("TM: starting a throwaway PostgreSQL")
        server = start_server(bin_dir)
        try:
            note(f"TM: PostgreSQL (local, 127.0.0.1), {segments} segments")
            results["postgresql"] = _time_tm(server.url, segments)
            results["postgresql_version"] = subprocess.run([str(bin_dir / "postgres"), "--version"],
                                                           capture_output=True, text=True).stdout.strip()
        finally:
            server.stop()
    results["machine"] = {"cpu_count": os.cpu_count(), "load_average_before": load_before,
                          "load_average_after": os.getloadavg()}
    return results


def _time_tm(where, segments: int) -> dict:
    from i18n_pipeline.tm import TMEntry, TranslationMemory

    sources = [f"Benchmark segment {n}: the council met on day {n % 31} about item {n * 7919 % 10007}."
               for n in range(segments)]
    entries = [TMEntry(s, f"[ru] {s}", "en", "ru", model="bench", model_version="1") for s in sources]
    timings = {}
    with TranslationMemory(where) as tm:
        started = time.perf_counter()
        tm.store_many(entries)
        timings["store_batch_s"] = time.perf_counter() - started
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            found = tm.entries_for(sources, "en", "ru")
            best = min(best, time.perf_counter() - started)
        if len(found) != segments:
            raise BenchError(f"{tm.location}: {len(found)} of {segments} segments found after storing them")
        timings["lookup_batch_s"] = best
        started = time.perf_counter()
        for source in sources:
            tm.entries_for([source], "en", "ru")
        timings["lookup_one_by_one_s"] = time.perf_counter() - started
        started = time.perf_counter()
        for entry in entries[:200]:  # one store call per segment, each a changed row, 200 of them
            tm.store_many([replace(entry, target=f"[ru, again] {entry.source}")])
        timings["store_one_by_one_200_s"] = time.perf_counter() - started
    return timings


def write(path: Path, results: dict) -> None:
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        existing = {}
    existing.update(results, finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    atomic_write_text(path, json.dumps(existing, indent=2) + "\n")
