"""Login sessions in the TM store, on both back-ends: two ``serve`` apps on one store share every
login and every logout; only a hash of the token is stored; the 12-hour rule and the purge hold."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from i18n_pipeline.tm import TranslationMemory, memory_location
from i18n_pipeline.tm import sessions as sessions_module
from i18n_pipeline.tm.sessions import SESSION_TTL_S, SessionStore
from i18n_pipeline.web import WebConfig, create_app
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
