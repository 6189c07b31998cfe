"""write_outputs, the JSON document, the translated article and the review page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import pytest
from test_export_fixtures import ARM, RU, TRICKY_TARGET, make_article

import i18n_pipeline.export as export
import i18n_pipeline.fsutil as fsutil
from i18n_pipeline.document import Origin, Provenance, QAFlag, State, Target, TermHit
from i18n_pipeline.errors import WriteError
from i18n_pipeline.export import write_outputs
from i18n_pipeline.export.article import article_html, article_text
from i18n_pipeline.export.json_doc import aligned_document
from i18n_pipeline.export.review_page import review_html

SCHEMA_DOC = Path(export.__file__).with_name("JSON_SCHEMA.md")
PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_write_outputs_writes_six_files_per_locale_under_the_stem(tmp_path):
    article = make_article("000_62d6198c2960ff45")
    written = write_outputs(article, ARM, tmp_path)
    folder = tmp_path / "000_62d6198c2960ff45"
    assert written == [folder / n for n in ("arm.xlf", "arm.tmx", "arm.review.html", "arm.json", "arm.txt", "arm.html")]
    assert all(p.stat().st_size > 0 for p in written)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)  # no temp files left


def test_a_failed_write_leaves_the_previous_files_whole(tmp_path, monkeypatch):
    article = make_article()
    first = write_outputs(article, RU, tmp_path)
    before = {p: p.read_bytes() for p in first}
    article.blocks[2].segments[0].targets["ru"].text = "Новый заголовок"
    real_replace = fsutil.os.replace

    def fail_on_json(src, dst):
        if str(dst).endswith(".json"):
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", fail_on_json)
    with pytest.raises(WriteError, match="ru.json"):
        write_outputs(article, RU, tmp_path)
    json_path = tmp_path / article.stem / "ru.json"
    assert json_path.read_bytes() == before[json_path]  # old file intact, not half-written
    assert not list((tmp_path / article.stem).glob("*.i18n-tmp"))


# -- JSON ---------------------------------------------------------------------------------


def test_json_document_aligns_blocks_segments_and_targets():
    doc = json.loads(export.json_doc.json_bytes(make_article(), RU))
    assert (doc["schema"], doc["schema_version"], doc["source_lang"], doc["target_lang"], doc["locale"]) == (
        "i18n-pipeline/aligned-document", 1, "en", "ru", "ru",
    )  # fmt: skip
    assert [b["id"] for b in doc["blocks"]] == ["c1", "d1", "b1", "a1", "b2", "b3", "b4", "b5", "c2"]
    chrome = doc["blocks"][0]
    assert chrome["translatable"] is False and chrome["translation"] is None and chrome["chrome_role"] == "navigation"
    b2 = doc["blocks"][4]
    assert b2["segments"][0]["target"]["text"] == TRICKY_TARGET
    assert b2["segments"][0]["target"]["provenance"]["origin"] == "human"
    assert b2["segments"][1]["target"] == {
        "text": "", "state": "initial", "flags": [], "terms": [],
        "provenance": {"origin": "mt", "engine": "ctranslate2", "model": "translate-en_ru", "model_version": "1.9",
                       "glossary_hash": "g1", "termbase": "", "tm_hit": False, "note": "", "summary": "mt: ctranslate2 translate-en_ru 1.9"},
    }  # fmt: skip
    assert doc["blocks"][5]["segments"][0]["target"]["flags"][0] == {
        "check": "numbers", "severity": "error", "message": "6 in source, 7 in target",
    }  # fmt: skip
    assert doc["blocks"][7]["segments"][0]["target"] is None
    assert doc["localized"]["dateline"] == "6 марта 2025, 20:22"
    assert json.loads(export.json_doc.json_bytes(make_article(), ARM))["localized"] is None


def _keys(value, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_every_json_field_is_documented_in_the_schema_file():
    documented = set(re.findall(r'"(\w+)"\s*:', SCHEMA_DOC.read_text(encoding="utf-8")))
    produced = _keys(aligned_document(make_article(), RU))
    assert produced - documented == set()


# -- translated article ---------------------------------------------------------------------


def test_article_text_uses_localized_fields_and_targets():
    text = article_text(make_article(), RU)
    assert text.splitlines()[:5] == [
        "NBC: союзники пересматривают обмен разведданными", "", "6 марта 2025, 20:22", "Джейн Роу", "",
    ]  # fmt: skip
    assert TRICKY_TARGET + " Nothing was decided." in text  # empty MT target keeps its source sentence
    assert "WHAT ARE YOU LOOKING FOR" not in text and "Caliber.az ©" not in text  # chrome left out


def test_article_falls_back_to_source_dateline_and_byline_without_localization():
    text = article_text(make_article(), ARM)
    assert "06 March 2025 20:22\nBy Jane Roe" in text


def test_article_html_is_escaped_and_keeps_block_kinds():
    article = make_article()
    article.blocks[2].segments[0].targets["ru"].text = PAYLOAD
    page = lxml.html.fromstring(article_html(article, RU))
    assert page.get("lang") == "ru"
    assert page.find(".//h1").text_content() == PAYLOAD  # as text, not as markup
    assert page.find(".//script") is None and page.find(".//img") is None
    assert page.find(".//blockquote/p").text == "An untranslated sentence."


# -- review page ----------------------------------------------------------------------------


def _hostile_article():
    """Every text the page shows carries an injection payload."""
    article = make_article()
    article.headline = PAYLOAD
    b3 = article.blocks[5]
    seg = b3.segments[0]
    seg.source = f"NATO {PAYLOAD}"
    seg.end = len(seg.source)
    seg.terms = [TermHit("NATO", 0, 4, '"><script>x</script>', (PAYLOAD,), status=PAYLOAD)]
    seg.targets["ru"] = Target(
        f"НАТО {PAYLOAD}",
        State.TRANSLATED,
        Provenance(Origin.HUMAN, note=PAYLOAD),
        flags=[QAFlag('x" onmouseover="alert(3)', "error' onclick='alert(4)", PAYLOAD)],
        terms=[TermHit("NATO", 0, 4, "nato", ("НАТО",), status="ok", rendered="НАТО")],
    )
    article.localized["ru"].byline = PAYLOAD
    b3.id = 'b3" onload="alert(5)'
    return article


def test_review_page_escapes_every_text_from_article_glossary_and_qa():
    html = review_html(_hostile_article(), RU)
    page = lxml.html.fromstring(html)
    scripts = page.findall(".//script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text  # only our own constant script
    assert page.find(".//img") is None
    handlers = [a for el in page.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
    assert handlers == []
    assert PAYLOAD in page.text_content()  # shown to the reviewer as text


def test_review_page_is_standalone():
    html = review_html(make_article(), RU)
    assert not re.search(r"https?://|//[a-z]|\bsrc=|\bhref=|<link|@import|url\(", html, re.I)


def test_review_page_aligns_sentences_and_shows_terms_flags_and_states():
    page = lxml.html.fromstring(review_html(make_article(), RU))
    rows = page.findall(".//tbody/tr")
    assert len(rows) == 5  # one per translatable paragraph
    src_ids = [s.get("data-seg") for s in page.xpath("//td[contains(@class,'src')]/span[@data-seg]")]
    tgt_ids = [s.get("data-seg") for s in page.xpath("//td[contains(@class,'tgt')]/span[@data-seg]")]
    assert src_ids == tgt_ids == ["b1.s1", "b2.s1", "b2.s2", "b3.s1", "b4.s1", "b5.s1"]
    marks = page.xpath("//mark[contains(@class,'term')]")
    assert [m.text for m in marks] == ["NATO", "НАТО"]
    assert rows[2].get("data-checks") == "glossary-term numbers"
    assert sorted(i.get("data-check") for i in page.xpath("//div[@id='filters']//input")) == ["glossary-term", "numbers"]
    assert [li.get("data-check") for li in rows[2].xpath(".//li")] == ["numbers", "glossary-term"]
    states = [s.get("data-state") for s in page.xpath("//span[contains(@class,'state ')]")]
    assert states == ["translated", "reviewed", "initial", "translated", "translated", "initial"]
