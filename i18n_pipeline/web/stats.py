"""The post-editing dashboard: the figures of ``i18n-pipeline stats`` as a page.

    GET /stats    overall, then per ISO week (a bar per week), article, locale and translator:
                  HTER, chrF, share unchanged, seconds per word (``Workspace.post_edit_report``)

Bars are ``<meter>`` elements: the page's CSP allows no inline style.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..errors import PipelineError
from .app import _authenticate, _error, _page, _workspace

GROUPS = (("week", "Per week"), ("article", "Per article"), ("locale", "Per locale"), ("who", "Per translator"))


async def stats_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    try:
        result = _workspace(request).post_edit_report()
    except PipelineError as exc:
        return _error(request, 500, str(exc))
    groups = [(title, sorted(result.by.get(name, {}).items())) for name, title in GROUPS]
    return _page(request, "stats.html", overall=result.overall, groups=groups, signatures=result.signatures)
