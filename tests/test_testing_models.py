"""The test-model builders produce real models that behave as the rest of the suite assumes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import ctranslate2
import numpy as np
import pytest
import sentencepiece as spm
import yaml
from ctranslate2.converters import OpusMTConverter
from ctranslate2.converters.marian import load_vocab

from i18n_pipeline.testing import (
    SAMPLE_ARTICLE_SENTENCES,
    build_copy_argos_package,
    train_sentencepiece,
    zip_opus_mt_release,
)
from i18n_pipeline.testing.opus_mt import MODEL_FILE, RELEASE_YML, VOCAB_FILE
from i18n_pipeline.testing.opus_mt_files import yaml_cpp_scalar

# Beyond the training text: digits, quotes, Cyrillic and Armenian the tokenizer has not seen
# whole, and characters it never saw at all (byte fallback).
EXTRA_SENTENCES = (
    "Ёжик № 5 купил 3 яблока за 120,50 ₽ — «дёшево»!",
    "Բարև, աշխարհ։ Կայքը՝ caliber.az",
    'Quotes "double", \'single\', “curly” and ‘mixed’; 50% of 1,234.5 km².',
    "Emoji 🙂 and CJK 漢字 survive too.",
    "x",
)
SENTENCES = (*SAMPLE_ARTICLE_SENTENCES, *EXTRA_SENTENCES)


def _unpack(package: Path, into: Path) -> Path:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(into)
    (top,) = into.iterdir()
    return top


@pytest.fixture(scope="module")
def copy_model(copy_package, tmp_path_factory):
    root = _unpack(copy_package, tmp_path_factory.mktemp("copy"))
    tokenizer = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
    return tokenizer, ctranslate2.Translator(str(root / "model"), device="cpu", compute_type="int8")


def test_sentencepiece_has_byte_fallback_and_is_deterministic(tmp_path, sp_lines):
    first = train_sentencepiece(tmp_path / "a", sp_lines, vocab_size=500)
    second = train_sentencepiece(tmp_path / "b", sp_lines, vocab_size=500, name="other")
    assert first.name == "sentencepiece.model" and second.name == "other.model"
    assert first.read_bytes() == second.read_bytes()
    tokenizer = spm.SentencePieceProcessor(model_file=str(first))
    for text in EXTRA_SENTENCES:
        assert tokenizer.unk_id() not in tokenizer.encode(text)
        assert tokenizer.decode(tokenizer.encode(text)) == text
    assert any(piece.startswith("<0x") for piece in tokenizer.encode("🙂", out_type=str))


@pytest.mark.parametrize("beam_size", [1, 4])
@pytest.mark.parametrize("source_eos", [False, True], ids=["bare", "with-eos"])
def test_copy_model_reproduces_every_sentence_exactly(copy_model, beam_size, source_eos):
    tokenizer, translator = copy_model
    sources = [tokenizer.encode(text, out_type=str) for text in SENTENCES]
    batch = [pieces + ["</s>"] if source_eos else pieces for pieces in sources]
    results = translator.translate_batch(batch, beam_size=beam_size, max_decoding_length=1024)
    outputs = [result.hypotheses[0] for result in results]
    assert outputs == sources
    assert [tokenizer.decode(pieces) for pieces in outputs] == list(SENTENCES)


def test_copy_attention_is_the_diagonal(copy_model):
    tokenizer, translator = copy_model
    sources = [tokenizer.encode(text, out_type=str) for text in SENTENCES]
    results = translator.translate_batch(sources, beam_size=4, return_attention=True)
    for pieces, result in zip(sources, results):
        attention = np.array(result.attention[0])[: len(pieces), : len(pieces)]
        assert attention.shape == (len(pieces), len(pieces))
        assert (attention.argmax(axis=1) == np.arange(len(pieces))).all()
        assert attention.diagonal().min() > 0.99


def test_copy_model_handles_long_sources_and_cuts_at_capacity(tmp_path):
    package = build_copy_argos_package(tmp_path / "short.argosmodel", max_positions=64)
    root = _unpack(package, tmp_path / "x")
    tokenizer = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(root / "model"), compute_type="int8")
    pieces = tokenizer.encode(" ".join(SAMPLE_ARTICLE_SENTENCES[:6]), out_type=str)
    assert len(pieces) > 64
    within, beyond = translator.translate_batch([pieces[:64], pieces], beam_size=2, max_decoding_length=512)
    assert within.hypotheses[0] == pieces[:64]
    assert beyond.hypotheses[0] == pieces[:64]


def test_copy_model_survives_float32_and_int8_saving(tmp_path):
    package = build_copy_argos_package(tmp_path / "f32.argosmodel", quantization="float32")
    root = _unpack(package, tmp_path / "x")
    tokenizer = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
    sources = [tokenizer.encode(text, out_type=str) for text in SENTENCES[:8]]
    for compute_type in ("float32", "int8"):
        translator = ctranslate2.Translator(str(root / "model"), compute_type=compute_type)
        assert [r.hypotheses[0] for r in translator.translate_batch(sources)] == sources


def test_packages_have_the_argos_layout_and_load_through_argostranslate(random_package, copy_package_hy, tmp_path):
    # argostranslate.settings creates its directories on import: conftest has pointed HOME and the
    # XDG variables at a temporary home first. Only argostranslate.package is imported here.
    assert str(Path.home()) == os.environ["HOME"] and "XDG_DATA_HOME" in os.environ
    from argostranslate.package import Package

    for package, to_code, to_name in ((random_package, "ru", "Russian"), (copy_package_hy, "hy", "Armenian")):
        root = _unpack(package, tmp_path / to_code)
        assert {path.name for path in root.iterdir()} >= {"metadata.json", "model", "sentencepiece.model"}
        metadata = json.loads((root / "metadata.json").read_text())
        assert metadata["type"] == "translate" and metadata["package_version"] == "1.0"
        loaded = Package(root)
        assert (loaded.from_code, loaded.to_code, loaded.from_name, loaded.to_name) == ("en", to_code, "English", to_name)
        pieces = loaded.tokenizer.encode("The allies said no.")
        result = ctranslate2.Translator(str(root / "model")).translate_batch([pieces], max_decoding_length=8)
        assert 1 <= len(result[0].hypotheses[0]) <= 8


def test_random_package_pads_the_vocabulary_beyond_the_tokenizer(tmp_path, sp_lines):
    from i18n_pipeline.testing import build_random_argos_package

    package = build_random_argos_package(tmp_path / "p.argosmodel", vocab_size=3000, training_lines=sp_lines, seed=3)
    root = _unpack(package, tmp_path / "x")
    vocabulary = json.loads((root / "model" / "shared_vocabulary.json").read_text())
    tokenizer = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
    assert len(vocabulary) == 3000 > tokenizer.get_piece_size()
    assert vocabulary[: tokenizer.get_piece_size()] == [tokenizer.id_to_piece(i) for i in range(tokenizer.get_piece_size())]
    translator = ctranslate2.Translator(str(root / "model"), compute_type="int8")
    hypothesis = translator.translate_batch([tokenizer.encode("Hello", out_type=str)], max_decoding_length=5)[0]
    assert all(piece in vocabulary for piece in hypothesis.hypotheses[0])


@pytest.mark.parametrize("zipped", [False, True], ids=["dir", "zip"])
def test_opus_mt_release_converts_and_translates(opus_mt_release, tmp_path, zipped):
    release = opus_mt_release
    if zipped:
        archive = zip_opus_mt_release(opus_mt_release, tmp_path / "release.zip")
        with zipfile.ZipFile(archive) as bundle:
            assert "decoder.yml" in bundle.namelist()
            bundle.extractall(tmp_path / "unzipped")
        release = tmp_path / "unzipped"
    assert {"decoder.yml", "source.spm", "target.spm", VOCAB_FILE} <= {p.name for p in release.iterdir()}

    converted = OpusMTConverter(str(release)).convert(str(tmp_path / "ct2"), quantization="int8")
    config = json.loads((Path(converted) / "config.json").read_text())
    assert config["add_source_eos"] is True
    vocabulary = json.loads((Path(converted) / "shared_vocabulary.json").read_text())
    source = spm.SentencePieceProcessor(model_file=str(release / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(release / "target.spm"))
    # Every piece of both tokenizers survived the .yml round trip (quotes, backslashes, bytes).
    every_piece = {m.id_to_piece(i) for m in (source, target) for i in range(m.get_piece_size())} - {"<s>"}
    assert every_piece <= set(vocabulary)

    translator = ctranslate2.Translator(converted, compute_type="int8")
    result = translator.translate_batch([source.encode("The allies said no.", out_type=str)], max_decoding_length=10)
    output = result[0].hypotheses[0]
    assert 1 <= len(output) <= 10 and all(piece in vocabulary for piece in output)
    assert isinstance(target.decode(output), str)


def test_opus_mt_release_has_the_files_a_real_release_has(opus_mt_release):
    names = {p.name for p in opus_mt_release.iterdir()}
    assert {"README.md", "LICENSE", "preprocess.sh", "postprocess.sh", "source.spm", "target.spm",
            "decoder.yml", MODEL_FILE, VOCAB_FILE, RELEASE_YML} == names
    decoder = yaml.safe_load((opus_mt_release / "decoder.yml").read_text(encoding="utf-8"))
    assert decoder["vocabs"] == [VOCAB_FILE, VOCAB_FILE] and decoder["models"] == [MODEL_FILE]
    for script in ("preprocess.sh", "postprocess.sh"):
        assert os.access(opus_mt_release / script, os.X_OK)
    assert "target language(s): hye" in (opus_mt_release / "README.md").read_text(encoding="utf-8")


def test_opus_mt_vocabulary_is_written_as_yaml_cpp_writes_it(opus_mt_release):
    text = (opus_mt_release / VOCAB_FILE).read_text(encoding="utf-8")
    lines = text.splitlines()
    quoted = [line for line in lines if line.startswith('"')]
    assert lines[:2] == ["</s>: 0", "<unk>: 1"]
    assert 0 < len(quoted) < len(lines) / 20  # plain keys, quotes only where needed
    assert '",": ' in text and "\n▁the: " in text
    # The converter's own reader and a YAML parser (strings only, as Marian reads it) agree.
    tokens = load_vocab(str(opus_mt_release / VOCAB_FILE))
    assert yaml.load(text, Loader=yaml.BaseLoader) == {token: str(i) for i, token in enumerate(tokens)}


@pytest.mark.parametrize("token, written", [
    ("▁the", "▁the"), ("</s>", "</s>"), ("-x", "-x"), ("a:b", "a:b"), ("a#b", "a#b"), ("<<", "<<"),
    (",", '","'), ("-", '"-"'), ("?", '"?"'), ("a:", '"a:"'), ("a: b", '"a: b"'), ("a #b", '"a #b"'),
    ("x ", '"x "'), ("null", '"null"'), ("~", '"~"'), (">>hye<<", '">>hye<<"'), ("'", '"\'"'),
    ("\\", "\\"), ("\xa0", "\xa0"), ('"', '"\\""'), ("\\ ", '"\\\\ "'), ("\t", '"\\t"'), ("\x01", '"\\x01"'),
    ("a\xa0 ", '"a\\xa0 "'),
])
def test_yaml_cpp_scalar_quotes_what_yaml_cpp_quotes(token, written):
    assert yaml_cpp_scalar(token) == written
    assert yaml.load(f"{written}: 0", Loader=yaml.BaseLoader) == {token: "0"}


@pytest.mark.skipif(shutil.which("perl") is None, reason="the release scripts run Perl")
def test_release_preprocess_and_postprocess_scripts_normalize_as_opus_mt_does(opus_mt_release, tmp_path):
    encoder = tmp_path / "spm_encode"  # stands in for SentencePiece: shows the normalized text
    encoder.write_text('#!/bin/sh\n[ "$1" = --model ] && [ -n "$2" ] && exec cat\n', encoding="utf-8")
    encoder.chmod(0o755)
    run = subprocess.run(["bash", str(opus_mt_release / "preprocess.sh"), "en", "source.spm"],
                         input="  “Hi”，\tworld…  ok\u200b！ (１) ５％。End ’twas \x07 【x】  \n", capture_output=True,
                         text=True, env={**os.environ, "SPMENCODE": str(encoder)}, check=True)
    assert run.stdout == '"Hi", world... ok ! (") 5%. End \'twas [x]\n'
    run = subprocess.run(["bash", str(opus_mt_release / "postprocess.sh")], input="▁Hel lo ▁wor ld .\n",
                         capture_output=True, text=True, check=True)
    assert run.stdout == "Hello world.\n"
