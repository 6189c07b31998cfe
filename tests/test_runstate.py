"""Run state behind the TM interface, on both back-ends: the manifest contract (done / record /
save) and the run guard."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from i18n_pipeline.runlock import LOCK_NAME
from i18n_pipeline.runstate import file_digest
from i18n_pipeline.tm import TranslationMemory


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
