"""models: install, list, remove, fetch and convert offline translation models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import PipelineError
from .common import (
    JsonOpt,
    ModelsOpt,
    cli_settings,
    fail,
    models_app,
)

def _store(models: Optional[Path]):
    from ..mt.store import ModelStore

    return ModelStore(cli_settings(models_dir=models).models_dir)

def _print_pack(info, action: str) -> None:
    typer.echo(f"{action} {info.name}: {info.from_code}→{info.to_code} ({info.kind} {info.version}) in {info.path}")

@models_app.command("list")
def models_list(models: Optional[Path] = ModelsOpt, as_json: bool = JsonOpt) -> None:
    """List installed model packs."""
    from dataclasses import asdict

    try:
        packs = _store(models).packs()
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([asdict(p) for p in packs], ensure_ascii=False, indent=2))
    elif not packs:
        typer.echo("no models installed; see README: `make models` on a connected machine")
    for info in packs if not as_json else []:
        typer.echo(f"{info.from_code}→{info.to_code}  {info.kind:<8} {info.version:<12} {info.name}")

@models_app.command("install")
def models_install(file: Path = typer.Argument(..., help="An .argosmodel package file."),
                   models: Optional[Path] = ModelsOpt) -> None:
    """Install an Argos package file (replaces a pack of the same pair)."""
    try:
        _print_pack(_store(models).install(file), "installed")
    except PipelineError as exc:
        fail(exc)

@models_app.command("remove")
def models_remove(name: str = typer.Argument(..., help="Pack name (translate-en_ru) or pair (en-ru)."),
                  models: Optional[Path] = ModelsOpt) -> None:
    """Remove an installed pack."""
    try:
        _print_pack(_store(models).remove(name), "removed")
    except PipelineError as exc:
        fail(exc)

@models_app.command("fetch")
def models_fetch(src: str = typer.Argument(..., help="Source language, e.g. en."),
                 tgt: str = typer.Argument(..., help="Target language, e.g. ru or hy (arm)."),
                 models: Optional[Path] = ModelsOpt) -> None:
    """Download and install the pack for a pair (needs the network)."""
    from ..locales import SITE_LOCALES
    from ..mt.fetch import fetch

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        _print_pack(fetch(_store(models), src, tgt), "installed")
    except PipelineError as exc:
        fail(exc)

@models_app.command("import-opus-mt")
def models_import_opus_mt(
    release: Path = typer.Argument(..., help="An OPUS-MT release .zip or its unpacked folder."),
    src: str = typer.Option("en", "--from", help="Source language."),
    tgt: str = typer.Option("hy", "--to", help="Target language (hy or arm)."),
    version: str = typer.Option("", "--version", help="Version label [default: the release name]."),
    models: Optional[Path] = ModelsOpt,
) -> None:
    """Convert an OPUS-MT (Marian) release with CTranslate2 (int8) and install it."""
    from ..locales import SITE_LOCALES

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        _print_pack(_store(models).import_opus_mt(release, src, tgt, version), "installed")
    except PipelineError as exc:
        fail(exc)
