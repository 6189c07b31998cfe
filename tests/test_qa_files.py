"""``i18n-pipeline qa`` on files a translator edited: glossary terms are matched afresh.

The files are written by Translate Toolkit (what a CAT tool hands back), in the three formats
``qa`` reads; the glossary is the repository's own.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.tmx import tmxfile
from translate.storage.xliff import xlifffile
from translate.storage.xliff2 import Xliff2File
from typer.testing import CliRunner

from i18n_pipeline.cli import app

runner = CliRunner()
GLOSSARY = Path(__file__).resolve().parents[1] / "glossary"

SOURCE_RU = "The Five Eyes alliance met in Canada on Monday, NBC reported."
TARGET_RU = "Альянс «Пять глаз» провёл встречу в Канаде в понедельник, сообщает NBC."  # Канаде: inflected
SOURCE_HY = "Officials in Canada met the CIA on Monday."
TARGET_HY = "Երկուշաբթի Կանադայում պաշտոնյաները հանդիպեցին ԿՀՎ-ի ներկայացուցիչների հետ։"  # suffixes -ում, -ի


def _xliff21(path: Path, source: str, target: str, lang: str) -> str:
    store = Xliff2File(sourcelanguage="en", targetlanguage=lang)
    unit = store.addsourceunit(source)
    unit.target = target
    unit.setid("b2")
    root = etree.fromstring(bytes(store))
    root.set("version", "2.1")  # 2.1 keeps the 2.0 namespace; the toolkit writes version="2.0"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return "b2/1"  # the segment has no id: the reader numbers it


def _xliff12(path: Path, source: str, target: str, lang: str) -> str:
    store = xlifffile(sourcelanguage="en", targetlanguage=lang)
    unit = store.addsourceunit(source)
    unit.target = target
    unit.setid("b2.s1")
    # The toolkit writes the 1.1 namespace; CAT tools hand back 1.2.
    path.write_bytes(bytes(store).replace(b"xliff:document:1.1", b"xliff:document:1.2")
                     .replace(b'version="1.1"', b'version="1.2"'))
    return "b2.s1"


def _tmx(path: Path, source: str, target: str, lang: str) -> str:
    store = tmxfile(sourcelanguage="en", targetlanguage=lang)
    store.addtranslation(source, "en", target, lang)
    path.write_bytes(bytes(store))
    return "1"  # a TMX unit without a tuid is named by its position


WRITERS = {"xliff21": (_xliff21, "xlf"), "xliff12": (_xliff12, "xlf"), "tmx": (_tmx, "tmx")}


def _qa(*args: str):
    return runner.invoke(app, ["qa", *args])


def _write(tmp_path: Path, fmt: str, source: str, target: str, lang: str) -> tuple[Path, str]:
    writer, ext = WRITERS[fmt]
    path = tmp_path / f"{lang}.{fmt}.{ext}"
    return path, writer(path, source, target, lang)


@pytest.fixture
def error_grade(tmp_path) -> Path:
    settings = tmp_path / "i18n.toml"
    settings.write_text('[qa.severity]\nglossary-term = "error"\n', encoding="utf-8")
    return settings


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize(("source", "target", "edited", "lang"), [
    (SOURCE_RU, TARGET_RU, TARGET_RU.replace("«Пять глаз»", "«Пятёрка»"), "ru"),
    (SOURCE_HY, TARGET_HY, TARGET_HY.replace("ԿՀՎ-ի", "ԱԴԾ-ի"), "hy"),
])
def test_edited_target_that_drops_an_approved_term_is_flagged(tmp_path, error_grade, fmt, source, target, edited, lang):
    path, unit_id = _write(tmp_path, fmt, source, target, lang)
    untouched = _qa(str(path), "--glossary", str(GLOSSARY), "--config", str(error_grade))
    assert untouched.exit_code == 0, untouched.output  # inflected / suffixed approved forms pass
    assert "glossary-term" not in untouched.stdout
    assert untouched.stdout.rstrip().endswith("1 file(s) checked, 0 error(s)")

    _write(tmp_path, fmt, source, edited, lang)  # the translator's edit
    default = _qa(str(path), "--glossary", str(GLOSSARY))
    assert default.exit_code == 0, default.output  # glossary-term is a warning unless re-graded
    assert f"{path}#{unit_id}" in default.stdout and ": warning: glossary-term: term '" in default.stdout

    graded = _qa(str(path), "--glossary", str(GLOSSARY), "--config", str(error_grade))
    assert graded.exit_code == 1, graded.output
    flagged = [line for line in graded.stdout.splitlines() if ": error: glossary-term: " in line]
    assert len(flagged) == 1 and flagged[0].startswith(f"{path}#{unit_id}")
    assert graded.stdout.rstrip().endswith("1 file(s) checked, 1 error(s)")


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_changed_do_not_translate_term_is_an_error(tmp_path, fmt):
    path, unit_id = _write(tmp_path, fmt, SOURCE_RU, TARGET_RU.replace("NBC", "Эн-би-си"), "ru")
    result = _qa(str(path), "--glossary", str(GLOSSARY), "--json")
    assert result.exit_code == 1, result.output
    [report] = json.loads(result.stdout)
    assert report["segments"] == 1 and report["qa"] == {"dnt-changed": 1, "glossary-term": 1}


def test_the_glossary_defaults_to_the_working_directory(tmp_path, monkeypatch):
    shutil.copytree(GLOSSARY, tmp_path / "glossary")
    path, _ = _write(tmp_path, "xliff21", SOURCE_RU, TARGET_RU.replace("«Пять глаз»", "«Пятёрка»"), "ru")
    monkeypatch.chdir(tmp_path)
    result = _qa(str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["qa"] == {"glossary-term": 1}
    shutil.rmtree(tmp_path / "glossary")  # no ./glossary: the terms are not checked
    result = _qa(str(path), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["qa"] == {}


def test_a_missing_glossary_folder_given_on_the_command_line_is_one_line(tmp_path):
    path, _ = _write(tmp_path, "tmx", SOURCE_RU, TARGET_RU, "ru")
    result = _qa(str(path), "--glossary", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1 and "nowhere" in result.stderr


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_an_unknown_word_mark_in_a_target_is_an_error(tmp_path, fmt):
    path, unit_id = _write(tmp_path, fmt, SOURCE_HY, TARGET_HY.replace("պաշտոնյաները", "\u2047"), "hy")
    result = _qa(str(path), "--glossary", str(GLOSSARY))
    assert result.exit_code == 1, result.output
    assert f"{path}#{unit_id}: error: unknown-token: unknown-word mark '\u2047'" in result.stdout
