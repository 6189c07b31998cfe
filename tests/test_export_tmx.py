"""TMX 1.4b writer: valid against the LISA DTD, read back by translate-toolkit and by our reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from test_export_fixtures import ARM, RU, SCHEMAS, BilingualContract, ReadBack, make_article
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tmx import tmxfile

from i18n_pipeline.export.tmx import tmx_bytes
from i18n_pipeline.review import read_bilingual

DTD_PATH = SCHEMAS / "tmx-1.4" / "tmx14.dtd"


@pytest.fixture(scope="module")
def tmx_dtd() -> etree.DTD:
    assert DTD_PATH.is_file(), f"TMX 1.4 DTD missing at {DTD_PATH}: restore tests/schemas from git"
    return etree.DTD(str(DTD_PATH))


def _write(article, locale, path: Path) -> None:
    path.write_bytes(tmx_bytes(article, locale))


class TestTmxReadByTranslateToolkit(BilingualContract):
    suffix = ".tmx"
    write = staticmethod(_write)

    def read(self, path: Path) -> ReadBack:
        store = tmxfile.parsestring(path.read_bytes())
        # TMX has no file-level target language: take it from the non-source <tuv>s.
        target_langs = {
            getXMLlang(node)
            for unit in store.units
            for node in unit.getlanguageNodes()
            if getXMLlang(node) != store.sourcelanguage
        }
        assert len(target_langs) == 1
        pairs = [(str(u.source), str(u.target) if u.target is not None else "") for u in store.units]
        return ReadBack(store.sourcelanguage, target_langs.pop(), pairs)


class TestTmxReadByReviewImport(BilingualContract):
    suffix = ".tmx"
    write = staticmethod(_write)

    def read(self, path: Path) -> ReadBack:
        units = read_bilingual(path)
        langs = {u.target_lang for u in units if u.target_lang}
        assert len(langs) == 1
        return ReadBack(units[0].source_lang, langs.pop(), [(u.source, u.target) for u in units])


@pytest.mark.parametrize("locale", [RU, ARM], ids=["ru", "arm"])
def test_tmx_validates_against_the_dtd(tmx_dtd, locale):
    doc = etree.fromstring(tmx_bytes(make_article(), locale))
    assert tmx_dtd.validate(doc), tmx_dtd.error_log
    assert doc.get("version") == "1.4"


def test_dtd_check_is_not_vacuous(tmx_dtd):
    doc = etree.fromstring(tmx_bytes(make_article(), RU))
    doc.find("header").attrib.pop("srclang")  # required by the DTD
    assert not tmx_dtd.validate(doc)


def test_one_tu_per_segment_with_provenance_properties():
    doc = etree.fromstring(tmx_bytes(make_article(), RU))
    tus = doc.findall("body/tu")
    assert [tu.get("tuid") for tu in tus] == ["b1.s1", "b2.s1", "b2.s2", "b3.s1", "b4.s1", "b5.s1"]
    props = {p.get("type"): p.text for p in tus[0].iterfind("prop")}
    assert props == {
        "x-block": "b1", "x-role": "headline", "x-origin": "mt", "x-engine": "ctranslate2",
        "x-model": "translate-en_ru", "x-model-version": "1.9", "x-glossary-hash": "g1", "x-state": "translated",
    }  # fmt: skip
    human = {p.get("type"): p.text for p in tus[1].iterfind("prop")}
    assert human["x-origin"] == "human" and human["x-tm-hit"] == "yes" and human["x-state"] == "reviewed"
    passthrough = {p.get("type"): p.text for p in tus[4].iterfind("prop")}
    assert passthrough["x-origin"] == "source" and passthrough["x-note"] == "already in ru"
    assert len(tus[5].findall("tuv")) == 1  # no target: only the source variant


def test_output_is_deterministic_and_has_no_doctype():
    first = tmx_bytes(make_article(), ARM)
    assert first == tmx_bytes(make_article(), ARM)
    assert b"<!DOCTYPE" not in first
