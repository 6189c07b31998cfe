"""Smoke test of the benchmark harness on a tiny model and two articles: structure, never timing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# bench/ is a top-level folder run as `python -m bench`; pytest's pythonpath makes it importable.
from bench.config import SAMPLE_ARTICLE, BenchConfig, Decoding, ModelSize
from bench.corpus import ensure_corpus, generate_articles, read_workload
from bench.report import TARGETS, render
from bench.runner import run_benchmark

TINY = ModelSize(layers=1, d_model=32, heads=2, ffn=64, vocab_size=None)
LENGTH = 6
REQUIRED = ("argos_s", "pipeline_s", "ceiling_s", "rerun_s", "segments", "target_tokens_per_s", "peak_rss_mb",
            "speedup_vs_argos", "pipeline_vs_ceiling", "rerun_speedup", "help_s", "cpu_count", "versions",
            "settings", "pipeline_no_glossary_vs_ceiling", "glossary_vs_no_glossary", "urgent_article_s")


def test_corpus_articles_are_distinct_deterministic_and_read_like_the_sample(tmp_path: Path) -> None:
    sample = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    first, second = generate_articles(sample, 2)
    assert generate_articles(sample, 2) == [first, second]
    assert generate_articles(sample, 1) == [first]  # article i does not depend on N

    paths, workload = ensure_corpus(SAMPLE_ARTICLE, 2, tmp_path / "corpus-2")
    assert [p.name for p in paths] == ["bench_0000.txt", "bench_0001.txt"]
    assert paths[1].read_text(encoding="utf-8") == second
    by_article = [read_workload([p]).sentences for p in paths]
    sample_sentences = read_workload([SAMPLE_ARTICLE]).sentences
    assert len(by_article[0]) == len(sample_sentences) and len(by_article[1]) >= len(sample_sentences)
    assert not set(by_article[0]) & set(by_article[1])  # the cold run cannot short-cut anything
    assert workload.unique_sentences == workload.sentences == by_article[0] + by_article[1]

    again, cached = ensure_corpus(SAMPLE_ARTICLE, 2, tmp_path / "corpus-2")
    assert again == paths and cached == workload


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, BenchConfig]:
    cache = tmp_path_factory.mktemp("bench-cache")
    # Argos on the first article only: the projection to the corpus is what ``make bench`` reports.
    config = BenchConfig(articles=2, cache_dir=cache, results_file=cache / "results.json", model=TINY,
                         decoding=Decoding(length=LENGTH), help_runs=1, argos_articles=1)
    return run_benchmark(config), config


def test_results_have_every_field_and_consistent_ratios(results) -> None:
    data, config = results
    assert all(data[name] is not None for name in REQUIRED)
    assert json.loads(config.results_file.read_text(encoding="utf-8")) == json.loads(json.dumps(data))
    assert data["speedup_vs_argos"] == pytest.approx(data["argos_s"] / data["pipeline_s"])
    assert data["pipeline_vs_ceiling"] == pytest.approx(data["pipeline_s"] / data["ceiling_s"])
    assert data["rerun_speedup"] == pytest.approx(data["pipeline_s"] / data["rerun_s"])
    assert set(data["targets"]) == set(TARGETS)
    assert all(isinstance(check["met"], bool) for check in data["targets"].values())
    assert data["settings"]["decoding"]["length"] == LENGTH
    assert data["versions"]["ctranslate2"] != "not installed"
    assert data["warnings"] == []


def test_every_system_decodes_the_same_sentences_at_the_fixed_length(results) -> None:
    data, _ = results
    corpus, details = data["details"]["corpus"], data["details"]
    assert data["segments"] == corpus["unique_sentences"] == corpus["sentences"]
    assert details["ceiling"]["target_tokens"] == data["segments"] * LENGTH
    assert 1.0 < details["ceiling"]["source_pieces_per_word"] < 2.0  # a news-sized tokenizer, not characters
    argos = details["argos"]
    first = read_workload([SAMPLE_ARTICLE])  # article 0 is the sample page itself
    assert argos["articles"] == 1 and argos["paragraphs"] == len(first.paragraphs)
    assert argos["sentences"] == len(first.sentences) < corpus["sentences"]
    assert argos["target_tokens"] == argos["sentences"] * LENGTH
    assert argos["translate_batch_calls"] == argos["paragraphs"]  # one call per paragraph: Argos's way
    assert argos["beam_size"] == Decoding.beam_size
    # Projected by target tokens: Argos decodes one paragraph at a time, so its time is linear in them.
    assert argos["projected_to_corpus"] == pytest.approx(corpus["sentences"] / argos["sentences"])
    assert data["argos_s"] == pytest.approx(argos["measured_s"] * argos["projected_to_corpus"])


def test_pipeline_runs_cold_then_warm_and_loads_both_locales_for_memory(results) -> None:
    data, config = results
    cold = data["details"]["pipeline_cold"]["locales"]["ru"]
    warm = data["details"]["pipeline_warm"]["locales"]["ru"]
    assert (cold["mt"], cold["tm"]) == (data["segments"], 0)
    assert (warm["mt"], warm["tm"]) == (0, data["segments"])
    both = data["details"]["pipeline_ru_arm"]["locales"]
    assert {site: counts["mt"] for site, counts in both.items()} == {"ru": data["segments"], "arm": data["segments"]}
    assert data["peak_rss_mb"] == data["details"]["pipeline_ru_arm"]["peak_rss_mb"] > 0
    assert sorted(p.name for p in (config.cache_dir / "out-ru").iterdir()) == ["bench_0000", "bench_0001"]


def test_glossary_cost_is_split_out_with_an_empty_glossary(results) -> None:
    data, _ = results
    bare = data["details"]["pipeline_no_glossary"]["locales"]["ru"]
    cold = data["details"]["pipeline_cold"]["locales"]["ru"]
    assert bare["mt"] == cold["mt"] == data["segments"]
    assert bare["redecoded"] == 0 and bare["glossary_violations"] == 0
    assert data["glossary_redecoded_segments"] == cold["redecoded"]
    assert data["pipeline_no_glossary_vs_ceiling"] == pytest.approx(data["pipeline_no_glossary_s"] / data["ceiling_s"])
    assert data["glossary_vs_no_glossary"] == pytest.approx(data["pipeline_s"] / data["pipeline_no_glossary_s"])
    assert data["settings"]["threads"]["argos"] == [1, 0]


def test_the_urgent_article_is_the_sample_page_in_both_locales(results) -> None:
    data, config = results
    urgent = data["details"]["urgent_article"]
    sample = len(read_workload([SAMPLE_ARTICLE]).sentences)
    assert urgent["locales"] == "ru,arm" and set(urgent["segments"]) == {"ru", "arm"}
    assert all(count >= sample for count in urgent["segments"].values())  # headline and byline come too
    assert data["urgent_article_s"] > 0
    assert sorted(p.name for p in (config.cache_dir / "out-ru-arm-urgent").iterdir()) == [SAMPLE_ARTICLE.stem]


def test_render_prints_both_tables(results) -> None:
    from rich.console import Console

    data, _ = results
    console = Console(record=True, width=120)
    render(data, console)
    text = console.export_text()
    assert "(a) Argos translate(), " in text and "on 1 of 2 articles, projected" in text
    assert "(c) raw CTranslate2" in text and "empty glossary" in text
    assert "re-decodes in (b)" in text and "one urgent article" in text
    assert "pipeline_vs_ceiling" in text and "<= 1.15" in text
    assert "pipeline_no_glossary_vs_ceiling" in text and "<= 1.1" in text and "urgent_article_s" in text


def test_tm_compare_times_store_and_lookup_on_both_back_ends(tmp_path: Path, fresh_postgres) -> None:
    from bench.scale import _time_tm

    for where in (tmp_path / "tm.sqlite", fresh_postgres):
        timings = _time_tm(where, 50)  # raises BenchError when a stored segment is not found again
        assert set(timings) == {"store_batch_s", "lookup_batch_s", "lookup_one_by_one_s", "store_one_by_one_200_s"}
        assert all(seconds > 0 for seconds in timings.values())


def test_fuzzy_lookup_figure_runs_on_both_back_ends_and_finds_every_near_sentence(tmp_path: Path, fresh_postgres) -> None:
    from bench.fuzzy import generate_sources, near_queries, time_fuzzy

    sources = generate_sources(2_000)
    assert len(set(sources)) == 2_000 and sources == generate_sources(2_000)  # distinct and deterministic
    queries = near_queries(sources, 8)
    for where in (tmp_path / "tm.sqlite", fresh_postgres):
        timings = time_fuzzy(where, sources, queries)  # raises BenchError when a near sentence is not found
        assert timings["near_found"] == 8 and timings["misses_matched"] == 0
        assert set(timings["near_ms"]) == {"median", "p95", "max"} and timings["near_ms"]["median"] > 0

