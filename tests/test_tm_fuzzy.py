"""Fuzzy TM matches: the trigram index follows every TM write, word-level scores, order, marks, CLI.

The contract (same query → same matches and percentages) runs on both back-ends: SQLite's FTS5
trigram index and PostgreSQL's pg_trgm (the throwaway server of ``conftest.postgres_url``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.document import Origin, State
from i18n_pipeline.errors import StateError, UsageError
from i18n_pipeline.tm import TMEntry, TranslationMemory
from i18n_pipeline.glossary import load_usable_glossary
from i18n_pipeline.glossary.matcher import term_finder
from i18n_pipeline.tm.fuzzy import index_candidates, length_window, rank, search, words

MAYOR = "The mayor opened three new schools on Monday."
GLOSSARY = Path(__file__).resolve().parents[1] / "glossary"


def _entry(source, target, origin=Origin.MT):
    state = State.REVIEWED if origin is Origin.HUMAN else State.TRANSLATED
    return TMEntry(source, target, "en", "ru", origin, state)


@pytest.fixture(params=["sqlite", "postgres"])
def where(request, tmp_path):
    """A SQLite path, or the URL of the throwaway PostgreSQL with no tables yet."""
    if request.param == "sqlite":
        return tmp_path / "tm.sqlite"
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def tm(where):
    with TranslationMemory(where) as memory:
        memory.store_many([
            _entry(MAYOR, "Мэр открыл три новые школы в понедельник."),
            _entry("The mayor opened 3 new schools on Monday.", "Мэр открыл 3 новые школы в понедельник."),
            _entry("Heavy rain closed roads across the region.", "Сильный дождь перекрыл дороги в регионе."),
        ])
        yield memory


def test_rows_written_before_the_index_existed_are_found_and_later_writes_follow(tm):
    query = "The mayor opened four new schools on Monday."
    first = search(tm, query, "en", "ru")
    assert MAYOR in [m.entry.source for m in first] and [m.score for m in first] == [89, 89]  # 8 of 9 words
    tm.import_human([_entry("The mayor opened four new parks on Monday.", "Мэр открыл четыре парка.", Origin.HUMAN)])
    assert "The mayor opened four new parks on Monday." in [m.entry.source for m in search(tm, query, "en", "ru")]
    assert search(tm, query, "en", "hy") == []  # another pair is another memory


def test_human_beats_mt_at_equal_percentage_and_the_differing_words_are_marked(tm):
    tm.import_human([_entry("The mayor opened nine new schools on Monday.", "Мэр открыл девять школ.", Origin.HUMAN)])
    matches = search(tm, "The mayor opened four new schools on Monday.", "en", "ru")
    assert matches[0].score == matches[1].score == 89
    assert matches[0].human and not matches[1].human
    assert [t for t, differs in matches[0].spans if differs] == ["nine"]
    assert "".join(t for t, _ in matches[0].spans) == "The mayor opened nine new schools on Monday."


def test_character_ratio_breaks_a_tie_of_word_scores():
    near, far = _entry("Rain closed the roads today.", "near"), _entry("Rain closed the roads yesterday.", "far")
    matches = rank("Rain closed the roads toady.", [far, near], min_score=0)
    assert matches[0].score == matches[1].score == 83  # one word of six differs in both
    assert [m.entry.target for m in matches] == ["near", "far"] and matches[0].char_score > matches[1].char_score


def test_a_different_number_is_reported(tm):
    match = next(m for m in search(tm, "The mayor opened 5 new schools on Monday.", "en", "ru")
                 if m.entry.source.startswith("The mayor opened 3"))
    assert match.numbers == ("3", "5") and match.score == 89


def test_minimum_and_length_window(tm):
    assert search(tm, "Heavy rain closed roads across the whole region today.", "en", "ru", min_score=95) == []
    assert [m.score for m in search(tm, "Heavy rain closed roads across the whole region today.", "en", "ru",
                                    min_score=50)] == [80]  # two words of ten missing
    lo, hi = length_window(100, 75)
    assert lo < 75 and hi > 133
    assert index_candidates(tm, "x" * 400, "en", "ru", 75) == []
    with pytest.raises(UsageError, match="between 0 and 100"):
        search(tm, MAYOR, "en", "ru", min_score=101)


def test_a_file_indexed_before_the_trigram_counts_gets_them_and_counts_follow_growth(tmp_path):
    import sqlite3

    from i18n_pipeline.tm import trigrams

    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as memory:
        memory.store_many([_entry(MAYOR, "Мэр открыл три новые школы.")])
        search(memory, MAYOR, "en", "ru")
    with sqlite3.connect(path) as db:  # as the first release of the index left the file
        db.execute("DROP TABLE tm_fuzzy_df")
        db.execute("DROP TABLE tm_fuzzy_df_meta")
    with TranslationMemory(path) as memory:
        assert [m.score for m in search(memory, MAYOR, "en", "ru")] == [100]
        grown = [_entry(f"Rain closed road number {n} in the north.", f"Дорога {n}.") for n in range(600)]
        memory.store_many(grown)  # past rows × 1.25 + 500: the next lookup recounts
        search(memory, "Rain closed road number 7 in the north.", "en", "ru")
        assert memory.backend._read("SELECT rows FROM tm_fuzzy_df_meta", ())[0][0] == 601
        assert memory.backend._read("SELECT docs FROM tm_fuzzy_df WHERE gram = 'rai'", ())[0][0] == 600
    # trigrams the counts do not know yet are new, so rare: first; then the known, rarest first
    grams, word_of = trigrams.trigrams("abc abd")
    assert trigrams.pick_rare(grams, word_of, {"abc": 5, "bc ": 1}) == [" ab", "abd", "c a", "bc ", "abc"]


def test_words_keep_punctuation_and_drop_spaces():
    assert words("Rain,  closed\u00a0roads!") == ["Rain", ",", "closed", "roads", "!"]


def _cli(where, tmp_path, *args):
    """``tm search`` on the memory ``where`` names: the state folder's SQLite file, or [tm] url."""
    env = {"I18N_PIPELINE_TM_URL": where} if isinstance(where, str) else {"I18N_PIPELINE_TM_URL": ""}
    return CliRunner().invoke(app, ["tm", "search", *args, "--state", str(tmp_path),
                                    "--glossary", str(tmp_path / "no-glossary")], env=env)


