"""Run state behind the TM interface, on both back-ends: the manifest contract (done / record /
save), the run guard, article claims renewed while held, and two runs on one PostgreSQL TM."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from i18n_pipeline import export, pipeline
from i18n_pipeline.config import load_settings
from i18n_pipeline.locales import parse_locale_list
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.runlock import LOCK_NAME
from i18n_pipeline.runstate import file_digest
from i18n_pipeline.tm import TranslationMemory

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"


@pytest.fixture(params=["sqlite", "postgres"])
def memory(request, tmp_path):
    where = tmp_path / "state" / "tm.sqlite" if request.param == "sqlite" else request.getfixturevalue("fresh_postgres")
    with TranslationMemory(where) as opened:
        yield opened


def _outputs(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("ru.txt", "ru.json"):
        (folder / name).write_text(f"{name} as written", encoding="utf-8")
    return [str(folder / "ru.txt"), str(folder / "ru.json")]


# -- the manifest contract ---------------------------------------------------------------------


def test_a_saved_result_is_done_for_its_key_until_an_output_changes(memory, tmp_path):
    state, article = tmp_path / "state", str(tmp_path / "inbox" / "a.txt")
    outputs = _outputs(tmp_path / "out" / "a")
    first = memory.manifest(state)
    assert first.done(article, "ru", "k1") is None
    first.record(article, "ru", "k1", outputs, {"segments": 3, "qa": {"untranslated": 1}})
    assert memory.manifest(state).done(article, "ru", "k1") is None  # recorded, not yet saved
    first.save()

    later = memory.manifest(state)  # the next run (with PostgreSQL: on any machine)
    done = later.done(article, "ru", "k1")
    assert done.outputs == outputs and done.stats == {"segments": 3, "qa": {"untranslated": 1}}
    assert later.done(article, "ru", "k2") is None  # models, glossary, settings or input changed
    assert later.done(article, "arm", "k1") is None
    assert later.recorded() == {(article, "ru")}

    Path(outputs[0]).write_text("edited by hand", encoding="utf-8")
    assert memory.manifest(state).done(article, "ru", "k1") is None  # an output changed: redo
    again = memory.manifest(state)
    again.record(article, "ru", "k1", outputs, {"segments": 3})
    again.save()
    assert memory.manifest(state).done(article, "ru", "k1").stats == {"segments": 3}
    Path(outputs[1]).unlink()
    assert memory.manifest(state).done(article, "ru", "k1") is None  # an output gone: redo


def test_digests_taken_when_the_outputs_were_written_are_the_ones_compared(memory, tmp_path):
    """A batch takes its digests while it still holds the article; a later rewrite by another writer
    (before the record is saved) then reads as changed, not as this key's outputs."""
    state, article = tmp_path / "state", str(tmp_path / "a.txt")
    outputs = _outputs(tmp_path / "out" / "a")
    digests = {o: file_digest(Path(o)) for o in outputs}
    Path(outputs[0]).write_text("another writer's text", encoding="utf-8")
    manifest = memory.manifest(state)
    manifest.record(article, "ru", "k1", digests, {})
    manifest.save()
    assert memory.manifest(state).done(article, "ru", "k1") is None


def _damage(memory, state: Path) -> None:
    if memory.has_claims:  # PostgreSQL: a row edited by hand into nonsense
        import psycopg

        with psycopg.connect(memory.backend._url, autocommit=True) as conn:
            conn.execute("""UPDATE run_manifest SET outputs = '"damaged"'""")
    else:
        (state / "manifest.json").write_text("{not json", encoding="utf-8")


def test_an_unreadable_manifest_means_processing_again_and_the_next_save_repairs_it(memory, tmp_path):
    state, article = tmp_path / "state", str(tmp_path / "a.txt")
    outputs = _outputs(tmp_path / "out" / "a")
    manifest = memory.manifest(state)
    manifest.record(article, "ru", "k1", outputs, {})
    manifest.save()
    _damage(memory, state)
    damaged = memory.manifest(state)
    assert damaged.done(article, "ru", "k1") is None
    damaged.record(article, "ru", "k1", outputs, {})
    damaged.save()
    assert memory.manifest(state).done(article, "ru", "k1") is not None


def _folder_locked(state: Path) -> bool:
    handle = os.open(state / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)


def test_the_run_guard_is_the_folder_lock_on_sqlite_and_claims_on_postgres(memory, tmp_path):
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    with memory.run_guard(state) as whole_run:
        # SQLite: one run at a time per state folder; PostgreSQL: each batch claims its articles
        assert whole_run is (not memory.has_claims) and _folder_locked(state) is whole_run
    assert not _folder_locked(state)


# -- claims: renewed while held, free once the holder is gone ------------------------------------


