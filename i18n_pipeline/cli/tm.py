"""tm: look up the translation memory from the shell (the editor's fuzzy matches, as text or JSON); build their index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import EXIT_OK, EXIT_SOME_FAILED, PipelineError
from .common import ConfigOpt, GlossaryOpt, JsonOpt, StateOpt, app, cli_settings, fail, tm_app


@tm_app.command("search")
def tm_search(
    text: str = typer.Argument(..., help="The English sentence to find close translations for."),
    to: str = typer.Option(..., "--to", help="One target locale: ru or arm (hy)."),
    min_score: int = typer.Option(75, "--min", help="Lowest match to show, in percent (word level)."),
    limit: int = typer.Option(5, "--limit", help="At most this many matches."),
    state: Optional[Path] = StateOpt,
    glossary: Optional[Path] = GlossaryOpt,
    config: Optional[Path] = ConfigOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Fuzzy matches from the TM, best first: percentage, origin, and the words that differ in [brackets].

    The TM is the configured one ([tm] url: PostgreSQL with pg_trgm; else <state>/tm.sqlite). Numbers
    and glossary terms that differ between the match's source and TEXT are listed under the match.
    Exit 1 when nothing reaches --min.
    """
    from ..locales import resolve_locale
    from ..tm_search import fuzzy_matches

    overrides = {k: v for k, v in {"state_dir": state, "glossary_dir": glossary}.items() if v is not None}
    try:
        locale = resolve_locale(to)
        matches = fuzzy_matches(cli_settings(config, **overrides), text, locale, min_score=min_score, limit=limit)
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({"query": text, "locale": locale.site, "min": min_score,
                               "matches": [m.as_dict() for m in matches]}, ensure_ascii=False))
    else:
        for m in matches:
            marked = "".join(f"[{t}]" if differs else t for t, differs in m.spans)
            numbers = f"  numbers differ: {', '.join(m.numbers)}" if m.numbers else ""
            terms = f"  terms differ: {', '.join(m.terms)}" if m.terms else ""
            typer.echo(f"{m.score:3d}%  {m.entry.origin.value:<5}  {marked}\n      → {m.entry.target}{numbers}{terms}")
        if not matches:
            typer.echo(f"no match of {min_score}% or more for {locale.site}", err=True)
    raise typer.Exit(EXIT_OK if matches else EXIT_SOME_FAILED)


@tm_app.command("index")
def tm_index(
    state: Optional[Path] = StateOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Build the fuzzy-match index now, if it is missing (serve does this at start too).

    A memory's first fuzzy lookup builds it otherwise, once: for 200,000 rows 7 s on SQLite,
    70-90 s on PostgreSQL. Run it after moving a large memory to PostgreSQL, before
    translators open the workspace. Nothing happens when the index is there.
    """
    from ..tm_search import prepare_fuzzy_index

    overrides = {k: v for k, v in {"state_dir": state}.items() if v is not None}
    try:
        index = prepare_fuzzy_index(cli_settings(config, **overrides), on_build=_say_building)
    except PipelineError as exc:
        fail(exc)
    if index.built:
        typer.echo(f"{index.location}: fuzzy-match index built for {index.rows} rows in {index.seconds:.1f} s")
    else:
        typer.echo(f"{index.location}: fuzzy-match index already built ({index.rows} rows)")


def _say_building(location: str, rows: int) -> None:
    typer.echo(f"{location}: building the fuzzy-match index for {rows} rows (once; a large PostgreSQL "
               "memory takes a minute or more)", err=True)


@app.command("stats")
def stats(
    state: Optional[Path] = StateOpt,
    out: Optional[Path] = typer.Option(None, "--out", help="The outputs folder serve works on [default ./out]."),
    as_json: bool = JsonOpt,
) -> None:
    """Post-editing figures from the workspace's saves: HTER and chrF of MT against the final text, share kept unchanged, edit time.

    Overall and per article, locale, translator, ISO week, model, term-base version (termbase: the
    whole term base's digest the MT was made under) and glossary key (glossary: the entries matching
    the sentence) (sacrebleu, case-sensitive TER; signatures printed); --json adds model_week (per
    model, per week) and segments (each edited segment's own HTER and chrF, with its texts).
    Edit time is seconds per source word over the timed segments; "slow" ones (over 25 s/word) are left out.
    """
    from ..workspace import Workspace

    overrides = {k: v for k, v in {"state_dir": state, "out_dir": out}.items() if v is not None}
    try:
        with Workspace(cli_settings(None, **overrides)) as workspace:
            result = workspace.post_edit_report()
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    rows = [("all", "", result.overall)] + [(g, k, f) for g, items in result.by.items() for k, f in items.items()]
    typer.echo(f"{'group':<8} {'key':<28} {'segments':>8} {'unchanged':>9} {'HTER':>6} {'chrF':>6} {'s/word':>6} {'timed':>5} {'slow':>4}")
    for group, key, f in rows:
        typer.echo(f"{group:<8} {key[:28]:<28} {f.segments:>8} {f.unchanged_share:>8.1f}% {f.hter:>6.1f} {f.chrf:>6.1f} "
                   f"{f.seconds_per_word:>6.2f} {f.timed:>5} {f.slow:>4}")  # fmt: skip
    for name, signature in result.signatures.items():
        typer.echo(f"{name}: {signature}")
