"""The CTranslate2 engine on real tiny models the tests build (no mocks)."""

from __future__ import annotations

import pytest

from i18n_pipeline.config import MTSettings
from i18n_pipeline.mt.store import ModelStore

SENTENCES = [
    "Certain US allies are considering diminishing the intelligence they share with Washington.",
    "No decision or action has been taken, however, the sources said.",
    "“People are very worried,” a former intelligence official said.",
    "Caliber.Az",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory, random_package, copy_package_hy, opus_mt_release):
    store = ModelStore(tmp_path_factory.mktemp("models"))
    store.install(random_package)
    store.install(copy_package_hy)
    return store


def test_batch_keeps_order_and_count(store):
    engine = store.load(store.find("en", "ru"), MTSettings(beam_size=2))
    results = engine.translate(SENTENCES)
    assert len(results) == len(SENTENCES)
    for sentence, result in zip(SENTENCES, results):
        assert result.source_tokens == engine.source_pieces(sentence)
        assert isinstance(result.best.text, str)


def test_runaway_guard_caps_output_length(store):
    settings = MTSettings(beam_size=1, max_length_ratio=1.0, min_decoding_length=1)
    engine = store.load(store.find("en", "ru"), settings)
    results = engine.translate(SENTENCES)
    for result in results:
        assert len(result.best.target_tokens) <= len(result.source_tokens) + 10
    # One call serves the batch and its cap follows the longest source. A forced prefix longer than
    # the short sentence's own cap makes it run past that cap whatever the weights write: it is cut.
    long, short = SENTENCES[0], SENTENCES[-1]
    forced = engine.translate([long, short], target_prefixes=[None, long])[1]
    own_cap = len(forced.source_tokens) + 10
    prefix = engine._prefix_pieces(long)
    assert len(prefix) > own_cap
    assert forced.best.target_tokens == prefix[:own_cap]


def test_fixed_decoding_length_is_honoured(store):
    settings = MTSettings(beam_size=1, min_decoding_length=12, max_decoding_length=12)
    engine = store.load(store.find("en", "ru"), settings)
    assert all(len(r.best.target_tokens) == 12 for r in engine.translate(SENTENCES))


def test_copy_model_reproduces_input_through_the_engine(store):
    engine = store.load(store.find("en", "hy"), MTSettings(beam_size=4))
    assert [r.best.text for r in engine.translate(SENTENCES)] == SENTENCES


def test_hypotheses_attention_and_scores(store):
    engine = store.load(store.find("en", "hy"), MTSettings(beam_size=4))
    result = engine.translate(SENTENCES[:1], num_hypotheses=3, return_attention=True)[0]
    assert len(result.hypotheses) == 3
    best = result.best
    assert len(best.attention) == len(best.target_tokens)
    assert all(len(row) == len(result.source_tokens) for row in best.attention)
    scores = engine.score(SENTENCES[:2], SENTENCES[:2])
    assert len(scores) == 2 and all(s <= 0 for s in scores)


def test_target_prefix_is_kept(store):
    engine = store.load(store.find("en", "hy"), MTSettings(beam_size=2))
    result = engine.translate(["Five Eyes members met."], target_prefixes=["Five Eyes"])[0]
    assert result.best.text.startswith("Five Eyes")


def test_opus_mt_pack_translates_and_gets_one_eos(tmp_path, opus_mt_release):
    store = ModelStore(tmp_path / "models")
    info = store.import_opus_mt(opus_mt_release, "en", "hy")
    engine = store.load(info, MTSettings(beam_size=2))
    pieces = engine.source_pieces("Hello world </s>")
    assert pieces.count("</s>") <= 1
    assert len(engine.translate(["Hello world.", "Second one."])) == 2


@pytest.mark.parametrize(
    ("inter", "intra", "cores", "layout"),
    [
        (0, 0, 2, (2, 1)),  # the default: one worker per core
        (0, 0, 16, (4, 4)),  # at most 4 workers; the cores are shared out
        (0, 0, 1, (1, 1)),
        (1, 0, 8, (1, 8)),  # one worker pinned: it gets every core
        (0, 2, 8, (4, 2)),  # threads per worker pinned: as many workers as fit
        (0, 4, 2, (1, 4)),  # an explicit choice is kept even when it oversubscribes
        (3, 1, 2, (3, 1)),
    ],
)
def test_thread_layout(inter, intra, cores, layout):
    from i18n_pipeline.mt.ctranslate2_engine import thread_layout

    assert thread_layout(MTSettings(inter_threads=inter, intra_threads=intra), cores) == layout


def test_multi_worker_batch_equals_single_worker(store):
    pinned = store.load(store.find("en", "ru"), MTSettings(beam_size=2, inter_threads=1, intra_threads=1))
    workers = store.load(store.find("en", "ru"), MTSettings(beam_size=2, inter_threads=2, intra_threads=1,
                                                           max_batch_tokens=16))
    sentences = SENTENCES * 3
    assert [r.best.text for r in workers.translate(sentences)] == [r.best.text for r in pinned.translate(sentences)]


def test_a_translation_that_ran_into_the_length_cap_is_marked_truncated(store):
    """Random weights never write </s>: every text ends at the cap. A copy model ends its own."""
    capped = store.load(store.find("en", "ru"), MTSettings(beam_size=1, min_decoding_length=6, max_decoding_length=6))
    assert all(h.truncated for r in capped.translate(SENTENCES, num_hypotheses=1) for h in r.hypotheses)
    finished = store.load(store.find("en", "hy"), MTSettings(beam_size=2))
    assert not any(h.truncated for r in finished.translate(SENTENCES, num_hypotheses=2) for h in r.hypotheses)


def test_queued_translation_equals_the_synchronous_call(store):
    engine = store.load(store.find("en", "ru"), MTSettings(beam_size=2))
    first = engine.translate_async(SENTENCES[:2], num_hypotheses=2)
    second = engine.translate_async(SENTENCES[2:], num_hypotheses=2)  # queued behind the first
    got = second.result() + first.result()
    want = engine.translate(SENTENCES[2:], num_hypotheses=2) + engine.translate(SENTENCES[:2], num_hypotheses=2)
    assert [[h.target_tokens for h in r.hypotheses] for r in got] == [[h.target_tokens for h in r.hypotheses] for r in want]
    assert engine.translate_async([]).result() == []


def test_a_short_call_ignores_the_minimum_length_and_stops_at_its_own_cap(store):
    engine = store.load(store.find("en", "ru"), MTSettings(beam_size=2, min_decoding_length=20, max_decoding_length=20))
    assert all(len(r.best.target_tokens) == 20 for r in engine.translate(["Five Eyes"]))
    assert all(len(r.best.target_tokens) <= 3 for r in engine.translate(["Five Eyes"], max_length=3))
    prefix = engine._prefix_pieces("Five Eyes")  # after a forced prefix: that many more pieces at most
    looked = engine.translate(["Five Eyes met."], target_prefixes=["Five Eyes"], max_length=2, beam_size=1)[0]
    assert looked.best.target_tokens[: len(prefix)] == prefix and len(looked.best.target_tokens) <= len(prefix) + 2


def test_a_small_call_is_shared_out_over_every_worker(store):
    engine = store.load(store.find("en", "ru"), MTSettings(beam_size=2, inter_threads=2, intra_threads=1,
                                                          max_batch_tokens=1024))
    sources = [engine.source_pieces(s) for s in SENTENCES]
    share = engine._batch_tokens(sources)
    assert max(map(len, sources)) < share < sum(map(len, sources))  # two sub-batches, not one
    assert engine._batch_tokens(sources * 200) == 1024  # a full call keeps the configured size
