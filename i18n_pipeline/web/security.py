"""Sessions, CSRF, login rate limit, security headers and the request-body cap.

Two ways in:

- **token** (the default, bound to 127.0.0.1): ``serve`` prints a URL with a per-launch secret
  (``?token=…``, like Jupyter); the first request that carries it gets a session cookie and is
  redirected to the same page without the secret. Everyone with the URL is the local user.
- **accounts** (any other host, or ``--accounts``): ``/login`` checks a name and password
  (argon2, ``i18n-pipeline users add``); five failures per name or address in five minutes
  lock the form for the rest of the window (HTTP 429), counted in the TM store
  (``tm/sessions.py``) so the limit holds across every ``serve`` process on one TM.

Session cookies are HttpOnly and SameSite=Strict. Every POST carries a CSRF token (form field
``csrf`` or header ``X-CSRF-Token``) that must equal the session's — or, before login, the
``i18n_csrf`` cookie's (double submit). Every response carries a Content-Security-Policy that
allows scripts and styles only from our own ``/static/`` (no inline script, no inline style).
With accounts, sessions and failed logins live in the TM's database (``StoredSessions``,
``StoredLoginLimiter``: every process on one TM shares them, a restart logs no one out); the
launch token's sessions and its limiter stay in this process's memory (``Sessions``,
``LoginLimiter``): a new launch is a new secret.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from ..accounts import User
from ..tm.sessions import LOGIN_FAILURES, LOGIN_WINDOW_S, SESSION_TTL_S

SESSION_COOKIE = "i18n_session"
CSRF_COOKIE = "i18n_csrf"
MAX_BODY = 64 * 1024  # a form with one segment's text; anything larger is refused (413)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # the launch secret must not leak in a Referer
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}


@dataclass
class Session:
    user: User
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    created: float = field(default_factory=time.monotonic)


class Sessions:
    """Session id → Session, in memory, thread-safe: the launch token's sessions."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, user: User) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(user)
        with self._lock:
            self._by_id[sid] = session
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._by_id.get(sid)
            if session is not None and time.monotonic() - session.created > SESSION_TTL_S:
                del self._by_id[sid]
                return None
            return session

    def drop(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)


class StoredSessions:
    """The accounts' sessions, in the TM's database through the workspace (the same three calls as ``Sessions``)."""

    def __init__(self, workspace) -> None:
        self._workspace = workspace

    def create(self, user: User) -> tuple[str, Session]:
        sid, record = self._workspace.open_session(user)
        return sid, Session(user, record.csrf)

    def get(self, sid: str | None) -> Session | None:
        record = self._workspace.session(sid)
        return None if record is None else Session(User(record.user, record.roles), record.csrf)

    def drop(self, sid: str | None) -> None:
        self._workspace.end_session(sid)


class LoginLimiter:
    """At most LOGIN_FAILURES failed logins per key (name, address) per LOGIN_WINDOW_S, in memory: the launch token's.

    The same calls as the stored one: ``attempt`` checks and counts under one lock (None: locked
    out), ``succeeded`` takes back the attempt's count, ``blocked`` only reads.
    """

    def __init__(self) -> None:
        self._failures: dict[str, deque[tuple[float, str]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _blocked(self, keys: tuple[str, ...], now: float) -> bool:
        for key in keys:
            window = self._failures[key]
            while window and now - window[0][0] > LOGIN_WINDOW_S:
                window.popleft()
            if len(window) >= LOGIN_FAILURES:
                return True
        return False

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return self._blocked(keys, time.monotonic())

    def attempt(self, *keys: str) -> str | None:
        attempt, now = secrets.token_hex(16), time.monotonic()
        with self._lock:
            if self._blocked(keys, now):
                return None
            for key in keys:
                self._failures[key].append((now, attempt))
        return attempt

    def succeeded(self, attempt: str) -> None:
        with self._lock:
            for key, window in self._failures.items():
                self._failures[key] = deque(entry for entry in window if entry[1] != attempt)


class StoredLoginLimiter:
    """The accounts' lockout, in the TM's database through the workspace (the same calls as ``LoginLimiter``)."""

    def __init__(self, workspace) -> None:
        self._workspace = workspace

    def blocked(self, *keys: str) -> bool:
        return self._workspace.login_blocked(*keys)

    def attempt(self, *keys: str) -> str | None:
        return self._workspace.login_attempt(*keys)

    def succeeded(self, attempt: str) -> None:
        self._workspace.login_succeeded(attempt)


def same_secret(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class BodyTooLarge(Exception):
    pass


class SecurityMiddleware:
    """Pure ASGI: security headers on every response; request bodies capped at MAX_BODY."""

    def __init__(self, app, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            await _too_large(send, self.max_body)
            return
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge()
            return message

        async def secured_send(message):
            if message["type"] == "http.response.start":
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except BodyTooLarge:
            await _too_large(secured_send, self.max_body)


async def _too_large(send, limit: int) -> None:
    body = f"request body too large: at most {limit // 1024} KiB; nothing was changed\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
