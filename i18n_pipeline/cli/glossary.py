"""glossary: list, add, remove, check, export and import terms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import EXIT_OK, EXIT_SOME_FAILED, PipelineError
from .common import (
    GlossaryOpt,
    JsonOpt,
    cli_settings,
    fail,
    glossary_app,
)

def _glossary_dir(glossary: Optional[Path]) -> Path:
    return cli_settings(glossary_dir=glossary).glossary_dir

@glossary_app.command("list")
def glossary_list(glossary: Optional[Path] = GlossaryOpt, as_json: bool = JsonOpt) -> None:
    """List the terms with their approved Russian and Armenian targets."""
    from ..glossary import load_glossary

    try:
        base = load_glossary(_glossary_dir(glossary))
    except PipelineError as exc:
        fail(exc)
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
    from ..glossary import add_term

    fields = {"en": en, "ru": ru, "arm": arm, "dnt": "yes" if dnt else "", "case_sensitive": "yes" if case_sensitive else "no",
              "fixed": "yes" if fixed else "", "pos": pos, "gender": gender, "animacy": animacy, "status": status,
              "note": note, "file": file}
    try:
        typer.echo(f"added {en!r} to {add_term(_glossary_dir(glossary), fields)}")
    except PipelineError as exc:
        fail(exc)

@glossary_app.command("remove")
def glossary_remove(en: str = typer.Argument(..., help="The English term (any of its variants)."),
                    glossary: Optional[Path] = GlossaryOpt) -> None:
    """Remove a term."""
    from ..glossary import remove_term

    try:
        typer.echo(f"removed {en!r} from {remove_term(_glossary_dir(glossary), en)}")
    except PipelineError as exc:
        fail(exc)

@glossary_app.command("check")
def glossary_check(glossary: Optional[Path] = GlossaryOpt) -> None:
    """Report duplicates, conflicts, empty targets, shadowing and malformed rows; exit 1 on errors."""
    from ..glossary import check_glossary

    try:
        problems = check_glossary(_glossary_dir(glossary))
    except PipelineError as exc:
        fail(exc)
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
    from ..errors import UsageError
    from ..glossary import export_tbx, load_glossary

    try:
        if tbx_version not in ("basic", "v3"):
            raise UsageError(f"--tbx {tbx_version!r}: use basic or v3")
        typer.echo(f"wrote {export_tbx(load_glossary(_glossary_dir(glossary)), out, version=tbx_version)}")
    except PipelineError as exc:
        fail(exc)

@glossary_app.command("import")
def glossary_import(file: Path = typer.Argument(..., help="A TBX file (TBX-Basic or TBX v3)."),
                    dry_run: bool = typer.Option(False, "--dry-run",
                                                 help="Show what the file adds, changes and conflicts with; write nothing."),
                    accept: list[str] = typer.Option([], "--accept",
                                                     help="Apply this added or changed entry of the diff (repeatable)."),
                    glossary: Optional[Path] = GlossaryOpt, as_json: bool = JsonOpt) -> None:
    """Import terms from TBX into imported.csv (terms already in the glossary are skipped).

    --dry-run lists each entry as added / changed / conflicting; --accept ENTRY applies one.
    """
    from ..errors import UsageError
    from ..glossary.tbx import accept_import, describe, diff_tbx, import_tbx, summarize

    try:
        directory = _glossary_dir(glossary)
        if not dry_run and not accept:
            typer.echo(f"wrote {import_tbx(file, directory)}")
            return
        if dry_run and accept:
            raise UsageError("--dry-run and --accept: choose one (--dry-run writes nothing)")
        items = diff_tbx(file, directory)
        if dry_run:
            if as_json:
                typer.echo(json.dumps([{"kind": i.kind, "entry": i.entry, "fields": list(i.fields), "reason": i.reason,
                                        "before": i.before, "after": i.after} for i in items if i.kind != "unchanged"],
                                      ensure_ascii=False, indent=2))
                return
            for item in items:
                if item.kind != "unchanged":
                    typer.echo(describe(item))
            typer.echo(f"{summarize(items)}; nothing written (--dry-run)")
            return
        by_entry = {i.entry: i for i in items}
        unknown = [a for a in accept if a not in by_entry]
        if unknown:
            raise UsageError(f"--accept {unknown[0]!r}: not an entry of {file}; see --dry-run")
        for name in accept:
            path = accept_import(directory, by_entry[name])
            typer.echo(f"{describe(by_entry[name])} → {path}")
    except PipelineError as exc:
        fail(exc)

@glossary_app.command("edit")
def glossary_edit(
    en: str = typer.Argument(..., help="The entry's English term (any of its variants)."),
    set_: list[str] = typer.Option([], "--set", help="COLUMN=VALUE to change (repeatable), e.g. --set ru='США|Штаты'."),
    glossary: Optional[Path] = GlossaryOpt,
) -> None:
    """Change columns of one entry; only its line of the CSV changes, validated first."""
    from ..errors import UsageError
    from ..glossary import find_row, update_term

    try:
        directory = _glossary_dir(glossary)
        record = find_row(directory, en)
        if record is None:
            raise UsageError(f"no entry with English term {en!r}; see `i18n-pipeline glossary list`")
        changes = dict(item.split("=", 1) for item in set_ if "=" in item)
        if len(changes) != len(set_):
            raise UsageError("--set takes COLUMN=VALUE, e.g. --set status=approved")
        path = update_term(directory, en, {**record.row, **changes}, base=record.hash)
        typer.echo(f"changed {en!r} in {path}")
    except PipelineError as exc:
        fail(exc)

@glossary_app.command("candidates")
def glossary_candidates(
    out: Path = typer.Option(Path("out"), "--out", help="The outputs folder translate wrote."),
    limit: int = typer.Option(30, "--limit", help="How many to list."),
    as_json: bool = JsonOpt,
    glossary: Optional[Path] = GlossaryOpt,
) -> None:
    """Names in the translated articles' English sources that no entry covers, best first."""
    from ..glossary import load_usable_glossary
    from ..glossary.candidates import find_candidates

    try:
        base, _ = load_usable_glossary(_glossary_dir(glossary))
        found = find_candidates(out, base, limit=limit)
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps([{"name": c.name, "kind": c.kind, "articles": c.articles, "count": c.count,
                                "contexts": [{"article": a, "sentence": s} for a, s in c.contexts],
                                "renderings": {loc: [{"text": t, "sentences": n} for t, n in pairs]
                                               for loc, pairs in c.renderings.items()}} for c in found],
                              ensure_ascii=False, indent=2))
        return
    for c in found:
        wrote = "; ".join(f"{loc} {pairs[0][0]}" for loc, pairs in c.renderings.items() if pairs)
        typer.echo(f"{c.name}  [{c.kind}; {c.articles} article(s), {c.count}×]"
                   + (f"  MT: {wrote}" if wrote else "") + f"  e.g. {c.contexts[0][1][:100]}")
