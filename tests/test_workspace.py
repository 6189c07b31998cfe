"""The workspace library: one correction reaches the TM, the segment versions and all six outputs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.accounts import NotAllowed
from i18n_pipeline.cli import app
from i18n_pipeline.document import Origin, State
from i18n_pipeline.export import render_outputs
from i18n_pipeline.locales import SITE_LOCALES
from i18n_pipeline.runlock import run_lock
from i18n_pipeline.tm import TMEntry, TranslationMemory
from i18n_pipeline.tm.workspace import EditRecord, WorkspaceStore
from i18n_pipeline.workspace import BadEdit, Correction, EditConflict, UnknownItem, Workspace, WorkspaceBusy
from workspace_support import ADMIN, ARM, REVIEWER, RU, STEM, outputs_digest, settings_for, tm_row


@pytest.fixture(params=["sqlite", "postgres"])
def tm_url(request) -> str:
    """Where the TM (and so the workspace's versions and users) lives: "" the site's own tm.sqlite, else a
    throwaway PostgreSQL's URL, as ``[tm] url`` would name it."""
    return "" if request.param == "sqlite" else request.getfixturevalue("fresh_postgres")


@pytest.fixture
def open_ws(site, tm_url):
    """``open_ws()``: a Workspace on the site and that TM, closed after the test (a PostgreSQL pool each)."""
    opened = []

    def open_one() -> Workspace:
        opened.append(Workspace(settings_for(site, tm_url)))
        return opened[-1]

    yield open_one
    for ws in opened:
        ws.close()


def _translate(site, tm_url: str, to: str = "ru,arm"):
    args = ["translate", str(site / "inbox"), "--to", to, "--out", str(site / "out"), "--models", str(site / "models"),
            "--state", str(site / "state"), "--glossary", str(site / "glossary"), "--quiet"]
    return CliRunner().invoke(app, args, env={"I18N_PIPELINE_TM_URL": tm_url} if tm_url else None)


def _first(ws: Workspace, locale: str = "ru", n: int = 1):
    """The n-th editable segment view of the sample (1: the first body sentence)."""
    items = [i for _, row in ws.article(STEM, locale).rows for i in row if i.editable]
    return items[n]


def test_outputs_re_render_byte_for_byte_from_the_json(site):
    ws = Workspace(settings_for(site))
    for code, locale in SITE_LOCALES.items():
        article = ws._load(STEM, locale)
        for name, data in render_outputs(article, locale).items():
            assert (site / "out" / STEM / name).read_bytes() == data, name


def test_queue_lists_every_article_and_locale_with_progress_and_errors(site):
    items = Workspace(settings_for(site)).queue()
    assert {(i.article, i.locale) for i in items} == {(STEM, "ru"), (STEM, "arm")}
    assert all(i.total == 20 and i.reviewed == 0 and i.state == "translated" for i in items)
    assert all(i.errors > 0 for i in items)  # the copy model leaves English: "untranslated"


def test_a_correction_reaches_the_tm_the_versions_and_every_output(site, tm_url, open_ws):
    ws = open_ws()
    item = _first(ws)
    assert item.mt_text == item.target.text and item.version == 0
    result = ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Союзники США пересматривают обмен.",
                                            State.REVIEWED, 0, RU))
    assert (result.version, result.state, result.who) == (1, State.REVIEWED, "rita")
    row = tm_row(site, item.segment.source, tm_url=tm_url)
    assert (row.origin, row.state, row.target) == (Origin.HUMAN, State.REVIEWED, "Союзники США пересматривают обмен.")
    assert "Союзники США пересматривают обмен." in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")
    doc = json.loads((site / "out" / STEM / "ru.json").read_text(encoding="utf-8"))
    seg = next(s for b in doc["blocks"] for s in b["segments"] if s["id"] == item.segment.id)
    assert seg["target"]["state"] == "reviewed" and seg["target"]["provenance"]["origin"] == "human"
    assert 'state="reviewed"' in (site / "out" / STEM / "ru.xlf").read_text(encoding="utf-8")
    again = _first(ws)
    assert again.version == 1 and again.mt_text == item.mt_text and again.last_edit.who == "rita"
    assert [h.version for h in ws.history(STEM, "ru", item.segment.id)] == [1]
    assert ws.queue()[0].reviewed == 1 or ws.queue()[1].reviewed == 1


def test_a_later_translate_keeps_the_human_text(site, tm_url, open_ws):
    ws = open_ws()
    item = _first(ws)
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Человеческий перевод.", State.FINAL, 0, REVIEWER))
    result = _translate(site, tm_url)
    assert result.exit_code == 0, result.output
    assert "Человеческий перевод." in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")
    after = _first(open_ws())
    assert after.target.text == "Человеческий перевод." and after.state is State.FINAL and after.version == 1


