"""The translation memory contract, run against both back-ends (SQLite and PostgreSQL): keys,
validity rules, human precedence, conflicts, concurrency; then what only SQLite has (WAL, the file)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest

from i18n_pipeline.document import Origin, Provenance, State, Target
from i18n_pipeline.errors import StateError
from i18n_pipeline.tm import TMEntry, TranslationMemory, normalize_lang, normalize_source

MODEL = {"model": "translate-en_ru", "model_version": "1.9", "glossary_hash": "g1"}


def mt(source: str, target: str, *, tgt: str = "ru", **overrides) -> TMEntry:
    fields = {"engine": "ctranslate2", **MODEL, **overrides}
    return TMEntry(source, target, "en", tgt, Origin.MT, State.TRANSLATED, **fields)


def human(source: str, target: str, *, tgt: str = "ru", state: State = State.REVIEWED) -> TMEntry:
    return TMEntry(source, target, "en", tgt, Origin.HUMAN, state)


@pytest.fixture(params=["sqlite", "postgres"])
def where(request, tmp_path):
    """Where a memory lives: a SQLite path, or the URL of a throwaway PostgreSQL with no tables yet."""
    if request.param == "sqlite":
        return tmp_path / ".i18n" / "tm.sqlite"
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def tm(where):
    with TranslationMemory(where) as memory:
        yield memory


def test_opens_in_wal_mode_and_creates_the_state_dir(tmp_path):
    path = tmp_path / "state" / "tm.sqlite"
    with TranslationMemory(path) as memory:
        assert memory.journal_mode == "wal"
        assert memory.integrity_check()
    assert path.is_file()


def test_openers_of_a_new_memory_at_the_same_moment_all_open_it(tmp_path):
    """Two runs started together both create the memory. Switching a new file to WAL upgrades a
    shared lock, and SQLite answers the loser of that race SQLITE_BUSY at once, past
    busy_timeout: before the retry, 3 of 40 such rounds here had an opener fail."""
    failures: list[BaseException] = []

    def opener(path: Path, barrier: threading.Barrier) -> None:
        barrier.wait()
        try:
            TranslationMemory(path).close()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    for round_ in range(150):
        path = tmp_path / str(round_) / "tm.sqlite"
        barrier = threading.Barrier(3)
        threads = [threading.Thread(target=opener, args=(path, barrier)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with TranslationMemory(path) as memory:
            assert memory.journal_mode == "wal"
    assert failures == []


def test_normalization_is_nfc_and_collapsed_whitespace():
    assert normalize_source("  Cafe\u0301\u00a0 said\n\tno ") == "Café said no"
    assert normalize_source("Café") != normalize_source("café")  # case is meaningful
    assert normalize_lang("ru-RU") == "ru" and normalize_lang("hy_AM") == "hy"


def test_rerun_lookup_finds_everything_it_stored(tm):
    sources = ["One sentence.", "Two  sentences\nhere.", "Три."]
    result = tm.store_many([mt(s, f"T{i}") for i, s in enumerate(sources)])
    assert result.written == 3
    found = tm.lookup_many(["One sentence.", "Two sentences here.", "Missing."], "en", "ru", **MODEL)
    assert {k: v.target for k, v in found.items()} == {"One sentence.": "T0", "Two sentences here.": "T1"}
    assert tm.lookup_many(sources, "en", "hy", **MODEL) == {}  # another language pair


def test_lookup_handles_more_sources_than_one_sql_statement_takes(tm):
    sources = [f"Sentence number {n}." for n in range(1234)]
    tm.store_many(mt(s, s.upper()) for s in sources)
    assert len(tm.lookup_many(sources, "en", "ru", **MODEL)) == 1234


@pytest.mark.parametrize("change", [{"model_version": "2.0"}, {"glossary_hash": "g2"}, {"model": "other"}])
def test_model_or_glossary_change_invalidates_mt_but_never_human(tm, change):
    tm.store_many([mt("Machine made.", "Машинное."), human("Human made.", "Человеческое.")])
    current = {**MODEL, **change}
    found = tm.lookup_many(["Machine made.", "Human made."], "en", "ru", **current)
    assert list(found) == ["Human made."]
    assert found["Human made."].origin is Origin.HUMAN
    # the fresh MT replaces the stale row and is valid for the new settings
    tm.store_many([mt("Machine made.", "Новое.", **change)])
    assert tm.lookup_many(["Machine made."], "en", "ru", **current)["Machine made."].target == "Новое."


def test_mt_never_overwrites_a_human_entry(tm):
    tm.store_many([human("Keep me.", "Оставь.")])
    result = tm.store_many([mt("Keep me.", "Машина.")])
    assert (result.written, result.kept_human) == (0, 1)
    assert tm.entries_for(["Keep me."], "en", "ru")["Keep me."].target == "Оставь."


def test_human_entries_are_the_human_rows_of_one_pair(tm):
    tm.store_many([human("First.", "Первое."), mt("Machine.", "Машина."), human("Second.", "Второе.")])
    assert [(e.source, e.target) for e in tm.human_entries("en", "ru")] == [("First.", "Первое."), ("Second.", "Второе.")]
    assert tm.human_entries("en", "hy") == []


def test_tm_hits_and_passthrough_are_not_stored_again(tm):
    entries = [
        TMEntry("Served.", "x", "en", "ru", Origin.TM),
        TMEntry("Passed.", "Passed.", "en", "ru", Origin.SOURCE),
    ]
    assert tm.store_many(entries).ignored == 2
    assert len(tm) == 0


def test_entry_round_trips_through_targets():
    target = Target("Перевод.", State.TRANSLATED, Provenance(Origin.MT, "ctranslate2", "m", "1", "g"))
    entry = TMEntry.from_target("Translation.", target, "en", "ru")
    served = entry.as_target()
    assert served.text == "Перевод." and served.provenance.origin is Origin.TM and served.provenance.tm_hit
    assert served.provenance.describe() == "tm (from m 1)"
    assert human("A.", "Б.").as_target().provenance.origin is Origin.HUMAN


def test_import_human_reports_conflicts_inside_the_batch_and_against_the_memory(tm):
    tm.store_many([human("Approved.", "Одобрено."), mt("Machine.", "Машина.")])
    result = tm.import_human(
        [
            human("Approved.", "Утверждено."),  # differs from the memory's approval
            human("Machine.", "Человек."),  # replaces MT
            human("Twice.", "Дважды."),
            human("Twice.", "Два раза."),  # two approvals disagree
            human("Same.", "Так же."),
            human("Same.", " Так  же. "),  # equal after whitespace normalization: no conflict
            human("Approved.", "Одобрено."),
        ]
    )
    assert result.stored == 2  # Machine., Same.
    conflicts = {c.source: c for c in result.conflicts}
    assert set(conflicts) == {"Approved.", "Twice."}
    assert conflicts["Approved."].targets == ("Одобрено.", "Утверждено.")
    assert conflicts["Approved."].in_memory == "Одобрено."
    assert conflicts["Twice."].targets == ("Дважды.", "Два раза.") and conflicts["Twice."].in_memory is None
    rows = tm.entries_for(["Approved.", "Machine.", "Twice."], "en", "ru")
    assert rows["Approved."].target == "Одобрено."  # not merged, not replaced
    assert rows["Machine."].origin is Origin.HUMAN
    assert "Twice." not in rows


def test_import_human_counts_unchanged_and_can_replace_on_request(tm):
    tm.import_human([human("A.", "А.")])
    assert tm.import_human([human("A.", "А.")]).unchanged == 1
    result = tm.import_human([human("A.", "Аа.", state=State.FINAL)], replace_approved=True)
    assert result.stored == 1 and not result.conflicts
    row = tm.entries_for(["A."], "en", "ru")["A."]
    assert (row.target, row.state) == ("Аа.", State.FINAL)


def _writer(where, worker: int, count: int, barrier) -> None:
    with TranslationMemory(where) as memory:
        barrier.wait()  # both processes start writing at the same moment
        for n in range(count):  # one transaction per entry, so the two writers interleave
            memory.store_many([mt(f"w{worker} sentence {n}.", f"t{n}"), mt("Shared sentence.", f"w{worker}")])


def test_two_processes_writing_at_once_both_succeed(where):
    path = where
    TranslationMemory(path).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(path, w, 300, barrier)) for w in (1, 2)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    with TranslationMemory(path) as memory:
        assert len(memory) == 601  # 2 × 300 own rows + the one row both kept rewriting
        assert memory.integrity_check()


def _mt_spammer(where, count: int, barrier) -> None:
    with TranslationMemory(where) as memory:
        barrier.wait()
        for n in range(count):
            memory.store_many([mt("Contested.", f"machine {n}")])


def test_human_beats_mt_under_concurrency(where):
    """The rule is in the SQL: however MT and an approval interleave, the approval stays."""
    TranslationMemory(where).close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    proc = ctx.Process(target=_mt_spammer, args=(where, 200, barrier))
    proc.start()
    with TranslationMemory(where) as memory:
        barrier.wait()
        result = memory.import_human([human("Contested.", "Человек.")])
        proc.join(timeout=120)
        assert proc.exitcode == 0
        row = memory.entries_for(["Contested."], "en", "ru")["Contested."]
    assert result.stored == 1 and (row.origin, row.target) == (Origin.HUMAN, "Человек.")


def test_two_connections_in_one_process_do_not_lock_each_other_out(where):
    path = where
    with TranslationMemory(path) as first, TranslationMemory(path) as second:
        first.store_many([mt("From first.", "1")])
        assert second.lookup_many(["From first."], "en", "ru", **MODEL)["From first."].target == "1"
        second.store_many([mt("From second.", "2")])
        assert len(first) == 2


def test_human_revision_changes_with_every_approval(tm):
    before = tm.human_revision("ru")
    tm.store_many([mt("Machine.", "М.")])
    assert tm.human_revision("ru") == before
    tm.import_human([human("Approved.", "Одобрено.")])
    assert tm.human_revision("ru") != before and tm.human_revision("hy") == "0:"


def test_a_newer_postgres_schema_is_refused(fresh_postgres):
    import psycopg

    TranslationMemory(fresh_postgres).close()
    with psycopg.connect(fresh_postgres, autocommit=True) as conn:
        conn.execute("UPDATE tm_schema SET version = 99")
    with pytest.raises(StateError, match="upgrade"):
        TranslationMemory(fresh_postgres)


# -- SQLite only: the file ---------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_a_state_error(tmp_path):
    path = tmp_path / "tm.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="tm.sqlite"):
        TranslationMemory(path)


def test_integrity_check_detects_a_damaged_file(tmp_path):
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as memory:
        memory.store_many(mt(f"Sentence {n} " + "x" * 200, "y" * 200) for n in range(300))
    with sqlite3.connect(path) as db:  # fold the WAL back so the damage below hits real pages
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = 4096
    with open(path, "r+b") as handle:
        handle.seek(page_size * 5 + 100)
        handle.write(b"\xff" * 2000)
    with TranslationMemory(path) as memory:
        assert memory.integrity_check() is False


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StateError, match="upgrade"):
        TranslationMemory(path)