def test_tm_index_builds_the_fuzzy_index_once_before_any_lookup(tm, where, tmp_path):
    env = {"I18N_PIPELINE_TM_URL": where} if isinstance(where, str) else {"I18N_PIPELINE_TM_URL": ""}
    assert not tm.fuzzy_index_ready()  # rows stored, no lookup yet

    def index():
        return CliRunner().invoke(app, ["tm", "index", "--state", str(tmp_path)], env=env)

    first = index()
    assert first.exit_code == 0, first.output
    rows = len(tm)
    assert f"building the fuzzy-match index for {rows} rows" in first.stderr
    assert re.search(rf": fuzzy-match index built for {rows} rows in \d+\.\d s$", first.stdout.strip())
    with TranslationMemory(where) as other:  # another process's view: the index is in the database
        assert other.fuzzy_index_ready()
    again = index()
    assert again.exit_code == 0 and again.stderr == ""
    assert again.stdout.strip().endswith(f": fuzzy-match index already built ({rows} rows)")
    assert [m.score for m in search(tm, MAYOR, "en", "ru")][:1] == [100]


def test_cli_search_text_json_and_no_match(tm, where, tmp_path):
    result = _cli(where, tmp_path, "The mayor opened four new schools on Monday.", "--to", "ru")
    assert result.exit_code == 0, result.output
    assert " 89%  mt     The mayor opened [three] new schools on Monday." in result.stdout
    result = _cli(where, tmp_path, "The mayor opened four new schools on Monday.", "--to", "ru", "--json", "--min", "80")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and {m["score"] for m in data["matches"]} == {89}
    assert data["matches"][0]["differs"] in (["three"], ["3"])
    result = _cli(where, tmp_path, "Nothing like it at all in memory.", "--to", "arm")
    assert result.exit_code == 1 and "no match of 75% or more for arm" in result.stderr
    result = _cli(where, tmp_path, MAYOR, "--to", "xx")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


