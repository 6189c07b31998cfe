"""Every QA check, with Russian and Armenian examples that must fire and that must not."""

from __future__ import annotations

import pytest

from i18n_pipeline.document import TermHit
from i18n_pipeline.qa import CHECKS, QAConfig, check_segment


# Spelling depends on which Hunspell dictionaries the machine has; it has its own tests.
NO_SPELLING = QAConfig(off=frozenset({"spelling"}))


def fired(source: str, target: str, lang: str, **kw) -> set[str]:
    config = kw.pop("config", NO_SPELLING)
    return {f.check for f in check_segment(source, target, source_lang="en", target_lang=lang, config=config, **kw)}


TALK = "Talks between the two countries resumed in Geneva on Monday."
TALK_RU = "Переговоры между двумя странами возобновились в понедельник в Женеве."
TALK_HY = "Երկու երկրների միջև բանակցությունները երկուշաբթի վերսկսվել են Ժնևում։"
BUDGET = "The government approved a budget of 35.6 billion manats for 2025."
BUDGET_RU = "Правительство утвердило бюджет на 2025 год в размере 35,6 млрд манатов."
BUDGET_HY = "Կառավարությունը հաստատել է 2025 թվականի 35,6 մլրդ մանաթ ծավալով բյուջեն։"

# (check, source, target that must fire, target that must not) per language
CASES = {
    "ru": [
        ("empty", TALK, "  ", TALK_RU),
        ("identical", TALK, TALK, TALK_RU),
        ("untranslated", TALK, "Переговоры между двумя странами resumed in Geneva on Monday.", TALK_RU),
        ("wrong-language", TALK, TALK_HY, TALK_RU),
        ("numbers", BUDGET, BUDGET_RU.replace("35,6", "36,5"), BUDGET_RU.replace("35,6 млрд", "35\u00a0600\u00a0000\u00a0000")),
        ("numbers", "More than 12,500 people came.", "Пришли более 1250 человек.", "Пришли более 12\u202f500 человек."),
        ("numbers", "About 5 million tourists came.", "Приехали около 5 тыс. туристов.", "Приехали около пяти миллионов туристов."),
        ("dates", "The deal was signed on 15 January.", "Сделка подписана 15 January.", "Сделка подписана 15 января."),
        ("dates", "The deal was signed on 15 January.", "Сделка подписана 15 февраля.", "Сделка подписана в январе, 15-го."),
        ("urls", "Write to press@mfa.gov.az or see https://mfa.gov.az/news.",
         "Пишите на press@mfa.gov.ru или смотрите https://mfa.gov.az/news.",
         "Пишите на press@mfa.gov.az или смотрите https://mfa.gov.az/news."),
        ("urls", "Follow @caliberaz and #COP29.", "Следите за @калибер и #COP29.", "Следите за @caliberaz и #COP29."),
        ("end-punctuation", TALK, TALK_RU[:-1], TALK_RU),
        ("end-punctuation", "Why did the talks fail?", "Почему переговоры провалились.", "Почему переговоры провалились?"),
        ("quotes", "\u201cWe are ready,\u201d he said.", "\"Мы готовы\", — сказал он.", "«Мы готовы», — сказал он."),
        ("quotes", "\u201cThe \u2018plan\u2019 is bad,\u201d he said.", "«Этот «план» плох», — сказал он.", "«Этот „план“ плох», — сказал он."),
        ("quotes", "\u201cWe are ready,\u201d he said.", "\u201cМы готовы\u201d, — сказал он.", "«Мы готовы», — сказал он."),
        ("brackets", "The line (the fourth) opens.", "Линия (четвёртая открывается.", "Линия (четвёртая) открывается."),
        ("whitespace", TALK, TALK_RU.replace(" ", "  ", 1), TALK_RU),
        ("whitespace", TALK, TALK_RU.replace(" в Женеве", " , в Женеве"), TALK_RU.replace(" в Женеве", ", в Женеве")),
        ("invisible-chars", TALK, TALK_RU.replace("стр", "ст\u200bр"), TALK_RU),
        ("unknown-token", TALK, TALK_RU.replace("Женеве", "\u2047"), TALK_RU),
        ("unknown-token", "The tag <unk> marks an unknown word.", "Тег <unk> <unk> обозначает неизвестное слово.",
         "Тег <unk> обозначает неизвестное слово."),
        ("repeated-words", TALK, TALK_RU.replace(" в ", " в в ", 1), "«Да, да», — сказали участники переговоров в Женеве."),
        ("repeated-words", TALK, "Переговоры между двумя странами в Женеве в Женеве.", "Мало-помалу переговоры возобновились."),
        ("length-ratio", TALK, "Переговоры возобновились.", TALK_RU),
        ("sentence-count", TALK, "Переговоры возобновились. Это случилось в Женеве в понедельник.", TALK_RU),
        ("mixed-script", TALK, TALK_RU.replace("Женеве", "Жeневе"), TALK_RU.replace("Переговоры", "IT-переговоры")),
    ],
    "hy": [
        ("empty", TALK, "", TALK_HY),
        ("identical", TALK, TALK, TALK_HY),
        ("untranslated", TALK, "Երկու երկրների միջև resumed in Geneva on Monday։", TALK_HY),
        ("wrong-language", TALK, TALK_RU, TALK_HY),
        ("numbers", BUDGET, BUDGET_HY.replace("2025", "2024"), BUDGET_HY.replace("35,6 մլրդ", "35\u00a0600\u00a0000\u00a0000")),
        ("numbers", "About 5 million tourists came.", "Եկել է մոտ 5 հազար զբոսաշրջիկ։", "Եկել է մոտ 5 մլն զբոսաշրջիկ։"),
        ("dates", "The deal was signed on 15 January.", "Գործարքը ստորագրվել է January 15-ին։", "Գործարքը ստորագրվել է հունվարի 15-ին։"),
        ("dates", "The meeting starts at 3 p.m.", "Հանդիպումը կսկսվի 3 p.m.-ին։", "Հանդիպումը կսկսվի ժամը 15:00-ին։"),
        ("urls", "See https://caliber.az/en.", "Տես https://caliber.az/hy։", "Տես https://caliber.az/en։"),
        ("end-punctuation", TALK, TALK_HY[:-1] + ".", TALK_HY),
        ("end-punctuation", TALK, TALK_HY[:-1] + ":", TALK_HY),
        ("end-punctuation", "Who is responsible?", "Ով է պատասխանատու?", "Ո՞վ է պատասխանատու։"),
        ("end-punctuation", "Is it over?", "Սա ավարտն է։", "Սա ավա՞րտն է։"),
        ("quotes", "\u201cWe are ready,\u201d he said.", "\u201cՄենք պատրաստ ենք\u201d, — ասաց նա։", "«Մենք պատրաստ ենք», — ասաց նա։"),
        ("quotes", "\u201cWe are ready,\u201d he said.", "«Մենք պատրաստ ենք, — ասաց նա։", "«Մենք պատրաստ ենք», — ասաց նա։"),
        ("brackets", "The line (the fourth) opens.", "Գիծը չորրորդը) բացվում է։", "Գիծը (չորրորդը) բացվում է։"),
        ("whitespace", TALK, TALK_HY + " ", TALK_HY),
        ("invisible-chars", TALK, "\u200e" + TALK_HY, TALK_HY),
        ("invisible-chars", TALK, TALK_HY.replace(" ", "\x07 ", 1), TALK_HY),
        ("unknown-token", TALK, TALK_HY.replace("Ժնևում", "<unk>"), TALK_HY),
        ("repeated-words", TALK, TALK_HY.replace("Ժնևում", "Ժնևում Ժնևում"), "Կամաց-կամաց բանակցությունները վերսկսվել են։"),
        ("length-ratio", TALK, TALK_HY[:-1] + ", ինչը, փորձագետների կարծիքով, կարևոր քայլ կլինի տարածաշրջանի երկրների "
         "միջև երկկողմ հարաբերությունների հետագա զարգացման և խաղաղության հաստատման գործում։", TALK_HY),
        ("sentence-count", TALK, "Բանակցությունները վերսկսվել են։ Դա տեղի է ունեցել Ժնևում երկուշաբթի։", TALK_HY),
        ("sentence-count", "What a victory!", "Ի՜նչ հաղթանակ։ Ի՜նչ օր։", "Ի՜նչ հաղթանակ։"),
        ("mixed-script", TALK, TALK_HY.replace("Ժնևում", "Ժնևnւմ"), TALK_HY.replace("Ժնևում", "IT-Ժնևում")),
    ],
}
PARAMS = [pytest.param(lang, *case, id=f"{lang}-{case[0]}-{i}") for lang, cases in CASES.items() for i, case in enumerate(cases)]


