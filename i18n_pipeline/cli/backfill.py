"""backfill: translate an archive on Ray (a local one, or a cluster)."""

from __future__ import annotations

import contextlib

import sys
from pathlib import Path

import typer

from ..errors import PipelineError
from .common import (ConfigOpt, GlossaryOpt, JsonOpt, ModelsOpt, StateOpt, app, cli_settings, fail, finish_run,
                     setup_logging)


@app.command()
def backfill(
    paths: list[Path] = typer.Argument(..., help="Archive article files or folders."),
    to: str = typer.Option("ru,arm", "--to", help="Target locales, site codes or ISO: ru, arm (= hy)."),
    ray: str = typer.Option("auto", "--ray", help="auto: start a local Ray here; or a cluster address "
                                                  "(HOST:PORT of `ray start --head`, or ray://HOST:10001)."),
    workers: int = typer.Option(0, "--workers", help="Actors, each loading the models once [default: one per CPU]."),
    batch_articles: int = typer.Option(8, "--batch-articles", help="Articles per actor call."),
    out: Path | None = typer.Option(None, "--out", help="Output folder, shared by every machine [default: out/]."),
    models: Path | None = ModelsOpt,
    glossary: Path | None = GlossaryOpt,
    state: Path | None = StateOpt,
    config: Path | None = ConfigOpt,
    as_json: bool = JsonOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; errors only."),
) -> None:
    """Translate an archive on Ray: the same path and outputs as translate, batches on an actor pool."""
    from ..backfill import BackfillOptions, backfill as run_backfill
    from ..locales import parse_locale_list

    setup_logging(quiet or as_json)
    try:
        locales = parse_locale_list(to)
        settings = cli_settings(config, models_dir=models, glossary_dir=glossary, state_dir=state, out_dir=out)
        options = BackfillOptions(ray=ray, workers=workers, batch_articles=batch_articles)
        # Ray's driver prints its notices (a worker died, a task is retried) to stdout: they go
        # to stderr here, so that stdout holds the --json summary alone.
        with contextlib.redirect_stdout(sys.stderr), \
                _progress(enabled=not quiet and not as_json and sys.stderr.isatty()) as hooks:
            report = run_backfill(paths, locales, settings, options, hooks)
    except PipelineError as exc:
        fail(exc)
    finish_run(report, settings.out_dir, as_json=as_json, quiet=quiet)


class _progress:
    """One bar on the driver: articles done of all, and segments per second."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        from ..backfill import BackfillHooks

        if not self.enabled:
            return BackfillHooks()
        import time

        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("backfill"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("backfill", total=None, rate="")
        started, segments = time.monotonic(), [0]

        def on_batch(articles: int, done_segments: int) -> None:
            segments[0] += done_segments
            rate = segments[0] / max(time.monotonic() - started, 1e-6)
            self.bar.update(task, advance=articles, rate=f"{rate:.1f} seg/s")

        return BackfillHooks(on_total=lambda total: self.bar.update(task, total=total), on_batch=on_batch)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False
