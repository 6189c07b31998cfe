"""NLLB-200 packs: the tiny CTranslate2 double end to end, source order, licence gating, provenance."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.config import MTSettings
from i18n_pipeline.errors import CorruptModelError, ModelError, UsageError
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing.nllb import build_tiny_nllb_folder

runner = CliRunner()
ACCEPT = frozenset({"non-commercial"})
SENTENCES = ["The minister said on Monday that the talks will go on.", "Officials in Moscow declined to comment."]


@pytest.fixture(scope="module")
def nllb_folder(tmp_path_factory):
    return build_tiny_nllb_folder(tmp_path_factory.mktemp("nllb") / "nllb-200-test-ct2-int8")


def test_the_double_is_an_nllb_layout_with_language_tokens_as_single_pieces(nllb_folder):
    import sentencepiece

    assert {"model.bin", "config.json", "shared_vocabulary.json", "sentencepiece.bpe.model"} <= {
        p.name for p in nllb_folder.iterdir()}
    processor = sentencepiece.SentencePieceProcessor(model_file=str(nllb_folder / "sentencepiece.bpe.model"))
    assert processor.encode("hye_Armn", out_type=str)[-1] == "hye_Armn"
    assert "rus_Cyrl" in json.loads((nllb_folder / "shared_vocabulary.json").read_text(encoding="utf-8"))


def test_source_is_language_pieces_eos_and_the_target_token_is_dropped(tmp_path, nllb_folder):
    store = ModelStore(tmp_path / "models")
    info = store.import_nllb(nllb_folder, "hy", ACCEPT)
    assert (info.kind, info.to_code, info.licence) == ("nllb", "hy", "CC-BY-NC-4.0") and info.non_commercial
    results = store.load(info, MTSettings()).translate(SENTENCES, return_attention=True)
    for sentence, result in zip(SENTENCES, results):
        assert result.source_tokens[0] == "eng_Latn" and result.source_tokens[-1] == "</s>"
        # The copy weights write the forced hye_Armn, then the pieces after eng_Latn: the text comes
        # back whole only when the language token leads the source and the first output is dropped.
        assert result.best.text == sentence
        assert "hye_Armn" not in result.best.target_tokens
        assert len(result.best.attention) == len(result.best.target_tokens)


def test_a_legacy_folder_puts_the_language_after_eos(tmp_path):
    folder = build_tiny_nllb_folder(tmp_path / "legacy", legacy=True)
    store = ModelStore(tmp_path / "models")
    info = store.import_nllb(folder, "ru", ACCEPT)
    (result,) = store.load(info, MTSettings()).translate(SENTENCES[:1])
    assert result.source_tokens[-2:] == ["</s>", "eng_Latn"] and result.source_tokens[0] != "eng_Latn"
    meta = json.loads((tmp_path / "models" / "nllb-en_ru" / "metadata.json").read_text(encoding="utf-8"))
    assert (meta["source_order"], meta["target_lang"]) == ("legacy", "rus_Cyrl")


def test_random_weights_load_and_translate_without_the_language_token(tmp_path):
    folder = build_tiny_nllb_folder(tmp_path / "random", weights="random")
    store = ModelStore(tmp_path / "models")
    (result,) = store.load(store.import_nllb(folder, "hy", ACCEPT), MTSettings(beam_size=1)).translate(["Hello."])
    assert "hye_Armn" not in result.best.target_tokens  # what the words are, random weights decide


def test_refused_without_accepting_the_non_commercial_licence(tmp_path, nllb_folder):
    with pytest.raises(UsageError, match="CC-BY-NC-4.0"):
        ModelStore(tmp_path / "models").import_nllb(nllb_folder, "hy")
    result = runner.invoke(app, ["models", "import-nllb", str(nllb_folder), "--to", "arm",
                                 "--models", str(tmp_path / "models")])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--accept-licence non-commercial" in result.stderr
    assert not (tmp_path / "models").exists() or ModelStore(tmp_path / "models").packs() == []
    ok = runner.invoke(app, ["models", "import-nllb", str(nllb_folder), "--to", "arm", "--accept-licence",
                             "non-commercial", "--models", str(tmp_path / "models")])
    assert ok.exit_code == 0 and ok.stdout.startswith("installed nllb-en_hy: en→hy (nllb")
    listed = runner.invoke(app, ["models", "list", "--models", str(tmp_path / "models")]).stdout
    assert "licence CC-BY-NC-4.0 (non-commercial)" in listed and "NLLB Team" in listed


def test_a_zipped_folder_installs_too(tmp_path, nllb_folder):
    archive = tmp_path / "nllb-200_test_int8_ct2.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in nllb_folder.iterdir():
            bundle.write(path, f"nllb-200_test_int8_ct2/{path.name}")
    info = ModelStore(tmp_path / "models").import_nllb(archive, "hy", ACCEPT)
    assert info.version == "nllb-200_test_int8_ct2"


def test_broken_folders_are_named_with_what_to_do(tmp_path, nllb_folder):
    no_spm = tmp_path / "no-spm"
    shutil.copytree(nllb_folder, no_spm)
    (no_spm / "sentencepiece.bpe.model").unlink()
    with pytest.raises(CorruptModelError, match="no sentencepiece.bpe.model beside model.bin"):
        ModelStore(tmp_path / "models").import_nllb(no_spm, "hy", ACCEPT)
    no_lang = build_tiny_nllb_folder(tmp_path / "no-lang", language_tokens=("eng_Latn",))
    with pytest.raises(ModelError, match="vocabulary has no hye_Armn"):
        ModelStore(tmp_path / "models").import_nllb(no_lang, "hy", ACCEPT)


def test_translations_from_a_non_commercial_model_say_so_in_their_provenance(tmp_path, nllb_folder):
    models = tmp_path / "models"
    ModelStore(models).import_nllb(nllb_folder, "hy", ACCEPT)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "talks.md").write_text("# Talks go on\n\nThe minister said on Monday that the talks will go on.\n",
                                    encoding="utf-8")
    result = runner.invoke(app, ["translate", str(inbox), "--to", "arm", "--out", str(tmp_path / "out"),
                                 "--models", str(models), "--state", str(tmp_path / "state"), "--glossary",
                                 str(tmp_path / "no-glossary")])
    assert result.exit_code == 0, result.output
    tmx = (tmp_path / "out" / "talks" / "arm.tmx").read_text(encoding="utf-8")
    assert '<prop type="x-licence">CC-BY-NC-4.0</prop>' in tmx
    xliff = (tmp_path / "out" / "talks" / "arm.xlf").read_text(encoding="utf-8")
    assert "nllb-en_hy" in xliff and "licence CC-BY-NC-4.0: non-commercial use only" in xliff
