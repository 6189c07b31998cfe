"""Enforcement through MT: a misbehaving engine double and the real CTranslate2 engine (copy model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from glossary_double import MisbehavingEngine, Reference
from i18n_pipeline.config import MTSettings
from i18n_pipeline.document import Segment
from i18n_pipeline.glossary import enforce, enforce_detailed, load_glossary
from i18n_pipeline.locales import resolve_locale
from i18n_pipeline.mt.store import ModelStore

STARTER = Path(__file__).resolve().parents[1] / "glossary"
RU, HY = resolve_locale("ru"), resolve_locale("arm")

CASES_RU = {
    "Officials in Washington are worried.": "Чиновники в [[Вашингтоне]] обеспокоены.",
    "The talks took place in the White House.": "Переговоры прошли в [[Белом доме]].",
    "The allies share intelligence with Washington.": "Союзники делятся разведданными с [[Вашингтоном]].",
    "Analysts spoke with the Canadian Security Intelligence Service last week.":
        "На прошлой неделе аналитики говорили со [[Службой безопасности и разведки Канады]].",
    "The CIA launched drone flights over Mexico.": "[[ЦРУ]] запустило полёты беспилотников над [[Мексикой]].",
    "Members of the Five Eyes alliance met in London.": "Члены альянса [[«Пять глаз»]] встретились в Лондоне.",
    "The report was published by Caliber.Az today.": "Сообщение опубликовал [[Caliber.Az]] сегодня.",
}
CASES_HY = {
    "Officials in Washington are worried.": "[[Վաշինգտոնում]] պաշտոնյաները մտահոգված են։",
    "The talks took place in the White House.": "Բանակցությունները տեղի ունեցան [[Սպիտակ տանը]]։",
    "The CIA launched drone flights over Mexico.": "[[ԿՀՎ-ն]] անօդաչու թռիչքներ սկսեց [[Մեքսիկայի]] վրայով։",
    "The U.S. is the UK's closest ally.": "[[ԱՄՆ-ը]] [[Մեծ Բրիտանիայի]] ամենամոտ դաշնակիցն է։",
    "The report was published by Caliber.Az today.": "Հաղորդումը այսօր հրապարակել է [[Caliber.Az]]-ը։",
}


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(STARTER)


def run(glossary, cases, locale, mode, num_hypotheses=2):
    engine = MisbehavingEngine({s: Reference(s, t) for s, t in cases.items()}, glossary, locale.lang,
                               modes={s: mode for s in cases})
    sources = list(cases)
    translations = engine.translate(sources, num_hypotheses=num_hypotheses, return_attention=True)
    engine.calls.clear()
    results = enforce_detailed(sources, translations, engine, glossary, locale)
    references = [Reference(s, t).clean for s, t in cases.items()]
    return results, references, engine


@pytest.mark.parametrize("mode", ["wrong", "recase", "translit", "duplicate", "noisy", "second"])
def test_russian_terms_come_out_in_the_case_the_sentence_needs(glossary, mode):
    results, references, _ = run(glossary, CASES_RU, RU, mode)
    assert [r.text for r in results] == references
    expected = "ok" if mode in ("duplicate", "noisy", "second") else "enforced"
    statuses = {h.status for r in results for h in r.hits if h.entry_id != "Caliber.Az" and h.entry_id != "Five Eyes"}
    assert statuses == {expected}


@pytest.mark.parametrize("mode", ["wrong", "recase", "translit", "duplicate", "noisy", "second"])
def test_armenian_terms_keep_the_model_suffix(glossary, mode):
    results, references, _ = run(glossary, CASES_HY, HY, mode)
    assert [r.text for r in results] == references


def test_dropped_terms_are_put_back_by_one_batched_re_decode(glossary):
    results, _, engine = run(glossary, CASES_RU, RU, "drop", num_hypotheses=1)
    # One batched greedy look past every prefix, then one batched re-decode of those it keeps.
    probe, redecode = [c for c in engine.calls if c.get("prefixes")]
    assert probe["n"] == len(CASES_RU) and probe["prefixes"] == redecode["prefixes"]
    assert all(p and p.split()[-1] for p in redecode["prefixes"])
    by_source = dict(zip(CASES_RU, results))
    assert by_source["Officials in Washington are worried."].text == "Чиновники в Вашингтоне обеспокоены."
    assert all(h.status in ("enforced", "missing") for r in results for h in r.hits)
    assert sum(h.status == "enforced" for r in results for h in r.hits) >= 7


def test_a_model_that_leaves_its_own_words_after_the_forced_term_gets_no_full_re_decode(glossary):
    """The greedy look past the prefix already shows the re-decode could not keep the model's
    words: no beam re-decode is run, the first text stays and the term is flagged missing."""
    from i18n_pipeline.mt.base import Hypothesis, Translation

    engine = MisbehavingEngine({s: Reference(s, t) for s, t in CASES_RU.items()}, glossary, RU.lang,
                               modes={s: "drop" for s in CASES_RU})
    inner = engine.translate

    def wandering(sentences, **kwargs):
        prefixes = kwargs.get("target_prefixes")
        if not prefixes:
            return inner(sentences, **kwargs)
        engine.calls.append({"n": len(sentences), "prefixes": list(prefixes)})
        return [Translation([s], [Hypothesis(f"{p} совсем другие слова здесь теперь")]) for s, p in zip(sentences, prefixes)]

    engine.translate = wandering
    sources = list(CASES_RU)
    translations = inner(sources, num_hypotheses=1, return_attention=True)
    firsts = [t.best.text for t in translations]
    engine.calls.clear()
    results = enforce_detailed(sources, translations, engine, glossary, RU)
    assert len([c for c in engine.calls if c.get("prefixes")]) == 1  # the look, no re-decode
    assert not any(r.redecoded for r in results)
    for first, result in zip(firsts, results):  # nothing of the model's text is lost
        assert all(word in result.text for word in first.split() if word.isalpha())


def test_no_re_decode_for_a_translation_that_stopped_at_the_length_cap(glossary):
    """A text the model did not finish cannot be kept whole with a term added under the same
    cap: no look, no re-decode, no placing scored; the model's text stays and the term is missing."""
    engine = MisbehavingEngine({s: Reference(s, t) for s, t in CASES_RU.items()}, glossary, RU.lang,
                               modes={s: "drop" for s in CASES_RU})
    sources = list(CASES_RU)
    translations = engine.translate(sources, num_hypotheses=1, return_attention=True)
    for translation in translations:
        translation.best.truncated = True
    firsts = [t.best.text for t in translations]
    engine.calls.clear()
    results = enforce_detailed(sources, translations, engine, glossary, RU)
    assert not [c for c in engine.calls if c.get("prefixes")]
    dropped = [r for r, first in zip(results, firsts) if any(h.status == "missing" for h in r.hits)]
    assert dropped and not any(r.redecoded for r in results)


