"""The translator workspace as an ASGI app (Starlette + Jinja2): small views over ``workspace``.

    GET  /                                  the queue: articles × locales, filters
    GET  /a/{article}/{locale}              the editor
    POST /a/{article}/{locale}/save         one segment (JSON for the page's script, 303 for a plain form)
    POST /a/{article}/{locale}/presence     "I am here": who else is editing this article
    GET  /a/{article}/{locale}/history/{segment}, POST …/revert   a segment's saves (``history.py``)
    GET  /stats, /stats/a/{article}         post-editing figures, and one article's per segment (``stats.py``)
    GET  /login, POST /login, POST /logout  accounts mode only
    GET  /static/…                          the page's script and styles (shipped in the package)
    /glossary…                              the glossary desk (``web/glossary.py``)

Views parse, call one library method, render. Library errors become one message and a 4xx:
unknown article/segment 404, not allowed 403, conflict 409, busy 503, bad input 400, too large 413.
"""

from __future__ import annotations

import secrets
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..accounts import NotAllowed, User
from ..config import Settings
from ..document import State
from ..errors import PipelineError
from ..workspace import BadEdit, Correction, EditConflict, UnknownItem, Workspace, WorkspaceBusy
from .render import marked_source, template_globals
from .security import (
    CSRF_COOKIE, SESSION_COOKIE, BodyTooLarge, LoginLimiter, SecurityMiddleware, Sessions, StoredLoginLimiter,
    StoredSessions, same_secret,
)

HERE = Path(__file__).resolve().parent
PRESENCE_S = 45  # an editor who has not pinged for this long is no longer "editing"


@dataclass
class WebConfig:
    settings: Settings
    accounts: bool = False  # False: the per-launch token; True: /login with workspace users
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    local_user: str = "local"


