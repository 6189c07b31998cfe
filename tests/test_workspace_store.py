"""The workspace store contract, run against both back-ends (SQLite and PostgreSQL): every column of
a save kept, the version rule, the human TM row in the same transaction, users, and two writers on
one segment; what only SQLite has (older files migrated) is in ``test_workspace.py``."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest

from i18n_pipeline.document import Origin, State
from i18n_pipeline.postedit import report
from i18n_pipeline.tm import TMEntry, TranslationMemory
from i18n_pipeline.tm.workspace import EditRecord, UserRecord, VersionConflict, WorkspaceStore


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


def edit(version: int, target: str, *, who: str = "rita", segment: str = "s1", before: str = "MT.", **fields) -> EditRecord:
    values = {"article": "a", "locale": "ru", "segment_id": segment, "version": version, "source": "Source sentence.",
              "target": target, "state": State.REVIEWED, "mt_text": "MT.", "before_text": before, "who": who, "at": "",
              "edit_ms": 1_500, "model": "translate-en_ru", "model_version": "1.9", "glossary_hash": "t1:abc",
              "termbase": "0123456789abcdef", **fields}
    return EditRecord(**values)


def entry(target: str, source: str = "Source sentence.") -> TMEntry:
    return TMEntry(source, target, "en", "ru", Origin.HUMAN, State.REVIEWED)


def test_a_save_keeps_every_column_and_its_human_tm_row(tm):
    store = WorkspaceStore(tm)
    saved = store.save(edit(1, "Первая.", at="2026-03-02T10:00:00+00:00"), entry("Первая."))
    store.save(edit(2, "Вторая.", before="Первая.", who="vera", state=State.FINAL, edit_ms=0), entry("Вторая."))
    first, = [h for h in store.history("a", "ru", "s1") if h.version == 1]
    assert first == saved == edit(1, "Первая.", at="2026-03-02T10:00:00+00:00")  # every column, as written
    assert [(h.version, h.who, h.state, h.before_text) for h in store.history("a", "ru", "s1")] == [
        (2, "vera", State.FINAL, "Первая."), (1, "rita", State.REVIEWED, "MT.")]
    assert store.latest("a", "ru")["s1"].target == "Вторая." and store.latest("a", "other") == {}
    row = tm.entries_for(["Source sentence."], "en", "ru")["Source sentence."]
    assert (row.origin, row.target) == (Origin.HUMAN, "Вторая.")


def test_a_stale_save_is_refused_with_the_newer_version_and_writes_nothing(tm):
    store = WorkspaceStore(tm)
    store.save(edit(1, "Первая."), entry("Первая."))
    with pytest.raises(VersionConflict) as caught:
        store.save(edit(1, "Чужая.", who="vera"), entry("Чужая."))
    assert (caught.value.current.version, caught.value.current.target, caught.value.expected) == (1, "Первая.", 0)
    with pytest.raises(VersionConflict) as caught:
        store.save(edit(5, "Далеко."), entry("Далеко."))  # a version that does not follow the newest
    assert caught.value.current.version == 1
    with pytest.raises(VersionConflict) as caught:
        store.save(edit(2, "Нет такого.", segment="never"), entry("Нет такого.", "Other."))
    assert caught.value.current is None
    assert [h.target for h in store.history("a", "ru", "s1")] == ["Первая."]
    assert tm.entries_for(["Source sentence."], "en", "ru")["Source sentence."].target == "Первая."
    assert tm.entries_for(["Other."], "en", "ru") == {}
    with pytest.raises(ValueError):
        store.save(edit(2, "MT."), TMEntry("Source sentence.", "MT.", "en", "ru", Origin.MT, State.TRANSLATED))


def test_activity_latest_of_all_edit_times_and_who_touched_what(tm):
    store = WorkspaceStore(tm)
    store.save(edit(1, "A1.", at="2026-03-02T10:00:00+00:00"), entry("A1."))
    store.save(edit(2, "A2.", who="vera", at="2026-03-02T11:00:00+00:00", edit_ms=500), entry("A2."))
    store.save(edit(1, "B1.", segment="s2", at="2026-03-02T09:00:00+00:00", source="Other."), entry("B1.", "Other."))
    store.save(edit(1, "C1.", locale="arm", at="2026-03-01T09:00:00+00:00"), entry("C1."))
    assert store.activity() == {("a", "ru"): ("vera", "2026-03-02T11:00:00+00:00", 3),
                                ("a", "arm"): ("rita", "2026-03-01T09:00:00+00:00", 1)}
    assert [(e.locale, e.segment_id, e.target) for e in store.all_latest()] == [
        ("arm", "s1", "C1."), ("ru", "s1", "A2."), ("ru", "s2", "B1.")]
    assert store.edit_time_totals() == {("a", "ru", "s1"): 2_000, ("a", "ru", "s2"): 1_500, ("a", "arm", "s1"): 1_500}
    assert store.touched_by("vera") == {("a", "ru")} and store.touched_by("rita") == {("a", "ru"), ("a", "arm")}
    assert store.touched_by("nobody") == set()


def test_users_are_added_replaced_listed_and_removed(tm):
    store = WorkspaceStore(tm)
    assert store.users() == [] and store.user("rita") is None
    store.put_user("vera", "$argon2id$one", ("reviewer",))
    store.put_user("rita", "$argon2id$two", ("translator:ru", "glossary"))
    store.put_user("vera", "$argon2id$three", ("admin",))
    assert store.users() == [UserRecord("rita", "$argon2id$two", ("translator:ru", "glossary")),
                             UserRecord("vera", "$argon2id$three", ("admin",))]
    assert store.remove_user("rita") and not store.remove_user("rita")
    assert [u.name for u in store.users()] == ["vera"]


@contextmanager
def _slowed_between_version_and_tm_row(memory: TranslationMemory, inserted: threading.Event):
    """This memory's saves pause after writing the version, before the TM row and the commit."""
    real = memory.backend.transaction

    class Slow:
        def __init__(self, tx):
            self._tx = tx

        def __getattr__(self, name):
            return getattr(self._tx, name)

        def upsert(self, row, rule):
            inserted.set()
            time.sleep(0.5)
            return self._tx.upsert(row, rule)

    @contextmanager
    def transaction():
        with real() as tx:
            yield Slow(tx)

    memory.backend.transaction = transaction
    try:
        yield
    finally:
        del memory.backend.transaction


