"""Piece spans come from SentencePiece itself, on tokenizers of several shapes; OPUS-MT packs
encode target text with target.spm and see the text as the release's preprocess.sh leaves it."""

from __future__ import annotations

import unicodedata

import pytest
import sentencepiece as spm
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n_pipeline.config import MTSettings
from i18n_pipeline.mt.normalize import opus_mt_normalize
from i18n_pipeline.mt.spm_codec import SpanCodec, decode_with_spans, encode_with_spans
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.testing.corpus import default_training_lines
from i18n_pipeline.testing.tokenizer import train_sentencepiece_bytes

SENTENCES = [
    "Despite earlier reports, the White House said Moscow and Kyiv had agreed to talks.",
    "On July 21, at the Baku Military Court, the injured party Şəhla Talıbova testified.",
    "Armenia’s “Five Eyes” — 12.5% … and İlham Əliyev\u00a0met   CSIS (Canada).",
    "«Пять глаз» и ԱՄՆ-ի 中文 emoji 🙂 end",
]


def _processor(shape: str) -> spm.SentencePieceProcessor:
    lines = default_training_lines()
    if shape == "char":
        spm.set_random_generator_seed(0)
        import io

        model = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, model_type="char",
                                       byte_fallback=True, character_coverage=0.98, vocab_size=400,
                                       hard_vocab_limit=False, minloglevel=2, num_threads=1)
        return spm.SentencePieceProcessor(model_proto=model.getvalue())
    size = {"bpe600": 600, "bpe1k": 1000, "bpe4k": 4000}[shape]
    return spm.SentencePieceProcessor(model_proto=train_sentencepiece_bytes(lines, size))


SHAPES = ["char", "bpe600", "bpe1k", "bpe4k"]


@pytest.fixture(scope="module", params=SHAPES)
def processor(request):
    return _processor(request.param)


def _check_source_spans(processor, text: str) -> None:
    pieces, spans = encode_with_spans(processor, text)
    assert len(pieces) == len(spans)
    cursor = 0
    for piece, (start, end) in zip(pieces, spans):
        assert cursor <= start <= end <= len(text)
        # What a piece stands for is its own text: "▁" marks a space, byte pieces a part of a character.
        surface = unicodedata.normalize("NFKC", text[start:end])  # what an NFKC tokenizer saw
        if not piece.startswith("<0x") and piece != processor.id_to_piece(processor.unk_id()):
            assert piece.lstrip("▁") in surface.replace(" ", "▁") or surface.strip() == ""
        cursor = end
    # Every non-space character belongs to exactly one piece ("▁" in the text is SentencePiece's
    # own whitespace mark, a space to it).
    covered = [i for start, end in spans for i in range(start, end)]
    assert len(covered) == len(set(covered))
    assert all(i in set(covered) for i, ch in enumerate(text) if not ch.isspace() and ch != "▁")


def test_source_spans_account_for_every_character(processor):
    for text in SENTENCES:
        _check_source_spans(processor, text)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_source_spans_on_any_text(text):
    _check_source_spans(_CACHED["bpe1k"], text)


_CACHED = {"bpe1k": _processor("bpe1k")}


def test_byte_fallback_pieces_give_the_character_to_its_last_byte(processor):
    pieces, spans = encode_with_spans(processor, "a 🙂 b")
    bytes_ = [(p, s) for p, s in zip(pieces, spans) if p.startswith("<0x")]
    if bytes_:  # the emoji is not in any of these vocabularies
        assert [s for _, s in bytes_][:-1] == [(2, 2)] * (len(bytes_) - 1) and bytes_[-1][1] == (2, 3)


def test_target_spans_concatenate_to_the_decoded_text(processor):
    for text in SENTENCES:
        pieces, _ = encode_with_spans(processor, text)
        decoded, spans = decode_with_spans(processor, pieces)
        assert decoded == processor.decode_pieces(pieces)
        assert "".join(decoded[a:b] for a, b in spans) == decoded
        assert all(a <= b for a, b in spans) and [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]]


def test_a_piece_the_tokenizer_lacks_prints_as_its_text(processor):
    # CTranslate2's replace_unknowns copies a source piece; a separate target tokenizer may lack it.
    decoded, spans = decode_with_spans(processor, ["▁Привет", "▁Qzxqzx", "!"])
    assert "▁" not in decoded and decoded.endswith(" Qzxqzx!")
    assert decoded[spans[1][0] : spans[1][1]] == " Qzxqzx"


def test_opus_mt_normalization_is_the_release_table():
    text, origin = opus_mt_normalize("  Armenia’s “Five Eyes” … ok。  next\u200bx（１）\x07 ")
    assert text == 'Armenia\'s "Five Eyes" ... ok. next x(")'
    assert len(origin) == len(text) + 1
    source = "  Armenia’s “Five Eyes” … ok。  next\u200bx（１）\x07 "
    assert source[origin[text.index("'")]] == "’" and source[origin[text.index("...") + 2]] == "…"
    assert origin[-1] == len(source)


