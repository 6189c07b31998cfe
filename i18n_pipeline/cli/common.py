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
)
models_app = typer.Typer(help="Install, list and remove offline translation models.", no_args_is_help=True)
glossary_app = typer.Typer(help="Edit and check the term base in glossary/.", no_args_is_help=True)
review_app = typer.Typer(help="The translator review loop: import approved work, export work to review.",
                         no_args_is_help=True)
users_app = typer.Typer(help="Accounts for the translator workspace (serve on a non-local host).", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(users_app, name="users")
app.add_typer(glossary_app, name="glossary")
app.add_typer(review_app, name="review")
tm_app = typer.Typer(help="Look things up in the translation memory.", no_args_is_help=True)
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
