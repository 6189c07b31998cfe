"""review: the translator loop (import approved work into the TM, export work to review)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import EXIT_OK, EXIT_SOME_FAILED, PipelineError, UsageError
from .common import (
    JsonOpt,
    StateOpt,
    cli_settings,
    fail,
    review_app,
)

def _tm(state: Optional[Path], config: Optional[Path] = None):
    from ..tm import open_memory

    settings = cli_settings(config, state_dir=state)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return open_memory(settings)

@review_app.command("import")
def review_import(
    files: list[Path] = typer.Argument(..., help="Translators' XLIFF 2.1, XLIFF 1.2 or TMX files."),
    state: Optional[Path] = StateOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Put approved segments (reviewed/final, or TMX units) into the TM as human translations.

    Exit 1 when a file could not be read or approvals conflict (conflicts are listed, never merged).
    """
    from ..review import import_reviewed

    try:
        with _tm(state) as tm:
            report = import_reviewed(files, tm)
    except PipelineError as exc:
        fail(exc)
    for error in report.errors:
        typer.echo(f"error: {error}", err=True)
    for item in report.conflicts:
        shown = " | ".join(item.conflict.targets)
        typer.echo(f"conflict: {item.conflict.source!r} has different approved targets: {shown} "
                   f"(in {', '.join(item.where)})", err=True)
    summary = {"files": len(report.files), "failed": len(report.errors), "segments": report.units,
               "approved": report.approved, "stored": report.stored, "unchanged": report.unchanged,
               "conflicts": len(report.conflicts)}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(", ".join(f"{v} {k}" for k, v in summary.items()))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_SOME_FAILED)

@review_app.command("export")
def review_export(
    article: Path = typer.Argument(..., help="The article file to prepare for review."),
    to: str = typer.Option(..., "--to", help="One target locale: ru or arm (hy)."),
    out: Path = typer.Option(Path("review"), "--out", help="An .xlf file, or a folder for <stem>.<locale>.xlf."),
    fmt: str = typer.Option(
        "xliff21", "--format",
        help="xliff21 (default), xliff20 (Phrase, Poedit before 3.3) or xliff12 (Trados, Virtaal, XTM, OmegaT before 5.8).",
    ),
    state: Optional[Path] = StateOpt,
) -> None:
    """Write the XLIFF a translator should work on, with TM matches filled in and states set."""
    from ..locales import resolve_locale
    from ..pipeline import prepare_article
    from ..review import EXPORT_FORMATS, export_for_review

    try:
        if fmt not in EXPORT_FORMATS:
            raise UsageError(f"unknown --format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
        locale = resolve_locale(to)
        prepared = prepare_article(article)
        with _tm(state) as tm:
            written = export_for_review(prepared, locale, tm, out, fmt=fmt)
    except PipelineError as exc:
        fail(exc)
    typer.echo(f"wrote {written}")
