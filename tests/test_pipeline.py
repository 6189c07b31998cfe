"""End to end through the real CTranslate2 engine with the copy models the tests build."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing import build_copy_argos_package

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    store.install(copy_package)
    store.install(copy_package_hy)
    return root


@pytest.fixture
def workspace(tmp_path, models):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    return {"inbox": inbox, "out": tmp_path / "out", "state": tmp_path / "state", "models": models}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the translate path tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def translate(ws, *extra, paths=None):
    args = ["translate", *(paths or [str(ws["inbox"])]), "--to", "ru,arm", "--out", str(ws["out"]),
            "--models", str(ws["models"]), "--state", str(ws["state"]), "--json", *extra]
    result = runner.invoke(app, args)
    summary = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, summary


def test_sample_translates_offline_into_every_output(workspace, no_network):
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    assert summary["failed"] == []
    stem = SAMPLE.stem
    folder = workspace["out"] / stem
    for site in ("ru", "arm"):
        for suffix in (".xlf", ".tmx", ".review.html", ".json", ".txt", ".html"):
            assert (folder / f"{site}{suffix}").is_file(), f"{site}{suffix}"
        counts = summary["locales"][site]
        assert counts["segments"] == 20 and counts["mt"] == counts["segments"] and counts["tm"] == 0
    xliff = etree.parse(str(folder / "arm.xlf")).getroot()
    assert (xliff.get("srcLang"), xliff.get("trgLang")) == ("en", "hy")
    units = xliff.findall(f".//{XLIFF}unit")
    assert len(units) == 14  # headline + 13 body paragraphs
    sources = [s.text for s in xliff.iter(f"{XLIFF}source")]
    assert any("Five Eyes" in (s or "") for s in sources)
    article_text = (folder / "ru.txt").read_text(encoding="utf-8")
    assert "Share it on social media" not in article_text and "twitter" not in article_text


def test_copy_model_output_is_flagged_as_not_translated(workspace):
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    qa = summary["locales"]["ru"]["qa"]
    flagged = qa.get("identical", 0) + qa.get("untranslated", 0) + qa.get("wrong-language", 0)
    assert flagged >= summary["locales"]["ru"]["segments"] - 2


def test_rerun_sends_nothing_to_mt_and_edit_retranslates_only_changed_sentences(workspace):
    translate(workspace)
    result, summary = translate(workspace)
    assert result.exit_code == 0
    for site in ("ru", "arm"):
        assert summary["locales"][site]["mt"] == 0
        assert summary["locales"][site]["tm"] == summary["locales"][site]["segments"]
    article = workspace["inbox"] / SAMPLE.name
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("No decision or action has been taken, however, the sources said.",
                                    "No decision has been taken yet, the sources said."), encoding="utf-8")
    result, summary = translate(workspace)
    assert summary["locales"]["ru"]["mt"] == 1


def test_bad_inputs_fail_one_line_each_and_the_batch_goes_on(workspace):
    (workspace["inbox"] / "empty.txt").write_bytes(b"")
    (workspace["inbox"] / "binary.txt").write_bytes(bytes(range(256)) * 10)
    result, summary = translate(workspace)
    assert result.exit_code == 1
    assert sorted(Path(f["path"]).name for f in summary["failed"]) == ["binary.txt", "empty.txt"]
    assert all("\n" not in f["error"] for f in summary["failed"])
    assert (workspace["out"] / SAMPLE.stem / "ru.xlf").is_file()


def test_block_already_in_target_language_is_not_translated_into_it(workspace, tmp_path):
    article = workspace["inbox"] / SAMPLE.name
    text = article.read_text(encoding="utf-8")
    russian = "«Мы продолжим тесное сотрудничество с нашими союзниками», — заявил представитель правительства."
    article.write_text(text.replace("No decision or action has been taken, however, the sources said.", russian),
                       encoding="utf-8")
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    doc = json.loads((workspace["out"] / SAMPLE.stem / "ru.json").read_text(encoding="utf-8"))
    text_json = json.dumps(doc, ensure_ascii=False)
    assert russian in text_json
    assert summary["locales"]["ru"]["passthrough"] == 1
    # No ru→hy model and no ru→en to pivot through: flagged and passed through, visibly.
    assert summary["locales"]["arm"]["passthrough"] == 1
    arm = json.dumps(json.loads((workspace["out"] / SAMPLE.stem / "arm.json").read_text(encoding="utf-8")),
                     ensure_ascii=False)
    assert "no model for ru→hy" in arm

    # With ru→en installed, Armenian pivots through English and nothing is passed through.
    models = tmp_path / "pivot-models"
    shutil.copytree(workspace["models"], models)
    ModelStore(models).install(build_copy_argos_package(tmp_path / "ru_en.argosmodel", "ru", "en"))
    result, summary = translate({**workspace, "models": models})
    assert result.exit_code == 0, result.output
    assert summary["locales"]["arm"]["passthrough"] == 0
    assert "translate-ru_en+translate-en_hy" in (workspace["out"] / SAMPLE.stem / "arm.xlf").read_text(encoding="utf-8")


def test_english_full_of_azerbaijani_names_is_translated_not_passed_through(workspace):
    """Issue 14, item 11: only the real Azerbaijani paragraph is passed through (no az model)."""
    (workspace["inbox"] / SAMPLE.name).unlink()
    (workspace["inbox"] / "names.txt").write_text(
        "Baku Military Court hears testimony of Şəhla Talıbova\n\n"
        "On July 21, at the Baku Military Court, the injured party Şəhla Talıbova testified during the trial.\n\n"
        "Transport ministers agreed on Thursday to build a new rail link across the region.\n\n"
        "Azerbaijani Foreign Minister Ceyhun Bayramov met presidential adviser Hikmət Hacıyev in Baku on Tuesday.\n\n"
        "The line will connect three capitals and carry freight from 2028, officials said.\n\n"
        "Prezident İlham Əliyev bu gün Bakıda xarici qonaqları qəbul edib.\n", encoding="utf-8")
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    for site in ("ru", "arm"):
        assert (summary["locales"][site]["segments"], summary["locales"][site]["passthrough"]) == (6, 1)


def test_random_model_output_gets_exactly_the_flags_its_text_earns(tmp_path, random_package):
    """What random weights write differs from CPU to CPU, so nothing here depends on it: whatever
    the text, each segment's numbers and glossary-term flags are what QA computes from its own
    source and target, term statuses are what compliance finds there, and the summary counts them."""
    from i18n_pipeline.document import TermHit
    from i18n_pipeline.glossary import compliance
    from i18n_pipeline.qa import QAConfig
    from i18n_pipeline.qa.numbers import check_numbers
    from i18n_pipeline.qa.pair import Pair

    models = tmp_path / "models"
    ModelStore(models).install(random_package)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "numbers.md").write_text(
        "# CIA budget rises to 5 million dollars\n\n"
        "The CIA said 1,234 analysts joined in 2024, up 12.5% from the year before.\n\n"
        "Officials in Moscow declined to comment on the 17 flights.\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(inbox), "--to", "ru", "--out", str(tmp_path / "out"),
                                 "--models", str(models), "--state", str(tmp_path / "state"), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["locales"]["ru"]["qa"]
    doc = json.loads((tmp_path / "out" / "numbers" / "ru.json").read_text(encoding="utf-8"))
    segments = [s for block in doc["blocks"] for s in block.get("segments") or []]
    assert len(segments) == 3  # the headline and two sentences: from the input, not the output
    gates = {"empty", "identical", "untranslated", "wrong-language"}
    for segment in segments:
        source, target = segment["source"], segment["target"]["text"]
        checks = {flag["check"] for flag in segment["target"]["flags"]}
        terms = [TermHit(**{**t, "expected": tuple(t["expected"])}) for t in segment["target"]["terms"]]
        assert terms, source  # CIA or Moscow is in every sentence
        lost = {t.term for t in terms if t.status in ("missing", "no-target")}
        recomputed = compliance(terms, target, "ru")
        assert lost == {t.term for t in recomputed if t.status in ("missing", "no-target")}, (source, target)
        if checks & gates:  # a copy or a text in another language: the finer checks do not run
            assert not checks & {"numbers", "glossary-term"}, source
            continue
        pair = Pair(source, target, "en", "ru", (), (), QAConfig())
        assert ("numbers" in checks) == bool(check_numbers(pair)), (source, target)
        assert ("glossary-term" in checks) == bool(lost), (source, target)
    for check in ("numbers", "glossary-term"):
        flagged = sum(check in {f["check"] for f in s["target"]["flags"]} for s in segments)
        assert counts.get(check, 0) == flagged, check


DROPPED = ["CIA", "White House", "Five Eyes", "Kyiv", "Washington", "Israel"]


def test_glossary_re_decodes_are_counted_and_noted(tmp_path, random_package, monkeypatch):
    """A model that leaves some terms out: the terms are forced in by a re-decode that keeps
    every other word, each such segment says so, and the summary counts them."""
    from i18n_pipeline.pipeline import REDECODE_NOTE
    from i18n_pipeline.testing.doubles import BehaviourDouble

    monkeypatch.setattr(ModelStore, "load",
                        lambda self, info, settings: BehaviourDouble("bpe1k", behaviour="drop", terms=DROPPED))
    models = tmp_path / "models"
    ModelStore(models).install(random_package)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / SAMPLE.name)
    args = ["translate", str(inbox), "--to", "ru", "--out", str(tmp_path / "out"), "--models", str(models),
            "--state", str(tmp_path / "state"), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    counted = json.loads(result.stdout)["locales"]["ru"]["redecoded"]
    doc = json.loads((tmp_path / "out" / SAMPLE.stem / "ru.json").read_text(encoding="utf-8"))
    segments = [s for b in doc["blocks"] for s in b.get("segments") or []]
    noted = [s for s in segments if s["target"]["provenance"]["note"] == REDECODE_NOTE]
    dropping = [s for s in segments if any(t["term"] in DROPPED and t["expected"] for t in s["target"]["terms"])]
    assert counted == len(noted) > 0 and len(noted) <= len(dropping)
    for segment in noted:
        terms = segment["target"]["terms"]
        assert all(t["status"] in ("ok", "enforced") for t in terms if t["expected"]), segment
        assert any(t["status"] == "enforced" and t["term"] in DROPPED for t in terms)
    rerun = runner.invoke(app, args)
    assert json.loads(rerun.stdout)["locales"]["ru"]["redecoded"] == 0  # nothing decoded this time


def test_inputs_with_the_same_stem_get_their_own_output_folders(workspace):
    other = workspace["inbox"] / "more"
    other.mkdir()
    shutil.copy(SAMPLE, other / SAMPLE.name)
    (workspace["inbox"] / f"{SAMPLE.stem}.md").write_text("# A title here\n\nA body sentence that is long enough.\n")
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    stems = sorted(a["stem"] for a in summary["articles"])
    assert len(set(stems)) == 3
    assert all((workspace["out"] / stem / "ru.xlf").is_file() for stem in stems)


def test_unchanged_articles_are_not_processed_again_until_something_changes(workspace):
    translate(workspace)
    folder = workspace["out"] / SAMPLE.stem
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    result, summary = translate(workspace)
    assert result.exit_code == 0
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written  # nothing rewritten
    assert summary["articles"][0]["outputs"] and summary["locales"]["ru"]["tm"] == 20
    assert summary["locales"]["ru"]["qa"].get("identical", 0) > 0  # counts come back from the manifest

    (folder / "ru.xlf").unlink()  # a missing or edited output means the article is done again
    result, summary = translate(workspace)
    assert (folder / "ru.xlf").is_file() and summary["locales"]["ru"]["mt"] == 0

    glossary = workspace["out"].parent / "glossary"
    shutil.copytree(Path(__file__).resolve().parents[1] / "glossary", glossary)
    with (glossary / "organisations.csv").open("a", encoding="utf-8") as handle:
        handle.write("intelligence partner,партнёр по разведке,հետախուզական գործընկեր,,,,noun,,,approved,test\n")
    result, summary = translate(workspace, "--glossary", str(glossary))
    assert result.exit_code == 0, result.output
    assert summary["locales"]["ru"]["mt"] > 0  # a glossary change invalidates MT, so it runs again


def test_broken_glossary_row_under_a_relative_folder_names_the_file_once(workspace, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "terms").mkdir()
    (tmp_path / "terms" / "desk.csv").write_text(
        "en,ru,arm,dnt,case_sensitive,fixed,pos,gender,animacy,status,note\n"
        "Pentagon,Пентагон,Պենտագոն,,yes,,propn,masc,inan,approved,\n"
        "budget,бюджет,բյուջե,maybe,,,noun,masc,inan,approved,\n", encoding="utf-8")
    result, summary = translate(workspace, "--glossary", "terms")
    assert result.exit_code == 1
    assert [f["path"] for f in summary["failed"]] == ["terms/desk.csv:3"]
    assert summary["failed"][0]["error"].startswith("terms/desk.csv:3: dnt must be yes or no")
    assert "terms/terms" not in result.output


def test_xliff_original_is_relative_to_the_inbox_not_the_machine(workspace):
    desk = workspace["inbox"] / "politics"
    desk.mkdir()
    shutil.move(workspace["inbox"] / SAMPLE.name, desk / SAMPLE.name)
    assert workspace["inbox"].is_absolute()
    result, summary = translate(workspace)
    assert result.exit_code == 0, result.output
    file_el = etree.parse(str(workspace["out"] / SAMPLE.stem / "ru.xlf")).getroot().find(f"{XLIFF}file")
    assert file_el.get("original") == f"politics/{SAMPLE.name}"
    # a file named directly is known by its name alone
    result, summary = translate(workspace, paths=[str(desk / SAMPLE.name)])
    assert result.exit_code == 0, result.output
    file_el = etree.parse(str(workspace["out"] / SAMPLE.stem / "ru.xlf")).getroot().find(f"{XLIFF}file")
    assert file_el.get("original") == SAMPLE.name


@pytest.mark.parametrize("glossary", ["default", "empty"])
def test_a_batch_streamed_in_small_chunks_writes_what_one_chunk_writes(tmp_path, models, monkeypatch, glossary):
    """Articles go to the engine in chunks as they are read, and are written chunk by chunk as
    the engine finishes them: the outputs and counts do not depend on where the chunks fall."""
    from bench.corpus import generate_articles

    from i18n_pipeline import pipeline

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for index, text in enumerate(generate_articles(SAMPLE.read_text(encoding="utf-8"), 4)):
        (inbox / f"a{index}.txt").write_text(text, encoding="utf-8")
    extra = []
    if glossary == "empty":
        (tmp_path / "no-glossary").mkdir()
        (tmp_path / "i18n.toml").write_text(f'[paths]\nglossary = "{tmp_path / "no-glossary"}"\n', encoding="utf-8")
        extra = ["--config", str(tmp_path / "i18n.toml")]

    def run(chunk: int, name: str):
        monkeypatch.setattr(pipeline, "QUEUE_SENTENCES", chunk)
        ws = {"inbox": inbox, "out": tmp_path / f"out-{name}", "state": tmp_path / f"state-{name}", "models": models}
        result, summary = translate(ws, *extra)
        assert result.exit_code == 0, result.output
        texts = {p.relative_to(ws["out"]).as_posix(): p.read_text(encoding="utf-8")
                 for p in sorted(ws["out"].rglob("*.txt"))}
        return texts, summary["locales"]

    small, small_counts = run(1, "small")
    whole, whole_counts = run(10**9, "whole")
    assert len(small) == 8 and small == whole
    assert small_counts == whole_counts