def test_a_lower_ranked_hypothesis_with_a_place_for_the_term_spares_the_re_decode(glossary):
    # The best hypothesis drops every term; the second renders them wrongly but aligned.
    results, references, engine = run(glossary, CASES_RU, RU, "drop", num_hypotheses=2)
    assert not [c for c in engine.calls if c.get("prefixes")]
    assert [r.text for r in results] == references
    assert {h.status for r in results for h in r.hits if h.expected} <= {"ok", "enforced"}


def test_no_re_decode_when_the_prefix_fills_the_length_cap(glossary):
    engine = MisbehavingEngine({s: Reference(s, t) for s, t in CASES_RU.items()}, glossary, "ru",
                               modes={s: "drop" for s in CASES_RU})
    engine.prefix_fits = lambda sentence, prefix: "Washington" not in sentence
    sources = list(CASES_RU)
    translations = engine.translate(sources, num_hypotheses=1, return_attention=True)
    engine.calls.clear()
    results = enforce_detailed(sources, translations, engine, glossary, RU)
    calls = [c for c in engine.calls if c.get("prefixes")]  # the greedy look, then the re-decode
    assert calls and all(c["n"] == sum("Washington" not in s for s in sources) for c in calls)
    washington = [r for s, r in zip(sources, results) if "Washington" in s]
    assert washington and all(h.status == "missing" for r in washington for h in r.hits)


