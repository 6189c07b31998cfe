"""Login sessions and the failed-login lockout in the TM store, on both back-ends: two ``serve`` apps
on one store share every login, every logout and every failed login; only hashes of the tokens and
of the lockout's keys are stored; the 12-hour rule, the five-minute window and the purges hold."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from i18n_pipeline.tm import TranslationMemory, memory_location
from i18n_pipeline.tm import sessions as sessions_module
from i18n_pipeline.tm.sessions import LOGIN_FAILURES, LOGIN_WINDOW_S, SESSION_TTL_S, LoginFailures, SessionStore
from i18n_pipeline.web import WebConfig, create_app
from i18n_pipeline.web import security
from i18n_pipeline.web.security import LoginLimiter, Sessions, StoredLoginLimiter, StoredSessions
from i18n_pipeline.workspace import Workspace
from workspace_support import STEM, settings_for

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request, site, tmp_path):
    """Settings of two machines on one store: the site's tm.sqlite (both on one state folder,
    as two processes on one machine), or one PostgreSQL TM (each machine with its own state folder)."""
    if request.param == "sqlite":
        a = settings_for(site)
        return a, a
    url = request.getfixturevalue("fresh_postgres")
    a = settings_for(site, url)
    return a, replace(a, state_dir=tmp_path / "machine-b")


@pytest.fixture
def two_apps(store_settings):
    a, b = store_settings
    with Workspace(a) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
    clients = [TestClient(create_app(WebConfig(s, accounts=True)), base_url="http://127.0.0.1", follow_redirects=False)
               for s in (a, b)]
    with clients[0] as app_a, clients[1] as app_b:
        yield app_a, app_b


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _login(client, name="rita", password=PASSWORD):
    page = client.get("/login")
    return client.post("/login?next=/", data={"csrf": _csrf(page.text), "name": name, "password": password})


def _rows(settings) -> list[tuple]:
    with TranslationMemory(memory_location(settings)) as tm:
        return tm.backend._read("SELECT token_hash, csrf, user_name, created, last_seen FROM workspace_sessions", ())


def test_a_login_on_app_a_is_a_login_on_app_b_and_a_logout_on_b_ends_it_on_a(two_apps, store_settings):
    app_a, app_b = two_apps
    assert app_b.get("/").status_code == 303  # B alone: not logged in
    answer = _login(app_a)
    assert answer.status_code == 303
    sid = answer.cookies["i18n_session"]
    app_b.cookies.set("i18n_session", sid)  # the load balancer sends the next request to B
    page = app_b.get(f"/a/{STEM}/ru")
    assert page.status_code == 200 and "rita" in page.text
    csrf = _csrf(page.text)
    assert csrf == _csrf(app_a.get(f"/a/{STEM}/ru").text)  # one session, one CSRF token, on both
    out = app_b.post("/logout", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert _rows(store_settings[0]) == []  # the row is gone: logged out everywhere
    assert app_a.get("/").status_code == 303 and app_a.get("/").headers["location"].startswith("/login")
    refused = app_a.post(f"/a/{STEM}/ru/save", headers={"accept": "application/json"},
                         data={"csrf": csrf, "segment": "x", "version": "0", "text": "t"})
    assert refused.status_code == 401 and "log in again" in refused.json()["error"]


def test_only_the_tokens_hash_is_stored_with_csrf_user_and_times(two_apps, store_settings):
    app_a, _ = two_apps
    sid = _login(app_a).cookies["i18n_session"]
    [(stored, csrf, user, created, last_seen)] = _rows(store_settings[0])
    assert stored == hashlib.sha256(sid.encode()).hexdigest() and sid not in (stored, csrf)
    assert user == "rita" and created == last_seen and csrf == _csrf(app_a.get(f"/a/{STEM}/ru").text)


def test_a_removed_user_is_logged_out_on_every_app(two_apps, store_settings):
    app_a, app_b = two_apps
    sid = _login(app_a).cookies["i18n_session"]
    app_b.cookies.set("i18n_session", sid)
    assert app_b.get("/").status_code == 200
    with Workspace(store_settings[1]) as ws, TranslationMemory(memory_location(store_settings[1])) as tm:
        from i18n_pipeline.tm.workspace import WorkspaceStore

        assert WorkspaceStore(tm).remove_user("rita")
        assert ws.session(sid) is None
    assert app_a.get("/").status_code == 303 and app_b.get("/").status_code == 303


def test_a_session_ends_twelve_hours_after_login_and_expired_rows_are_purged(store_settings, monkeypatch):
    settings = store_settings[0]
    clock = [1_000_000.0]
    monkeypatch.setattr(sessions_module.time, "time", lambda: clock[0])
    with Workspace(settings) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
        old, _ = ws.open_session(ws.authenticate("rita", PASSWORD))
        clock[0] += SESSION_TTL_S - 1
        record = ws.session(old)  # still live, however busy: last_seen moves, the end does not
        assert record is not None and record.roles == ("translator:ru",) and record.last_seen == clock[0]
        clock[0] += 1
        assert ws.session(old) is None
        assert len(_rows(settings)) == 1  # expired, not yet purged
        new, _ = ws.open_session(ws.authenticate("rita", PASSWORD))  # a login purges
        assert [r[0] for r in _rows(settings)] == [hashlib.sha256(new.encode()).hexdigest()]
        assert ws.session(new).user == "rita"
        assert ws.end_session(new) and not ws.end_session(new) and ws.session(new) is None


def test_last_seen_is_written_at_most_once_a_minute(store_settings, monkeypatch):
    settings = store_settings[0]
    clock = [2_000_000.0]
    monkeypatch.setattr(sessions_module.time, "time", lambda: clock[0])
    with Workspace(settings) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
        sid, _ = ws.open_session(ws.authenticate("rita", PASSWORD))
        clock[0] += sessions_module.TOUCH_S - 1
        ws.session(sid)
        assert _rows(settings)[0][4] == 2_000_000.0
        clock[0] += 1
        ws.session(sid)
        assert _rows(settings)[0][4] == 2_000_000.0 + sessions_module.TOUCH_S


def test_an_older_tm_file_gets_the_sessions_table_when_a_session_opens(site):
    path = site / "state" / "tm.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE IF EXISTS workspace_sessions")
    with TranslationMemory(path) as tm:
        assert SessionStore(tm).get("no-such-token") is None and SessionStore(tm).count() == 0


def test_the_launch_token_sessions_stay_in_this_process(site):
    """Token mode (127.0.0.1, one launch's secret): nothing is written to the store."""
    config = WebConfig(settings_for(site), token="launch-secret", local_user="editor")
    with TestClient(create_app(config), base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert client.get("/?token=launch-secret").status_code == 303 and client.get("/").status_code == 200
    with TranslationMemory(site / "state" / "tm.sqlite") as tm:
        assert SessionStore(tm).count() == 0


def test_a_session_store_that_cannot_be_read_is_one_line_and_a_503(site, monkeypatch):
    from i18n_pipeline.errors import StateError

    with Workspace(settings_for(site)) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
    client = TestClient(create_app(WebConfig(settings_for(site), accounts=True)), base_url="http://127.0.0.1",
                        follow_redirects=False)
    sid = _login(client).cookies["i18n_session"]
    client.cookies.set("i18n_session", sid)
    message = "tm.sqlite: translation memory cannot be read (disk I/O error); move the file aside"

    def broken(self, token):
        raise StateError(message)

    monkeypatch.setattr(Workspace, "session", broken)
    answer = client.get("/", headers={"accept": "application/json"})
    assert answer.status_code == 503 and answer.json() == {"error": message}


# -- the failed-login lockout ---------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _client(settings, address: str = "testclient") -> TestClient:
    """An accounts app on these settings whose requests come from ``address``."""
    return TestClient(create_app(WebConfig(settings, accounts=True)), base_url="http://127.0.0.1",
                      follow_redirects=False, client=(address, 50000))


def _failure_rows(settings) -> list[tuple]:
    with TranslationMemory(memory_location(settings)) as tm:
        return tm.backend._read("SELECT key_hash, at FROM workspace_login_failures ORDER BY at, key_hash", ())


def test_five_failed_logins_on_app_a_lock_the_name_out_on_app_b(store_settings):
    a, b = store_settings
    with Workspace(a) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
        ws.add_user("vera", PASSWORD, ("reviewer",))
    with _client(a, "198.51.100.1") as app_a, _client(b, "203.0.113.2") as app_b, \
            _client(b, "198.51.100.1") as app_b_same_address:
        for _ in range(LOGIN_FAILURES):
            assert _login(app_a, password="wrong password").status_code == 401
        assert _login(app_a).status_code == 429
        locked = _login(app_b)  # the right password, on the other machine, from another address
        assert locked.status_code == 429 and "too many failed logins; wait five minutes" in locked.text
        assert _login(app_b, "vera").status_code == 303  # another name from another address: not locked
        assert _login(app_b_same_address, "vera").status_code == 429  # the address is locked on B too


def test_a_successful_login_clears_no_failures(two_apps):
    app_a, app_b = two_apps
    for _ in range(LOGIN_FAILURES - 1):
        assert _login(app_a, password="wrong password").status_code == 401
    assert _login(app_b).status_code == 303
    assert _login(app_a, password="wrong password").status_code == 401  # the fifth, across both apps
    assert _login(app_b).status_code == 429


def test_failed_login_keys_are_stored_only_as_their_sha256(two_apps, store_settings):
    app_a, _ = two_apps
    assert _login(app_a, password="wrong password").status_code == 401
    rows = _failure_rows(store_settings[0])
    assert sorted(key for key, _ in rows) == sorted([_sha("name:rita"), _sha("addr:testclient")])
    assert not any("rita" in key or "testclient" in key for key, _ in rows)
    assert len({at for _, at in rows}) == 1  # one failure, one wall-clock time for both keys


def test_the_lockout_ends_when_the_window_has_passed_and_old_failures_are_purged_on_write(store_settings,
                                                                                             monkeypatch):
    settings = store_settings[0]
    clock = [3_000_000.0]
    monkeypatch.setattr(sessions_module.time, "time", lambda: clock[0])
    keys = ("name:rita", "addr:198.51.100.1")
    with Workspace(settings) as ws:
        for _ in range(LOGIN_FAILURES - 1):
            ws.login_attempt(*keys)
        assert not ws.login_blocked(*keys)
        ws.login_attempt(*keys)
        assert ws.login_blocked(*keys) and ws.login_blocked("name:rita") and ws.login_blocked("name:vera", keys[1])
        assert not ws.login_blocked("name:vera", "addr:203.0.113.2")
        clock[0] += LOGIN_WINDOW_S  # the window's last instant: still locked
        assert ws.login_blocked(*keys)
        clock[0] += 1
        assert not ws.login_blocked(*keys)
        assert len(_failure_rows(settings)) == 2 * LOGIN_FAILURES  # past the window, not yet purged: a read writes nothing
        ws.login_attempt("name:vera")  # an attempt writes, and purges
        assert _failure_rows(settings) == [(_sha("name:vera"), clock[0])]


@pytest.mark.parametrize("kind", ["memory", "store"])
def test_the_in_memory_and_the_stored_limiter_keep_one_sliding_window(kind, site, monkeypatch):
    clock = [5_000_000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(sessions_module.time, "time", lambda: clock[0])
    with Workspace(settings_for(site)) as ws:
        limiter = LoginLimiter() if kind == "memory" else StoredLoginLimiter(ws)
        limiter.attempt("name:rita", "addr:x")
        clock[0] += 100
        for _ in range(LOGIN_FAILURES - 1):
            limiter.attempt("name:rita")
        assert limiter.blocked("name:rita") and not limiter.blocked("addr:x") and not limiter.blocked("name:vera")
        clock[0] += LOGIN_WINDOW_S - 100  # the first failure is at the window's edge: it still counts
        assert limiter.blocked("name:rita")
        clock[0] += 1  # it has left the window: four remain
        assert not limiter.blocked("name:rita")
        limiter.attempt("name:rita")
        assert limiter.blocked("name:rita")


def test_the_limiter_is_kept_where_the_sessions_are(site):
    """Accounts: both in the TM store; the launch token (127.0.0.1): both in this process."""
    accounts = create_app(WebConfig(settings_for(site), accounts=True)).app.state
    token = create_app(WebConfig(settings_for(site), token="launch-secret")).app.state
    assert isinstance(accounts.sessions, StoredSessions) and isinstance(accounts.limiter, StoredLoginLimiter)
    assert isinstance(token.sessions, Sessions) and isinstance(token.limiter, LoginLimiter)


def test_an_older_tm_file_gets_the_login_failures_table_and_its_index(site):
    path = site / "state" / "tm.sqlite"
    with TranslationMemory(path) as tm:
        SessionStore(tm).count()
    with sqlite3.connect(path) as db:  # a file of the previous version: the sessions table, no failures table
        db.execute("DROP TABLE IF EXISTS workspace_login_failures")
    with TranslationMemory(path) as tm:
        failures = LoginFailures(tm)
        assert not failures.blocked("name:rita") and failures.count() == 0
        failures.attempt("name:rita")
        assert failures.count() == 1 and SessionStore(tm).count() == 0
    with sqlite3.connect(path) as db:
        [(sql,)] = db.execute("SELECT sql FROM sqlite_master WHERE name = 'workspace_login_failures_key'").fetchall()
    assert "(key_hash, at)" in sql


def test_a_lockout_store_that_cannot_be_read_or_written_is_one_line_and_a_503(site, monkeypatch):
    from i18n_pipeline.errors import StateError

    with Workspace(settings_for(site)) as ws:
        ws.add_user("rita", PASSWORD, ("translator:ru",))
    client = _client(settings_for(site))
    message = "tm.sqlite: translation memory cannot be read (disk I/O error); move the file aside"

    def broken(self, *keys):
        raise StateError(message)

    def login(password):
        csrf = _csrf(client.get("/login").text)
        return client.post("/login?next=/", headers={"accept": "application/json"},
                           data={"csrf": csrf, "name": "rita", "password": password})

    with monkeypatch.context() as patch:
        patch.setattr(Workspace, "login_attempt", broken)
        answer = login(PASSWORD)
        assert answer.status_code == 503 and answer.json() == {"error": message}
        patch.setattr(Workspace, "login_attempt", lambda self, *keys: "attempt")
        patch.setattr(Workspace, "login_succeeded", broken)
        answer = login(PASSWORD)
        assert answer.status_code == 503 and answer.json() == {"error": message}
    assert login("wrong password").status_code == 401
    assert login(PASSWORD).status_code == 303  # a right password leaves no failure of its own
    assert len(_failure_rows(settings_for(site))) == 2  # the wrong password's, for its name and address


def _burst(make_limiter, tries: int, keys: tuple[str, ...]) -> list[str | None]:
    """``tries`` attempts at one moment, each on its own thread and its own limiter (own connection)."""
    barrier = threading.Barrier(tries)
    answers: list[str | None] = []
    errors: list[BaseException] = []

    def one() -> None:
        limiter = make_limiter()
        barrier.wait()
        try:
            answers.append(limiter.attempt(*keys))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return answers


def test_a_burst_of_logins_over_two_machines_gets_exactly_five_password_checks(store_settings):
    """Checking and counting are one step: however the burst interleaves, five attempts go on to the
    password, every other one is locked out, and each one that went on is counted as a failure."""
    a, b = store_settings
    workspaces = [Workspace(a), Workspace(b)]
    turn = iter(range(1000))
    try:
        answers = _burst(lambda: StoredLoginLimiter(workspaces[next(turn) % 2]), 16, ("name:rita", "addr:x"))
        let_through = [answer for answer in answers if answer is not None]
        assert len(let_through) == LOGIN_FAILURES and len(set(let_through)) == LOGIN_FAILURES
        assert len(_failure_rows(a)) == 2 * LOGIN_FAILURES
        workspaces[1].login_succeeded(let_through[0])  # one of them had the right password
        assert len(_failure_rows(a)) == 2 * (LOGIN_FAILURES - 1)
        assert not workspaces[0].login_blocked("name:rita")
    finally:
        for ws in workspaces:
            ws.close()


def test_the_in_memory_limiter_lets_a_burst_through_five_times_and_takes_back_a_success():
    limiter = LoginLimiter()
    answers = _burst(lambda: limiter, 16, ("name:rita",))
    let_through = [answer for answer in answers if answer is not None]
    assert len(let_through) == LOGIN_FAILURES and limiter.blocked("name:rita")
    limiter.succeeded(let_through[0])
    assert not limiter.blocked("name:rita")
    assert limiter.attempt("name:rita") is not None and limiter.attempt("name:rita") is None


def test_a_failures_table_of_the_version_before_attempts_gets_the_column(site):
    path = site / "state" / "tm.sqlite"
    with TranslationMemory(path) as tm:
        LoginFailures(tm).attempt("name:rita")
    with sqlite3.connect(path) as db:  # the previous version's table: key_hash and at only
        db.execute("DROP TABLE workspace_login_failures")
        db.execute("CREATE TABLE workspace_login_failures (key_hash TEXT NOT NULL, at REAL NOT NULL)")
        db.execute("INSERT INTO workspace_login_failures VALUES (?, ?)", (_sha("name:rita"), time.time()))
    with TranslationMemory(path) as tm:
        failures = LoginFailures(tm)
        attempt = failures.attempt("name:rita")
        assert attempt is not None and failures.count() == 2  # the old row kept, the attempt counted
        failures.succeeded(attempt)
        assert failures.count() == 1