def test_a_stale_version_is_refused_with_both_texts_and_nothing_changes(site, tm_url, open_ws):
    ws = open_ws()
    item = _first(ws)
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Первая правка.", State.REVIEWED, 0, RU))
    before = outputs_digest(site)
    with pytest.raises(EditConflict) as caught:
        ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Вторая правка.", State.REVIEWED, 0, ADMIN))
    assert caught.value.yours == "Вторая правка." and caught.value.theirs.target == "Первая правка."
    assert outputs_digest(site) == before and tm_row(site, item.segment.source, tm_url=tm_url).target == "Первая правка."


@pytest.mark.parametrize(("user", "locale", "state", "why"), [
    (RU, "arm", State.REVIEWED, "translator:arm"),
    (ARM, "ru", State.REVIEWED, "translator:ru"),
    (RU, "ru", State.FINAL, "only a reviewer"),
])
def test_roles_limit_who_changes_what(site, user, locale, state, why):
    ws = Workspace(settings_for(site))
    item = _first(ws, locale)
    before = outputs_digest(site, locale)
    with pytest.raises(NotAllowed, match=why):
        ws.apply_correction(Correction(STEM, locale, item.segment.id, "Текст.", state, 0, user))
    assert outputs_digest(site, locale) == before


def test_a_translator_cannot_change_a_final_segment(site):
    ws = Workspace(settings_for(site))
    item = _first(ws)
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Окончательно.", State.FINAL, 0, REVIEWER))
    with pytest.raises(NotAllowed, match="final"):
        ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Иначе.", State.REVIEWED, 1, RU))


@pytest.mark.parametrize(("article", "segment", "text", "error"), [
    ("no-such-article", "s1", "x", UnknownItem),
    ("../out", "s1", "x", UnknownItem),
    (STEM, "no-such-segment", "x", UnknownItem),
    (STEM, None, "x" * 5001, BadEdit),
    (STEM, None, "   ", BadEdit),
])
def test_bad_corrections_change_nothing(site, article, segment, text, error):
    ws = Workspace(settings_for(site))
    segment = segment or _first(ws).segment.id
    before = outputs_digest(site)
    with pytest.raises(error):
        ws.apply_correction(Correction(article, "ru", segment, text, State.REVIEWED, 0, ADMIN))
    assert outputs_digest(site) == before


def test_a_save_during_a_translate_run_is_refused(site):
    ws = Workspace(settings_for(site))
    item = _first(ws)
    with run_lock(site / "state"), pytest.raises(WorkspaceBusy) as caught:
        ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Текст.", State.REVIEWED, 0, ADMIN))
    assert str(caught.value) == (f"article {STEM} is being translated by a run on {site / 'state'}; try again in a "
                                 "minute (your text is still in the editor)")


def test_a_save_while_a_run_on_postgres_holds_the_article_is_refused_and_then_takes_the_claim(
        site, fresh_postgres, monkeypatch, request):
    """With a PostgreSQL TM a run on any machine holds the article's claim, not this folder's lock."""
    from i18n_pipeline.tm.claims import article_key

    ws = Workspace(settings_for(site, fresh_postgres))
    request.addfinalizer(ws.close)
    item, before = _first(ws), outputs_digest(site)
    key = article_key(site / "out", STEM)
    correction = Correction(STEM, "ru", item.segment.id, "Союзники США.", State.REVIEWED, 0, ADMIN)
    with TranslationMemory(fresh_postgres) as memory:
        with memory.claimed([key], "newsroom-2:4242:abcd", 60), pytest.raises(WorkspaceBusy) as caught:
            ws.apply_correction(correction)  # refused at once, not after a wait
        assert str(caught.value) == (f"article {STEM} is being translated by run newsroom-2:4242:abcd; try again "
                                     "in a minute (your text is still in the editor)")
        assert outputs_digest(site) == before
        holders_while_writing = []
        write = Workspace._write
        monkeypatch.setattr(Workspace, "_write", lambda self, article, rendered: (
            holders_while_writing.append(memory.holders([key])), write(self, article, rendered)))
        assert ws.apply_correction(correction).version == 1  # the run released it: the save goes through
        assert [h[key][0].split(":")[:2] for h in holders_while_writing] == [["workspace", "admin"]]
        assert memory.holders([key]) == {}  # and the save let go of it
    assert outputs_digest(site) != before