NEAR = [  # (source, target, origin): one memory, stored in both back-ends
    (MAYOR, "Мэр открыл три новые школы в понедельник.", Origin.MT),
    ("The mayor opened 3 new schools on Monday.", "Мэр открыл 3 новые школы в понедельник.", Origin.MT),
    ("The mayor opened nine new schools on Monday.", "Мэр открыл девять школ.", Origin.HUMAN),
    ("The mayor closed three old schools on Friday.", "Мэр закрыл три старые школы в пятницу.", Origin.MT),
    ("Heavy rain closed roads across the region.", "Сильный дождь перекрыл дороги в регионе.", Origin.MT),
    ("Heavy rain closed many roads across the whole region.", "Дождь перекрыл много дорог.", Origin.HUMAN),
    ("Five Eyes officials met in Ottawa on Tuesday.", "Представители «Пяти глаз» встретились в Оттаве.", Origin.HUMAN),
    ("CSIS officials met in Ottawa on Tuesday.", "Представители СКРС встретились в Оттаве во вторник.", Origin.MT),
]
QUERIES = [("The mayor opened four new schools on Monday.", 75), ("The mayor opened four new schools on Monday.", 50),
           ("Heavy rain closed roads across the whole region today.", 60), ("CIA officials met in Ottawa on Tuesday.", 75),
           ("Completely unrelated words here.", 40)]


def _seen(matches):
    return [(m.entry.source, m.entry.target, m.score, m.human, m.spans, m.numbers, m.terms) for m in matches]


def test_the_same_query_gives_the_same_matches_and_percentages_on_both_back_ends(tmp_path, fresh_postgres):
    terms = term_finder(load_usable_glossary(GLOSSARY)[0], "ru")
    results = []
    for where in (tmp_path / "tm.sqlite", fresh_postgres):
        with TranslationMemory(where) as memory:
            memory.store_many([_entry(s, t) for s, t, o in NEAR if o is Origin.MT])
            memory.import_human([_entry(s, t, o) for s, t, o in NEAR if o is Origin.HUMAN])
            results.append([_seen(search(memory, q, "en", "ru", min_score=m, limit=10, terms=terms)) for q, m in QUERIES])
    sqlite, postgres = results
    assert sqlite == postgres
    assert [len(r) for r in sqlite] == [3, 4, 2, 2, 0]
    import psycopg

    with psycopg.connect(fresh_postgres) as conn:  # the candidates came from the trigram postings
        assert conn.execute("SELECT count(*) FROM tm_fuzzy_rows").fetchone()[0] == len(NEAR)
        assert conn.execute("SELECT count(DISTINCT id) FROM tm_fuzzy_postings").fetchone()[0] == len(NEAR)
    assert sqlite[0][0][3] and sqlite[0][0][2] == 89  # the human row first at equal percentage


def test_glossary_terms_that_differ_are_listed_in_rank_and_the_cli(tmp_path):
    terms = term_finder(load_usable_glossary(GLOSSARY)[0], "ru")
    query = "CSIS officials met in Ottawa on Tuesday."
    five_eyes = _entry("Five Eyes officials met in Ottawa on Tuesday.", "Представители «Пяти глаз».", Origin.HUMAN)
    same = _entry("CSIS officials met in Ottawa on Monday.", "Представители СКРС.")
    by_source = {m.entry.source: m for m in rank(query, [five_eyes, same], min_score=50, terms=terms)}
    assert by_source[five_eyes.source].terms == ("CSIS", "Five Eyes")  # one in each source
    assert by_source[same.source].terms == ()
    assert rank(query, [five_eyes], min_score=50)[0].terms == ()  # no glossary given: nothing compared
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        memory.import_human([five_eyes])
    args = ["tm", "search", query, "--to", "ru", "--state", str(tmp_path), "--glossary", str(GLOSSARY), "--min", "60"]
    result = CliRunner().invoke(app, args, env={"I18N_PIPELINE_TM_URL": ""})
    assert result.exit_code == 0, result.output
    assert "terms differ: CSIS, Five Eyes" in result.stdout
    data = json.loads(CliRunner().invoke(app, [*args, "--json"], env={"I18N_PIPELINE_TM_URL": ""}).stdout)
    assert data["matches"][0]["terms"] == ["CSIS", "Five Eyes"]


