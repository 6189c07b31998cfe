"""tm: look up the translation memory from the shell (the editor's fuzzy matches, as text or JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import EXIT_OK, EXIT_SOME_FAILED, PipelineError
from .common import JsonOpt, StateOpt, cli_settings, fail, tm_app


@tm_app.command("search")
def tm_search(
    text: str = typer.Argument(..., help="The English sentence to find close translations for."),
    to: str = typer.Option(..., "--to", help="One target locale: ru or arm (hy)."),
    min_score: int = typer.Option(75, "--min", help="Lowest match to show, in percent (word level)."),
    limit: int = typer.Option(5, "--limit", help="At most this many matches."),
    state: Optional[Path] = StateOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Fuzzy matches from the TM, best first: percentage, origin, and the words that differ in [brackets].

    Exit 1 when nothing reaches --min.
    """
    from ..locales import resolve_locale
    from ..tm import TranslationMemory
    from ..tm_fuzzy import search

    try:
        locale = resolve_locale(to)
        settings = cli_settings(None, state_dir=state)
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with TranslationMemory(settings.state_dir / "tm.sqlite") as tm:
            matches = search(tm, text, "en", locale.lang, min_score=min_score, limit=limit)
    except PipelineError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps({"query": text, "locale": locale.site, "min": min_score,
                               "matches": [m.as_dict() for m in matches]}, ensure_ascii=False))
    else:
        for m in matches:
            marked = "".join(f"[{t}]" if differs else t for t, differs in m.spans)
            numbers = f"  numbers differ: {', '.join(m.numbers)}" if m.numbers else ""
            typer.echo(f"{m.score:3d}%  {m.entry.origin.value:<5}  {marked}\n      → {m.entry.target}{numbers}")
        if not matches:
            typer.echo(f"no match of {min_score}% or more for {locale.site}", err=True)
    raise typer.Exit(EXIT_OK if matches else EXIT_SOME_FAILED)
