"""Choosing the TM back-end: settings, the factory, unreachable servers, URLs without passwords."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.config import load_settings
from i18n_pipeline.errors import EXIT_USAGE, UnreachableError, UsageError
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.tm import SQLiteBackend, TranslationMemory, memory_location, open_memory, redact_url

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"
DEAD = "postgresql://tm:s3cret-pw@127.0.0.1:1/tm"  # port 1: refused at once, nothing listens there


def test_sqlite_is_the_default_and_a_url_selects_postgres(tmp_path, monkeypatch):
    monkeypatch.delenv("I18N_PIPELINE_TM_URL", raising=False)
    settings = load_settings(None, state_dir=tmp_path / "state")
    assert memory_location(settings) == tmp_path / "state" / "tm.sqlite"
    with open_memory(settings) as memory:
        assert isinstance(memory.backend, SQLiteBackend)
    config = tmp_path / "i18n.toml"
    config.write_text('[tm]\nurl = "postgresql://tm@db.example/tm"\n')
    assert load_settings(config).tm.url == "postgresql://tm@db.example/tm"
    monkeypatch.setenv("I18N_PIPELINE_TM_URL", "postgresql://other@db2/tm")
    assert load_settings(config).tm.url == "postgresql://other@db2/tm"  # the environment wins over the file


@pytest.mark.parametrize("table", ['url = "mysql://x:pw@h/db"', 'url = 5', 'host = "db"', 'lease_s = 0',
                                   'lease_s = "1m"'])
def test_bad_tm_settings_are_usage_errors_that_hide_the_password(tmp_path, table):
    config = tmp_path / "i18n.toml"
    config.write_text(f"[tm]\n{table}\n")
    with pytest.raises(UsageError) as caught:
        load_settings(config)
    assert "pw" not in str(caught.value)


def test_urls_are_shown_without_passwords():
    assert redact_url("postgresql://tm:secret@db:5432/tm?sslmode=require") == "postgresql://tm:***@db:5432/tm?sslmode=require"
    assert redact_url("postgresql://db/tm") == "postgresql://db/tm"
    assert "secret" not in redact_url("host=db password=secret dbname=tm")


def test_an_unreachable_postgres_is_one_usage_error_without_the_password():
    with pytest.raises(UnreachableError) as caught:
        TranslationMemory(DEAD)
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE
    assert "s3cret-pw" not in message and "postgresql://tm:***@127.0.0.1:1/tm" in message
    assert "\n" not in message


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    store.install(copy_package)
    store.install(copy_package_hy)
    return root


def _translate(tmp_path, models, env):
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    args = ["translate", str(inbox), "--to", "ru,arm", "--out", str(tmp_path / "out"), "--models", str(models),
            "--state", str(tmp_path / "state"), "--json"]
    return CliRunner().invoke(app, args, env=env)


def test_translate_refuses_an_unreachable_tm_before_any_work(tmp_path, models):
    result = _translate(tmp_path, models, {"I18N_PIPELINE_TM_URL": DEAD})
    assert result.exit_code == EXIT_USAGE
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be reached" in lines[0] and "s3cret-pw" not in result.output
    assert not (tmp_path / "out").exists()


def test_translate_stores_mt_in_the_postgres_tm_and_reuses_it(tmp_path, models, fresh_postgres):
    first = _translate(tmp_path, models, {"I18N_PIPELINE_TM_URL": fresh_postgres})
    assert first.exit_code == 0, first.output
    with TranslationMemory(fresh_postgres) as memory:
        stored = len(memory)
    assert stored > 0
    assert not (tmp_path / "state" / "tm.sqlite").exists()
    shutil.rmtree(tmp_path / "out")  # outputs gone: the rerun translates again, from the memory
    second = _translate(tmp_path, models, {"I18N_PIPELINE_TM_URL": fresh_postgres})
    summary = json.loads(second.stdout)
    assert second.exit_code == 0 and all(loc["mt"] == 0 and loc["tm"] > 0 for loc in summary["locales"].values())


def test_article_claims_exclude_other_live_owners_and_expire(tmp_path, fresh_postgres):
    with TranslationMemory(fresh_postgres) as memory:
        assert memory.claim(["out/a", "out/b"], "run-1", 60) == {"out/a", "out/b"}
        assert memory.claim(["out/b", "out/c"], "run-2", 60) == {"out/c"}  # b is run-1's
        assert memory.claim(["out/a", "out/b"], "run-1", 60) == {"out/a", "out/b"}  # its own, again (a retry)
        memory.release(["out/b"], "run-2")  # not run-2's: nothing happens
        assert memory.claim(["out/b"], "run-2", 60) == set()
        memory.release(["out/a", "out/b"], "run-1")
        assert memory.claim(["out/a", "out/b"], "run-2", 60) == {"out/a", "out/b"}
        assert memory.claim(["out/d"], "crashed", -1) == {"out/d"}  # a lease already over, as after a crash
        assert memory.claim(["out/d"], "run-2", 60) == {"out/d"}
    with TranslationMemory(tmp_path / "tm.sqlite") as embedded:
        assert embedded.claim(["x", "y"], "anyone", 60) == {"x", "y"}  # SQLite: the run lock serves


def test_an_article_another_run_is_writing_fails_alone_and_the_rerun_takes_it(tmp_path, models, fresh_postgres):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(2):
        (inbox / f"story{n}.txt").write_text(SAMPLE.read_text(encoding="utf-8").replace(
            "Certain US allies", f"Certain US allies ({n})"), encoding="utf-8")
    busy = str((tmp_path / "out").resolve() / "story1")
    env = {"I18N_PIPELINE_TM_URL": fresh_postgres}
    args = ["translate", str(inbox), "--to", "ru,arm", "--out", str(tmp_path / "out"), "--models", str(models),
            "--state", str(tmp_path / "state"), "--json"]
    # another machine's live run: it renews its lease (every 0.5 s here), so the run leaves it the article
    with TranslationMemory(fresh_postgres) as memory, memory.claimed([busy], "another-machine:1:abc", 1.5) as other:
        assert other.articles == {busy}
        first = CliRunner().invoke(app, args, env=env)
    assert first.exit_code == 1, first.output
    summary = json.loads(first.stdout)
    assert [f["path"] for f in summary["failed"]] == [str(inbox / "story1.txt")]
    assert "another run is writing its outputs" in summary["failed"][0]["error"]
    assert "run another-machine:1:abc" in summary["failed"][0]["error"]
    assert [a["stem"] for a in summary["articles"]] == ["story0"] and not (tmp_path / "out" / "story1").exists()
    with TranslationMemory(fresh_postgres) as memory:
        assert memory.claim([busy, str((tmp_path / "out").resolve() / "story0")], "probe", 60) == {
            busy, str((tmp_path / "out").resolve() / "story0")}  # the run released its own claims
        memory.release([busy, str((tmp_path / "out").resolve() / "story0")], "probe")
    second = CliRunner().invoke(app, args, env=env)
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert sorted(a["stem"] for a in again["articles"]) == ["story0", "story1"] and again["failed"] == []
    assert (tmp_path / "out" / "story1" / "ru.txt").exists()
