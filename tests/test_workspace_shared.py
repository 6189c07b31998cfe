"""The workspace on a shared PostgreSQL TM: two machines (two state folders, one database) see each
other's saves, users and figures, the editor's fuzzy matches come from pg_trgm, and the local
tm.sqlite is never written. The contract both back-ends share is in test_workspace.py and
test_workspace_store.py; here what only a shared TM can show."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from i18n_pipeline.accounts import User
from i18n_pipeline.cli import app
from i18n_pipeline.document import Origin, State
from i18n_pipeline.tm import TMEntry, TranslationMemory
from i18n_pipeline.web import WebConfig, create_app
from i18n_pipeline.workspace import Correction, EditConflict, Workspace, WorkspaceBusy
from workspace_support import RU, STEM, settings_for

PASSWORD = "correct horse battery"


@pytest.fixture
def machines(site, fresh_postgres, tmp_path):
    """Workspaces on two machines: A with the site's state folder, B with its own; one TM database."""
    a = Workspace(settings_for(site, fresh_postgres))
    b = Workspace(replace(settings_for(site, fresh_postgres), state_dir=tmp_path / "machine-b"))
    yield a, b
    a.close()
    b.close()


def _editable(ws: Workspace, n: int = 1):
    return [i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable][n]


def _local_workspace_rows(site) -> int:
    with sqlite3.connect(site / "state" / "tm.sqlite") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("segment_edits", "workspace_users") if t in tables)


def test_a_save_on_one_machine_is_in_the_others_history_queue_and_stats(site, machines, fresh_postgres):
    a, b = machines
    item = _editable(a)
    a.apply_correction(Correction(STEM, "ru", item.segment.id, "Правка с машины А.", State.REVIEWED, 0, RU, 2_000))
    assert [(h.version, h.who, h.target) for h in b.history(STEM, "ru", item.segment.id)] == [
        (1, "rita", "Правка с машины А.")]
    queued = next(q for q in b.queue() if q.locale == "ru")
    assert (queued.last_who, queued.saves) == ("rita", 1)
    assert b.post_edit_report().overall.segments == 1 and _editable(b).version == 1
    result = CliRunner().invoke(app, ["stats", "--state", str(site.parent / "elsewhere"), "--out", str(site / "out"),
                                      "--json"], env={"I18N_PIPELINE_TM_URL": fresh_postgres})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["who"]["rita"]["segments"] == 1
    assert _local_workspace_rows(site) == 0  # nothing of it in this machine's tm.sqlite


def test_a_revert_on_one_machine_builds_on_a_save_from_the_other(machines):
    a, b = machines
    item = _editable(a)
    a.apply_correction(Correction(STEM, "ru", item.segment.id, "Первая.", State.REVIEWED, 0, RU))
    b.apply_correction(Correction(STEM, "ru", item.segment.id, "Вторая.", State.REVIEWED, 1, RU))
    result = a.revert(STEM, "ru", item.segment.id, 1, 2, RU)
    assert (result.version, result.text) == (3, "Первая.")
    assert [h.target for h in b.history(STEM, "ru", item.segment.id)] == ["Первая.", "Вторая.", "Первая."]


def test_two_machines_saving_one_segment_at_once_both_end_up_in_history_in_order(machines):
    """Each starts from version 0; the loser is told (busy, or a conflict with the winner's text) and saves on top."""
    a, b = machines
    segment = _editable(a).segment.id
    barrier, told, errors = threading.Barrier(2), [], []

    def save(ws: Workspace, text: str) -> None:
        base = 0
        barrier.wait()
        for _ in range(200):
            try:
                ws.apply_correction(Correction(STEM, "ru", segment, text, State.REVIEWED, base, RU))
                return
            except EditConflict as exc:  # the other machine's save came first: "keep mine" on top of it
                told.append(exc.theirs.target)
                base = exc.theirs.version
            except WorkspaceBusy:  # the other machine holds the article's claim while it writes
                time.sleep(0.02)
        errors.append(f"{text} never saved")

    threads = [threading.Thread(target=save, args=(ws, text)) for ws, text in ((a, "С машины А."), (b, "С машины Б."))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    history = b.history(STEM, "ru", segment)
    assert errors == [] and [h.version for h in history] == [2, 1]
    assert {h.target for h in history} == {"С машины А.", "С машины Б."}
    assert told == [history[1].target] and history[0].before_text == history[1].target
    assert _editable(a).target.text == history[0].target  # the outputs hold the newest


def test_users_added_on_one_machine_log_in_on_the_other(site, machines, fresh_postgres, tmp_path):
    a, b = machines
    env = {"I18N_PIPELINE_TM_URL": fresh_postgres, "I18N_PIPELINE_PASSWORD": PASSWORD}
    added = CliRunner().invoke(app, ["users", "add", "vera", "--role", "reviewer", "--state", str(site / "state")], env=env)
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(app, ["users", "list", "--state", str(tmp_path / "machine-c")], env=env)
    assert listed.exit_code == 0 and listed.output == "vera\treviewer\n"
    assert b.authenticate("vera", PASSWORD) == User("vera", ("reviewer",)) and b.authenticate("vera", "wrong") is None
    assert b.has_users() and _local_workspace_rows(site) == 0


def test_the_editor_lists_fuzzy_matches_from_pg_trgm(machines, fresh_postgres):
    a, b = machines
    item = _editable(b)
    head, _, _last = item.segment.source.rstrip(".").rpartition(" ")
    with TranslationMemory(fresh_postgres) as shared:  # a translator's approval from anywhere
        shared.import_human([TMEntry(f"{head} somewhere.", "Перевод коллеги.", "en", "ru", Origin.HUMAN, State.REVIEWED)])
    fuzzy = _editable(b).fuzzy
    assert [m.entry.target for m in fuzzy] == ["Перевод коллеги."] and fuzzy[0].score >= 75


def test_the_web_app_saves_to_and_shows_history_from_the_shared_tm(site, machines, fresh_postgres):
    _, b = machines
    config = WebConfig(settings_for(site, fresh_postgres), token="launch-secret", local_user="editor")
    item = _editable(b)
    with TestClient(create_app(config), base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert client.get("/?token=launch-secret").status_code == 303
        page = client.get(f"/a/{STEM}/ru").text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        saved = client.post(f"/a/{STEM}/ru/save", headers={"accept": "application/json"},
                            data={"csrf": csrf, "segment": item.segment.id, "version": "0", "text": "Из браузера.",
                                  "state": "reviewed"})
        assert saved.status_code == 200, saved.text
        history = client.get(f"/a/{STEM}/ru/history/{item.segment.id}")  # a 404 before any save
        assert history.status_code == 200 and 'data-version="1"' in history.text and "<td>editor, " in history.text
    assert [(h.who, h.target) for h in b.history(STEM, "ru", item.segment.id)] == [("editor", "Из браузера.")]


@pytest.mark.parametrize("command", [["serve"], ["users", "list"], ["stats"]])
def test_an_unreachable_shared_tm_stops_the_workspace_commands_before_any_work(site, command):
    dead = "postgresql://tm:s3cret-pw@127.0.0.1:1/tm"  # port 1: refused at once
    result = CliRunner().invoke(app, [*command, "--state", str(site / "state")], env={"I18N_PIPELINE_TM_URL": dead})
    assert result.exit_code == 2 and "s3cret-pw" not in result.output
    assert "postgresql://tm:***@127.0.0.1:1/tm" in result.output and len(result.output.strip().splitlines()) == 1
