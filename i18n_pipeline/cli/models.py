"""models: install, list, remove, fetch and convert offline translation models."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from ..errors import OfflineError, PipelineError
from .common import (
    ConfigOpt,
    GlossaryOpt,
    JsonOpt,
    ModelsOpt,
    StateOpt,
    cli_settings,
    fail,
    models_app,
)

def _store(models: Optional[Path]):
    from ..mt.store import ModelStore

    settings = cli_settings(models_dir=models)
    return ModelStore(settings.models_dir, prefer=settings.sources.choices)


AcceptOpt = typer.Option([], "--accept-licence",
                         help="Accept a licence class the model needs: `non-commercial` (NLLB-200, CC-BY-NC-4.0).")

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
        typer.echo(f"{info.from_code}→{info.to_code}  {info.kind:<8} {info.version:<12} {info.name}  "
                   f"licence {info.licence}" + (" (non-commercial)" if info.non_commercial else ""))
        if info.source_url:
            typer.echo(f"    source: {info.source_url}")
        if info.attribution:
            typer.echo(f"    attribution: {info.attribution}")

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
                 models: Optional[Path] = ModelsOpt,
                 missing_only: bool = typer.Option(False, "--missing-only",
                                                   help="Do nothing when a pack for the pair is installed."),
                 offline_ok: bool = typer.Option(False, "--offline-ok",
                                                 help="Exit 0 without a word when there is no network "
                                                      "(`make translate` then says what to install)."),
                 kind: Optional[str] = typer.Option(None, "--kind",
                                                    help="opus-mt or argos [default: [models] <locale> in "
                                                         "i18n.toml, else the best published: README]."),
                 accept: list[str] = AcceptOpt) -> None:
    """Download and install the pack for a pair (needs the network; index and mirror: README)."""
    from ..locales import SITE_LOCALES
    from ..mt.catalog import choose, require_accepted
    from ..mt.fetch import fetch_release, release_url

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        settings = cli_settings(models_dir=models)
        store = _store(models)
        installed = store.find(src, tgt)
        if missing_only and installed is not None:
            _print_pack(installed, "already installed")
            return
        release = choose(src, tgt, kind, settings.sources.choices)
        require_accepted(release.licence, set(accept), release.name)
        where = release_url(release, settings.sources) if release.path else "the Argos package index"
        scores = ", ".join(f"{name} {value}" for name, value in release.scores.items())
        licence_line = (f"{release.name}: licence {release.licence.id}"
                        + (f" ({release.licence.url})" if release.licence.url else " (read from the package README)")
                        + (f"; FLORES-200 devtest {scores}" if scores else "") + f"; from {where}")
        announced: list[bool] = []

        def announce_then(show):
            # Printed once the server answers, before the body is read: silent when offline (--offline-ok).
            def report(step) -> None:
                if not announced:
                    announced.append(True)
                    typer.echo(licence_line)
                show(step)
            return report

        with progress_bar() as show:
            info = fetch_release(store, release, settings.sources, progress=announce_then(show),
                                 accepted=frozenset(accept))
        _print_pack(info, "installed")
    except PipelineError as exc:
        if not (offline_ok and isinstance(exc, OfflineError)):
            fail(exc)


@contextmanager
def progress_bar(console=None):
    """A rich progress display on stderr for ``fetch``'s steps (none when stderr is not a terminal)."""
    from rich import filesize
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield lambda step: None
        return
    columns = (TextColumn("{task.description:<24}"), BarColumn(), TextColumn("{task.fields[amount]:>22}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, object] = {}

        def show(step) -> None:
            if step.unit == "bytes":
                size = filesize.decimal(step.total) if step.total is not None else "?"
                amount = f"{filesize.decimal(step.completed)} / {size}"
            else:
                amount = "done" if step.completed == step.total else "working…"
            if step.task not in tasks:
                tasks[step.task] = bar.add_task(step.task, total=step.total, amount=amount)
            bar.update(tasks[step.task], completed=step.completed, total=step.total, amount=amount)

        yield show

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


@models_app.command("import-nllb")
def models_import_nllb(
    folder: Path = typer.Argument(..., help="A CTranslate2 NLLB-200 folder (model.bin, sentencepiece.bpe.model) or its zip."),
    tgt: str = typer.Option(..., "--to", help="Target language (ru, hy or arm)."),
    src: str = typer.Option("en", "--from", help="Source language."),
    accept: list[str] = AcceptOpt,
    models: Optional[Path] = ModelsOpt,
) -> None:
    """Install an NLLB-200 model (CC-BY-NC-4.0: needs --accept-licence non-commercial)."""
    from ..locales import SITE_LOCALES

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        _print_pack(_store(models).import_nllb(folder, tgt, frozenset(accept), from_code=src), "installed")
    except PipelineError as exc:
        fail(exc)


@models_app.command("evaluate")
def models_evaluate(
    to: str = typer.Option("ru,arm", "--to", help="Target locales, comma-separated (ru, arm)."),
    testset: Optional[Path] = typer.Option(None, "--testset",
                                           help="References as TSV (source<TAB>reference) or TMX, instead of the TM."),
    models: Optional[Path] = ModelsOpt,
    state: Optional[Path] = StateOpt,
    glossary: Optional[Path] = GlossaryOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Score each installed model on the human-approved TM entries: chrF, chrF++, BLEU, term accuracy."""
    from ..evaluate import evaluate
    from ..locales import parse_locale_list

    try:
        settings = cli_settings(config, models_dir=models, state_dir=state, glossary_dir=glossary)
        results = evaluate(settings, parse_locale_list(to), testset)
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("locale", "model", "licence", "segments", "chrF", "chrF++", "BLEU", "terms ok")
    for r in results:
        terms = f"{r.terms_ok}/{r.terms} ({r.term_accuracy}%)" if r.terms else "–"
        table.add_row(r.locale, f"{r.model} {r.version}", r.licence, str(r.segments), f"{r.chrf:.2f}",
                      f"{r.chrf_plus_plus:.2f}", f"{r.bleu:.2f}", terms)
    console = Console(width=200)
    console.print(table)
    for name, signature in (results[0].signatures.items() if results else []):
        console.print(f"{name} signature: {signature}", highlight=False)
    if results and results[0].glossary_hash:
        console.print(f"glossary {results[0].glossary_hash}", highlight=False)
