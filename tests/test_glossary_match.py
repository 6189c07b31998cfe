"""Term matching, Russian and Armenian forms, compliance and verbatim items."""

from __future__ import annotations

from pathlib import Path

import pytest

from i18n_pipeline.glossary import compliance, lemmatized_present, load_glossary, match_terms, protect, verify
from i18n_pipeline.glossary import inflect_hy, inflect_ru

STARTER = Path(__file__).resolve().parents[1] / "glossary"


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(STARTER)


def terms(glossary, text, lang="ru"):
    return [(h.term, h.entry_id) for h in match_terms(glossary, text, lang)]


def test_longest_match_wins_and_offsets_point_into_the_text(glossary):
    text = "The Canada Security Intelligence Service met Canada."
    hits = match_terms(glossary, text, "ru")
    assert [(h.term, text[h.start : h.end]) for h in hits] == [
        ("Canada Security Intelligence Service", "Canada Security Intelligence Service"), ("Canada", "Canada")
    ]
    assert hits[0].expected[0] == "Служба безопасности и разведки Канады"


def test_case_rules_word_boundaries_possessives_and_hyphens(glossary):
    assert terms(glossary, "CSIS's chief, not csis, nor CSISX") == [("CSIS", "CSIS")]
    assert terms(glossary, "the UK’s closest ally and the U.S. itself") == [("UK", "UK"), ("U.S.", "U.S.")]
    assert terms(glossary, "members of the Five-Eyes alliance") == [("Five-Eyes", "Five Eyes")]
    # A term glued after a hyphen is a compound adjective, not an occurrence.
    assert terms(glossary, "Trump's pro-Russia policy and Trump-proposed talks") == [("Trump", "Trump"), ("Trump", "Trump")]
    assert terms(glossary, "trump card") == []


def test_plural_of_a_common_noun(tmp_path):
    (tmp_path / "t.csv").write_text("en,ru,arm,pos\nsanction,санкция,պատժամիջոց,noun\nally,союзник,դաշնակից,noun\n", encoding="utf-8")
    g = load_glossary(tmp_path)
    assert terms(g, "New sanctions hit allies and one Ally.") == [("sanctions", "sanction"), ("allies", "ally"), ("Ally", "ally")]


def test_name_followed_by_its_acronym(glossary, tmp_path):
    assert terms(glossary, "The Central Intelligence Agency (CIA) said") == [
        ("Central Intelligence Agency", "Central Intelligence Agency"), ("CIA", "CIA")
    ]
    (tmp_path / "t.csv").write_text("en,ru,arm\nNorth Atlantic Treaty Organization,Организация Североатлантического договора,\n", encoding="utf-8")
    hits = match_terms(load_glossary(tmp_path), "The North Atlantic Treaty Organization (NATO) met.", "ru")
    assert [(h.term, h.entry_id, h.status) for h in hits][1] == ("NATO", "North Atlantic Treaty Organization", "no-target")


def test_targets_follow_the_locale_and_review_status(glossary):
    [hit] = match_terms(glossary, "Five Eyes", "arm")
    assert hit.expected == () and hit.status == "no-target"
    [hit] = match_terms(glossary, "Moscow", "hy")
    assert hit.expected == ("Մոսկվա",)
    [hit] = match_terms(glossary, "per Caliber.az", "ru")
    assert hit.expected == ("Caliber.az",)  # do-not-translate: the source spelling itself


@pytest.mark.parametrize(
    "form, case, expected",
    [
        ("Служба безопасности и разведки Канады", "loct", "Службе безопасности и разведки Канады"),
        ("Белый дом", "loct", "Белом доме"),
        ("Белый дом", "accs", "Белый дом"),
        ("Соединённые Штаты", "ablt", "Соединёнными Штатами"),
        ("Дональд Трамп", "gent", "Дональда Трампа"),
        ("Министерство обороны", "datv", "Министерству обороны"),
        ("СКРС", "gent", "СКРС"),
        ("«Пять глаз»", "gent", "«Пять глаз»"),
    ],
)
def test_russian_inflection(form, case, expected):
    assert inflect_ru.inflect(form, case) == expected


