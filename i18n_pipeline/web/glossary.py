"""The glossary desk's pages: small views over ``glossary.desk``, ``glossary.termbase`` and ``glossary.impact``.

    GET  /glossary                  entries: search, filter by status and locale
    GET  /glossary/entry?id=…       one entry's form (no id: a new one; ?en=…&note=… prefill it),
                                    forms preview, where used, history
    POST /glossary/save             add or edit (``original`` + ``base`` row hash: conflict on a stale edit)
    POST /glossary/retire           take an entry out (kept in the history)
    POST /glossary/check            JSON for the page's script: problems by field, forms, affected segments
    GET  /glossary/history          every change, newest first
    GET  /glossary/candidates       names in today's outputs that no entry covers
    GET  /glossary/export?tbx=…     the term base as TBX (basic | v3), what ``glossary export`` writes
    GET  /glossary/import           export links and the import form
    POST /glossary/import           a pasted TBX file: its diff (added / changed / conflicting)
    POST /glossary/import/accept    apply one added or changed entry of that diff (``token`` + ``entry``)

Reading is open to every workspace user; writing needs the ``glossary`` or ``admin`` role.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import GlossaryError, PipelineError
from ..glossary import desk
from ..glossary.impact import affected, proposed_glossary, where_used
from ..glossary.termbase import (
    ANIMACY, COLUMNS, GENDERS, POS_VALUES, GlossaryConflict, _csv_files, check_fields, find_row,
    load_usable_glossary,
)
from .app import _authenticate, _error, _form, _page, _wants_json

STATUS_CHOICES = ("approved", "needs-review", "needs-review:ru", "needs-review:arm")
FLAG_CHOICES = ("", "yes", "no")
AFFECTED_SHOWN = 50


def routes() -> list[Route]:
    return [
        Route("/glossary", list_view),
        Route("/glossary/entry", entry_view),
        Route("/glossary/save", save_view, methods=["POST"]),
        Route("/glossary/retire", retire_view, methods=["POST"]),
        Route("/glossary/check", check_view, methods=["POST"]),
        Route("/glossary/history", history_view),
        Route("/glossary/candidates", candidates_view),
        Route("/glossary/export", export_view),
        Route("/glossary/import", import_view, methods=["GET", "POST"]),
        Route("/glossary/import/accept", accept_view, methods=["POST"]),
    ]


def _settings(request: Request):
    return request.app.state.config.settings


def _choices() -> dict:
    return {"pos_values": POS_VALUES, "genders": GENDERS, "animacy_values": ANIMACY, "statuses": STATUS_CHOICES,
            "flags": FLAG_CHOICES}


def _fields(form: dict[str, str]) -> dict[str, str]:
    return {c: form.get(c, "").strip() for c in COLUMNS} | ({"file": form["file"]} if form.get("file") else {})


async def _writer(request: Request) -> dict[str, str] | Response:
    """The form of a POST by a user who may change the glossary, or the 4xx answer."""
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    user = request.state.session.user
    if not user.can_edit_glossary():
        return _error(request, 403, f"{user.name} may not change the glossary: that needs the glossary role")
    return form


async def list_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    q = request.query_params
    settings = _settings(request)
    try:
        rows = desk.search(settings.glossary_dir, q.get("q", ""), q.get("status", ""), q.get("locale", ""))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return _page(request, "glossary.html", rows=rows, filters=dict(q),
                 can_write=request.state.session.user.can_edit_glossary())


def _entry_page(request: Request, *, fields: dict, original: str, base: str, status: int = 200,
                problems=(), message: str = "", conflict=None) -> Response:
    settings = _settings(request)
    used, changes, forms, forms_notes, forms_error = [], [], {}, {}, ""
    if original:
        try:
            base_glossary, _ = load_usable_glossary(settings.glossary_dir)
            used = where_used(settings.out_dir, base_glossary, original)
        except PipelineError as exc:
            message = message or str(exc)
        changes = desk.history(settings.state_dir, original, limit=50)
    try:
        forms, forms_notes = desk.forms_preview(fields), desk.forms_notes(fields)
    except GlossaryError as exc:
        forms_error = str(exc)
    by_field: dict[str, list] = {}
    for p in problems:
        by_field.setdefault(p.field, []).append(p)
    try:
        files = [p.name for p in _csv_files(settings.glossary_dir)]
    except PipelineError:
        files = []
    return _page(request, "glossary_entry.html", status=status, fields=fields, original=original, base=base,
                 problems=by_field, message=message, conflict=conflict, used=used, changes=changes, forms=forms,
                 forms_notes=forms_notes, forms_error=forms_error, files=files, can_write=request.state.session.user.can_edit_glossary(),
                 **_choices())


async def entry_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    q = request.query_params
    settings = _settings(request)
    original = q.get("id", "")
    if original:
        try:
            record = find_row(settings.glossary_dir, original)
        except PipelineError as exc:
            return _error(request, 500, str(exc))
        if record is None:
            return _error(request, 404, f"no glossary entry {original!r}; it may have been retired (see the history)")
        fields = dict(record.row) | {"file": record.file}
        return _entry_page(request, fields=fields, original=record.id, base=record.hash,
                           message="saved" if q.get("saved") else "")
    fields = {c: q.get(c, "") for c in COLUMNS} | {"status": q.get("status", "needs-review"), "file": q.get("file", "")}
    return _entry_page(request, fields=fields, original="", base="")


async def save_view(request: Request) -> Response:
    form = await _writer(request)
    if isinstance(form, Response):
        return form
    settings = _settings(request)
    fields, original, base = _fields(form), form.get("original", ""), form.get("base", "") or None
    try:
        change = desk.save(settings.glossary_dir, settings.state_dir, fields, who=request.state.session.user.name,
                           original=original, base=base)
    except GlossaryConflict as exc:
        current = exc.current
        if _wants_json(request):
            return JSONResponse({"error": str(exc), "theirs": current.row if current else None}, status_code=409)
        return _entry_page(request, fields=fields, original=original, base=current.hash if current else "",
                           status=409, message=str(exc), conflict=current)
    except GlossaryError as exc:
        problems = check_fields(settings.glossary_dir, fields, original=original or None)
        if _wants_json(request):
            return JSONResponse({"error": str(exc), "problems": [p.__dict__ for p in problems]}, status_code=400)
        return _entry_page(request, fields=fields, original=original, base=base or "", status=400,
                           problems=problems, message=str(exc))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return RedirectResponse("/glossary/entry?" + urlencode({"id": change.entry, "saved": "1"}), status_code=303)


async def retire_view(request: Request) -> Response:
    form = await _writer(request)
    if isinstance(form, Response):
        return form
    settings = _settings(request)
    try:
        desk.retire(settings.glossary_dir, settings.state_dir, form.get("original", ""),
                    who=request.state.session.user.name, base=form.get("base") or None)
    except GlossaryConflict as exc:
        return _error(request, 409, str(exc))
    except GlossaryError as exc:
        return _error(request, 400, str(exc))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return RedirectResponse("/glossary?" + urlencode({"retired": form.get("original", "")}), status_code=303)


async def check_view(request: Request) -> Response:
    """Problems by field, the forms preview and the published segments the change would affect."""
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    settings = _settings(request)
    fields, original = _fields(form), form.get("original", "")
    retiring = form.get("retire") == "1"
    try:
        problems = [] if retiring else check_fields(settings.glossary_dir, fields, original=original or None)
        forms, forms_notes, forms_error = {}, {}, ""
        try:
            forms, forms_notes = desk.forms_preview(fields), desk.forms_notes(fields)
        except GlossaryError as exc:
            forms_error = str(exc)
        before, _ = load_usable_glossary(settings.glossary_dir)
        try:
            after = proposed_glossary(settings.glossary_dir, None if retiring else fields, original)
            touched = affected(settings.out_dir, before, after)
        except GlossaryError:
            touched = []  # the form cannot be saved as it is: the problems say why
    except PipelineError as exc:
        return JSONResponse({"error": str(exc)}, status_code=500)
    return JSONResponse({
        "problems": [p.__dict__ for p in problems],
        "forms": {loc: [list(pair) for pair in pairs] for loc, pairs in forms.items()},
        "forms_notes": forms_notes,
        "forms_error": forms_error,
        "affected": {"count": len(touched), "segments": [
            {"article": s.article, "locale": s.locale, "segment": s.segment, "source": s.source, "target": s.target}
            for s in touched[:AFFECTED_SHOWN]]},
    })


async def history_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    return _page(request, "glossary_history.html", changes=desk.history(_settings(request).state_dir), columns=COLUMNS)


async def candidates_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    from ..glossary.candidates import find_candidates

    settings = _settings(request)
    try:
        glossary, _ = load_usable_glossary(settings.glossary_dir)
        found = find_candidates(settings.out_dir, glossary)
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return _page(request, "glossary_candidates.html", candidates=found,
                 can_write=request.state.session.user.can_edit_glossary())


async def export_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    import tempfile
    from pathlib import Path

    version = request.query_params.get("tbx", "basic")
    if version not in ("basic", "v3"):
        return _error(request, 400, f"tbx={version!r}: use basic or v3")
    settings = _settings(request)
    try:
        with tempfile.TemporaryDirectory() as folder:
            data = desk.export(settings.glossary_dir, Path(folder) / "glossary.tbx", version).read_bytes()
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    name = "glossary.tbx" if version == "basic" else "glossary-v3.tbx"
    return Response(data, media_type="application/x-tbx+xml",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def _import_page(request: Request, *, items=None, token: str = "", message: str = "", ok: bool = True,
                 status: int = 200) -> Response:
    from ..glossary.tbx import summarize

    return _page(request, "glossary_import.html", status=status, items=items, token=token, message=message, ok=ok,
                 summary=summarize(items) if items is not None else "",
                 can_write=request.state.session.user.can_edit_glossary())


async def import_view(request: Request) -> Response:
    if request.method == "GET":
        if (answer := _authenticate(request)) is not None:
            return answer
        return _import_page(request)
    form = await _writer(request)
    if isinstance(form, Response):
        return form
    settings = _settings(request)
    try:
        token = desk.stash_import(settings.state_dir, form.get("tbx", "").encode("utf-8"))
        items = desk.import_diff(settings.glossary_dir, settings.state_dir, token)
    except GlossaryError as exc:
        return _import_page(request, message=str(exc), ok=False, status=400)
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return _import_page(request, items=items, token=token)


async def accept_view(request: Request) -> Response:
    form = await _writer(request)
    if isinstance(form, Response):
        return form
    settings = _settings(request)
    token, entry = form.get("token", ""), form.get("entry", "")
    try:
        items = desk.import_diff(settings.glossary_dir, settings.state_dir, token)
        item = next((i for i in items if i.entry == entry), None)
        if item is None:
            return _import_page(request, items=items, token=token, ok=False, status=400,
                                message=f"{entry!r} is not an entry of the uploaded file")
        desk.accept(settings.glossary_dir, settings.state_dir, item, who=request.state.session.user.name)
        items = desk.import_diff(settings.glossary_dir, settings.state_dir, token)
    except GlossaryConflict as exc:
        return _import_page(request, message=str(exc), ok=False, status=409,
                            items=desk.import_diff(settings.glossary_dir, settings.state_dir, token), token=token)
    except GlossaryError as exc:
        return _import_page(request, message=str(exc), ok=False, status=400)
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return _import_page(request, items=items, token=token, message=f"{entry!r} {item.kind}: saved")