def test_two_connections_saving_one_segment_at_once_both_land_in_history_in_order(where):
    """B's save starts while A's is inside its transaction: B waits, sees A's version, saves on top."""
    with TranslationMemory(where) as machine_a, TranslationMemory(where) as machine_b:
        store_a, store_b = WorkspaceStore(machine_a), WorkspaceStore(machine_b)
        inserted, errors = threading.Event(), []

        def save_a():
            try:
                store_a.save(edit(1, "От А.", who="a"), entry("От А."))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        with _slowed_between_version_and_tm_row(machine_a, inserted):
            thread = threading.Thread(target=save_a)
            thread.start()
            assert inserted.wait(10)
            with pytest.raises(VersionConflict) as caught:  # not a unique-key error, not a lost save
                store_b.save(edit(1, "От Б.", who="b"), entry("От Б."))
            thread.join(10)
        assert errors == [] and (caught.value.current.who, caught.value.current.target) == ("a", "От А.")
        store_b.save(edit(2, "От Б.", who="b", before="От А."), entry("От Б."))  # "keep mine": on top
        assert [(h.version, h.who, h.target) for h in store_a.history("a", "ru", "s1")] == [
            (2, "b", "От Б."), (1, "a", "От А.")]
        assert machine_a.entries_for(["Source sentence."], "en", "ru")["Source sentence."].target == "От Б."