def test_a_lease_outlives_its_length_while_renewed_and_runs_out_when_its_holder_dies(fresh_postgres):
    with TranslationMemory(fresh_postgres) as first, TranslationMemory(fresh_postgres) as second:
        with first.claimed(["out/a"], "run-1", 1.0) as lease:
            assert lease.articles == {"out/a"}
            time.sleep(1.6)  # a batch longer than its lease: the heartbeat kept it
            assert second.claim(["out/a"], "run-2", 1.0) == set()
            assert second.holders(["out/a"])["out/a"][0] == "run-1"
            lease.stop_heartbeat()  # the holder dies: no more renewals, and no release
            time.sleep(1.6)
            assert second.claim(["out/a"], "run-2", 60) == {"out/a"}  # its lease ran out
        assert second.holders(["out/a"])["out/a"][0] == "run-2"  # run-1's release took only its own


def test_a_claimer_takes_what_a_dead_holder_left_and_leaves_a_live_holders(fresh_postgres):
    with TranslationMemory(fresh_postgres) as memory:
        assert memory.claim(["out/dead"], "crashed-run", 0.8) == {"out/dead"}  # never renewed
        with memory.claimed(["out/live"], "live-run", 1.2):  # renewed every 0.4 s
            started = time.monotonic()
            with memory.claimed(["out/dead", "out/live"], "rerun", 30) as lease:
                assert lease.articles == {"out/dead"} and lease.held_by == {"out/live": "live-run"}
            assert time.monotonic() - started < 3
        with memory.claimed(["out/x"], "workspace:rita:1", 30):
            threading.Timer(0.3, memory.release, (["out/x"], "workspace:rita:1")).start()
            with memory.claimed(["out/x"], "run-3", 30) as lease:  # a save takes a moment: waited for
                assert lease.articles == {"out/x"}


def test_the_embedded_memory_grants_every_claim_without_a_heartbeat(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory, memory.claimed(["a", "b"], "run", 1.0) as lease:
        assert lease.articles == {"a", "b"} and lease._thread is None and memory.holders(["a"]) == {}


# -- two runs on one PostgreSQL TM ---------------------------------------------------------------


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    store.install(copy_package)
    store.install(copy_package_hy)
    return root


def test_two_runs_on_postgres_never_write_one_article_and_share_what_is_done(tmp_path, models, fresh_postgres,
                                                                              monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(2):
        (inbox / f"story{n}.txt").write_text(SAMPLE.read_text(encoding="utf-8").replace(
            "Certain US allies", f"Certain US allies ({n})"), encoding="utf-8")
    config = tmp_path / "i18n.toml"
    config.write_text('[qa]\noff = ["spelling"]\n[tm]\nlease_s = 1.0\n', encoding="utf-8")
    # both runs on one state folder, too: on PostgreSQL no folder lock makes the second wait
    settings = load_settings(config, models_dir=models, state_dir=tmp_path / "state", out_dir=tmp_path / "out",
                             glossary_dir=tmp_path / "no-glossary")
    assert settings.tm.lease_s == 1.0
    settings = replace(settings, tm=replace(settings.tm, url=fresh_postgres))
    locales = parse_locale_list("ru,arm")
    write_outputs, seen = export.write_outputs, {"second": None, "second_writes": 0}

    def first_run_writes(article, locale, out_dir, **kwargs):
        if seen["second"] is None:  # the first run, mid-batch, past its lease: a second run starts
            time.sleep(1.5)
            seen["second"] = "running"
            seen["second"] = pipeline.run([inbox], locales, settings)
        elif seen["second"] == "running":
            seen["second_writes"] += 1
        return write_outputs(article, locale, out_dir, **kwargs)

    monkeypatch.setattr(export, "write_outputs", first_run_writes)
    first = pipeline.run([inbox], locales, settings)
    second = seen["second"]
    assert seen["second_writes"] == 0 and second.articles == []
    assert sorted(f["path"] for f in second.failed) == sorted(str(p) for p in inbox.iterdir())
    assert all("another run is writing its outputs" in f["error"] for f in second.failed)
    assert sorted(a["stem"] for a in first.articles) == ["story0", "story1"] and first.failed == []

    monkeypatch.setattr(export, "write_outputs", write_outputs)
    written = {p: p.stat().st_ino for p in (tmp_path / "out").rglob("*") if p.is_file()}
    third = pipeline.run([inbox], locales, settings)  # the manifest in PostgreSQL: all done
    assert third.failed == [] and all(s.mt == 0 and s.tm > 0 for s in third.locales.values())
    assert {p: p.stat().st_ino for p in (tmp_path / "out").rglob("*") if p.is_file()} == written
    assert not (tmp_path / "state" / "manifest.json").exists()
    with TranslationMemory(fresh_postgres) as memory:
        recorded = memory.manifest(tmp_path / "state").recorded()
    assert recorded == {(str(p), site) for p in inbox.iterdir() for site in ("ru", "arm")}
    assert json.dumps(third.to_json())  # the summary is still plain JSON