def test_ctranslate2_prefix_fits_the_length_cap(random_package, tmp_path):
    store = ModelStore(tmp_path / "models")
    store.install(random_package)
    engine = store.load(store.find("en", "ru"), MTSettings(max_decoding_length=6))
    sentence = "Officials in Washington are worried about the talks."
    assert engine.prefix_fits(sentence, "В")
    long_prefix = "Чиновники в Вашингтоне обеспокоены переговорами"
    assert len(engine._prefix_pieces(long_prefix)) >= 6
    assert not engine.prefix_fits(sentence, long_prefix)
    # What the skipped decode would have given: the prefix, cut, never the whole of it.
    [result] = engine.translate([sentence], target_prefixes=[long_prefix])
    assert len(result.best.target_tokens) <= 6 and result.best.text != long_prefix


def test_do_not_translate_terms_come_back_byte_identical(glossary):
    source = "The report was published by Caliber.Az today."
    for cases, locale in ((CASES_RU, RU), (CASES_HY, HY)):
        for mode in ("wrong", "translit", "recase"):
            results, _, _ = run(glossary, {source: cases[source]}, locale, mode)
            [hit] = results[0].hits
            assert hit.status == "enforced" and "Caliber.Az" in results[0].text


def test_unfixable_terms_are_reported_missing(glossary):
    cases = {"Officials in Washington are worried.": "Чиновники в [[Вашингтоне]] обеспокоены."}
    engine = MisbehavingEngine({s: Reference(s, t) for s, t in cases.items()}, glossary, "ru", modes={s: "drop" for s in cases})
    translations = engine.translate(list(cases), return_attention=True)
    for translation in translations:  # no attention at all, and the re-decode ignores the prefix
        translation.best.attention = None
    engine._continue_after = lambda reference, prefix: [(w, None) for w in "Чиновники обеспокоены.".split()]
    [result] = enforce_detailed(list(cases), translations, engine, glossary, RU)
    assert [h.status for h in result.hits] == ["missing"]


def test_enforce_stores_hits_on_the_segment_targets(glossary):
    cases = {"Officials in Washington are worried.": "Чиновники в [[Вашингтоне]] обеспокоены."}
    engine = MisbehavingEngine({s: Reference(s, t) for s, t in cases.items()}, glossary, "ru")
    segments = [Segment(id="s1", source=s, start=0, end=len(s)) for s in cases]
    texts = enforce(segments, engine.translate(list(cases), num_hypotheses=2, return_attention=True), engine, glossary, RU)
    assert texts == ["Чиновники в Вашингтоне обеспокоены."]
    assert segments[0].targets["ru"].text == texts[0]
    assert [(h.term, h.status, h.rendered) for h in segments[0].targets["ru"].terms] == [("Washington", "enforced", "Вашингтоне")]


# --- the real CTranslate2 engine with the copy model ----------------------------------------

ARTICLE_SENTENCES = [
    "They told NBC News that the allies are weighing the move, per Caliber.Az.",
    "The allies, including Israel, Saudi Arabia and members of the so-called Five Eyes spy alliance, are examining protocols.",
    "Meanwhile, the United Kingdom, the most important U.S. intelligence partner, said it had no plans.",
    "The Canada Security Intelligence Service (CSIS) said that it has strong relationships with numerous U.S. agencies.",
    "Already, the Defense Department has deployed more resources, and the CIA has launched drone flights over Mexico.",
    "White House officials suggest that resuming intelligence sharing is contingent upon Trump-proposed peace talks in Kyiv.",
]


@pytest.mark.parametrize("locale", [RU, HY], ids=["ru", "arm"])
def test_copy_model_alignment_puts_exactly_the_approved_term_in_place(glossary, copy_engines, locale):
    engine = copy_engines[locale.lang]
    translations = engine.translate(ARTICLE_SENTENCES, num_hypotheses=2, return_attention=True)
    results = enforce_detailed(ARTICLE_SENTENCES, translations, engine, glossary, locale)
    for source, result in zip(ARTICLE_SENTENCES, results):
        # The copy model writes the source back, so the expected output is the source with each
        # hit's span replaced by its preferred target (do-not-translate hits unchanged).
        expected = source
        for hit in sorted(result.hits, key=lambda h: -h.start):
            if hit.expected:
                expected = expected[: hit.start] + hit.expected[0] + expected[hit.end :]
        assert result.text == expected
        for hit in result.hits:
            if hit.expected == (hit.term,):
                assert hit.status == "ok"
            elif hit.expected:
                assert hit.status == "enforced" and hit.rendered == hit.expected[0]
            else:
                assert hit.status == "no-target"


