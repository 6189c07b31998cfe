"""One benchmark run, start to finish: models, corpus, the four measurements, the results."""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, replace
from importlib import metadata
from typing import Callable

from i18n_pipeline.fsutil import atomic_write_text

from .argos_system import ARGOS_DEFAULT_INTER_THREADS, ARGOS_DEFAULT_INTRA_THREADS
from .config import PROJECT_ROOT, SAMPLE_ARTICLE, BenchConfig
from .corpus import Workload, ensure_corpus
from .measure import median_seconds
from .models import BenchModels, ensure_models
from .report import with_targets, write_results
from .systems import (ArgosRun, CeilingRun, PipelineJob, PipelineRun, cli_command, pipeline_settings_toml,
                      run_argos, run_ceiling, run_pipeline)

VERSIONED = ("i18n-pipeline", "ctranslate2", "argos-translate-lt", "sentencepiece", "pysbd", "babel")


def run_benchmark(config: BenchConfig, note: Callable[[str], None] = lambda message: None) -> dict:
    """Measure (a)–(d), ``--help`` and peak RSS; write ``config.results_file``; return the results."""
    env = dict(os.environ)  # children get the caller's environment, never the Argos child's
    load_before = os.getloadavg()
    decoding = config.decoding

    note("models: building or reusing the cached random-weight packs")
    models = ensure_models(config)
    note(f"corpus: {config.articles} articles in {config.corpus_dir}")
    _, workload = ensure_corpus(SAMPLE_ARTICLE, config.articles, config.corpus_dir)
    sentences = workload.unique_sentences
    atomic_write_text(config.pipeline_config_file, pipeline_settings_toml(decoding))
    no_glossary = config.cache_dir / "no-glossary"  # an empty term base: the run uses no glossary
    no_glossary.mkdir(parents=True, exist_ok=True)
    atomic_write_text(config.no_glossary_config_file,
                      pipeline_settings_toml(decoding) + f"\n[paths]\nglossary = {json.dumps(str(no_glossary))}\n")

    note(f"--help: median of {config.help_runs}")
    help_s = median_seconds(cli_command() + ["--help"], config.help_runs, cwd=PROJECT_ROOT, env=env)

    subset = workload
    if config.argos_subset < config.articles:  # article i is the same in every corpus size
        _, subset = ensure_corpus(SAMPLE_ARTICLE, config.argos_subset, config.cache_dir / f"corpus-{config.argos_subset}")
    note(f"(a) Argos translate() over {len(subset.paragraphs)} paragraphs ({subset.articles} of {config.articles} articles)")
    argos = run_argos(_argos_request(config, models, subset), env=env, scratch=config.cache_dir)
    note(f"    {argos.seconds:.2f} s, projected to the corpus: {argos.seconds * _argos_scale(argos, workload, config):.2f} s")

    # (c) twice, around the pipeline's runs: a shared machine's speed drifts over minutes, and
    # (b)/(c) and (b')/(c) compare runs made close together (their mean is the ceiling).
    note(f"(c) ceiling: raw translate_batch over {len(sentences)} segments")
    ceilings = [run_ceiling(models.pack_dirs["ru"], sentences, decoding)]
    note(f"    {ceilings[0].seconds:.2f} s")

    job = _job(config, "ru", models.store_dir)
    job.reset()
    note("(b) pipeline, cold TM: i18n-pipeline translate --to ru")
    cold = run_pipeline(job, env=env)
    note(f"    {cold.seconds:.2f} s")
    note("(d) pipeline, warm TM: the same command again")
    warm = run_pipeline(job, env=env)
    note(f"    {warm.seconds:.2f} s")
    bare_job = _job(config, "ru", models.store_dir, variant="no-glossary")
    bare_job.reset()
    note("(b') pipeline, cold TM, empty glossary: what the glossary costs with these weights")
    bare = run_pipeline(bare_job, env=env)
    note(f"    {bare.seconds:.2f} s")
    note("(c) ceiling again")
    ceilings.append(run_ceiling(models.pack_dirs["ru"], sentences, decoding))
    note(f"    {ceilings[1].seconds:.2f} s")
    ceiling = replace(ceilings[0], seconds=sum(c.seconds for c in ceilings) / len(ceilings))
    warnings = _check_counts(cold.counts("ru"), warm.counts("ru"), len(sentences))
    for warning in warnings:
        note(f"warning: {warning}")

    both = None
    if config.measure_rss:
        both_job = _job(config, "ru,arm", models.store_dir)
        both_job.reset()
        note("peak RSS: i18n-pipeline translate --to ru,arm, cold (both models loaded)")
        both = run_pipeline(both_job, env=env)
        note(f"    {both.measured.peak_rss_mb:.0f} MB in {both.seconds:.2f} s")

    urgent_job = _job(config, "ru,arm", models.store_dir, variant="urgent", inputs=config.urgent_article)
    urgent_job.reset()
    note("latency: one urgent article (the sample page), i18n-pipeline translate --to ru,arm, cold")
    urgent = run_pipeline(urgent_job, env=env)
    note(f"    {urgent.seconds:.2f} s")

    runs = Runs(help_s, ceiling, argos, cold, warm, both, bare, urgent, [c.seconds for c in ceilings])
    results = with_targets(_results(config, models, workload, runs, warnings, load_before))
    write_results(config.results_file, results)
    return results