def test_normalized_spans_map_back_onto_the_newsroom_text():
    processor = _CACHED["bpe1k"]
    codec = SpanCodec(processor, processor, normalize=opus_mt_normalize)
    source = "Armenia’s “Five Eyes” met … in Baku."
    pieces, spans = codec.encode(source)
    assert "’" not in "".join(pieces) and "“" not in "".join(pieces)
    start = source.index("Five")
    covering = [p for p, (a, b) in zip(pieces, spans) if a < start + 9 and start < b]
    assert "".join(covering).replace("▁", "").strip('"') == "FiveEyes"


@pytest.fixture(scope="module")
def opus_engine(tmp_path_factory, opus_mt_release):
    store = ModelStore(tmp_path_factory.mktemp("opus-codec"))
    info = store.import_opus_mt(opus_mt_release, "en", "hy")
    return store.load(info, MTSettings(beam_size=1))


def test_opus_mt_engine_sees_the_normalized_text_and_reports_original_spans(opus_engine):
    source = "Armenia’s capital is Yerevan."
    [result] = opus_engine.translate([source], return_attention=True)
    assert "’" not in "".join(result.source_tokens) and "'" in "".join(result.source_tokens)
    assert len(result.source_spans) == len(result.source_tokens)
    apostrophe = next(i for i, p in enumerate(result.source_tokens) if "'" in p)
    assert source[slice(*result.source_spans[apostrophe])] == "’"
    hypothesis = result.best
    assert len(hypothesis.spans) == len(hypothesis.target_tokens)


def test_opus_mt_target_text_is_encoded_with_target_spm(opus_engine):
    armenian = "Հայաստանի մայրաքաղաքը Երևանն է"
    target = spm.SentencePieceProcessor(model_file=str(opus_engine.info.path + "/target.spm"))
    source = spm.SentencePieceProcessor(model_file=str(opus_engine.info.path + "/source.spm"))
    assert source.encode(armenian, out_type=str) != target.encode(armenian, out_type=str)  # the test can tell
    assert opus_engine._prefix_pieces(armenian) == target.encode(armenian, out_type=str)
    # score() reads the same target pieces: a prefix-forced decode and a score agree on them.
    [result] = opus_engine.translate(["Armenia"], target_prefixes=[armenian])
    assert result.best.target_tokens[: len(target.encode(armenian))] == target.encode(armenian, out_type=str)


def test_a_label_piece_starts_every_source_of_a_multi_target_pack(tmp_path, opus_mt_release):
    import json

    store = ModelStore(tmp_path / "models")
    info = store.import_opus_mt(opus_mt_release, "en", "hy")
    metadata_path = tmp_path / "models" / info.name / "metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    metadata["source_prefix"] = ["</s>"]  # any piece of the vocabulary shows the mechanism
    metadata_path.write_text(json.dumps(metadata), encoding="utf-8")
    engine = ModelStore(tmp_path / "models").load(info, MTSettings(beam_size=1))
    [result] = engine.translate(["Hello Yerevan."])
    assert result.source_tokens[0] == "</s>" and result.source_spans[0] == (0, 0)
    assert engine.source_pieces("Hello Yerevan.")[0] == "</s>"


def test_a_character_the_tokenizer_lacks_comes_back_as_itself_not_as_unknown(tmp_path):
    """Real tokenizers have no byte fallback: a rare letter is <unk> to the model.
    CTranslate2's replace_unknowns puts the source piece back, and the decoder prints it."""
    import io

    from i18n_pipeline.testing.copy_model import build_copy_spec
    from i18n_pipeline.testing.models import _write_argos_package
    from i18n_pipeline.testing.tokenizer import load_pieces

    lines = [l for l in default_training_lines() if all(ord(c) < 0x250 and c not in "Şşəı" for c in l)]
    spm.set_random_generator_seed(0)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=800,
                                   model_type="bpe", byte_fallback=False, character_coverage=1.0,
                                   hard_vocab_limit=False, minloglevel=2, num_threads=1)
    pieces = load_pieces(model.getvalue())
    spec = build_copy_spec(len(pieces), pieces.index("</s>"), 256)
    package = _write_argos_package(tmp_path / "nofallback.argosmodel", spec, pieces, model.getvalue(),
                                   "int8", "en", "ru", "1.0")
    store = ModelStore(tmp_path / "models")
    engine = store.load(store.install(package), MTSettings(beam_size=2))
    source = "The injured party Şəhla Talıbova testified."
    unknown = [p for p in engine.source_pieces(source) if engine.codec.source.piece_to_id(p) == engine.codec.source.unk_id()]
    assert unknown  # the tokenizer really lacks these letters
    [result] = engine.translate([source], return_attention=True)
    assert "⁇" not in result.best.text and "<unk>" not in result.best.text
    assert "Şəhla" in result.best.text and "Talıbova" in result.best.text
    assert len(result.best.spans) == len(result.best.target_tokens)
