"""``python -m bench --articles N``: run the benchmark, print the tables, write bench/results.json."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from .config import BenchConfig, Decoding, ModelSize
from .measure import BenchError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--articles", type=int, default=50, help="corpus size (default 50)")
    parser.add_argument("--length", type=int, default=Decoding.length,
                        help=f"fixed decoding length, min = max (default {Decoding.length})")
    parser.add_argument("--beam", type=int, default=Decoding.beam_size,
                        help=f"beam size for every system (default {Decoding.beam_size})")
    parser.add_argument("--model", choices=("base", "big"), default="base",
                        help="random-weight transformer-base (default) or transformer-big")
    parser.add_argument("--argos-articles", type=int, default=BenchConfig.argos_articles,
                        help="time Argos on the first N articles and project it to the corpus by target tokens "
                             f"(default {BenchConfig.argos_articles}; 0: all of them)")
    parser.add_argument("--no-rss", action="store_true",
                        help="skip the extra cold ru,arm run that measures peak memory")
    parser.add_argument("--backfill", action="store_true",
                        help="instead: (e) backfill on a local Ray, 2 single-thread actors, against (b), "
                             "and Ray's start-up (bench/scale.py)")
    parser.add_argument("--batch-articles", type=int, default=0,
                        help="with --backfill: articles per actor call (default: half the corpus)")
    parser.add_argument("--tm-compare", action="store_true",
                        help="instead: PostgreSQL TM against SQLite, lookup and store of 2,000 segments")
    parser.add_argument("--fuzzy", action="store_true",
                        help="instead: fuzzy TM lookups on a generated 200,000-entry TM, SQLite and PostgreSQL "
                             "(bench/fuzzy.py; target 50 ms a lookup)")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.length < 1 or args.beam < 1 or args.batch_articles < 0 or args.argos_articles < 0:
        parser.error("--articles, --length and --beam must be positive (--argos-articles and --batch-articles ≥ 0)")

    from rich.console import Console

    from .report import render
    from .runner import run_benchmark

    console = Console()
    config = BenchConfig(articles=args.articles, measure_rss=not args.no_rss, model=ModelSize.named(args.model),
                         argos_articles=args.argos_articles,
                         decoding=replace(Decoding(), beam_size=args.beam, length=args.length))
    if args.backfill or args.tm_compare or args.fuzzy:
        return _scale(args, config, console)
    try:
        results = run_benchmark(config, note=lambda message: console.print(f"[dim]{message}[/]"))
    except BenchError as exc:
        console.print(f"[red]benchmark failed:[/] {exc}")
        return 1
    render(results, console)
    console.print(f"results: {config.results_file}")
    return 0


def _scale(args, config, console) -> int:
    from . import scale

    note = lambda message: console.print(f"[dim]{message}[/]")  # noqa: E731
    results = {}
    try:
        if args.backfill:
            results["backfill"] = scale.run_backfill_compare(config, note, args.batch_articles)
        if args.tm_compare:
            results["tm_compare"] = scale.run_tm_compare(note)
        if args.fuzzy:
            from .fuzzy import run_fuzzy_lookup

            results["fuzzy"] = run_fuzzy_lookup(note)
    except BenchError as exc:
        console.print(f"[red]benchmark failed:[/] {exc}")
        return 1
    path = config.results_file.with_name("results-scale.json")
    scale.write(path, results)
    console.print_json(json.dumps(results))
    console.print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
