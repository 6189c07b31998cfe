"""The ``i18n-pipeline`` command: each command parses, calls one library function, prints.

Exit codes: 0 success; 1 some inputs failed (the rest completed); 2 usage; 3 a required model
is missing or unusable. Heavy modules are imported inside commands so ``--help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import NoReturn, Optional

import typer

from .errors import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, PipelineError

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
app.add_typer(models_app, name="models")
app.add_typer(glossary_app, name="glossary")
app.add_typer(review_app, name="review")

ModelsOpt = typer.Option(None, "--models", help="Model folder [env I18N_PIPELINE_MODELS; default ./models].")
StateOpt = typer.Option(None, "--state", help="Run state folder (TM) [env I18N_PIPELINE_STATE; default ./.i18n].")
GlossaryOpt = typer.Option(None, "--glossary", help="Glossary folder [default ./glossary].")
ConfigOpt = typer.Option(None, "--config", help="Settings file [default ./i18n.toml if present].")
JsonOpt = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def _fail(error: PipelineError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


def _settings(config: Optional[Path] = None, **overrides):
    from .config import load_settings

    return load_settings(config, **overrides)


def _setup_logging(quiet: bool) -> None:
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="%(message)s", stream=sys.stderr)


# -- translate -----------------------------------------------------------------------------


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
    from .locales import parse_locale_list
    from .pipeline import run

    _setup_logging(quiet or as_json)
    try:
        locales = parse_locale_list(to)
        settings = _settings(config, models_dir=models, glossary_dir=glossary, state_dir=state, out_dir=out)
        inputs = paths or [Path("articles")]
        with _progress(enabled=not quiet and not as_json and sys.stderr.isatty()) as hooks:
            report = run(inputs, locales, settings, hooks, fail_fast=not keep_going)
    except PipelineError as exc:
        _fail(exc)
    for failure in report.failed:
        typer.echo(f"error: {failure['error']}", err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif not quiet:
        for site, summary in report.locales.items():
            typer.echo(f"{site}: {summary.segments} segments ({summary.mt} mt, {summary.tm} tm, "
                       f"{summary.passthrough} passed through); QA flags: {sum(summary.qa.values())}")
        typer.echo(f"{len(report.articles)} article(s) written to {settings.out_dir}/, {len(report.failed)} failed")
    raise typer.Exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


class _progress:
    """A rich progress bar (segments/s) on stderr, or silent hooks."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def __enter__(self):
        from .pipeline import Hooks

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


# -- detect --------------------------------------------------------------------------------


@app.command()
def detect(
    paths: list[Path] = typer.Argument(..., help="Article files or folders."),
    as_json: bool = JsonOpt,
) -> None:
    """Show what the pipeline sees in each input: fields, blocks, languages, sentences."""
    from .ingest import describe, describe_error
    from .pipeline import collect_inputs, prepare_article

    _setup_logging(True)
    try:
        files = collect_inputs(paths)
    except PipelineError as exc:
        _fail(exc)
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


# -- models --------------------------------------------------------------------------------


def _store(models: Optional[Path]):
    from .mt.store import ModelStore

    return ModelStore(_settings(models_dir=models).models_dir)


def _print_pack(info, action: str) -> None:
    typer.echo(f"{action} {info.name}: {info.from_code}→{info.to_code} ({info.kind} {info.version}) in {info.path}")


@models_app.command("list")
def models_list(models: Optional[Path] = ModelsOpt, as_json: bool = JsonOpt) -> None:
    """List installed model packs."""
    from dataclasses import asdict

    try:
        packs = _store(models).packs()
    except PipelineError as exc:
        _fail(exc)
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
        _fail(exc)


@models_app.command("remove")
def models_remove(name: str = typer.Argument(..., help="Pack name (translate-en_ru) or pair (en-ru)."),
                  models: Optional[Path] = ModelsOpt) -> None:
    """Remove an installed pack."""
    try:
        _print_pack(_store(models).remove(name), "removed")
    except PipelineError as exc:
        _fail(exc)


@models_app.command("fetch")
def models_fetch(src: str = typer.Argument(..., help="Source language, e.g. en."),
                 tgt: str = typer.Argument(..., help="Target language, e.g. ru or hy (arm)."),
                 models: Optional[Path] = ModelsOpt) -> None:
    """Download and install the pack for a pair (needs the network)."""
    from .locales import SITE_LOCALES
    from .mt.fetch import fetch

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        _print_pack(fetch(_store(models), src, tgt), "installed")
    except PipelineError as exc:
        _fail(exc)


