"""XLIFF 2.1 writer: schema-valid (core + metadata module), read back by two independent readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from test_export_fixtures import ARM, RU, SCHEMAS, BilingualContract, ReadBack, make_article
from translate.storage.xliff2 import Xliff2File

from i18n_pipeline.document import Block, Role, Segment, Target
from i18n_pipeline.export.xliff import QA_PRIORITY, xliff_bytes
from i18n_pipeline.review import read_bilingual

X = {"x": "urn:oasis:names:tc:xliff:document:2.0", "mda": "urn:oasis:names:tc:xliff:metadata:2.0"}
XLIFF_DIR = SCHEMAS / "xliff-2.1"


@pytest.fixture(scope="module")
def xliff_schema() -> etree.XMLSchema:
    for name in ("xliff_core_2.0.xsd", "metadata.xsd", "informativeCopiesOf3rdPartySchemas/w3c/xml.xsd"):
        assert (XLIFF_DIR / name).is_file(), f"XLIFF 2.1 schema missing at {XLIFF_DIR / name}: restore tests/schemas from git"
    # One driver schema importing the core and every module we write, so that the core's lax
    # wildcard actually validates our mda: elements instead of skipping them.
    driver = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="{X['x']}" schemaLocation="{(XLIFF_DIR / 'xliff_core_2.0.xsd').as_uri()}"/>
      <xs:import namespace="{X['mda']}" schemaLocation="{(XLIFF_DIR / 'metadata.xsd').as_uri()}"/>
    </xs:schema>"""
    return etree.XMLSchema(etree.fromstring(driver.encode()))


def _write(article, locale, path: Path) -> None:
    path.write_bytes(xliff_bytes(article, locale))


class TestXliffReadByTranslateToolkit(BilingualContract):
    """translate-toolkit 3.20's own XLIFF 2.0 reader (translate.storage.xliff2)."""

    suffix = ".xlf"
    write = staticmethod(_write)

    def read(self, path: Path) -> ReadBack:
        store = Xliff2File.parsestring(path.read_bytes())
        pairs = [(str(u.source), str(u.target) if u.target is not None else "") for u in store.units]
        return ReadBack(store.sourcelanguage, store.gettargetlanguage(), pairs)


class TestXliffReadByReviewImport(BilingualContract):
    """Our own reader, used by `review import` and `qa PATHS`, must agree with the writer too."""

    suffix = ".xlf"
    write = staticmethod(_write)

    def read(self, path: Path) -> ReadBack:
        units = read_bilingual(path)
        return ReadBack(units[0].source_lang, units[0].target_lang, [(u.source, u.target) for u in units])


@pytest.mark.parametrize("locale", [RU, ARM], ids=["ru", "arm"])
def test_xliff_validates_against_core_and_metadata_schemas(xliff_schema, locale):
    doc = etree.fromstring(xliff_bytes(make_article(), locale))
    assert xliff_schema.validate(doc), xliff_schema.error_log
    assert doc.get("version") == "2.1" and doc.get("srcLang") == "en" and doc.get("trgLang") == locale.lang


def test_schema_check_really_covers_the_metadata_module(xliff_schema):
    doc = etree.fromstring(xliff_bytes(make_article(), RU))
    meta = doc.find(".//mda:meta", X)
    del meta.attrib["type"]  # required by metadata.xsd
    assert not xliff_schema.validate(doc)


def test_one_unit_per_translatable_block_and_one_segment_per_sentence():
    doc = etree.fromstring(xliff_bytes(make_article(), RU))
    units = doc.findall(".//x:unit", X)
    assert [u.get("id") for u in units] == ["b1", "b2", "b3", "b4", "b5"]  # no chrome, dateline, byline
    assert [len(u.findall("x:segment", X)) for u in units] == [1, 2, 1, 1, 1]
    states = [s.get("state") for s in doc.iterfind(".//x:segment", X)]
    assert states == ["translated", "reviewed", "initial", "translated", "translated", "initial"]
    last = doc.find(".//x:segment[@id='b5.s1']", X)
    assert last.find("x:target", X) is None  # no target: no <target>, state initial


def test_unit_notes_carry_role_language_glossary_qa_and_provenance():
    doc = etree.fromstring(xliff_bytes(make_article(), RU))
    unit = doc.find(".//x:unit[@id='b3']", X)
    notes = {(n.get("category"), n.get("id")): n for n in unit.iterfind("x:notes/x:note", X)}
    assert notes[("role", None)].text == "body"
    assert notes[("language", None)].text.startswith("en ")
    assert "НАТО" in notes[("glossary", "b3.s1-term1")].text
    error = notes[("qa", "b3.s1-qa1")]
    assert error.text.startswith("[b3.s1] numbers (error)") and error.get("priority") == str(QA_PRIORITY["error"]) == "1"
    assert notes[("qa", "b3.s1-qa2")].get("priority") == "9"  # info
    assert notes[("provenance", "b3.s1-prov")].text == "[b3.s1] mt: ctranslate2 translate-en_ru 1.9"
    meta = {m.get("type"): m.text for m in unit.iterfind("mda:metadata/mda:metaGroup[@category='provenance']/mda:meta", X)}
    assert meta == {
        "segment": "b3.s1", "origin": "mt", "engine": "ctranslate2", "model": "translate-en_ru",
        "model_version": "1.9", "glossary_hash": "g1", "tm_hit": "no",
    }  # fmt: skip


def test_passthrough_block_keeps_its_provenance_and_pipeline_note():
    doc = etree.fromstring(xliff_bytes(make_article(), RU))
    unit = doc.find(".//x:unit[@id='b4']", X)
    categories = {n.get("category"): n.text for n in unit.iterfind("x:notes/x:note", X)}
    assert categories["pipeline"] == "already in ru: passed through"
    assert categories["provenance"] == "[b4.s1] source; already in ru"
    assert unit.find("mda:metadata/mda:metaGroup/mda:meta[@type='origin']", X) is not None


def test_control_characters_become_cp_elements_and_read_back(xliff_schema, tmp_path):
    article = make_article()
    seg = article.blocks[4].segments[0]
    seg.source = "Bell\x07 and tab\tok"
    seg.targets["ru"] = Target("Звонок\x07 и\x0b", seg.targets["ru"].state, seg.targets["ru"].provenance)
    data = xliff_bytes(article, RU)
    doc = etree.fromstring(data)
    assert xliff_schema.validate(doc), xliff_schema.error_log
    assert [cp.get("hex") for cp in doc.iterfind(".//x:cp", X)] == ["0007", "0007", "000B"]
    path = tmp_path / "ru.xlf"
    path.write_bytes(data)
    back = {u.source: u.target for u in read_bilingual(path)}
    assert back["Bell\x07 and tab\tok"] == "Звонок\x07 и\x0b"


def test_odd_ids_are_made_valid_nmtokens(xliff_schema):
    article = make_article()
    odd = Block("para 7/x", Role.BODY, "Hi.", lang="en")
    odd.segments = [Segment("seg #1", "Hi.", 0, 3)]
    article.blocks.append(odd)
    doc = etree.fromstring(xliff_bytes(article, RU))
    assert xliff_schema.validate(doc), xliff_schema.error_log
    assert doc.find(".//x:unit[@id='para_7_x']/x:segment[@id='seg__1']", X) is not None


def test_article_without_translatable_blocks_is_still_valid(xliff_schema):
    article = make_article()
    article.blocks = [b for b in article.blocks if not b.translatable]
    assert xliff_schema.validate(etree.fromstring(xliff_bytes(article, ARM))), xliff_schema.error_log