def test_a_postgres_role_that_may_not_create_pg_trgm_gets_one_line_saying_what_to_do(fresh_postgres):
    import psycopg

    role = "i19c_no_trgm"
    with psycopg.connect(fresh_postgres, autocommit=True) as conn:
        conn.execute("DROP EXTENSION IF EXISTS pg_trgm CASCADE")
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT CREATE ON SCHEMA public TO {role}")  # may create tables, not extensions
    try:
        with TranslationMemory(fresh_postgres.replace("i18n@", f"{role}@")) as memory:
            memory.store_many([_entry(MAYOR, "Мэр открыл три новые школы.")])
            with pytest.raises(StateError) as caught:
                search(memory, MAYOR, "en", "ru")
        message = str(caught.value)
        assert "pg_trgm" in message and "postgresql-contrib" in message and "\n" not in message
    finally:
        with psycopg.connect(fresh_postgres, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def _postings(conn, source):
    return {g for (g,) in conn.execute(
        "SELECT p.gram FROM tm_fuzzy_postings p JOIN tm_fuzzy_rows r USING (id) WHERE r.source_key = %s", (source,))}


def test_postgres_trigram_postings_follow_every_write_in_its_transaction(fresh_postgres):
    """Rows stored before first use get postings; later inserts, upserts, deletes and a changed key
    (any writer's SQL) and TRUNCATE keep them current; a rolled-back write leaves none; the old GIN index is dropped."""
    import psycopg

    from i18n_pipeline.tm.trigrams import trigrams

    with psycopg.connect(fresh_postgres, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with TranslationMemory(fresh_postgres) as memory:
        memory.store_many([_entry(MAYOR, "Мэр открыл три новые школы.")])
        with psycopg.connect(fresh_postgres, autocommit=True) as conn:  # as the first release left a TM
            conn.execute("CREATE INDEX tm_source_key_trgm ON tm USING gin (source_key gin_trgm_ops)")
        assert [m.score for m in search(memory, MAYOR, "en", "ru")] == [100]
        memory.store_many([_entry("Heavy rain closed roads across the region.", "Дождь.")])
        memory.store_many([_entry(MAYOR, "Мэр открыл три школы.")])  # an upsert of a row already there
        with psycopg.connect(fresh_postgres, autocommit=True) as conn:
            assert conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'tm_source_key_trgm'").fetchone() is None
            assert _postings(conn, MAYOR) == set(trigrams(MAYOR)[0])  # every trigram, spaces and case folded
            assert conn.execute("SELECT count(*) FROM tm_fuzzy_rows").fetchone()[0] == 2
            with pytest.raises(psycopg.errors.DivisionByZero), conn.transaction():
                conn.execute("INSERT INTO tm SELECT 'A rolled back row.', src_lang, tgt_lang, source, target, origin, "
                             "state, engine, model, model_version, glossary_hash, created, updated FROM tm LIMIT 1")
                conn.execute("SELECT 1 / 0")
            assert _postings(conn, "A rolled back row.") == set()
            conn.execute("UPDATE tm SET source_key = 'Heavy snow closed roads across the region.', source = "
                          "'Heavy snow closed roads across the region.' WHERE source_key = 'Heavy rain closed roads across the region.'")
            assert _postings(conn, "Heavy rain closed roads across the region.") == set()
            assert "sno" in _postings(conn, "Heavy snow closed roads across the region.")
        found = search(memory, "Heavy snow closed roads across the region.", "en", "ru")
        assert [m.score for m in found] == [100]
        with psycopg.connect(fresh_postgres, autocommit=True) as conn:
            conn.execute("DELETE FROM tm WHERE source_key = %s", (MAYOR,))
            assert _postings(conn, MAYOR) == set()
            assert conn.execute("SELECT count(*) FROM tm_fuzzy_rows").fetchone()[0] == 1
            assert conn.execute("SELECT count(*) FROM tm_fuzzy_postings p WHERE NOT EXISTS "
                                "(SELECT 1 FROM tm_fuzzy_rows r WHERE r.id = p.id)").fetchone()[0] == 0
        assert search(memory, MAYOR, "en", "ru") == []
        with psycopg.connect(fresh_postgres, autocommit=True) as conn:
            conn.execute("TRUNCATE tm")
            assert conn.execute("SELECT count(*) FROM tm_fuzzy_postings").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM tm_fuzzy_rows").fetchone()[0] == 0
        memory.store_many([_entry(MAYOR, "Мэр открыл три новые школы.")])
        assert [m.score for m in search(memory, MAYOR, "en", "ru")] == [100]
