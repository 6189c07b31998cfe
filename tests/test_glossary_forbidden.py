"""Forbidden variants: the ``forbidden`` column, its checks, its writes, and the QA check that finds them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from translate.storage.xliff2 import Xliff2File
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.glossary import add_term, check_fields, check_glossary, find_row, load_glossary, row_hash, update_term
from i18n_pipeline.glossary.forbidden import find_forbidden, forbidden_variants
from i18n_pipeline.glossary.impact import entry_hash
from i18n_pipeline.qa import QAConfig, check_segment

STARTER = Path(__file__).resolve().parents[1] / "glossary"
NO_SPELLING = QAConfig(off=frozenset({"spelling"}))
SOURCE = "The Five Eyes alliance met in Canada on Monday."


def _base(tmp_path: Path) -> Path:
    directory = tmp_path / "glossary"
    shutil.copytree(STARTER, directory)
    return directory


def _forbid(directory: Path, cell: str = "ru:Пятёрка|arm:Հնգյակ") -> None:
    record = find_row(directory, "Five Eyes")
    update_term(directory, "Five Eyes", {**record.row, "forbidden": cell}, base=record.hash)


def _flags(target: str, lang: str, variants) -> list:
    return [f for f in check_segment(SOURCE, target, source_lang="en", target_lang=lang, config=NO_SPELLING,
                                     forbidden=variants) if f.check == "glossary-forbidden"]


def test_the_first_forbidden_variant_adds_the_column_and_other_files_stay_byte_for_byte(tmp_path):
    directory = _base(tmp_path)
    others = {p.name: p.read_bytes() for p in directory.glob("*.csv") if p.name != "organisations.csv"}
    hashes = {r.id: r.hash for r in map(lambda e: find_row(directory, e.id), load_glossary(directory).entries)}
    before = load_glossary(directory)
    _forbid(directory)
    text = (directory / "organisations.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(",note,forbidden")
    assert {p.name: p.read_bytes() for p in directory.glob("*.csv") if p.name != "organisations.csv"} == others
    after = load_glossary(directory)
    five = after.get("Five Eyes")
    assert five.forbidden == {"ru": ("Пятёрка",), "arm": ("Հնգյակ",)}
    # Rows without a forbidden variant keep their hashes (open editors see no conflict) ...
    assert all(find_row(directory, i).hash == h for i, h in hashes.items() if i != "Five Eyes")
    assert row_hash({"en": "X", "forbidden": ""}) == row_hash({"en": "X"})
    # ... and a forbidden variant sends nothing to the engine again, while QA's base hash changes.
    assert entry_hash(five) == entry_hash(before.get("Five Eyes")) and after.hash != before.hash
    # A second edit on the file with the column changes one line only.
    lines = text.splitlines()
    record = find_row(directory, "CSIS")
    update_term(directory, "CSIS", {**record.row, "forbidden": "ru:СКБР"}, base=record.hash)
    changed = [(a, b) for a, b in zip(lines, (directory / "organisations.csv").read_text(encoding="utf-8").splitlines())
               if a != b]
    assert len(changed) == 1 and changed[0][1].endswith(",ru:СКБР")


def test_glossary_check_and_the_desk_report_bad_forbidden_cells_at_the_field(tmp_path):
    directory = _base(tmp_path)
    record = find_row(directory, "Five Eyes")
    for cell, wanted in (("Пятёрка", "must start with its locale"), ("de:Fünf Augen", "must start with its locale"),
                         ("ru:«Пять глаз»", "is also an approved ru target"), ("ru: …", "has no letters")):
        problems = check_fields(directory, {**record.row, "forbidden": cell}, original="Five Eyes")
        assert [(p.field, p.severity) for p in problems] == [("forbidden", "error")], (cell, problems)
        assert wanted in problems[0].message
    path = directory / "terms.csv"
    path.write_text("en,ru,forbidden\nSpy agency,спецслужба,ru:Пятёрка|xx:y\n", encoding="utf-8")
    assert [str(p) for p in check_glossary(directory) if p.severity == "error"] == [
        f"{path}:2: forbidden variant 'xx:y' must start with its locale (ru: or arm:)"]
    add_result = CliRunner().invoke(app, ["glossary", "check", "--glossary", str(directory)])
    assert add_result.exit_code == 1 and "forbidden variant 'xx:y'" in add_result.output


def test_a_new_entry_without_forbidden_variants_does_not_grow_an_old_header(tmp_path):
    directory = _base(tmp_path)
    before = (directory / "people.csv").read_text(encoding="utf-8")
    add_term(directory, {"en": "Andrew Hastie", "ru": "Эндрю Хасти", "file": "people.csv", "forbidden": ""})
    after = (directory / "people.csv").read_text(encoding="utf-8")
    assert after.startswith(before) and after.count("\n") == before.count("\n") + 1


def test_qa_flags_forbidden_variants_in_any_form_anywhere_in_the_target(tmp_path):
    directory = _base(tmp_path)
    _forbid(directory)
    glossary = load_glossary(directory)
    ru, hy = forbidden_variants(glossary, "ru"), forbidden_variants(glossary, "hy")
    assert [v.form for v in ru] == ["Пятёрка"] and [v.form for v in forbidden_variants(glossary, "arm")] == ["Հնգյակ"]
    [flag] = _flags("Страны «пятерки» встретились в Канаде в понедельник.", "ru", ru)  # genitive, ё/е, case
    assert "'пятерки'" in flag.message and "«Пять глаз»" in flag.message and flag.severity == "warning"
    assert _flags("Альянс «Пять глаз» встретился в Канаде в понедельник.", "ru", ru) == []
    assert _flags("Пятёрочка открыла магазин в Канаде.", "ru", ru) == []  # whole words only
    assert _flags("Страны «пятерки» встретились в Канаде.", "ru", ()) == []  # nothing forbidden: nothing flagged
    [flag] = _flags("Հնգյակի երկրները երկուշաբթի հանդիպեցին Կանադայում։", "hy", hy)  # suffix -ի
    assert "Հնգյակի" in flag.message
    # An approved target that contains a forbidden word is not flagged.
    from i18n_pipeline.glossary.forbidden import ForbiddenVariant
    big_five = (ForbiddenVariant("Big Five", "пятёрка", "Большая пятёрка", ("Большая пятёрка",)),)
    assert find_forbidden(big_five, "Большая пятёрка собралась, а пятёрка разошлась.", "ru")[0][1] == "пятёрка"
    assert len(find_forbidden(big_five, "Большая пятёрка собралась, а пятёрка разошлась.", "ru")) == 1


def test_qa_on_an_edited_file_flags_a_forbidden_variant(tmp_path):
    directory = _base(tmp_path)
    _forbid(directory)
    store = Xliff2File(sourcelanguage="en", targetlanguage="ru")
    unit = store.addsourceunit(SOURCE)
    unit.target = "Члены «Пятёрки» встретились в Канаде в понедельник."
    unit.setid("b2")
    path = tmp_path / "ru.xlf"
    path.write_bytes(bytes(store))
    result = CliRunner().invoke(app, ["qa", str(path), "--glossary", str(directory), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["qa"].get("glossary-forbidden") == 1