class Presence:
    """(article, locale) → {user: last ping}: the soft "X is editing" marker."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], dict[str, float]] = {}
        self._lock = threading.Lock()

    def ping(self, key: tuple[str, str], who: str) -> list[str]:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(key, {})
            seen[who] = now
            return sorted(u for u, t in seen.items() if u != who and now - t < PRESENCE_S)

    def editing(self, key: tuple[str, str]) -> list[str]:
        now = time.monotonic()
        with self._lock:
            return sorted(u for u, t in self._seen.get(key, {}).items() if now - t < PRESENCE_S)


def create_app(config: WebConfig) -> Starlette:
    from .glossary import routes as glossary_routes  # the glossary desk's pages (they use the helpers below)

    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.globals.update(template_globals())
    workspace = Workspace(config.settings)
    from .history import export_view, history_view, revert_view  # after this module: they use its helpers
    from .stats import stats_article_view, stats_view

    @asynccontextmanager
    async def lifespan(app):  # a PostgreSQL TM's pool is the workspace's until the server stops
        try:
            yield
        finally:
            workspace.close()

    app = Starlette(
        lifespan=lifespan,
        routes=[
            Route("/", queue_view),
            Route("/login", login_view, methods=["GET", "POST"]),
            Route("/logout", logout_view, methods=["POST"]),
            Route("/a/{article}/{locale}", editor_view),
            Route("/a/{article}/{locale}/save", save_view, methods=["POST"]),
            Route("/a/{article}/{locale}/presence", presence_view, methods=["POST"]),
            Route("/a/{article}/{locale}/history/{segment}", history_view),
            Route("/a/{article}/{locale}/revert", revert_view, methods=["POST"]),
            Route("/a/{article}/{locale}/export", export_view),
            Route("/stats", stats_view),
            Route("/stats/a/{article}", stats_article_view),
            *glossary_routes(),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={BodyTooLarge: _too_large, 404: _not_found, 405: _not_allowed_method},
    )
    app.state.config = config
    app.state.env = env
    app.state.workspace = workspace
    app.state.sessions = StoredSessions(workspace) if config.accounts else Sessions()  # see security.py
    app.state.presence = Presence()
    app.state.limiter = StoredLoginLimiter(workspace) if config.accounts else LoginLimiter()  # as the sessions
    return SecurityMiddleware(app)


# -- helpers -----------------------------------------------------------------------------------


def _page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    session = getattr(request.state, "session", None)
    csrf = session.csrf if session else request.state.csrf_cookie
    html = request.app.state.env.get_template(name).render(
        user=session.user if session else None, csrf=csrf, accounts=request.app.state.config.accounts, **context)
    response = HTMLResponse(html, status_code=status)
    if request.state.new_csrf_cookie:
        response.set_cookie(CSRF_COOKIE, request.state.csrf_cookie, httponly=True, samesite="strict")
    return response


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    if not hasattr(request.state, "csrf_cookie"):
        return PlainTextResponse(message + "\n", status_code=status)
    return _page(request, "error.html", status=status, message=message)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _authenticate(request: Request) -> Response | None:
    """Set ``request.state.session`` or answer with the way in (redirect, login, 401)."""
    state = request.app.state
    cookie = request.cookies.get(CSRF_COOKIE)
    request.state.new_csrf_cookie = not cookie
    request.state.csrf_cookie = cookie or secrets.token_urlsafe(32)
    try:
        request.state.session = state.sessions.get(request.cookies.get(SESSION_COOKIE))
    except PipelineError as exc:  # the TM that holds the sessions cannot be read: said once, nothing changed
        request.state.session = None
        return _error(request, 503, str(exc))
    if request.state.session is not None:
        return None
    config: WebConfig = state.config
    if not config.accounts:
        if request.method == "GET" and same_secret(request.query_params.get("token"), config.token):
            sid, _ = state.sessions.create(User(config.local_user, ("admin",)))
            rest = {k: v for k, v in request.query_params.items() if k != "token"}
            response = RedirectResponse(request.url.path + (f"?{urlencode(rest)}" if rest else ""), status_code=303)
            response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict")
            return response
        return _error(request, 401, "open the workspace with the URL `i18n-pipeline serve` printed "
                                    "(it carries this launch's secret token)")
    if request.method == "GET" and not _wants_json(request):
        return RedirectResponse("/login?" + urlencode({"next": str(request.url.path)}), status_code=303)
    return _error(request, 401, "your session has ended; log in again (your text is still in the editor)")


async def _form(request: Request) -> dict[str, str] | Response:
    """The POST form after the CSRF check, or the 4xx answer."""
    try:
        form = await request.form()
    except BodyTooLarge:
        raise
    except Exception:  # python-multipart's parse errors have no common base class
        return _error(request, 400, "the form could not be read; reload the page and try again")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    given = values.get("csrf") or request.headers.get("x-csrf-token")
    session = request.state.session
    expected = session.csrf if session else request.cookies.get(CSRF_COOKIE)
    if not same_secret(given, expected):
        return _error(request, 403, "the form's security token is missing or old; reload the page and try again")
    return values


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


async def _too_large(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("request body too large; nothing was changed\n", status_code=413)


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("no such page\n", status_code=404)


async def _not_allowed_method(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("method not allowed here\n", status_code=405)


# -- views -------------------------------------------------------------------------------------


async def queue_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    ws = _workspace(request)
    user = request.state.session.user
    q = request.query_params
    items = ws.queue()
    presence = request.app.state.presence
    if q.get("locale"):
        items = [i for i in items if i.locale == q["locale"]]
    if q.get("state"):
        items = [i for i in items if i.state == q["state"]]
    if q.get("errors"):
        items = [i for i in items if i.errors]
    if q.get("mine"):
        mine = ws.touched_by(user.name)
        items = [i for i in items if (i.article, i.locale) in mine]
    editing = {(i.article, i.locale): presence.editing((i.article, i.locale)) for i in items}
    return _page(request, "queue.html", items=items, editing=editing, filters=dict(q))


async def editor_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    article, site = request.path_params["article"], request.path_params["locale"]
    try:
        view = _workspace(request).article(article, site)
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    user = request.state.session.user
    others = request.app.state.presence.ping((article, site), user.name)
    return _page(request, "editor.html", view=view, others=others, can_edit=user.can_edit(site),
                 can_finalize=user.can_finalize(), marked_source=marked_source)


async def save_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    article, site = request.path_params["article"], request.path_params["locale"]
    try:
        version = int(form.get("version", ""))
        state = State(form.get("state", "reviewed"))
        segment, text = form["segment"], form["text"]
        edit_ms = int(form.get("edit_ms", "0") or "0")  # focus to save, as the editor measured it; capped on save
    except (KeyError, ValueError):
        return _error(request, 400, "the form lacks a segment, text, version or a known state; reload the page")
    user = request.state.session.user
    try:
        result = _workspace(request).apply_correction(Correction(article, site, segment, text, state, version, user, edit_ms))
    except UnknownItem as exc:
        return _error(request, 404, str(exc))
    except NotAllowed as exc:
        return _error(request, 403, str(exc))
    except BadEdit as exc:
        return _error(request, 400, str(exc))
    except WorkspaceBusy as exc:
        return _error(request, 503, str(exc))
    except EditConflict as exc:
        if _wants_json(request):
            t = exc.theirs
            return JSONResponse({"error": str(exc), "conflict": {
                "yours": exc.yours, "theirs": t.target, "version": t.version, "state": t.state.value,
                "who": t.who, "at": t.at}}, status_code=409)
        return _page(request, "conflict.html", status=409, exc=exc, article=article, site=site, segment=segment)
    except PipelineError as exc:  # a write failed (disk full, permissions): said once, as the CLI would
        return _error(request, 500, str(exc))
    if not _wants_json(request):
        return RedirectResponse(f"/a/{article}/{site}#seg-{segment}", status_code=303)
    return JSONResponse({
        "version": result.version, "text": result.text, "state": result.state.value, "who": result.who,
        "at": result.at, "flags": [{"check": f.check, "severity": f.severity, "message": f.message} for f in result.flags],
        "terms": [{"term": h.term, "status": h.status, "expected": list(h.expected)} for h in result.terms],
    })


async def presence_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    key = (request.path_params["article"], request.path_params["locale"])
    return JSONResponse({"others": request.app.state.presence.ping(key, request.state.session.user.name)})


async def login_view(request: Request) -> Response:
    state = request.app.state
    _authenticate(request)  # sets the CSRF cookie and any session; the answer is ours to give
    if not state.config.accounts:
        return _error(request, 404, "this workspace has no accounts; open the URL `serve` printed")
    next_url = request.query_params.get("next", "/")
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"
    if request.method == "GET":
        return _page(request, "login.html", next_url=next_url, message="")
    form = await _form(request)
    if isinstance(form, Response):
        return form
    name, password = form.get("name", "")[:64], form.get("password", "")[:1024]
    client = request.client.host if request.client else "?"
    keys = (f"name:{name}", f"addr:{client}")
    try:  # the lockout, the accounts and the sessions are all in the TM: one that cannot be read is a 503
        # checked and counted as a failure in one step, before the password: a burst over every
        # machine gets five password checks per name and address, no more (tm/sessions.py)
        attempt = state.limiter.attempt(*keys)
        if attempt is None:
            return _page(request, "login.html", status=429, next_url=next_url,
                         message="too many failed logins; wait five minutes and try again")
        user = _workspace(request).authenticate(name, password)
        if user is None:
            return _page(request, "login.html", status=401, next_url=next_url, message="wrong name or password")
        state.limiter.succeeded(attempt)
        sid, _ = state.sessions.create(user)
    except PipelineError as exc:
        return _error(request, 503, str(exc))
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict")
    return response


async def logout_view(request: Request) -> Response:
    if (answer := _authenticate(request)) is not None:
        return answer
    form = await _form(request)
    if isinstance(form, Response):
        return form
    try:
        request.app.state.sessions.drop(request.cookies.get(SESSION_COOKIE))
    except PipelineError as exc:
        return _error(request, 503, str(exc))
    response = RedirectResponse("/login" if request.app.state.config.accounts else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
