"""Typography rules for ru and hy: each rule with text that must change and text that must not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from i18n_pipeline.localize import apply_typography

# --- rules that must change the text -------------------------------------------------------

MUST_CHANGE = [
    # ru quotes: outer «», nested „“; typographic English quotes too
    ("ru", 'Он сказал: "Это важно".', "Он сказал: «Это важно»."),
    ("ru", '"Он сказал: "Привет" и ушёл"', "«Он сказал: „Привет“ и ушёл»"),
    ("ru", "“Те дискуссии уже идут”, - сказал источник.", "«Те дискуссии уже идут», — сказал источник."),
    ("ru", "« Газпром » и „Роснефть“", "«Газпром» и «Роснефть»"),
    ("ru", "Он сказал “нет", "Он сказал «нет"),  # a quote that continues in the next sentence
    # ru dash: spaced hyphen / en dash / double hyphen → spaced em dash
    ("ru", "США - важнейший партнёр", "США — важнейший партнёр"),
    ("ru", "США – важнейший партнёр", "США — важнейший партнёр"),
    ("ru", "США -- важнейший партнёр", "США — важнейший партнёр"),
    ("ru", "США —важнейший партнёр", "США — важнейший партнёр"),
    # ru: no space before punctuation
    ("ru", "Да , это так ; нет : вот ! Правда ?", "Да, это так; нет: вот! Правда?"),
    ("ru", "Это всё .", "Это всё."),
    # hy quotes «…» at every level
    ("hy", 'Նա ասաց "Բարև"', "Նա ասաց «Բարև»"),
    ("hy", "“Դա ճիշտ չէ”, ասաց նա", "«Դա ճիշտ չէ», ասաց նա"),
    ("hy", '"Նա ասաց "բարև" և գնաց"', "«Նա ասաց «բարև» և գնաց»"),
    # hy full stop ։ at sentence end
    ("hy", "Դաշնակիցները քննարկում են այդ հարցը.", "Դաշնակիցները քննարկում են այդ հարցը։"),
    ("hy", "Դա ճիշտ է. Նա գնաց.", "Դա ճիշտ է։ Նա գնաց։"),
    ("hy", "Նա ասաց «բարև».", "Նա ասաց «բարև»։"),
    ("hy", "Ա. Պետրոսյանը եկավ.", "Ա. Պետրոսյանը եկավ։"),
    ("hy", "Դա ԱՄՆ-ն է:", "Դա ԱՄՆ-ն է։"),  # a colon typed for ։ at the very end
    ("hy", "Դա ճիշտ է .", "Դա ճիշտ է։"),
    # hy wh-questions: ՞ on the interrogative word's stressed vowel, sentence ends with ։
    ("hy", "Ինչու են դաշնակիցները անհանգստացած?", "Ինչո՞ւ են դաշնակիցները անհանգստացած։"),
    ("hy", "Ով է նա?", "Ո՞վ է նա։"),
    ("hy", "Որտեղ է հանդիպումը?", "Որտե՞ղ է հանդիպումը։"),
    ("hy", "Նա եկավ։ Երբ է գնալու?", "Նա եկավ։ Ե՞րբ է գնալու։"),
    ("hy", "Արդյոք դա ճիշտ է?", "Արդյո՞ք դա ճիշտ է։"),
    # hy abbreviation-suffix hyphen
    ("hy", "ԱՄՆի հետախուզությունը", "ԱՄՆ-ի հետախուզությունը"),
    ("hy", "ՆԱՏՕում և ՀՀից", "ՆԱՏՕ-ում և ՀՀ-ից"),
    ("hy", "NBCի աղբյուրները", "NBC-ի աղբյուրները"),
    ("hy", "Caliber.azի տվյալներով", "Caliber.az-ի տվյալներով"),
    ("hy", "2025ին և 5րդ անգամ", "2025-ին և 5-րդ անգամ"),
    # hy dash and spaces
    ("hy", "Վաշինգտոն - Մոսկվա հարաբերություններ", "Վաշինգտոն — Մոսկվա հարաբերություններ"),
    ("hy", "Այո , նա եկավ", "Այո, նա եկավ"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), MUST_CHANGE)
def test_rule_changes_text(lang, text, expected):
    assert apply_typography(text, lang) == expected


# --- text the rules must leave alone -------------------------------------------------------

MUST_NOT_CHANGE = [
    ("ru", "Подробнее: https://caliber.az/post/a-b--c?x=1&y=2 и www.example.com/a_-_b"),
    ("ru", "Пишите на press-office@gov.uk, а не на @caliber_az или #NBC-news"),
    ("ru", "Сумма 1,234.5 долларов, 1 234,5 рубля, в 20:22 по Баку, 06.03.2025."),
    ("ru", "Счёт 2 - 1, рост 10 - 20 процентов"),  # between numbers: a score or a range
    ("ru", "Союзники США (U.S.) и т. д."),
    ("ru", "Код `a - b , c` и {author}, <a title=\"x - y\">ссылка</a>"),
    ("ru", "кто-то, 1-й, северо-запад"),  # hyphens inside words
    ("ru", 'Размер 5"x7" и a"b'),  # straight quotes with no clear direction: left as they are
    ("ru", "Версия .NET и ,5"),  # a mark glued to what follows is not punctuation
    ("hy", "Նա եկավ 2025 թ."),  # abbreviation
    ("hy", "Դա 3.5 տոկոս է"),  # decimal
    ("hy", "Տես www.caliber.az."),  # URL/domain: the final period follows a Latin word
    ("hy", "U.S. գործընկերը"),
    ("hy", "Նա ասաց. «բարև»"),  # a period before a quotation may be the Armenian colon
    ("hy", "Դա ճիշտ է?"),  # a yes/no question: where ՞ goes depends on meaning
    ("hy", "Նա հարցրեց, թե ինչ է եղել?"),  # interrogative not in front
    ("hy", "Հայաստանի և Ադրբեջանի միջև"),  # ordinary words never get a suffix hyphen
    ("hy", "ԱՄՆ-ի և ՆԱՏՕ-ի"),  # already hyphenated
    ("hy", "Նա ասաց... և գնաց"),  # ellipsis
    ("hy", "Ժամը 20:22-ին"),
    ("en", 'He said "yes" - and left .'),  # languages without rules pass unchanged
]


@pytest.mark.parametrize(("lang", "text"), MUST_NOT_CHANGE)
def test_rule_leaves_text_alone(lang, text):
    assert apply_typography(text, lang) == text


# --- frozen spans survive while the rules work around them ---------------------------------

AROUND_FROZEN = [
    ("ru", "Пишите на press-office@gov.uk , а не сюда .", "Пишите на press-office@gov.uk, а не сюда."),
    ("ru", "См. https://caliber.az/a-b - там всё , и \"тут\"", "См. https://caliber.az/a-b — там всё, и «тут»"),
    ("ru", "Код `a - b , c` и {author} , %(n)s .", "Код `a - b , c` и {author}, %(n)s."),
    ("hy", "Տես https://caliber.az/a.b. Դա ճիշտ է.", "Տես https://caliber.az/a.b. Դա ճիշտ է։"),
    ("hy", "Գինը 1,234.5 դոլար է.", "Գինը 1,234.5 դոլար է։"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), AROUND_FROZEN)
def test_rules_work_around_frozen_spans(lang, text, expected):
    assert apply_typography(text, lang) == expected


def test_protected_spans_are_never_touched():
    text = 'Так называемый "Five Eyes - альянс" , сказал он - и ушёл.'
    start = text.index('"Five')
    end = text.index(" , ") + 2  # the span even holds a space before a comma
    out = apply_typography(text, "ru", [(start, end)])
    assert text[start:end] in out
    assert out.endswith("сказал он — и ушёл.")
    # Without protection the same text is changed inside that span.
    assert text[start:end] not in apply_typography(text, "ru")


def test_protected_armenian_word_gets_no_suffix_hyphen_but_abbreviation_does():
    assert apply_typography("Ադրբեջանի մասին.", "hy", [(0, 8)]) == "Ադրբեջանի մասին։"
    assert apply_typography("ԱՄՆի մասին.", "hy", [(0, 3)]) == "ԱՄՆ-ի մասին։"


def test_protected_span_outside_the_text_is_a_caller_error():
    with pytest.raises(ValueError, match="outside"):
        apply_typography("abc", "ru", [(2, 9)])


@pytest.mark.parametrize(("lang", "text", "expected"), MUST_CHANGE + AROUND_FROZEN)
def test_rules_are_idempotent(lang, text, expected):
    assert apply_typography(expected, lang) == expected


_ALPHABET = st.sampled_from(list("абв ԱՄՆաբգ  ,.:;!?\"“”„«»-–—()12 ") + ["Caliber.az", "1,234.5", "20:22", "U.S."])


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.lists(_ALPHABET, max_size=12).map("".join),
    kept=st.lists(_ALPHABET, min_size=1, max_size=8).map("".join),
    suffix=st.lists(_ALPHABET, max_size=12).map("".join),
    lang=st.sampled_from(["ru", "hy"]),
)
def test_any_protected_span_survives_verbatim_and_rules_settle(prefix, kept, suffix, lang):
    text = prefix + kept + suffix
    out = apply_typography(text, lang, [(len(prefix), len(prefix) + len(kept))])
    assert kept in out
    for frozen in ("Caliber.az", "1,234.5", "20:22"):
        assert out.count(frozen) == text.count(frozen)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(_ALPHABET, max_size=20).map("".join), lang=st.sampled_from(["ru", "hy"]))
def test_rules_settle_after_one_pass(text, lang):
    once = apply_typography(text, lang)
    assert apply_typography(once, lang) == once