def test_an_interrupted_save_is_not_finished_while_a_run_writes_the_outputs(site):
    marker = site / "state" / "workspace-pending" / f"{STEM}.ru"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("2026-01-01T00:00:00+00:00")
    with run_lock(site / "state"):
        Workspace(settings_for(site))  # opening tries to finish it, and leaves it for later
    assert marker.exists()
    Workspace(settings_for(site))
    assert not marker.exists()


_KILL = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from i18n_pipeline import workspace
    from i18n_pipeline.tm import workspace as tm_workspace
    from i18n_pipeline.document import State
    from workspace_support import ADMIN, STEM, settings_for
    site, where = Path(sys.argv[1]), sys.argv[2]
    if where == "before-commit":
        tm_workspace.WorkspaceStore.save = lambda *a, **k: os._exit(9)
    else:
        real, count = workspace.atomic_write_bytes, []
        def dying(path, data):
            if "workspace-pending" not in str(path):
                count.append(path)
                if len(count) == 3:
                    os._exit(9)
            return real(path, data)
        workspace.atomic_write_bytes = dying
    ws = workspace.Workspace(settings_for(site))
    seg = [i for _, r in ws.article(STEM, "ru").rows for i in r if i.editable][1].segment.id
    ws.apply_correction(workspace.Correction(STEM, "ru", seg, "Правка перед сбоем.", State.REVIEWED, 0, ADMIN))
