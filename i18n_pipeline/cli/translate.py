"""translate, detect and qa: the commands that read articles or their outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from ..errors import EXIT_OK, EXIT_SOME_FAILED, PipelineError
from .common import (
    ConfigOpt,
    GlossaryOpt,
    JsonOpt,
    ModelsOpt,
    StateOpt,
    app,
    cli_settings,
    fail,
    finish_run,
    setup_logging,
)

@app.command()
def translate(
    paths: Optional[list[Path]] = typer.Argument(None, help="Article files or folders [default: articles/]."),
    to: str = typer.Option("ru,arm", "--to", help="Target locales, site codes or ISO: ru, arm (= hy)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Output folder [default: out/]."),
    models: Optional[Path] = ModelsOpt,
    glossary: Optional[Path] = GlossaryOpt,
    state: Optional[Path] = StateOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; errors only."),
    keep_going: bool = typer.Option(True, "--keep-going/--fail-fast",
                                    help="Go on past inputs that fail (default), or stop at the first."),
) -> None:
    """Translate articles into the site's locales and write aligned bilingual outputs."""
    from ..locales import parse_locale_list
    from ..pipeline import run

    setup_logging(quiet or as_json)
    try:
        locales = parse_locale_list(to)
        settings = cli_settings(config, models_dir=models, glossary_dir=glossary, state_dir=state, out_dir=out)
        inputs = paths or [Path("articles")]
        with _progress(enabled=not quiet and not as_json and sys.stderr.isatty()) as hooks:
            report = run(inputs, locales, settings, hooks, fail_fast=not keep_going)
    except PipelineError as exc:
        fail(exc)
    finish_run(report, settings.out_dir, as_json=as_json, quiet=quiet)

class _progress:
    """A rich progress bar (segments/s) on stderr, or silent hooks."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        from ..pipeline import Hooks

        if not self.enabled:
            return Hooks()
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
        from rich.text import Text

        class SegmentRate(ProgressColumn):
            def render(self, task) -> Text:
                return Text(f"{task.finished_speed or task.speed or 0:.1f} seg/s")

        self.bar = Progress(TextColumn("translating"), BarColumn(), MofNCompleteColumn(), SegmentRate(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("translating", total=None)
        return Hooks(on_total=lambda total: self.bar.update(task, total=total),
                     on_progress=lambda done: self.bar.advance(task, done))

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False

@app.command()
def detect(
    paths: list[Path] = typer.Argument(..., help="Article files or folders."),
    as_json: bool = JsonOpt,
) -> None:
    """Show what the pipeline sees in each input: fields, blocks, languages, sentences."""
    from ..ingest import describe, describe_error
    from ..pipeline import collect_inputs, prepare_article

    setup_logging(True)
    try:
        files = collect_inputs(paths)
    except PipelineError as exc:
        fail(exc)
    described, failed = [], 0
    for path in files:
        try:
            described.append(describe(prepare_article(path)))
        except PipelineError as exc:
            failed += 1
            described.append(describe_error(path, exc))
            if not as_json:
                typer.echo(f"error: {exc}", err=True)
    if as_json:
        typer.echo(json.dumps(described, ensure_ascii=False, indent=2))
    else:
        for item in described:
            if "error" in item:
                continue
            typer.echo(f"{item['path']}: [{item.get('language')}] {item.get('headline')!r}")
            typer.echo(f"  published {item.get('published')}, by {item.get('author')}, section {item.get('section')}")
            for block in item["blocks"]:
                text = block["text"] if len(block["text"]) < 70 else block["text"][:67] + "…"
                role = f"{block['role']}/{block['chrome_role']}" if block.get("chrome_role") else block["role"]
                typer.echo(f"  {role:<26} {block.get('lang', ''):<3} {text}")
    raise typer.Exit(EXIT_SOME_FAILED if failed else EXIT_OK)

@app.command()
def qa(
    paths: list[Path] = typer.Argument(..., help="XLIFF 2.1 / XLIFF 1.2 / TMX files or folders (e.g. out/)."),
    glossary: Optional[Path] = GlossaryOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Re-check translated files (XLIFF, TMX) after translators edited them; exit 1 while errors remain."""
    from ..qa import ERROR, load_config
    from ..qa.files import check_file

    try:
        settings = cli_settings(config, glossary_dir=glossary)
        qa_config = load_config(settings.extra)
        term_base = _qa_glossary(settings.glossary_dir, explicit=glossary is not None)
        files = [p for path in paths for p in (sorted(path.rglob("*.xlf")) + sorted(path.rglob("*.tmx"))
                                                if path.is_dir() else [path])]
    except PipelineError as exc:
        fail(exc)
    results, errors, failed = [], 0, 0
    for file in files:
        try:
            report = check_file(file, term_base, qa_config)
        except PipelineError as exc:
            failed += 1
            typer.echo(f"error: {exc}", err=True)
            continue
        for unit in report.units:
            for flag in unit.flags:
                errors += flag.severity == ERROR
                if not as_json:
                    typer.echo(f"{file}#{unit.segment_id}: {flag.severity}: {flag.check}: {flag.message}")
        results.append({"path": str(file), "segments": len(report.units), "qa": report.counts})
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{len(results)} file(s) checked, {errors} error(s)")
    raise typer.Exit(EXIT_SOME_FAILED if errors or failed else EXIT_OK)


def _qa_glossary(directory: Path, *, explicit: bool):
    """The term base QA checks targets against; None when the default ./glossary is absent."""
    from ..errors import UsageError
    from ..glossary import load_usable_glossary

    if not directory.is_dir():
        if explicit:
            raise UsageError(f"{directory}: no such glossary folder; give the folder of the glossary CSV files")
        return None
    term_base, problems = load_usable_glossary(directory)
    for problem in problems:
        typer.echo(f"warning: {directory / problem.file}:{problem.line}: {problem.message}; "
                   "row not checked until it is fixed", err=True)
    return term_base