@pytest.mark.parametrize("lang,check,source,bad,good", PARAMS)
def test_check_fires_on_bad_and_not_on_good(lang, check, source, bad, good):
    assert check in fired(source, bad, lang)
    assert fired(source, good, lang) == set()


def test_every_check_has_examples_in_both_languages():
    batch_or_dict = {"inconsistent", "spelling", "dnt-changed", "glossary-term", "glossary-forbidden"}  # own tests
    for lang, cases in CASES.items():
        assert set(CHECKS) - batch_or_dict <= {c[0] for c in cases}, lang


@pytest.mark.parametrize("lang,target,changed", [
    ("ru", "Доклад опубликовало агентство Рейтер.", True), ("ru", "Доклад опубликовало агентство Reuters.", False),
    ("hy", "Զեկույցը հրապարակել է Ռոյթերս գործակալությունը։", True), ("hy", "Զեկույցը հրապարակել է Reuters գործակալությունը։", False),
])
def test_dnt_changed(lang, target, changed):
    got = fired("The report was published by Reuters.", target, lang, dnt_terms=["Reuters"])
    assert ("dnt-changed" in got) is changed
    assert got <= {"dnt-changed"}


def _hit(status: str) -> TermHit:
    return TermHit("State Statistics Committee", 4, 30, "ssc", ("Госкомстат",), status=status)