@models_app.command("import-opus-mt")
def models_import_opus_mt(
    release: Path = typer.Argument(..., help="An OPUS-MT release .zip or its unpacked folder."),
    src: str = typer.Option("en", "--from", help="Source language."),
    tgt: str = typer.Option("hy", "--to", help="Target language (hy or arm)."),
    version: str = typer.Option("", "--version", help="Version label [default: the release name]."),
    models: Optional[Path] = ModelsOpt,
) -> None:
    """Convert an OPUS-MT (Marian) release with CTranslate2 (int8) and install it."""
    from .locales import SITE_LOCALES

    tgt = SITE_LOCALES[tgt].lang if tgt in SITE_LOCALES else tgt
    try:
        _print_pack(_store(models).import_opus_mt(release, src, tgt, version), "installed")
    except PipelineError as exc:
        _fail(exc)


# -- glossary ------------------------------------------------------------------------------


def _glossary_dir(glossary: Optional[Path]) -> Path:
    return _settings(glossary_dir=glossary).glossary_dir


@glossary_app.command("list")
def glossary_list(glossary: Optional[Path] = GlossaryOpt, as_json: bool = JsonOpt) -> None:
    """List the terms with their approved Russian and Armenian targets."""
    from .glossary import load_glossary

    try:
        base = load_glossary(_glossary_dir(glossary))
    except PipelineError as exc:
        _fail(exc)
    rows = [{"en": list(e.en), "ru": list(e.targets.get("ru", ())), "arm": list(e.targets.get("arm", ())),
             "dnt": e.dnt, "status": e.status, "needs_review": sorted(e.review_locales), "file": e.file, "line": e.line, "note": e.note} for e in base.entries]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        targets = "(do not translate)" if row["dnt"] else f"ru: {' | '.join(row['ru']) or '—'}; arm: {' | '.join(row['arm']) or '—'}"
        flag = "" if row["status"] == "approved" else f"  [{row['status']}]"
        flag += f"  [needs review: {', '.join(row['needs_review'])}]" if row["needs_review"] else ""
        typer.echo(f"{' | '.join(row['en'])} → {targets}{flag}")


@glossary_app.command("add")
def glossary_add(
    en: str = typer.Argument(..., help="The English term; variants separated by |."),
    ru: str = typer.Option("", "--ru", help="Approved Russian target(s), preferred first, separated by |."),
    arm: str = typer.Option("", "--arm", help="Approved Armenian target(s), preferred first, separated by |."),
    dnt: bool = typer.Option(False, "--dnt", help="Do not translate: the term stays as it is."),
    case_sensitive: bool = typer.Option(True, "--case-sensitive/--ignore-case", help="Match case exactly."),
    fixed: bool = typer.Option(False, "--fixed", help="Indeclinable: never inflect the target."),
    pos: str = typer.Option("", "--pos", help="Part of speech (noun, adj, propn…)."),
    gender: str = typer.Option("", "--gender", help="Grammatical gender of the Russian target (m, f, n)."),
    animacy: str = typer.Option("", "--animacy", help="anim or inan (Russian accusative)."),
    status: str = typer.Option("approved", "--status", help="approved or needs-review."),
    note: str = typer.Option("", "--note", help="A note for editors and translators."),
    file: str = typer.Option("", "--file", help="CSV file in the glossary folder [default terms.csv]."),
    glossary: Optional[Path] = GlossaryOpt,
) -> None:
    """Add a term; the change is validated first and written atomically."""
    from .glossary import add_term

    fields = {"en": en, "ru": ru, "arm": arm, "dnt": "yes" if dnt else "", "case_sensitive": "yes" if case_sensitive else "no",
              "fixed": "yes" if fixed else "", "pos": pos, "gender": gender, "animacy": animacy, "status": status,
              "note": note, "file": file}
    try:
        typer.echo(f"added {en!r} to {add_term(_glossary_dir(glossary), fields)}")
    except PipelineError as exc:
        _fail(exc)


@glossary_app.command("remove")
def glossary_remove(en: str = typer.Argument(..., help="The English term (any of its variants)."),
                    glossary: Optional[Path] = GlossaryOpt) -> None:
    """Remove a term."""
    from .glossary import remove_term

    try:
        typer.echo(f"removed {en!r} from {remove_term(_glossary_dir(glossary), en)}")
    except PipelineError as exc:
        _fail(exc)


@glossary_app.command("check")
def glossary_check(glossary: Optional[Path] = GlossaryOpt) -> None:
    """Report duplicates, conflicts, empty targets, shadowing and malformed rows; exit 1 on errors."""
    from .glossary import check_glossary

    try:
        problems = check_glossary(_glossary_dir(glossary))
    except PipelineError as exc:
        _fail(exc)
    for problem in problems:
        typer.echo(f"{problem} [{problem.severity}]")
    errors = sum(p.severity == "error" for p in problems)
    typer.echo(f"{errors} error(s), {len(problems) - errors} warning(s)", err=True)
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


