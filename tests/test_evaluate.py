"""``models evaluate``: figures equal sacrebleu computed independently on the same pairs."""

from __future__ import annotations

import json

import pytest
import sacrebleu
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.config import MTSettings
from i18n_pipeline.document import Origin, State
from i18n_pipeline.evaluate import read_testset
from i18n_pipeline.locales import resolve_locale
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing import build_copy_opus_mt_pack
from i18n_pipeline.tm import TMEntry, TranslationMemory

runner = CliRunner()
APPROVED = [
    ("NBC News reported the talks on Monday.", "NBC News-ը երկուշաբթի հաղորդեց բանակցությունների մասին։"),
    ("The minister met NBC News in Moscow.", "Նախարարը Մոսկվայում հանդիպեց NBC News-ին։"),
    ("Officials in Moscow declined to comment.", "Մոսկվայի պաշտոնյաները հրաժարվեցին մեկնաբանել։"),
]
GLOSSARY = ("en,ru,arm,dnt,case_sensitive,fixed,pos,gender,animacy,status,note\n"
            "NBC News,,,yes,yes,yes,propn,,,approved,\n"
            "Moscow,Москва,Մոսկվա,,yes,,propn,femn,inan,approved,\n")


@pytest.fixture
def workspace(tmp_path):
    models, state, glossary = tmp_path / "models", tmp_path / "state", tmp_path / "glossary"
    build_copy_opus_mt_pack(models / "opus-mt-en_hy", "en", "hy")
    glossary.mkdir()
    (glossary / "terms.csv").write_text(GLOSSARY, encoding="utf-8")
    with TranslationMemory(state / "tm.sqlite") as tm:
        tm.import_human([TMEntry(s, t, "en", "hy", Origin.HUMAN, State.REVIEWED) for s, t in APPROVED])
        tm.store_many([TMEntry("An MT row.", "Մեքենա։", "en", "hy", Origin.MT, State.TRANSLATED, "ctranslate2", "x", "1")])
    return {"models": models, "state": state, "glossary": glossary, "tmp": tmp_path}


def _evaluate(ws, *extra):
    return runner.invoke(app, ["models", "evaluate", "--to", "arm", "--models", str(ws["models"]), "--state",
                               str(ws["state"]), "--glossary", str(ws["glossary"]), *extra])


def _independent(ws, pairs):
    store = ModelStore(ws["models"])
    engine = store.load(store.find("en", "hy"), MTSettings())
    hypotheses = [t.best.text for t in engine.translate([s for s, _ in pairs])]
    references = [[r for _, r in pairs]]
    return hypotheses, {
        "chrf": round(sacrebleu.corpus_chrf(hypotheses, references).score, 2),
        "chrf_plus_plus": round(sacrebleu.corpus_chrf(hypotheses, references, word_order=2).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hypotheses, references).score, 2),
    }


def test_scores_on_the_human_rows_equal_sacrebleu_computed_independently(workspace):
    result = _evaluate(workspace, "--json")
    assert result.exit_code == 0, result.output
    (score,) = json.loads(result.stdout)
    hypotheses, expected = _independent(workspace, APPROVED)  # the MT row is not a reference
    assert hypotheses == [s for s, _ in APPROVED]  # the copy model: known output, not random
    assert {k: score[k] for k in expected} == expected and score["segments"] == 3
    assert score["chrf"] > 0 and score["chrf_plus_plus"] != score["chrf"]
    assert score["signatures"]["chrF++"].startswith("nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no|version:")
    assert score["signatures"]["BLEU"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:")
    # NBC News (do not translate) comes back verbatim twice; Moscow stays English twice: 2 of 4.
    assert (score["terms"], score["terms_ok"], score["term_accuracy"]) == (4, 2, 50.0)
    assert (score["model"], score["locale"], len(score["glossary_hash"])) == ("opus-mt-en_hy", "arm", 16)


def test_a_tsv_and_a_tmx_testset_give_the_same_figures(workspace):
    tsv = workspace["tmp"] / "refs.tsv"
    tsv.write_text("".join(f"{s}\t{r}\n" for s, r in APPROVED[:2]), encoding="utf-8")
    tmx = workspace["tmp"] / "refs.tmx"
    units = "".join(f'<tu><tuv xml:lang="en"><seg>{s}</seg></tuv><tuv xml:lang="hy"><seg>{r}</seg></tuv></tu>'
                    for s, r in APPROVED[:2])
    tmx.write_text(f'<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en" '
                   f'datatype="plaintext" segtype="sentence" adminlang="en" creationtool="t" creationtoolversion="1" '
                   f'o-tmf="x"/><body>{units}</body></tmx>', encoding="utf-8")
    _, expected = _independent(workspace, APPROVED[:2])
    for path in (tsv, tmx):
        result = _evaluate(workspace, "--json", "--testset", str(path))
        assert result.exit_code == 0, result.output
        (score,) = json.loads(result.stdout)
        assert {k: score[k] for k in expected} == expected and score["segments"] == 2


def test_the_table_names_each_model_and_the_signatures(workspace):
    result = _evaluate(workspace)
    assert result.exit_code == 0, result.output
    _, expected = _independent(workspace, APPROVED)
    assert "opus-mt-en_hy" in result.stdout and f"{expected['chrf_plus_plus']:.2f}" in result.stdout
    assert "chrF++ signature: nrefs:1" in result.stdout and "2/4 (50.0%)" in result.stdout


def test_without_references_or_models_the_error_says_what_to_do(workspace, tmp_path):
    empty_state = tmp_path / "empty-state"
    with TranslationMemory(empty_state / "tm.sqlite"):
        pass
    result = runner.invoke(app, ["models", "evaluate", "--to", "arm", "--models", str(workspace["models"]),
                                 "--state", str(empty_state)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "review import" in result.stderr
    result = runner.invoke(app, ["models", "evaluate", "--to", "ru", "--models", str(workspace["models"]),
                                 "--state", str(workspace["state"])])
    assert result.exit_code == 2 and "no references for ru" in result.stderr
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"bad.tsv:1: expected two tab-separated columns"):
        read_testset(bad, resolve_locale("arm"))
    result = _evaluate(workspace, "--testset", str(tmp_path / "missing.tsv"))
    assert result.exit_code == 2 and "no such test set" in result.stderr
    result = runner.invoke(app, ["models", "evaluate", "--to", "arm", "--models", str(tmp_path / "none"),
                                 "--state", str(workspace["state"])])
    assert result.exit_code == 3 and "models fetch en arm" in result.stderr
