"""What every command module shares: the Typer apps, common options, settings and error exit."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer

from ..errors import PipelineError

app = typer.Typer(
    name="i18n-pipeline",
    help="Offline translation and localization for the newsroom: English articles → ru, arm (hy).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help is plain text: "[default ./out]" and "[tm] url" are words, not Rich markup
)


def _group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)  # plain help, as the app's


models_app = _group("Install, list and remove offline translation models.")
glossary_app = _group("Edit and check the term base in glossary/.")
review_app = _group("The translator review loop: import approved work, export work to review.")
users_app = _group("Accounts for the translator workspace (serve on a non-local host).")
app.add_typer(models_app, name="models")
app.add_typer(users_app, name="users")
app.add_typer(glossary_app, name="glossary")
app.add_typer(review_app, name="review")
tm_app = _group("Look things up in the translation memory; build its fuzzy-match index.")
app.add_typer(tm_app, name="tm")

ModelsOpt = typer.Option(None, "--models", help="Model folder [env I18N_PIPELINE_MODELS; default ./models].")
StateOpt = typer.Option(None, "--state", help="Run state folder (TM) [env I18N_PIPELINE_STATE; default ./.i18n].")
GlossaryOpt = typer.Option(None, "--glossary", help="Glossary folder [default ./glossary].")
ConfigOpt = typer.Option(None, "--config", help="Settings file [default ./i18n.toml if present].")
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def fail(error: PipelineError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


def cli_settings(config: Optional[Path] = None, **overrides):
    from ..config import load_settings

    return load_settings(config, **overrides)


def setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="%(message)s", stream=sys.stderr)


def finish_run(report, out_dir: Path, *, as_json: bool, quiet: bool) -> NoReturn:
    """What ``translate`` and ``backfill`` print at the end, and their exit code."""
    import json

    from ..errors import EXIT_OK, EXIT_SOME_FAILED

    for failure in report.failed:
        typer.echo(f"error: {failure['error']}", err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif not quiet:
        for site, summary in report.locales.items():
            typer.echo(f"{site}: {summary.segments} segments ({summary.mt} mt, {summary.tm} tm, "
                       f"{summary.passthrough} passed through); QA flags: {sum(summary.qa.values())}")
        typer.echo(f"{len(report.articles)} article(s) written to {out_dir}/, {len(report.failed)} failed")
    raise typer.Exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)
