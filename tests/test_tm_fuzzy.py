"""Fuzzy TM matches: the trigram index follows every TM write, word-level scores, order, marks, CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.document import Origin, State
from i18n_pipeline.errors import UsageError
from i18n_pipeline.tm import TMEntry, TranslationMemory
from i18n_pipeline.tm.fuzzy import length_window, rank, search, sqlite_candidates, words

MAYOR = "The mayor opened three new schools on Monday."


def _entry(source, target, origin=Origin.MT):
    state = State.REVIEWED if origin is Origin.HUMAN else State.TRANSLATED
    return TMEntry(source, target, "en", "ru", origin, state)


@pytest.fixture
def tm(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
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
    assert sqlite_candidates(tm, "x" * 400, "en", "ru", 75) == []
    with pytest.raises(UsageError, match="between 0 and 100"):
        search(tm, MAYOR, "en", "ru", min_score=101)


def test_words_keep_punctuation_and_drop_spaces():
    assert words("Rain,  closed\u00a0roads!") == ["Rain", ",", "closed", "roads", "!"]


def test_cli_search_text_json_and_no_match(tm, tmp_path):
    runner = CliRunner()
    state = str(tmp_path)
    result = runner.invoke(app, ["tm", "search", "The mayor opened four new schools on Monday.", "--to", "ru",
                                 "--state", state])
    assert result.exit_code == 0, result.output
    assert " 89%  mt     The mayor opened [three] new schools on Monday." in result.stdout
    result = runner.invoke(app, ["tm", "search", "The mayor opened four new schools on Monday.", "--to", "ru",
                                 "--state", state, "--json", "--min", "80"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and {m["score"] for m in data["matches"]} == {89}
    assert data["matches"][0]["differs"] in (["three"], ["3"])
    result = runner.invoke(app, ["tm", "search", "Nothing like it at all in memory.", "--to", "arm", "--state", state])
    assert result.exit_code == 1 and "no match of 75% or more for arm" in result.stderr
    result = runner.invoke(app, ["tm", "search", MAYOR, "--to", "xx", "--state", state])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