@glossary_app.command("export")
def glossary_export(out: Path = typer.Argument(..., help="The .tbx file to write."),
                    tbx_version: str = typer.Option("basic", "--tbx", help="basic (TBX-Basic martif) or v3."),
                    glossary: Optional[Path] = GlossaryOpt) -> None:
    """Export the term base as TBX for Weblate, translate-toolkit and CAT tools."""
    from .errors import UsageError
    from .glossary import export_tbx, load_glossary

    try:
        if tbx_version not in ("basic", "v3"):
            raise UsageError(f"--tbx {tbx_version!r}: use basic or v3")
        typer.echo(f"wrote {export_tbx(load_glossary(_glossary_dir(glossary)), out, version=tbx_version)}")
    except PipelineError as exc:
        _fail(exc)


@glossary_app.command("import")
def glossary_import(file: Path = typer.Argument(..., help="A TBX file (TBX-Basic or TBX v3)."),
                    glossary: Optional[Path] = GlossaryOpt) -> None:
    """Import terms from TBX into imported.csv (terms already in the glossary are skipped)."""
    from .glossary import import_tbx

    try:
        typer.echo(f"wrote {import_tbx(file, _glossary_dir(glossary))}")
    except PipelineError as exc:
        _fail(exc)


# -- qa ------------------------------------------------------------------------------------


@app.command()
def qa(
    paths: list[Path] = typer.Argument(..., help="XLIFF 2.1 / XLIFF 1.2 / TMX files or folders (e.g. out/)."),
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Re-check translated files (e.g. after translators edited them); exit 1 while errors remain."""
    from .qa import ERROR, check_segment, load_config
    from .review import read_bilingual

    try:
        qa_config = load_config(_settings(config).extra)
        files = [p for path in paths for p in (sorted(path.rglob("*.xlf")) + sorted(path.rglob("*.tmx"))
                                                if path.is_dir() else [path])]
    except PipelineError as exc:
        _fail(exc)
    results, errors, failed = [], 0, 0
    for file in files:
        try:
            units = read_bilingual(file)
        except PipelineError as exc:
            failed += 1
            typer.echo(f"error: {exc}", err=True)
            continue
        counts: dict[str, int] = {}
        for unit in units:
            for flag in check_segment(unit.source, unit.target, source_lang=unit.source_lang,
                                      target_lang=unit.target_lang, config=qa_config):
                counts[flag.check] = counts.get(flag.check, 0) + 1
                errors += flag.severity == ERROR
                if not as_json:
                    typer.echo(f"{file}#{unit.segment_id}: {flag.severity}: {flag.check}: {flag.message}")
        results.append({"path": str(file), "segments": len(units), "qa": counts})
    if as_json:
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{len(results)} file(s) checked, {errors} error(s)")
    raise typer.Exit(EXIT_SOME_FAILED if errors or failed else EXIT_OK)


# -- review --------------------------------------------------------------------------------


def _tm(state: Optional[Path], config: Optional[Path] = None):
    from .tm import TranslationMemory

    settings = _settings(config, state_dir=state)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return TranslationMemory(settings.state_dir / "tm.sqlite")


@review_app.command("import")
def review_import(
    files: list[Path] = typer.Argument(..., help="Translators' XLIFF 2.1, XLIFF 1.2 or TMX files."),
    state: Optional[Path] = StateOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Put approved segments (reviewed/final, or TMX units) into the TM as human translations.

    Exit 1 when a file could not be read or approvals conflict (conflicts are listed, never merged).
    """
    from .review import import_reviewed

    try:
        with _tm(state) as tm:
            report = import_reviewed(files, tm)
    except PipelineError as exc:
        _fail(exc)
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
    state: Optional[Path] = StateOpt,
) -> None:
    """Write the XLIFF a translator should work on, with TM matches filled in and states set."""
    from .locales import resolve_locale
    from .pipeline import prepare_article
    from .review import export_for_review

    try:
        locale = resolve_locale(to)
        prepared = prepare_article(article)
        with _tm(state) as tm:
            written = export_for_review(prepared, locale, tm, out)
    except PipelineError as exc:
        _fail(exc)
    typer.echo(f"wrote {written}")


def main() -> None:  # pragma: no cover - console entry point
    app(prog_name="i18n-pipeline")


if __name__ == "__main__":  # pragma: no cover
    main()