def test_a_name_the_model_spelled_out_in_cyrillic_is_replaced_by_the_approved_spelling(glossary):
    from i18n_pipeline.mt.base import Hypothesis, Translation

    class SpellsOut:  # renders a name letter by letter, in context and alone alike
        info = None

        def translate(self, sentences, **kwargs):
            return [Translation([s], [Hypothesis(s)], [(0, len(s))]) for s in sentences]

        def score(self, sentences, targets, **kwargs):  # it knows "Колонку" wants the genitive
            return [float("Хагана Исаева" in t) for t in targets]

        def prefix_fits(self, sentence, prefix):
            return True

    source = "The column by Khagan Isayev was read widely."
    hypothesis = "Колонку Кхагана Исайева читали многие."
    [result] = enforce_detailed([source], [Translation([source], [Hypothesis(hypothesis)], [(0, len(source))])],
                                SpellsOut(), glossary, RU)
    assert result.text == "Колонку Хагана Исаева читали многие."
    assert [h.status for h in result.hits] == ["enforced"]


def test_a_broken_edit_never_stops_the_batch_nor_changes_a_word(glossary, monkeypatch):
    import importlib

    module = importlib.import_module("i18n_pipeline.glossary.enforce")

    def broken(*args, **kwargs):
        raise module.InvariantError("simulated")

    monkeypatch.setattr(module, "_splice", broken)
    results, _, engine = run(glossary, CASES_RU, RU, "wrong")
    first = engine.translate(list(CASES_RU), num_hypotheses=2, return_attention=True)
    assert [r.text for r in results] == [t.best.text for t in first]
    assert {h.status for r in results for h in r.hits if h.expected} <= {"ok", "missing"}


class _QueuedEngine(MisbehavingEngine):
    """The double with a queue, as CTranslate2's engine has: ``translate_async`` records what is
    queued, in order; the decoding happens when the caller collects it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queued: list[list[str]] = []
        self.decoded: list[list[str]] = []

    def translate(self, sentences, **options):
        self.decoded.append(list(sentences))
        return super().translate(sentences, **options)

    def translate_async(self, sentences, **options):
        self.queued.append(list(sentences))
        engine = self

        class Later:
            done = None

            def result(self):
                if self.done is None:
                    self.done = engine.translate(sentences, **options)
                return self.done

        return Later()


@pytest.mark.parametrize("mode", ["drop", "wrong", "translit", "duplicate"])
def test_term_renderings_are_queued_before_their_sentences_and_decoded_once(glossary, mode):
    from i18n_pipeline.glossary import match_terms
    from i18n_pipeline.mt_stage import submit_sources

    def engine(kind):
        return kind({s: Reference(s, t) for s, t in CASES_RU.items()}, glossary, "ru", modes={s: mode for s in CASES_RU})

    sources = list(CASES_RU)
    plain, queued = engine(MisbehavingEngine), engine(_QueuedEngine)
    expected = submit_sources(sources, [plain], glossary=glossary, locale=RU).results()
    pending = submit_sources(sources, [queued], glossary=glossary, locale=RU)
    terms = sorted({h.term for s in sources for h in match_terms(glossary, s, "ru") if h.expected})
    *renderings, sentences = queued.queued
    assert sorted(t for group in renderings for t in group) == terms and set(sentences) <= set(sources)
    assert queued.decoded == []  # nothing decoded yet: all of it waits on the queue
    got = pending.results()
    assert [(r.text, [(h.entry_id, h.status) for h in r.terms]) for r in got] == \
        [(r.text, [(h.entry_id, h.status) for h in r.terms]) for r in expected]
    decoded_terms = [s for call in queued.decoded for s in call if s in terms]
    assert len(decoded_terms) == len(set(decoded_terms))  # never twice (collected only where needed)
    if mode != "duplicate":  # the double then already renders every term: nothing to collect
        assert decoded_terms
    again = submit_sources(sources, [queued], glossary=glossary, locale=RU)  # the next chunk of the run
    assert len(queued.queued) == len(renderings) + 2 and again.results() == got  # nothing queued again
