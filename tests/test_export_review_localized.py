"""The review page speaks the translator's language: labels, states, QA titles and counts from the catalogs.

Every expected string is computed from ``i18n_pipeline.localize`` (the catalogs), never written
by hand, so the tests follow the .po files; ids and states stay machine-readable in data attributes.
"""

from __future__ import annotations

import lxml.html
import pytest
from test_export_fixtures import ARM, RU, make_article

from i18n_pipeline.document import Origin, Provenance, QAFlag, State, Target, TermHit
from i18n_pipeline.export.review_page import review_html
from i18n_pipeline.localize import (
    errors_count,
    glossary_terms_missing,
    origin_label,
    qa_check_title,
    review_labels,
    segments_flagged,
    severity_label,
    state_label,
    warnings_count,
)

PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'
HY_MT = Provenance(Origin.MT, engine="ctranslate2", model="opus-mt-en-hy", model_version="2024-01", glossary_hash="g7")


def _article():
    """The shared fixture plus flags and a missing term on the Armenian side, so both locales have QA."""
    article = make_article()
    seg = article.blocks[5].segments[0]  # b3.s1: "NATO met in Brussels on 6 March."
    seg.targets["arm"] = Target(
        "ՆԱՏՕ-ն հավաքվեց Բրյուսելում մարտի 7-ին։",
        State.TRANSLATED,
        HY_MT,
        flags=[
            QAFlag("numbers", "error", "6 in source, 7 in target"),
            QAFlag("glossary-term", "warning", "NATO → ՆԱՏՕ"),
            QAFlag("no-such-check", "info", "from a newer QA module"),
        ],
        terms=[TermHit("NATO", 0, 4, "nato", ("ՆԱՏՕ",), status="missing")],
    )
    seg.terms = [TermHit("NATO", 0, 4, "nato", ("НАТО", "ՆԱՏՕ"), status="missing")]
    return article


def _page(locale):
    return lxml.html.fromstring(review_html(_article(), locale))


@pytest.fixture(params=[RU, ARM], ids=["ru", "arm"])
def locale(request):
    return request.param


def test_page_labels_come_from_the_catalog(locale):
    labels = review_labels(locale)
    page = _page(locale)
    assert page.get("lang") == locale.lang
    assert page.findtext(".//title") == f"{labels['title']} · 000_sample · {locale.site}"
    headers = [th.text_content() for th in page.xpath("//thead//th")]
    assert headers[1:] == [f"{labels['source']} (en)", f"{labels['target']} ({locale.lang})"]
    assert page.xpath("//div[@id='filters']/strong")[0].text == f"{labels['filter_by_check']}: "
    assert page.get_element_by_id("all-checks").text == labels["all_checks"]
    assert page.get_element_by_id("view").text_content() == f" {labels['flagged_only']}"
    text = page.text_content()
    for english in ("QA checks", "no flags", "Source (", "Target (", "(no translation)"):
        assert english not in text


def test_filters_keep_check_ids_and_show_localized_titles(locale):
    page = _page(locale)
    boxes = page.xpath("//div[@id='filters']//input")
    expected_ids = ["glossary-term", "numbers"] if locale is RU else ["glossary-term", "no-such-check", "numbers"]
    assert [b.get("data-check") for b in boxes] == [b.get("value") for b in boxes] == expected_ids
    for box in boxes:
        check = box.get("data-check")
        title = qa_check_title(check, locale) or check  # an id the catalog lacks is shown as is
        assert box.getparent().text_content() == f" {title} (1)"
        assert box.getparent().get("title") == check
    assert page.xpath("//tbody/tr")[2].get("data-checks") == " ".join(expected_ids)


def test_flag_lines_have_localized_title_and_severity_and_keep_the_qa_message(locale):
    flags = {li.get("data-check"): li for li in _page(locale).xpath("//li[contains(@class,'flag')]")}
    numbers = flags["numbers"]
    assert numbers.get("data-severity") == "error" and "sev-error" in numbers.get("class")
    assert numbers.text == f"[b3.s1] {qa_check_title('numbers', locale)} ({severity_label('error', locale)}): 6 in source, 7 in target"
    if locale is ARM:
        assert flags["no-such-check"].text == f"[b3.s1] no-such-check ({severity_label('info', locale)}): from a newer QA module"


