"""``python -m bench --articles N``: run the benchmark, print the tables, write bench/results.json."""

from __future__ import annotations

import argparse
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
    parser.add_argument("--no-rss", action="store_true",
                        help="skip the extra cold ru,arm run that measures peak memory")
    args = parser.parse_args(argv)
    if args.articles < 1 or args.length < 1 or args.beam < 1:
        parser.error("--articles, --length and --beam must be positive")

    from rich.console import Console

    from .report import render
    from .runner import run_benchmark

    console = Console()
    config = BenchConfig(articles=args.articles, measure_rss=not args.no_rss, model=ModelSize.named(args.model),
                         decoding=replace(Decoding(), beam_size=args.beam, length=args.length))
    try:
        results = run_benchmark(config, note=lambda message: console.print(f"[dim]{message}[/]"))
    except BenchError as exc:
        console.print(f"[red]benchmark failed:[/] {exc}")
        return 1
    render(results, console)
    console.print(f"results: {config.results_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
