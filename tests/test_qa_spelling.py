"""spelling: a tiny real Hunspell dictionary checked by the hunspell program; skipped (with a reason) without one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from i18n_pipeline.qa import QAConfig, check_segment, skipped_checks

pytestmark = pytest.mark.skipif(shutil.which("hunspell") is None, reason="the hunspell program is not installed")

SRC = "The government resumed talks."


def write_dictionary(folder: Path, name: str, words: list[str]) -> None:
    (folder / f"{name}.aff").write_text("SET UTF-8\nTRY оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё\n", encoding="utf-8")
    (folder / f"{name}.dic").write_text(f"{len(words)}\n" + "\n".join(words) + "\n", encoding="utf-8")


def test_unknown_words_flagged_as_info(tmp_path):
    write_dictionary(tmp_path, "ru_RU", ["правительство", "возобновило", "переговоры"])
    config = QAConfig(dictionary_dirs=(str(tmp_path),))
    assert skipped_checks("ru", config) == {}
    flags = check_segment(SRC, "Правительство возобновило пирегаворы.", source_lang="en", target_lang="ru", config=config)
    assert [(f.check, f.severity) for f in flags] == [("spelling", "info")] and "пирегаворы" in flags[0].message
    assert check_segment(SRC, "Правительство возобновило переговоры.", source_lang="en", target_lang="ru", config=config) == []


def test_skipped_without_dictionary_or_with_another_orthography(tmp_path):
    config = QAConfig(dictionary_dirs=(str(tmp_path / "none"),))
    assert "no Hunspell dictionary for ru" in skipped_checks("ru", config)["spelling"]
    assert check_segment(SRC, "Правительство возобновило пирегаворы.", source_lang="en", target_lang="ru", config=config) == []
    write_dictionary(tmp_path, "hy_AM", ["կառավարութիւն"])  # classical spelling, as Debian's myspell-hy
    reason = skipped_checks("hy", QAConfig(dictionary_dirs=(str(tmp_path),)))["spelling"]
    assert "another orthography" in reason
    assert skipped_checks("ru", QAConfig(off=frozenset({"spelling"}), dictionary_dirs=(str(tmp_path / "none"),))) == {}


def test_approved_glossary_forms_are_not_spelling_errors(tmp_path):
    from i18n_pipeline.document import TermHit

    write_dictionary(tmp_path, "ru_RU", ["правительство", "сообщил", "росте", "цен"])
    config = QAConfig(dictionary_dirs=(str(tmp_path),))
    source = "Rosstat reported a rise in prices."
    target = "Госкомстат сообщил о росте цен."
    assert "Госкомстат" in check_segment(source, target, source_lang="en", target_lang="ru", config=config)[0].message
    hit = TermHit("Rosstat", 0, 7, "rosstat", ("Госкомстат",), status="ok", rendered="Госкомстат")
    assert check_segment(source, target, source_lang="en", target_lang="ru", config=config, term_hits=[hit]) == []
