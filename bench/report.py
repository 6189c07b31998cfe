"""Results: the numbers issue 7 asks for (``bench/results.json``) and the table on screen."""

from __future__ import annotations

import json
from pathlib import Path

from i18n_pipeline.fsutil import atomic_write_text

# name → (comparison, bound): the issues' targets on a 2-core machine (issue 7, then issue 18).
TARGETS = {
    "speedup_vs_argos": (">=", 5.0),
    "pipeline_vs_ceiling": ("<=", 1.15),
    "rerun_speedup": (">=", 50.0),
    "peak_rss_mb": ("<=", 1536.0),
    "help_s": ("<=", 0.5),
    "pipeline_no_glossary_vs_ceiling": ("<=", 1.10),
    "urgent_article_s": ("<=", 3.0),
}


def with_targets(results: dict) -> dict:
    """Add ``targets``: each bound, and whether the measured value meets it (None if not measured)."""
    checks = {}
    for name, (op, bound) in TARGETS.items():
        value = results.get(name)
        met = None if value is None else (value >= bound if op == ">=" else value <= bound)
        checks[name] = {"target": f"{op} {bound:g}", "value": value, "met": met}
    return {**results, "targets": checks}


def write_results(path: Path, results: dict) -> Path:
    return atomic_write_text(path, json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def render(results: dict, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    tokens = results["details"]["ceiling"]["target_tokens"]
    segments = results["segments"]
    decoding = results["settings"]["decoding"]
    systems = Table(title=f"{results['settings']['articles']} articles, {segments} segments, {results['cpu_count']} CPUs; "
                          f"beam {decoding['beam_size']}, {decoding['length']} target tokens a segment")
    for column in ("system", "seconds", "segments/s", "target tok/s", "time ÷ (b)"):
        systems.add_column(column, justify="left" if column == "system" else "right")
    rows = [
        (_argos_label(results), results["argos_s"]),
        ("(b) pipeline, cold TM", results["pipeline_s"]),
        ("(b') (b) with an empty glossary", results["pipeline_no_glossary_s"]),
        ("(c) raw CTranslate2", results["ceiling_s"]),
        ("(d) pipeline, warm TM", results["rerun_s"]),
    ]
    for label, seconds in rows:
        systems.add_row(label, f"{seconds:.2f}", f"{segments / seconds:.1f}", f"{tokens / seconds:.0f}",
                        f"{seconds / results['pipeline_s']:.2f}")
    console.print(systems)
    console.print(f"glossary: (b)/(b') {results['glossary_vs_no_glossary']:.2f}; re-decodes in (b): "
                  f"{results['glossary_redecoded_segments']} of {segments} segments (see bench/README.md)")
    console.print(f"one urgent article, ru and arm, cold: {results['urgent_article_s']:.2f} s")

    targets = Table(title="targets (issues 7 and 18)")
    for column in ("metric", "value", "target", "met"):
        targets.add_column(column, justify="left" if column == "metric" else "right")
    for name, check in results["targets"].items():
        value = check["value"]
        shown = "not measured" if value is None else f"{value:.2f}"
        verdict = "—" if check["met"] is None else "[green]yes[/]" if check["met"] else "[red]no[/]"
        targets.add_row(name, shown, check["target"], verdict)
    console.print(targets)


def _argos_label(results: dict) -> str:
    argos, articles = results["details"]["argos"], results["settings"]["articles"]
    measured_on = argos.get("articles", articles)
    if measured_on >= articles:
        return "(a) Argos translate()"
    return f"(a) Argos translate(), {argos['measured_s']:.1f} s on {measured_on} of {articles} articles, projected"