def test_two_writers_saving_again_on_every_conflict_lose_nothing(where):
    with TranslationMemory(where) as first:
        WorkspaceStore(first)  # the tables, before the writers race
    count = 12

    def writer(name: str, errors: list) -> None:
        try:
            with TranslationMemory(where) as memory:
                store = WorkspaceStore(memory)
                for n in range(count):
                    while True:
                        newest = store.history("a", "ru", "s1")
                        version = newest[0].version + 1 if newest else 1
                        try:
                            store.save(edit(version, f"{name}{n}", who=name), entry(f"{name}{n}"))
                            break
                        except VersionConflict:
                            continue
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    errors: list = []
    threads = [threading.Thread(target=writer, args=(name, errors)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with TranslationMemory(where) as memory:
        history = WorkspaceStore(memory).history("a", "ru", "s1")
    assert [h.version for h in history] == list(range(2 * count, 0, -1))  # no gap, no double
    for name in ("a", "b"):
        assert [h.target for h in reversed(history) if h.who == name] == [f"{name}{n}" for n in range(count)]


def test_a_save_on_one_machine_is_in_history_and_figures_read_from_another(where):
    with TranslationMemory(where) as machine_a:
        WorkspaceStore(machine_a).save(edit(1, "Правка.", mt_text="Машинный перевод.", edit_ms=3_000), entry("Правка."))
        WorkspaceStore(machine_a).put_user("rita", "$argon2id$x", ("translator:ru",))
    with TranslationMemory(where) as machine_b:
        store = WorkspaceStore(machine_b)
        assert [h.target for h in store.history("a", "ru", "s1")] == ["Правка."]
        assert store.user("rita").roles == ("translator:ru",)
        figures = report(store.all_latest(), store.edit_time_totals())
    assert (figures.overall.segments, figures.overall.unchanged, figures.overall.timed) == (1, 0, 1)
    assert figures.overall.edit_seconds == 3.0 and set(figures.by["model"]) == {"translate-en_ru 1.9"}


def test_a_segment_edits_table_from_before_the_termbase_column_gets_it_and_old_saves_read_empty(where):
    """The table as the previous release created it (model columns, no termbase), on either back-end."""
    old_table = ("CREATE TABLE segment_edits (article TEXT NOT NULL, locale TEXT NOT NULL, segment_id TEXT NOT NULL, "
                 "version INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL, "
                 "mt_text TEXT NOT NULL DEFAULT '', before_text TEXT NOT NULL DEFAULT '', who TEXT NOT NULL, "
                 "at TEXT NOT NULL, edit_ms INTEGER NOT NULL DEFAULT 0, model TEXT NOT NULL DEFAULT '', "
                 "model_version TEXT NOT NULL DEFAULT '', glossary_hash TEXT NOT NULL DEFAULT '', "
                 "PRIMARY KEY (article, locale, segment_id, version))")
    old_row = ("INSERT INTO segment_edits VALUES ('a', 'ru', 's1', 1, 'Source sentence.', 'Old.', 'reviewed', 'MT.', "
               "'MT.', 'rita', '2026-01-01T00:00:00+00:00', 0, 'translate-en_ru', '1.9', 't1:abc')")
    TranslationMemory(where).close()
    if isinstance(where, str):
        import psycopg

        with psycopg.connect(where, autocommit=True) as conn:
            conn.execute(old_table)
            conn.execute(old_row)
    else:
        import sqlite3

        with sqlite3.connect(where) as db:
            db.execute(old_table)
            db.execute(old_row)
    with TranslationMemory(where) as memory:
        store = WorkspaceStore(memory)
        old = store.history("a", "ru", "s1")[0]
        assert (old.target, old.model, old.glossary_hash, old.termbase) == ("Old.", "translate-en_ru", "t1:abc", "")
        store.save(edit(2, "New.", before="Old."), entry("New."))
        assert [h.termbase for h in store.history("a", "ru", "s1")] == ["0123456789abcdef", ""]
