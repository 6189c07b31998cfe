"""Sentences: pySBD golden rules (en, ru, hy), news-copy rules, offsets, stable ids."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n_pipeline.document import Article, Block, Role
from i18n_pipeline.segment import CHUNK_CHARS, segment_article, sentence_hash, split_sentences

GOLDEN = Path(__file__).parent / "data" / "segment"
# Measured: en 47/48 (the case pySBD itself marks xfail), ru 37/37, hy 22/22.
MIN_PASSED = {"en": 47, "ru": 37, "hy": 22}


def golden_cases(lang: str) -> list[tuple[str, list[str]]]:
    tree = ast.parse((GOLDEN / f"golden_{lang}.py").read_text(encoding="utf-8"))
    return ast.literal_eval(tree.body[0].value)


def sentences(text: str, lang: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


@pytest.mark.parametrize("lang", ["en", "ru", "hy"])
def test_golden_rules_pass_rate_does_not_drop(lang):
    cases = golden_cases(lang)
    passed = sum(sentences(text, lang) == expected for text, expected in cases)
    assert passed >= MIN_PASSED[lang], f"{lang}: {passed}/{len(cases)}"


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("en", "They said it, per Caliber.Az. The allies agreed.", ["They said it, per Caliber.Az.", "The allies agreed."]),
        ("en", "Caliber.Az reports that Gen. Smith arrived. He left.", ["Caliber.Az reports that Gen. Smith arrived.", "He left."]),
        ("en", "Gov. Smith met Pres. Aliyev. They talked.", ["Gov. Smith met Pres. Aliyev.", "They talked."]),
        ("en", "The U.S. may no longer see Russia as a threat. Officials agree.", ["The U.S. may no longer see Russia as a threat.", "Officials agree."]),
        ("en", "Growth was 3.5 percent at 20:22 on Monday. Then it fell.", ["Growth was 3.5 percent at 20:22 on Monday.", "Then it fell."]),
        ("en", "J. R. R. Tolkien wrote it. Lt. Gen. Keith Kellogg met Dr. Jones.", ["J. R. R. Tolkien wrote it.", "Lt. Gen. Keith Kellogg met Dr. Jones."]),
        ("en", "A spokesperson said in an email. “Any suggestion otherwise is totally untrue.”", ["A spokesperson said in an email.", "“Any suggestion otherwise is totally untrue.”"]),
        ("en", "“People are very worried,” a former official said. Then he left.", ["“People are very worried,” a former official said.", "Then he left."]),
        ("ru", "В.В. Путин и Д. Трамп встретились. Итоги неясны.", ["В.В. Путин и Д. Трамп встретились.", "Итоги неясны."]),
        ("ru", "«Это важно», — сказал он. Затем ушёл.", ["«Это важно», — сказал он.", "Затем ушёл."]),
        ("hy", "Սա առաջին նախադասությունն է։ Սա երկրորդն է։", ["Սա առաջին նախադասությունն է։", "Սա երկրորդն է։"]),
        ("hy", "Նա ասաց. «Մենք կհաղթենք»։ Ամբոխը ծափահարեց։", ["Նա ասաց. «Մենք կհաղթենք»։", "Ամբոխը ծափահարեց։"]),
    ],
)
def test_news_copy(lang, text, expected):
    assert sentences(text, lang) == expected


def test_unknown_language_falls_back_to_english_rules():
    assert sentences("Bakı böyük şəhərdir. Orada çox insan yaşayır.", "az") == ["Bakı böyük şəhərdir.", "Orada çox insan yaşayır."]


def make_article(*texts: str) -> Article:
    blocks = [Block(f"b{i}", Role.BODY, t, lang="en") for i, t in enumerate(texts)]
    blocks.append(Block("c", Role.CHROME, "print", lang="en"))
    return Article(path="a.txt", stem="a", blocks=blocks, language="en")


def test_segment_article_offsets_and_stable_ids():
    first = segment_article(make_article("  Hello there.  It rains. ", "It rains."))
    second = segment_article(make_article("  Hello there.  It rains. ", "It rains."))
    ids = [s.id for s in first.segments()]
    assert ids == [s.id for s in second.segments()]
    assert ids[1] == sentence_hash("It rains.") and ids[2] == ids[1] + "-2"
    assert len(set(ids)) == 3
    for block in first.translatable_blocks():
        for seg in block.segments:
            assert block.text[seg.start : seg.end] == seg.source == seg.source.strip()
    assert first.blocks[-1].segments == []  # chrome is never segmented


def test_sentence_hash_ignores_whitespace_and_normalization_only():
    assert sentence_hash("It  rains.") == sentence_hash("It rains.")
    assert sentence_hash("Café.") == sentence_hash("Cafe\u0301.")
    assert sentence_hash("It rains.") != sentence_hash("It rains!")
    assert sentence_hash("It rains.") == "sa4c0f83f559c"  # pinned: ids must not change between releases


def test_long_block_is_chunked_without_losing_or_moving_text():
    text = " ".join(f"Sentence number {i} is about the U.S. economy and Gen. Smith." for i in range(400))
    assert len(text) > 5 * CHUNK_CHARS
    spans = split_sentences(text, "en")
    assert len(spans) == 400
    assert all(text[a:b].startswith("Sentence number") for a, b in spans)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Hello.", "U.S.", "Gen.", "Smith", "said", "“Yes,”", "3.5", "it", "։", "Мир.", " ", "\n", "!"]), max_size=40))
def test_spans_are_ordered_trimmed_substrings(words):
    text = " ".join(words)
    previous_end = 0
    for start, end in split_sentences(text, "en"):
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end
    covered = "".join(text[a:b] for a, b in split_sentences(text, "en"))
    assert "".join(covered.split()) == "".join(text.split())


# Letters of the three scripts, digits, spaces and the punctuation news copy has inside a
# sentence; the end is one of the marks pySBD ends sentences with (or nothing).
_INNER = st.lists(
    st.sampled_from(list("abcxyz ABCXYZ 019 ,-—–(«»\"'“”‘’&%$/#@*[]{}| абвЖЁ ԱԲաբ ՞՛\t\u00a0")
                             + ["U.S", "Mr", "St", "e.g", "a)", "1)", "\n", ".", "?", ":", ")"]),
    min_size=1, max_size=40).map("".join)
_END = st.sampled_from(["", ".", "!", "?", "…", ".”", "?»", "։", ":", " ", "..."])


@settings(max_examples=400, deadline=None)
@given(_INNER, _END, st.sampled_from(["en", "ru", "hy"]))
def test_one_sentence_shortcut_agrees_with_pysbd(body, end, lang):
    import pysbd

    from i18n_pipeline.segment import is_one_sentence

    text = body + end
    if is_one_sentence(text) and text.strip():
        pieces = [p for p in pysbd.Segmenter(language=lang, clean=False).segment(text) if p.strip()]
        assert pieces and len(pieces) == 1, pieces


def test_one_sentence_shortcut_covers_plain_sentences_only():
    from i18n_pipeline.segment import is_one_sentence

    assert is_one_sentence("The allies met in London on Tuesday.")
    assert is_one_sentence("«Կարծում եմ՝ ոչ»,- ասաց նա։")
    assert not is_one_sentence("The U.S. said so.")
    assert not is_one_sentence("We have 1) apples 2) pears")
    assert not is_one_sentence("He asked: why?»")  # pySBD splits a quote after the end mark
    assert not is_one_sentence("First line\nsecond line")


def test_a_control_character_that_crashes_pysbd_leaves_the_text_one_sentence():
    # pySBD's list-item rules raise ValueError on "0\x1f0" (found by Hypothesis).
    text = "Item 0\x1f0. Next sentence here."
    spans = split_sentences(text, "en")
    assert spans and text[spans[0][0] : spans[-1][1]].strip() == text.strip()


# Sentences that repeat, nest in one another and end in every kind of whitespace: the cases
# where "the first occurrence that ends past the previous sentence" is not simply the next one.
_REPEATING = st.lists(st.sampled_from(
    ["Yes.", "Yes. Yes.", "No!", "Mr. Smith left.", "U.S. troops.", "Он ушёл.", "Նա գնաց։", "a", "",
     " ", "\n", "\t", "\u00a0", "\u2028", "\x1c", "1) one 2) two", "?", "Yes"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_REPEATING, st.lists(st.sampled_from(["", " ", "\n", "  ", "\u00a0", "x"]), max_size=30),
       st.sampled_from(["en", "ru", "hy"]))
def test_sentence_spans_without_regexes_equal_pysbds_own(parts, glue, lang):
    import pysbd

    from i18n_pipeline.segment import _segmenter

    text = "".join(p + (glue[i] if i < len(glue) else " ") for i, p in enumerate(parts))
    ours = _segmenter(lang)
    theirs = pysbd.Segmenter(language=lang, clean=False, char_span=True)
    try:
        expected = theirs.segment(text)
    except (ValueError, IndexError):  # pySBD's own crash on some control characters: ours crashes alike
        with pytest.raises((ValueError, IndexError)):
            ours.segment(text)
        return
    ours.original_text = text
    got = ours.sentences_with_char_spans(theirs.processor(text).process()) if text else []
    assert [(s.sent, s.start, s.end) for s in got] == [(s.sent, s.start, s.end) for s in expected]
    assert ours.segment(text) == pysbd.Segmenter(language=lang, clean=False).segment(text)


def test_sentence_spans_handle_pieces_pysbd_could_not_find_and_empty_ones():
    from pysbd.utils import TextSpan

    from i18n_pipeline.segment import _literal_spans

    text = "One. Two.  One. "
    spans = _literal_spans(text, ["One.", "Two.", "One.", "Missing.", ""], TextSpan)
    assert [(s.sent, s.start, s.end) for s in spans] == [("One. ", 0, 5), ("Two.  ", 5, 11), ("One. ", 11, 16)]
    assert [(s.start, s.end) for s in _literal_spans("  a", ["", "a"], TextSpan)] == [(0, 2), (2, 3)]