def test_russian_case_comes_from_the_words_and_the_preposition():
    assert inflect_ru.candidate_cases("Белом доме", "в") == ["loct"]
    assert inflect_ru.candidate_cases("Вашингтону", None)[0] == "datv"
    assert inflect_ru.candidate_cases("Файв Айз", "из") == ["gent"]
    assert inflect_ru.inflect("Хаган Исаев", "accs", animate=True) == "Хагана Исаева"


@pytest.mark.parametrize(
    "form, suffix, expected",
    [
        ("Կանադա", "ի", "Կանադայի"), ("Մոսկվա", "ում", "Մոսկվայում"), ("ԱՄՆ", "ի", "ԱՄՆ-ի"),
        ("ԿՀՎ", "ը", "ԿՀՎ-ն"), ("ԱՄՆ", "ն", "ԱՄՆ-ը"), ("Թրամփ", "ն", "Թրամփը"), ("Կանադա", "ը", "Կանադան"),
        ("Պաշտպանության նախարարություն", "ի", "Պաշտպանության նախարարության"),
        ("Սպիտակ տուն", "ում", "Սպիտակ տանը"), ("Caliber.Az", "ի", "Caliber.Az-ի"),
    ],
)
def test_armenian_suffix_attachment(form, suffix, expected):
    assert inflect_hy.attach(form, suffix) == expected


def test_armenian_suffix_is_read_off_the_model_words():
    assert inflect_hy.read_suffix("Կանադայի", ("Կանադա",)) == "ի"
    assert inflect_hy.read_suffix("Կանատայում", ("Կանադա",)) == "ում"  # misspelt stem, suffix still read
    assert inflect_hy.read_suffix("Վաշինգթոն", ("Վաշինգտոն",)) == ""  # a stem's own ն is not the article
    assert inflect_hy.read_suffix("ՑՌՈՒ-ն", ("ԿՀՎ",)) == "ն"
    assert inflect_hy.read_suffix("սպիտակ տանը", ("Սպիտակ տուն",)) == "ում"


def test_compliance_counts_and_accepts_inflected_forms(glossary):
    source = "Moscow told the White House and Moscow that Caliber.Az and CSIS agree."
    hits = match_terms(glossary, source, "ru")
    checked = compliance(hits, "Москва сообщила Белому дому и Москве, что caliber.az и скрс согласны.", "ru")
    assert [(h.term, h.status, h.rendered) for h in checked] == [
        ("Moscow", "ok", "Москва"), ("White House", "ok", "Белому дому"), ("Moscow", "ok", "Москве"),
        ("Caliber.Az", "missing", ""), ("CSIS", "missing", ""),
    ]
    once = compliance(hits, "Москва сообщила Белому дому, что Caliber.Az и СКРС согласны.", "ru")
    assert [h.status for h in once] == ["ok", "ok", "missing", "ok", "ok"]
    hy = compliance(match_terms(glossary, "in Canada and the U.S.", "arm"), "Կանադայում և ԱՄՆ-ում", "arm")
    assert [h.status for h in hy] == ["ok", "ok"]


def test_lemmatized_match():
    assert lemmatized_present(("Белый дом",), "в белом доме", "ru")
    assert not lemmatized_present(("Белый дом",), "в белом зале", "ru")
    assert lemmatized_present(("Սպիտակ տուն",), "Սպիտակ տանը", "hy")


def test_protect_keeps_the_text_and_verify_finds_what_was_lost(glossary):
    source = "Caliber.Az reported 1,200 troops, see https://caliber.az/post/1 for details."
    text, items = protect(source, match_terms(glossary, source, "ru"))
    assert text == source
    assert [(i.kind, i.text) for i in items] == [("term", "Caliber.Az"), ("number", "1,200"), ("url", "https://caliber.az/post/1")]
    assert verify("Caliber.Az сообщил о 1 200 военных, см. https://caliber.az/post/1.", items) == []
    lost = verify("Калибр сообщил о 1 300 военных, см. caliber.az.", items)
    assert [i.kind for i in lost] == ["term", "number", "url"]
