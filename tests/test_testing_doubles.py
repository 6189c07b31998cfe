"""The test doubles keep their promises on every shape (tokenizers, vocabularies, attention, behaviours).

Nothing here asserts on what random weights write: every double's output is known by construction.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from i18n_pipeline.mt.normalize import opus_mt_normalize
from i18n_pipeline.testing.corpus import SAMPLE_ARTICLE_SENTENCES
from i18n_pipeline.testing.doubles import BehaviourDouble, copy_double_shapes
from i18n_pipeline.testing.models import separate_target_tokenizer
from i18n_pipeline.testing.tokenizer import TOKENIZER_SHAPES, expected_copy_text, load_pieces, processor_of

SENTENCES = (
    *SAMPLE_ARTICLE_SENTENCES[:5],
    "Şəhla Talıbova said the «Five Eyes» alliance — five nations — won’t change in 2025.",
    "Ёжик № 5 купил 3 яблока за 120,50 ₽ — «дёшево»!",
    "Բարև, աշխարհ։ Կայքը՝ caliber.az",
    "“Those discussions are already happening,” she said… 50% of 1,234.5 km².",
    "Five Eyes",
    "x",
)
SHAPES = copy_double_shapes()


# -- tokenizer shapes ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TOKENIZER_SHAPES))
def test_tokenizer_shape_is_deterministic_fast_and_encodes_the_test_sentences(name):
    shape = TOKENIZER_SHAPES[name]
    start = time.perf_counter()
    model = shape._train(None)
    assert time.perf_counter() - start < 2.0
    assert model == shape._train(None) == shape.build()
    processor = processor_of(model)
    pieces = load_pieces(model)
    assert ("▁" in pieces) == shape.standalone_space
    for text in SENTENCES:
        ids = processor.encode(text)
        assert processor.unk_id() not in ids  # byte fallback, never <unk>
        assert processor.decode(ids) == shape.expected_text(text)
        if not shape.standalone_space:
            assert "▁" not in processor.encode(text, out_type=str)


def test_shapes_differ_where_they_claim():
    sizes = {name: processor_of(shape.build()).get_piece_size() for name, shape in TOKENIZER_SHAPES.items()}
    assert sizes["bpe4k"] > 3000 > sizes["bpe1k"] and sizes["char"] < sizes["bpe1k"]
    char = processor_of(TOKENIZER_SHAPES["char"].build())
    assert all(len(p.replace("▁", "")) <= 1 or p.startswith("<") for p in char.encode("Five Eyes, 2025", out_type=str))
    bpe = processor_of(TOKENIZER_SHAPES["bpe1k"].build())
    assert "▁" in bpe.encode("said «Five Eyes»", out_type=str)  # standalone before punctuation
    # NMT-NFKC folds compatibility characters; identity keeps them.
    assert TOKENIZER_SHAPES["nfkc"].expected_text("1,234.5 km²…") == "1,234.5 km2..."
    assert TOKENIZER_SHAPES["bpe1k"].expected_text("1,234.5 km²…") == "1,234.5 km²…"
    assert TOKENIZER_SHAPES["nfkc"].expected_text("Şəhla’s «x» — y") == "Şəhla’s «x» — y"


def test_separate_target_vocabulary_holds_every_source_piece_under_other_ids():
    source_model = TOKENIZER_SHAPES["unigram"].build()
    target_model = separate_target_tokenizer(source_model)
    source, target = load_pieces(source_model), load_pieces(target_model)
    assert set(source) < set(target) and len(target) > len(source)
    assert sum(source.index(p) != target.index(p) for p in source) > 0.9 * len(source)
    assert target.index("</s>") == 0 and target.index("<unk>") == 1
    s, t = processor_of(source_model), processor_of(target_model)
    for text in SENTENCES[:6]:  # English encodes the same with either model
        assert s.encode(text, out_type=str) == t.encode(text, out_type=str)
    assert len(t.encode("Некоторые союзники")) < len(s.encode("Некоторые союзники"))


# -- every copy double ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SHAPES))
def test_copy_double_reproduces_its_input_and_builds_fast(copy_doubles, name):
    engine, seconds = copy_doubles(name)
    shape = SHAPES[name]
    assert seconds < 3.0
    results = engine.translate(list(SENTENCES), num_hypotheses=2)
    assert [r.best.text for r in results] == [shape.expected_text(s) for s in SENTENCES]
    assert engine.detokenize(results[0].best.target_tokens) == results[0].best.text


@pytest.mark.parametrize("name", list(SHAPES))
def test_copy_double_spans_partition_source_and_target(copy_doubles, name):
    engine, _ = copy_doubles(name)
    shape = SHAPES[name]
    for sentence, result in zip(SENTENCES, engine.translate(list(SENTENCES))):
        spans = result.source_spans
        assert len(spans) == len(result.source_tokens)
        cursor, previous = 0, None
        for piece, (start, end) in zip(result.source_tokens, spans):
            if shape.kind == "opus-mt" and (start, end) == previous:
                continue  # OPUS-MT normalization expands "…" to "...": those pieces share its span
            previous = (start, end)
            assert cursor <= start <= end <= len(sentence)
            assert not sentence[cursor:start].strip()  # only spaces are skipped
            cursor = end
            surface = piece.replace("▁", " ")
            if shape.kind != "opus-mt" and shape.tokenizer != "nfkc" and not piece.startswith("<"):
                assert sentence[start:end] in (surface, surface.lstrip(" "))
        assert not sentence[cursor:].strip()
        hypothesis = result.best
        assert len(hypothesis.spans) == len(hypothesis.target_tokens)
        assert "".join(hypothesis.text[a:b] for a, b in hypothesis.spans) == hypothesis.text
        assert all(a <= b for a, b in hypothesis.spans)
        assert all(x[1] <= y[0] for x, y in zip(hypothesis.spans, hypothesis.spans[1:]))


def _rows(result):
    hypothesis = result.best
    n = len(result.source_tokens)
    return np.array(hypothesis.attention)[: len(hypothesis.target_tokens), :n], n


def _entropy(rows: np.ndarray) -> float:
    p = np.clip(rows, 1e-12, 1.0)
    return float(np.mean(-(p * np.log(p)).sum(axis=1)))


@pytest.mark.parametrize("name", list(SHAPES))
def test_copy_double_reports_the_attention_it_claims(copy_doubles, name):
    engine, _ = copy_doubles(name)
    shape = SHAPES[name]
    results = engine.translate(list(SENTENCES), return_attention=True)
    entropies = []
    for result in results:
        rows, n = _rows(result)
        assert rows.shape[0] == len(result.best.target_tokens)
        # CTranslate2 quirk: in a batch, the first decoding step's row spreads over the padded
        # batch width, so row 0 may hold less than 1 within the sentence; later rows sum to 1.
        assert np.allclose(rows[1:].sum(axis=1), 1.0, atol=1e-3) and rows[:1].sum() <= 1.0 + 1e-3
        if n >= 10:
            entropies.append(_entropy(rows[1:]))
        k = shape.attention_shift
        if k is not None:
            targets = np.arange(len(rows)) + k
            inside = (targets >= 0) & (targets < n)
            inside[0] = inside[0] and shape.kind == "python"  # see the quirk above
            assert inside.sum() >= min(len(rows), n) - abs(k) - 1
            if inside.any():
                assert (rows.argmax(axis=1)[inside] == targets[inside]).all()
                assert rows.max(axis=1)[inside].min() > 0.9
    mean = float(np.mean(entropies))
    if shape.attention == "exact":
        assert mean < 0.2
    elif shape.attention.startswith("shift"):
        assert mean < 0.5  # the |k| rows whose target lies outside the sentence spread out
    elif shape.attention in ("blur", "uniform"):
        assert mean > 1.0  # well above an exact row's ≈ 0
    elif shape.attention == "sink":
        rows, n = _rows(results[2])
        assert (rows.argmax(axis=1) == n - 1).all()
    if shape.attention == "uniform":
        rows, n = _rows(results[2])
        assert np.allclose(rows[1:], 1.0 / n, atol=1e-3)


def test_opus_mt_copy_double_runs_the_real_pack_and_normalizes_like_opus_mt(copy_doubles):
    engine, _ = copy_doubles("opus-mt/unigram/exact")
    assert engine.info.kind == "opus-mt" and engine.format.add_eos
    result = engine.translate(["It won’t “change”…"])[0]
    assert result.best.text == "It won't \"change\"..." == expected_copy_text(
        processor_of(TOKENIZER_SHAPES["unigram"].build()), opus_mt_normalize("It won’t “change”…")[0])
    assert result.source_tokens[-1] == "</s>"


# -- behaviour doubles ----------------------------------------------------------------------

SENTENCE = "The allies, including members of the so-called Five Eyes spy alliance, said no."
TERM = SENTENCE.index("Five Eyes"), SENTENCE.index("Five Eyes") + len("Five Eyes")


@pytest.mark.parametrize("tokenizer", list(TOKENIZER_SHAPES))
@pytest.mark.parametrize("terms", [["Five Eyes"], {SENTENCE: [TERM]}], ids=["string", "span"])
def test_behaviour_double_does_what_it_claims(tokenizer, terms):
    def best(behaviour, sentence=SENTENCE, **kw):
        return BehaviourDouble(tokenizer, behaviour=behaviour, terms=terms, **kw).translate([sentence])[0].best.text

    assert best("copy") == SENTENCE
    assert best("drop") == "The allies, including members of the so-called spy alliance, said no."
    assert best("wrong") == "The allies, including members of the so-called Zork spy alliance, said no."
    assert best("wrong", replacement="Ten Ears") == "The allies, including members of the so-called Ten Ears spy alliance, said no."
    assert best("move") == "The allies, including members of the so-called spy alliance, said no Five Eyes."
    if isinstance(terms, list):  # a term translated alone, and at the end of a sentence
        assert best("drop", "Five Eyes") == "" and best("wrong", "Five Eyes") == "Zork"
        assert best("move", "They joined Five Eyes.") == "Five Eyes They joined."


@pytest.mark.parametrize("behaviour", ["drop", "wrong", "move", "copy"])
@pytest.mark.parametrize("tokenizer", ["bpe1k", "char", "nospace"])
def test_behaviour_double_continues_after_a_prefix_that_renders_the_term(behaviour, tokenizer):
    double = BehaviourDouble(tokenizer, behaviour=behaviour, terms=["Five Eyes"])
    prefix = "The allies, including members of the so-called Пять глаз"
    result = double.translate([SENTENCE], target_prefixes=[prefix], return_attention=True)[0]
    assert result.best.text == prefix + " spy alliance, said no."
    # Mid-word prefixes continue the word; an unrelated prefix is followed by the whole output.
    assert double.translate([SENTENCE], target_prefixes=["The allies, incl"])[0].best.text.startswith("The allies, including members")
    assert double.translate(["No news."], target_prefixes=["Нет"])[0].best.text == "Нет No news."


@pytest.mark.parametrize("pattern", ["exact", "shift+2", "shift-1", "blur", "sink", "uniform"])
def test_behaviour_double_attention_follows_its_alignment(pattern):
    double = BehaviourDouble("bpe1k", behaviour="wrong", terms=["Five Eyes"], attention=pattern)
    result = double.translate([SENTENCE], return_attention=True)[0]
    rows, n = _rows(result)
    assert np.allclose(rows.sum(axis=1), 1.0)
    term_pieces = [i for i, (a, b) in enumerate(result.source_spans) if a < TERM[1] and b > TERM[0]]
    at = result.best.text.index("Zork")
    zork = [i for i, (a, b) in enumerate(result.best.spans) if a < at + 4 and b > at]
    assert zork
    if pattern == "exact":
        assert all(rows[t].argmax() in term_pieces for t in zork)
        untouched = [t for t in range(len(rows)) if t < min(zork)]
        assert all(rows[t].argmax() == t for t in untouched)
    elif pattern.startswith("shift"):
        k = int(pattern[5:])
        assert all(rows[t].argmax() == min(max(t + k, 0), n - 1) for t in range(min(zork)))
    elif pattern == "sink":
        assert (rows.argmax(axis=1) == n - 1).all()
    else:
        assert _entropy(rows) > 1.0


def test_behaviour_double_scores_prefer_its_intended_output_and_reports_spans():
    double = BehaviourDouble("unigram", behaviour="drop", terms=["Five Eyes"])
    intended = double.translate([SENTENCE], num_hypotheses=3)[0]
    assert len({h.text for h in intended.hypotheses}) == 3
    first, other = double.score([SENTENCE, SENTENCE], [intended.best.text, SENTENCE])
    assert first == 0.0 > other
    for piece, (a, b) in zip(intended.source_tokens, intended.source_spans):
        if not piece.startswith("<"):
            assert SENTENCE[a:b].strip() == piece.replace("▁", " ").strip()
    assert double.prefix_fits(SENTENCE, "Союзники") and not double.prefix_fits("x", "слово " * 40)
    assert double.source_pieces(SENTENCE) == intended.source_tokens
    assert double.translate([""])[0].best.text == ""
