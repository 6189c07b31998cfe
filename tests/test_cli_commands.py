"""CLI commands other than translate/models: detect, glossary, review, qa — exit codes, output, files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.mt.store import ModelStore

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "articles" / "000_62d6198c2960ff45.txt"
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"


def test_detect_json_on_the_sample_and_a_bad_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(app, ["detect", str(SAMPLE), str(empty), "--json"])
    assert result.exit_code == 1
    sample, bad = json.loads(result.stdout)
    assert sample["published"] == "2025-03-06T20:22:00+04:00"
    assert sample["author"] == "Khagan Isayev" and sample["section"] == "WORLD"
    assert sum(b["role"] == "body" for b in sample["blocks"]) == 13
    assert bad["path"] == str(empty) and "\n" not in bad["error"]


def test_detect_text_shows_roles(tmp_path):
    result = runner.invoke(app, ["detect", str(SAMPLE)])
    assert result.exit_code == 0
    assert "chrome/share" in result.stdout and "Ссылка скопирована" in result.stdout


@pytest.fixture
def glossary_dir(tmp_path):
    target = tmp_path / "glossary"
    shutil.copytree(ROOT / "glossary", target)
    return target


def test_glossary_list_check_add_remove(glossary_dir):
    listed = json.loads(runner.invoke(app, ["glossary", "list", "--json", "--glossary", str(glossary_dir)]).stdout)
    assert any(row["en"][0] == "Five Eyes" and row["ru"][0] == "«Пять глаз»" for row in listed)
    check = runner.invoke(app, ["glossary", "check", "--glossary", str(glossary_dir)])
    assert check.exit_code == 0, check.output
    added = runner.invoke(app, ["glossary", "add", "Pentagon", "--ru", "Пентагон", "--arm", "Պենտագոն",
                                "--pos", "propn", "--glossary", str(glossary_dir)])
    assert added.exit_code == 0, added.output
    assert "Пентагон" in (glossary_dir / "terms.csv").read_text(encoding="utf-8")
    duplicate = runner.invoke(app, ["glossary", "add", "Pentagon", "--ru", "Минобороны США",
                                    "--glossary", str(glossary_dir)])
    assert duplicate.exit_code == 1 and "Pentagon" in duplicate.stderr
    removed = runner.invoke(app, ["glossary", "remove", "Pentagon", "--glossary", str(glossary_dir)])
    assert removed.exit_code == 0
    assert "Пентагон" not in (glossary_dir / "terms.csv").read_text(encoding="utf-8")


def test_glossary_check_reports_file_line_and_fails(glossary_dir):
    with (glossary_dir / "places.csv").open("a", encoding="utf-8") as handle:
        handle.write("Kyiv,Москва,Մոսկվա,,,,,,,approved,conflicting on purpose\n")
    result = runner.invoke(app, ["glossary", "check", "--glossary", str(glossary_dir)])
    assert result.exit_code == 1
    assert "places.csv:" in result.stdout and "Kyiv" in result.stdout


def test_glossary_tbx_round_trip(glossary_dir, tmp_path):
    tbx = tmp_path / "terms.tbx"
    assert runner.invoke(app, ["glossary", "export", str(tbx), "--glossary", str(glossary_dir)]).exit_code == 0
    assert etree.parse(str(tbx)).getroot().tag.endswith("martif")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = runner.invoke(app, ["glossary", "import", str(tbx), "--glossary", str(fresh)])
    assert result.exit_code == 0, result.output
    listed = json.loads(runner.invoke(app, ["glossary", "list", "--json", "--glossary", str(fresh)]).stdout)
    assert len(listed) == len(json.loads(runner.invoke(app, ["glossary", "list", "--json", "--glossary",
                                                             str(glossary_dir)]).stdout))


@pytest.fixture(scope="module")
def translated(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("run")
    store = ModelStore(root / "models")
    store.install(copy_package)
    store.install(copy_package_hy)
    result = runner.invoke(app, ["translate", str(SAMPLE), "--to", "ru", "--out", str(root / "out"),
                                 "--models", str(root / "models"), "--state", str(root / "state"), "--quiet"])
    assert result.exit_code == 0, result.output
    return root


def test_qa_rechecks_files_and_fails_while_errors_remain(translated):
    result = runner.invoke(app, ["qa", str(translated / "out"), "--json"])
    assert result.exit_code == 1  # the copy model's English output is an error for ru
    report = json.loads(result.stdout)
    assert {Path(r["path"]).name for r in report} == {"ru.xlf", "ru.tmx"}
    assert all(r["segments"] == 20 for r in report)
    assert any(r["qa"].get("identical") or r["qa"].get("untranslated") for r in report)


def _approve_all(xlf: Path, tmp_path: Path, replace: dict[str, str]) -> Path:
    tree = etree.parse(str(xlf))
    for segment in tree.iter(f"{{{XLIFF_NS}}}segment"):
        segment.set("state", "final")
        target = segment.find(f"{{{XLIFF_NS}}}target")
        source = segment.find(f"{{{XLIFF_NS}}}source")
        if source.text in replace:
            target.text = replace[source.text]
    out = tmp_path / "approved.xlf"
    tree.write(str(out), xml_declaration=True, encoding="utf-8")
    return out


def test_review_import_then_translate_reuses_human_work(translated, tmp_path):
    sentence = "No decision or action has been taken, however, the sources said."
    human = "Однако, по словам источников, никаких решений или действий пока не принято."
    approved = _approve_all(translated / "out" / SAMPLE.stem / "ru.xlf", tmp_path, {sentence: human})
    state = tmp_path / "state"
    shutil.copytree(translated / "state", state)
    result = runner.invoke(app, ["review", "import", str(approved), "--state", str(state), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] >= 1
    out = tmp_path / "out"
    result = runner.invoke(app, ["translate", str(SAMPLE), "--to", "ru", "--out", str(out), "--models",
                                 str(translated / "models"), "--state", str(state), "--json"])
    summary = json.loads(result.stdout)
    assert summary["locales"]["ru"]["mt"] == 0
    assert human in (out / SAMPLE.stem / "ru.txt").read_text(encoding="utf-8")
    exported = runner.invoke(app, ["review", "export", str(SAMPLE), "--to", "ru", "--out",
                                   str(tmp_path / "for-review.xlf"), "--state", str(state)])
    assert exported.exit_code == 0, exported.output
    assert human in (tmp_path / "for-review.xlf").read_text(encoding="utf-8")


def test_review_import_of_conflicting_approvals_exits_1(translated, tmp_path):
    sentence = "No decision or action has been taken, however, the sources said."
    first = _approve_all(translated / "out" / SAMPLE.stem / "ru.xlf", tmp_path, {sentence: "Вариант один."})
    second_dir = tmp_path / "b"
    second_dir.mkdir()
    second = _approve_all(translated / "out" / SAMPLE.stem / "ru.xlf", second_dir, {sentence: "Вариант два."})
    result = runner.invoke(app, ["review", "import", str(first), str(second), "--state", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "conflict" in result.stderr and "Вариант один." in result.stderr