""")


@pytest.mark.parametrize("where", ["before-commit", "mid-write"])
def test_a_process_killed_mid_save_leaves_before_or_after_never_half(site, where):
    before = outputs_digest(site)
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    proc = subprocess.run([sys.executable, "-c", _KILL, str(site), where], capture_output=True, text=True, env=env)
    assert proc.returncode == 9, proc.stderr
    ws = Workspace(settings_for(site))  # opening recovers an interrupted save
    item = _first(ws)
    row = tm_row(site, item.segment.source)
    article = ws._load(STEM, SITE_LOCALES["ru"])
    consistent = all((site / "out" / STEM / n).read_bytes() == d for n, d in render_outputs(article, SITE_LOCALES["ru"]).items())
    assert consistent and not list((site / "state" / "workspace-pending").glob("*"))
    if where == "before-commit":
        assert outputs_digest(site) == before and row.origin is Origin.MT and item.version == 0
    else:
        assert row.origin is Origin.HUMAN and item.version == 1
        assert "Правка перед сбоем." in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")


def test_every_save_is_kept_and_a_revert_is_itself_a_new_version(site, tm_url, open_ws):
    ws = open_ws()
    item = _first(ws)
    mt = item.target.text
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Первая правка.", State.REVIEWED, 0, RU))
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Вторая правка.", State.TRANSLATED, 1, RU))
    result = ws.revert(STEM, "ru", item.segment.id, 1, 2, RU)
    assert (result.version, result.text, result.state) == (3, "Первая правка.", State.REVIEWED)
    history = ws.history(STEM, "ru", item.segment.id)
    assert [(h.version, h.target, h.before_text) for h in history] == [
        (3, "Первая правка.", "Вторая правка."), (2, "Вторая правка.", "Первая правка."), (1, "Первая правка.", mt)]
    assert all(h.mt_text == mt and h.who == "rita" for h in history)
    ws.revert(STEM, "ru", item.segment.id, 0, 3, RU)
    assert _first(ws).target.text == mt and tm_row(site, item.segment.source, tm_url=tm_url).target == mt
    assert mt in (site / "out" / STEM / "ru.txt").read_text(encoding="utf-8")
    with pytest.raises(UnknownItem, match="no version 9"):
        ws.revert(STEM, "ru", item.segment.id, 9, 4, RU)
    with pytest.raises(EditConflict):
        ws.revert(STEM, "ru", item.segment.id, 1, 2, RU)


def test_a_changed_source_comes_back_as_needs_review_prefilled_from_the_approved_text(site, tm_url, open_ws):
    ws = open_ws()
    item = _first(ws)
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Одобренный перевод.", State.REVIEWED, 0, RU))
    inbox = next((site / "inbox").glob("*.txt"))
    old = item.segment.source
    new = old.replace("Canada", "Australia") if "Canada" in old else old.rstrip(".") + " today."
    assert new != old
    inbox.write_text(inbox.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = _translate(site, tm_url, "ru")
    assert result.exit_code == 0, result.output
    view = open_ws().article(STEM, "ru")
    items = [i for _, row in view.rows for i in row]
    changed = next(i for i in items if i.segment.source == new)
    assert changed.changed_from is not None and changed.changed_from.source == old
    assert changed.text == "Одобренный перевод." and changed.target.text != "Одобренный перевод."
    assert ("".join(t for t, op in changed.source_diff if op != "insert"),
            "".join(t for t, op in changed.source_diff if op != "delete")) == (old, new)
    assert [i for i in items if i.changed_from is not None] == [changed]  # unchanged sentences are left alone


def test_a_tm_file_from_before_edit_times_gets_the_column_and_keeps_its_saves(tmp_path):
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as db:  # the segment_edits table as its first release wrote it
        db.execute("""CREATE TABLE segment_edits (article TEXT NOT NULL, locale TEXT NOT NULL, segment_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version > 0), source TEXT NOT NULL, target TEXT NOT NULL,
            state TEXT NOT NULL, mt_text TEXT NOT NULL DEFAULT '', before_text TEXT NOT NULL DEFAULT '',
            who TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (article, locale, segment_id, version))""")
        db.execute("INSERT INTO segment_edits VALUES ('a', 'ru', 's1', 1, 'Src.', 'Old.', 'reviewed', 'MT.', 'MT.', 'rita', '2026-01-01')")
    with TranslationMemory(path) as tm:
        store = WorkspaceStore(tm)
        assert store.history("a", "ru", "s1")[0].edit_ms == 0
        store.save(EditRecord("a", "ru", "s1", 2, "Src.", "New.", State.REVIEWED, "MT.", "Old.", "rita", "", 4_200),
                   TMEntry("Src.", "New.", "en", "ru", Origin.HUMAN, State.REVIEWED))
        assert [h.edit_ms for h in store.history("a", "ru", "s1")] == [4_200, 0]
        assert store.edit_time_totals() == {("a", "ru", "s1"): 4_200}
    with TranslationMemory(path) as tm:  # opening it again migrates nothing twice
        assert WorkspaceStore(tm).history("a", "ru", "s1")[0].edit_ms == 4_200
        assert WorkspaceStore(tm).history("a", "ru", "s1")[0].model == ""  # not recorded before the model columns


def test_a_tm_file_from_before_model_columns_gets_them_and_old_saves_read_empty(tmp_path):
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as db:  # segment_edits with edit_ms, before model / version / glossary
        db.execute("""CREATE TABLE segment_edits (article TEXT NOT NULL, locale TEXT NOT NULL, segment_id TEXT NOT NULL,
            version INTEGER NOT NULL CHECK (version > 0), source TEXT NOT NULL, target TEXT NOT NULL,
            state TEXT NOT NULL, mt_text TEXT NOT NULL DEFAULT '', before_text TEXT NOT NULL DEFAULT '',
            who TEXT NOT NULL, at TEXT NOT NULL, edit_ms INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (article, locale, segment_id, version))""")
        db.execute("INSERT INTO segment_edits VALUES ('a', 'ru', 's1', 1, 'Src.', 'Old.', 'reviewed', 'MT.', 'MT.', 'rita', "
                   "'2026-01-01', 900)")
    with TranslationMemory(path) as tm:
        store = WorkspaceStore(tm)
        old = store.history("a", "ru", "s1")[0]
        assert (old.edit_ms, old.model, old.model_version, old.glossary_hash) == (900, "", "", "")
        store.save(EditRecord("a", "ru", "s1", 2, "Src.", "New.", State.REVIEWED, "MT.", "Old.", "rita", "", 0,
                              "translate-en_ru", "1.9", "t1:abc"),
                   TMEntry("Src.", "New.", "en", "ru", Origin.HUMAN, State.REVIEWED))
        latest = store.all_latest()[0]
        assert (latest.model, latest.model_version, latest.glossary_hash) == ("translate-en_ru", "1.9", "t1:abc")


def test_a_save_records_the_model_and_glossary_that_produced_its_mt_and_later_saves_keep_them(site, tm_url, open_ws):
    ws = open_ws()
    item = next(i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable)
    made = item.target.provenance
    assert made.model  # the translate output says which model wrote it
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Первая правка.", State.REVIEWED, 0, RU))
    ws.apply_correction(Correction(STEM, "ru", item.segment.id, "Вторая правка.", State.REVIEWED, 1, RU))
    for saved in ws.history(STEM, "ru", item.segment.id):
        assert (saved.model, saved.model_version, saved.glossary_hash) == (made.model, made.model_version,
                                                                             made.glossary_hash)
    from i18n_pipeline.glossary import load_usable_glossary

    termbase = load_usable_glossary(site / "glossary")[0].hash  # the whole term base translate used
    assert made.termbase == termbase and {h.termbase for h in ws.history(STEM, "ru", item.segment.id)} == {termbase}