@pytest.mark.parametrize("lang,target", [("ru", "Госкомстат сообщил о росте потребительских цен."), ("hy", "Վիճակագրական կոմիտեն հայտնել է գների աճի մասին։")])
def test_glossary_term_from_hits(lang, target):
    source = "The State Statistics Committee reported higher prices."
    flags = check_segment(source, target, source_lang="en", target_lang=lang, term_hits=[_hit("missing")], config=NO_SPELLING)
    assert [f.check for f in flags] == ["glossary-term"] and "Госкомстат" in flags[0].message
    no_target = check_segment(source, target, source_lang="en", target_lang=lang, term_hits=[_hit("no-target")], config=NO_SPELLING)
    assert [f.check for f in no_target] == ["glossary-term"]
    for status in ("ok", "enforced"):
        assert check_segment(source, target, source_lang="en", target_lang=lang, term_hits=[_hit(status)], config=NO_SPELLING) == []


def test_names_and_acronyms_may_stay_identical():
    for text in ("NATO", "Ilham Aliyev", "COP29"):
        for lang in ("ru", "hy"):
            assert fired(text, text, lang) == set()


def test_a_copy_gets_one_flag_not_four():
    flags = check_segment(TALK, TALK, source_lang="en", target_lang="ru")
    assert [(f.check, f.severity) for f in flags] == [("identical", "error")]


def test_ukrainian_output_is_wrong_language_for_ru():
    target = "Переговори між двома країнами відновилися в понеділок у Женеві."
    assert fired(TALK, target, "ru") == {"wrong-language"}


def test_message_names_the_problem():
    (flag,) = check_segment(BUDGET, BUDGET_RU.replace("35,6", "36,5"), source_lang="en", target_lang="ru",
                            config=NO_SPELLING)
    assert flag.check == "numbers" and "35.6" in flag.message and "36,5" in flag.message


def test_unknown_token_is_an_error_and_counts_every_mark():
    [flag] = check_segment(TALK, TALK_RU.replace("в понедельник", "\u2047 \u2047"), source_lang="en",
                           target_lang="ru", config=NO_SPELLING)
    assert (flag.check, flag.severity) == ("unknown-token", "error")
    assert "'\u2047' \u00d72" in flag.message