def test_state_badges_are_localized_and_keep_the_state_in_data(locale):
    badges = _page(locale).xpath("//span[contains(@class,'state ')]")
    states = [b.get("data-state") for b in badges]
    expected = ["translated", "reviewed", "initial", "translated", "translated", "initial"]
    assert states == (expected if locale is RU else ["translated", "final", "initial", "translated", "initial", "initial"])
    labels = review_labels(locale)
    for badge, state in zip(badges, states, strict=True):
        assert badge.text == state_label(state, locale)
        assert f"state-{state}" in badge.get("class")
        assert badge.get("title").startswith(f"{labels['state']}: {state_label(state, locale)}\n")
    if locale is RU:  # the catalog really translates them: no English state word is left on a badge
        assert not {b.text for b in badges} & set(expected)


def test_summary_uses_the_catalogs_plural_messages(locale):
    page = _page(locale)
    summary = page.xpath("//p[contains(@class,'qa-summary')]")[0].text
    errors, warnings, missing = (1, 0, 0) if locale is RU else (1, 1, 1)
    assert summary == " · ".join((
        segments_flagged(1, locale), errors_count(errors, locale),
        warnings_count(warnings, locale), glossary_terms_missing(missing, locale),
    ))  # fmt: skip
    meta = page.xpath("//p[@class='meta']")[0].text
    assert f"{state_label('translated', locale)}: " in meta and f"{state_label('initial', locale)}: " in meta


def test_every_target_shows_its_provenance_in_the_catalogs_words():
    labels = review_labels(RU)
    spans = {s.get("data-seg"): s for s in _page(RU).xpath("//td[contains(@class,'tgt')]/span[@data-seg]")}
    mt = spans["b1.s1"]
    assert mt.get("data-origin") == "mt"
    assert mt.get("title") == f"{labels['provenance']}: {origin_label('mt', RU)} · ctranslate2 translate-en_ru 1.9 · {labels['glossary']} g1"
    human = spans["b2.s1"]  # a translator's target that came through the TM
    assert human.get("title") == f"{labels['provenance']}: {origin_label('human', RU)} ({origin_label('tm', RU)})"
    passed = spans["b4.s1"]
    assert passed.get("title") == f"{labels['provenance']}: {origin_label('source', RU)}; already in ru"
    hy = {s.get("data-seg"): s for s in _page(ARM).xpath("//td[contains(@class,'tgt')]/span[@data-seg]")}["b3.s1"]
    assert hy.get("title").startswith(f"{review_labels(ARM)['provenance']}: {origin_label('mt', ARM)} · ctranslate2 opus-mt-en-hy 2024-01")


def test_missing_targets_and_glossary_titles_are_localized(locale):
    labels = review_labels(locale)
    page = _page(locale)
    empty = page.xpath("//span[contains(@class,'seg empty')]")
    assert empty and all(s.get("data-empty") == qa_check_title("empty", locale) for s in empty)
    source_mark = page.xpath("//td[contains(@class,'src')]//mark")[0]
    assert source_mark.get("class") == "term missing"
    missing = qa_check_title("glossary-term", locale)
    assert source_mark.get("title") == f"{labels['glossary']}: nato · {labels['expected']}: НАТО | ՆԱՏՕ ({missing})"
    if locale is RU:  # a term the target uses keeps its raw status: the catalogs have no words for it yet
        target_mark = page.xpath("//td[contains(@class,'tgt')]//mark")[0]
        assert target_mark.get("title") == f"{labels['glossary']}: nato · {labels['expected']}: НАТО (ok)"


def test_article_text_is_still_escaped_in_a_localized_page(locale):
    article = _article()
    seg = article.blocks[5].segments[0]
    seg.source = f"NATO {PAYLOAD}"
    seg.end = len(seg.source)
    seg.targets[locale.site] = Target(
        f"NATO {PAYLOAD}",
        State.TRANSLATED,
        Provenance(Origin.MT, model=PAYLOAD, note=PAYLOAD),
        flags=[QAFlag(f'x" onclick="{PAYLOAD}', "error", PAYLOAD)],
        terms=[TermHit("NATO", 0, 4, PAYLOAD, (PAYLOAD,), status=PAYLOAD, rendered="NATO")],
    )
    page = lxml.html.fromstring(review_html(article, locale))
    scripts = page.findall(".//script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text  # only the page's own constant script
    assert page.find(".//img") is None
    assert not [a for el in page.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert PAYLOAD in page.xpath("//td[contains(@class,'src')]/span[@data-seg='b3.s1']")[0].text_content()
    flag = page.xpath("//li[contains(@class,'flag')]")[0]
    assert flag.get("data-check") == f'x" onclick="{PAYLOAD}' and flag.text.endswith(f"): {PAYLOAD}")
    target = page.xpath("//td[contains(@class,'tgt')]/span[@data-seg='b3.s1']")[0]
    assert PAYLOAD in target.get("title") and PAYLOAD in target.xpath("mark")[0].get("title")