@dataclass(frozen=True)
class Runs:
    help_s: float
    ceiling: CeilingRun
    argos: ArgosRun
    cold: PipelineRun
    warm: PipelineRun
    both: PipelineRun | None  # the ru,arm peak-memory run
    bare: PipelineRun  # (b) with an empty glossary
    urgent: PipelineRun  # one article, ru and arm, cold: the newsroom's latency
    ceiling_runs: list[float]  # (c) before (b) and after (b'); ``ceiling`` holds their mean


def _argos_scale(argos: ArgosRun, workload: Workload, config: BenchConfig) -> float:
    """Corpus target tokens over those Argos decoded (1.0 when it ran on the whole corpus)."""
    return len(workload.sentences) * config.decoding.length / argos.detail["target_tokens"]


def _results(config: BenchConfig, models: BenchModels, workload: Workload, runs: Runs, warnings: list[str],
             load_before: tuple[float, float, float]) -> dict:
    ceiling, argos, cold, warm, both, bare = runs.ceiling, runs.argos, runs.cold, runs.warm, runs.both, runs.bare
    urgent = runs.urgent
    decoding = config.decoding
    argos_s = argos.seconds * _argos_scale(argos, workload, config)
    return {
        "argos_s": argos_s,  # projected to the corpus from details.argos (measured_s on its articles)
        "pipeline_s": cold.seconds,
        "ceiling_s": ceiling.seconds,
        "rerun_s": warm.seconds,
        "segments": ceiling.segments,
        "target_tokens_per_s": ceiling.target_tokens / cold.seconds,
        "peak_rss_mb": both.measured.peak_rss_mb if both else None,
        "speedup_vs_argos": argos_s / cold.seconds,
        "pipeline_vs_ceiling": cold.seconds / ceiling.seconds,
        "rerun_speedup": cold.seconds / warm.seconds,
        "help_s": runs.help_s,
        # (b) split into what the glossary adds and what the rest of the pipeline adds (issue 18:
        # (b')/(c) is the target; (b)/(b') and the re-decodes are reported).
        "pipeline_no_glossary_s": bare.seconds,
        "pipeline_no_glossary_vs_ceiling": bare.seconds / ceiling.seconds,
        "glossary_vs_no_glossary": cold.seconds / bare.seconds,
        "glossary_redecoded_segments": cold.counts("ru").get("redecoded", 0),
        "urgent_article_s": urgent.seconds,
        "cpu_count": os.cpu_count(),
        "versions": _versions(),
        "settings": {
            "articles": config.articles,
            "model": {**asdict(config.model), "tag": models.version},
            "decoding": asdict(decoding),
            "argos_batch_size_tokens": argos.detail["batch_size"],
            "threads": {"pipeline_and_ceiling": _resolved_threads(decoding),
                        "argos": [int(ARGOS_DEFAULT_INTER_THREADS), int(ARGOS_DEFAULT_INTRA_THREADS)]},
            "pipeline_config": pipeline_settings_toml(decoding),
            "speed_locales": "ru",
            "rss_locales": "ru,arm" if both else None,
        },
        "details": {
            "corpus": {"articles": workload.articles, "paragraphs": len(workload.paragraphs),
                       "sentences": len(workload.sentences), "unique_sentences": len(workload.unique_sentences)},
            "ceiling": {"runs_s": runs.ceiling_runs,
                        "source_tokens": ceiling.source_tokens, "target_tokens": ceiling.target_tokens,
                        "source_pieces_per_word": ceiling.source_tokens / sum(len(s.split()) for s in
                                                                              workload.unique_sentences),
                        "target_tokens_per_s": ceiling.target_tokens / ceiling.seconds},
            "argos": {**argos.detail, "articles": config.argos_subset, "measured_s": argos.seconds,
                      "projected_to_corpus": _argos_scale(argos, workload, config), "process_s": argos.process.seconds,
                      "peak_rss_mb": argos.process.peak_rss_mb,
                      "target_tokens_per_s": argos.detail["target_tokens"] / argos.seconds},
            "pipeline_cold": {"locales": cold.summary["locales"], "peak_rss_mb": cold.measured.peak_rss_mb},
            "pipeline_warm": {"locales": warm.summary["locales"], "peak_rss_mb": warm.measured.peak_rss_mb},
            "pipeline_no_glossary": {"locales": bare.summary["locales"], "peak_rss_mb": bare.measured.peak_rss_mb},
            "urgent_article": {"input": str(config.urgent_article.relative_to(PROJECT_ROOT)), "locales": "ru,arm",
                               "segments": {site: v["segments"] for site, v in urgent.summary["locales"].items()},
                               "peak_rss_mb": urgent.measured.peak_rss_mb},
            "pipeline_ru_arm": None if both is None else {
                "seconds": both.seconds, "peak_rss_mb": both.measured.peak_rss_mb,
                "locales": {site: {k: v[k] for k in ("segments", "mt", "tm")}
                            for site, v in both.summary["locales"].items()}},
        },
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "warnings": warnings,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _check_counts(cold: dict, warm: dict, unique: int) -> list[str]:
    """What would make (b) or (d) not the run the issue means; reported, not fatal."""
    warnings = []
    if cold["tm"]:
        warnings.append(f"cold run had {cold['tm']} TM hits: the state folder was not empty")
    if cold["mt"] + cold["tm"] != cold["segments"] - cold.get("passthrough", 0):
        warnings.append(f"cold run counts do not add up: {cold}")
    if warm["mt"]:
        warnings.append(f"warm run still sent {warm['mt']} of {warm['segments']} segments to MT")
    if cold["mt"] < unique:
        warnings.append(f"cold run translated {cold['mt']} segments but the corpus has {unique} distinct ones")
    return warnings


def _job(config: BenchConfig, locales: str, models_dir, variant: str = "", inputs=None) -> PipelineJob:
    name = "-".join(filter(None, [locales.replace(",", "-"), variant]))
    return PipelineJob(inputs=inputs or config.corpus_dir, locales=locales, models_dir=models_dir,
                       state_dir=config.cache_dir / f"state-{name}", out_dir=config.cache_dir / f"out-{name}",
                       config_file=config.no_glossary_config_file if variant == "no-glossary"
                       else config.pipeline_config_file)


def _argos_request(config: BenchConfig, models, workload) -> dict:
    decoding = config.decoding
    return {
        "home": str(config.argos_home), "package": str(models.packages["ru"]), "version": models.version,
        "from_code": "en", "to_code": "ru",
        "paragraphs": [{"text": p.text, "sentences": list(p.sentences)} for p in workload.paragraphs],
        "beam_size": decoding.beam_size, "length": decoding.length, "compute_type": decoding.compute_type,
    }


def _resolved_threads(decoding) -> list[int]:
    """[inter_threads, intra_threads] as CTranslate2 got them on this machine."""
    from i18n_pipeline.config import MTSettings
    from i18n_pipeline.mt.ctranslate2_engine import thread_layout

    return list(thread_layout(MTSettings(inter_threads=decoding.inter_threads, intra_threads=decoding.intra_threads)))


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
