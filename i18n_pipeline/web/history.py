"""A segment's history page and revert (views over ``Workspace.history`` and ``Workspace.revert``).

    GET  /a/{article}/{locale}/history/{segment}   every save, newest first, each a word diff
    POST /a/{article}/{locale}/revert              form: segment, to (version), version (the base)
    GET  /a/{article}/{locale}/export?format=F     the XLIFF work file (xliff21, xliff20, xliff12),
                                                   as ``review export`` writes it (``Workspace.export_xliff``)
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..accounts import NotAllowed
from ..errors import PipelineError
from ..textdiff import diff_words
from ..workspace import BadEdit, EditConflict, UnknownItem, WorkspaceBusy
from .app import _authenticate, _error, _form, _page, _workspace


async def history_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    article, site, segment = (request.path_params[k] for k in ("article", "locale", "segment"))
    try:
        history = _workspace(request).history(article, site, segment)
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    if not history:
        return _error(request, 404, f"segment {segment} of {article} ({site}) has never been saved; no history yet")
    rows = [(h, diff_words(h.before_text, h.target)) for h in history]
    user = request.state.session.user
    return _page(request, "history.html", article=article, site=site, segment=segment, rows=rows,
                 source=history[0].source, original=history[-1].before_text, current=history[0].version,
                 can_edit=user.can_edit(site))


async def revert_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    article, site = request.path_params["article"], request.path_params["locale"]
    try:
        segment, to, base = form["segment"], int(form.get("to", "")), int(form.get("version", ""))
    except (KeyError, ValueError):
        return _error(request, 400, "the form lacks a segment, a version to go back to or the current version")
    try:
        _workspace(request).revert(article, site, segment, to, base, request.state.session.user)
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    except NotAllowed as exc:
        return _error(request, 403, str(exc))
    except BadEdit as exc:
        return _error(request, 400, str(exc))
    except EditConflict as exc:
        return _error(request, 409, str(exc))
    except WorkspaceBusy as exc:
        return _error(request, 503, str(exc))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    return RedirectResponse(f"/a/{article}/{site}/history/{segment}", status_code=303)


async def export_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    article, site = request.path_params["article"], request.path_params["locale"]
    try:
        name, data = _workspace(request).export_xliff(article, site, request.query_params.get("format", "xliff21"))
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    except BadEdit as exc:
        return _error(request, 400, str(exc))
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)  # a header value, whatever the folder is called
    return Response(data, media_type="application/xliff+xml", headers={"Content-Disposition": f'attachment; filename="{safe}"'})
