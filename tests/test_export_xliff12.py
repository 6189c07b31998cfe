"""XLIFF 1.2 and 2.0 work files: structure, states as CAT tools read them, translate-toolkit and our reader.

The 1.2 output is validated against the official OASIS schema (``schemas/xliff-1.2/``, strict,
its ``xml.xsd`` import resolved to the local copy: no network), checked against the spec's rules
the XSD leaves out (element order, enumerated values) by hand, and read back by translate-toolkit's
parser; XLIFF 2.0 output is validated against the official core schema.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree
from test_export_fixtures import RU, SCHEMAS, TRICKY_SOURCE, TRICKY_TARGET, make_article
from translate.storage import xliff as ttk_xliff
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.document import Origin, State
from i18n_pipeline.errors import UsageError
from i18n_pipeline.export.xliff import xliff_bytes
from i18n_pipeline.export.xliff12 import xliff12_bytes
from i18n_pipeline.review import export_for_review, import_reviewed, read_bilingual
from i18n_pipeline.tm import TranslationMemory

N12 = "urn:oasis:names:tc:xliff:document:1.2"
X12 = {"x": N12}
XML = "{http://www.w3.org/XML/1998/namespace}"
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "articles" / "000_62d6198c2960ff45.txt"
# XLIFF 1.2 spec, section 3: the values of state, state-qualifier and note/@annotates
STATES_12 = {"final", "needs-adaptation", "needs-l10n", "needs-review-adaptation", "needs-review-l10n",
             "needs-review-translation", "needs-translation", "new", "signed-off", "translated"}  # fmt: skip
QUALIFIERS_12 = {"exact-match", "fuzzy-match", "id-match", "leveraged-glossary", "leveraged-inherited", "leveraged-mt",
                 "leveraged-repository", "leveraged-tm", "mt-suggestion", "rejected-grammar", "rejected-inaccurate",
                 "rejected-length", "rejected-spelling", "tm-suggestion"}  # fmt: skip
runner = CliRunner()
XLIFF12_DIR = SCHEMAS / "xliff-1.2"
W3C_XML_XSD = "http://www.w3.org/2001/xml.xsd"  # what the OASIS file imports


class _LocalXmlXsd(etree.Resolver):
    def resolve(self, url, pubid, context):
        if url == W3C_XML_XSD:
            return self.resolve_filename(str(XLIFF12_DIR / "xml.xsd"), context)
        return None


def xliff12_schema() -> etree.XMLSchema:
    """The OASIS XLIFF 1.2 strict schema, offline (fails, not skips, when the file is missing)."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(XLIFF12_DIR / "xliff-core-1.2-strict.xsd"), parser))


@pytest.fixture
def tm(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        yield memory


def _units(doc: etree._Element) -> dict[str, etree._Element]:
    return {tu.get("id"): tu for tu in doc.iterfind(".//x:trans-unit", X12)}


def test_xliff12_follows_the_content_model_of_the_spec():
    doc = etree.fromstring(xliff12_bytes(make_article(), RU))
    assert (doc.tag, doc.get("version")) == (f"{{{N12}}}xliff", "1.2")
    (file_el,) = doc.iterfind("x:file", X12)
    assert {k: file_el.get(k) for k in ("source-language", "target-language", "datatype", "original")} == {
        "source-language": "en", "target-language": "ru", "datatype": "plaintext", "original": "000_sample.txt"}  # fmt: skip
    assert [etree.QName(c).localname for c in file_el] == ["header", "body"]
    assert file_el.find("x:header/x:tool", X12).get("tool-id") == file_el.get("tool-id")
    ids = [tu.get("id") for tu in doc.iterfind(".//x:trans-unit", X12)]
    assert len(ids) == len(set(ids)) == 6
    for group in doc.iterfind(".//x:group", X12):
        children = [etree.QName(c).localname for c in group]
        assert children == sorted(children, key=lambda name: name != "note")  # notes before units
        assert group.get(f"{XML}space") == "preserve"
    for tu in _units(doc).values():
        children = [etree.QName(c).localname for c in tu]
        assert children[0] == "source" and set(children[1:]) <= {"target", "note"}
        assert "target" not in children[2:]  # source, target?, then notes
        assert tu.get("approved") in ("yes", "no") and tu.get(f"{XML}space") == "preserve"
        target = tu.find("x:target", X12)
        if target is not None:
            assert target.get("state") in STATES_12 and target.get("state-qualifier", "mt-suggestion") in QUALIFIERS_12
            assert target.get(f"{XML}lang") == "ru"
        for note in tu.iterfind("x:note", X12):
            assert note.get("annotates") in ("source", "target", "general")
            assert 1 <= int(note.get("priority", "1")) <= 10


def test_xliff12_validates_against_the_official_oasis_schema():
    schema = xliff12_schema()
    root = etree.parse(str(XLIFF12_DIR / "xliff-core-1.2-strict.xsd")).getroot()
    assert root.get("targetNamespace") == N12  # the OASIS file, not a look-alike
    doc = etree.fromstring(xliff12_bytes(make_article(), RU))
    assert schema.validate(doc), schema.error_log
    target = doc.find(".//x:target", X12)
    target.set("state", "reviewed")  # a 2.x state: not in the 1.2 enumeration
    assert not schema.validate(doc)


def test_xliff12_states_approved_and_notes_as_cat_tools_read_them():
    units = _units(etree.fromstring(xliff12_bytes(make_article(), RU)))

    def state(seg_id):
        tu = units[seg_id]
        target = tu.find("x:target", X12)
        return tu.get("approved"), None if target is None else (target.get("state"), target.get("state-qualifier"))

    assert state("b1.s1") == ("no", ("needs-review-translation", "mt-suggestion"))  # MT is never "translated"
    assert state("b2.s1") == ("yes", ("translated", None))  # reviewed
    assert state("b2.s2") == ("no", None)  # an empty target is left out
    notes = [(n.get("priority"), n.text) for n in units["b3.s1"].iterfind("x:note", X12)]
    assert ("1", "numbers (error): 6 in source, 7 in target") in notes
    assert any(text.startswith("glossary: NATO → НАТО") for _, text in notes)


def test_translate_toolkit_reads_our_xliff12_with_the_same_approvals():
    store = ttk_xliff.xlifffile.parsestring(xliff12_bytes(make_article(), RU))
    by_id = {u.getid().split("\x04")[-1]: u for u in store.units}
    assert by_id["b2.s1"].source == TRICKY_SOURCE and by_id["b2.s1"].target == TRICKY_TARGET
    assert by_id["b2.s1"].isapproved() and not by_id["b2.s1"].isfuzzy()
    assert by_id["b1.s1"].isfuzzy() and not by_id["b1.s1"].isapproved()
    assert by_id["b3.s1"].target == "НАТО собралось в Брюсселе 7 марта."
    assert not by_id["b2.s2"].istranslated()


def test_our_reader_maps_xliff12_states_back_and_restores_control_characters(tmp_path):
    article = make_article()
    seg = next(s for s in article.segments() if s.id == "b2.s1")
    seg.targets["ru"].text = "Том\x01и Джерри"
    path_units = {u.segment_id: u for u in read_bilingual(_write(xliff12_bytes(article, RU), tmp_path))}
    assert path_units["b2.s1"].target == "Том\x01и Джерри" and path_units["b2.s1"].state == "reviewed"
    assert path_units["b1.s1"].state == "translated" and not path_units["b1.s1"].approved
    assert path_units["b2.s2"].state == "initial"


def _write(data: bytes, folder: Path, name: str = "x.xlf") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_xliff20_is_the_same_document_with_version_2_0_and_validates():
    doc = etree.fromstring(xliff_bytes(make_article(), RU, version="2.0"))
    assert doc.get("version") == "2.0"
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-2.1" / "xliff_core_2.0.xsd")))
    assert schema.validate(doc), schema.error_log
    assert etree.tostring(doc).replace(b'version="2.0"', b'version="2.1"') == etree.tostring(
        etree.fromstring(xliff_bytes(make_article(), RU)))  # fmt: skip


def test_export_for_review_refuses_an_unknown_format_in_one_line(tmp_path, tm):
    with pytest.raises(UsageError, match="xliff21, xliff20, xliff12$"):
        export_for_review(make_article(), RU, tm, tmp_path, fmt="xliff3")
    out = tmp_path / "cli"
    result = runner.invoke(app, ["review", "export", str(SAMPLE), "--to", "ru", "--format", "po", "--out", str(out),
                                 "--state", str(tmp_path / "state")])  # fmt: skip
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0
    assert "unknown --format 'po'" in result.output and not out.exists()


def test_cli_round_trip_xliff12_edit_then_import_is_a_human_tm_row(tmp_path):
    state = tmp_path / "state"
    out = tmp_path / "work.xlf"
    result = runner.invoke(app, ["review", "export", str(SAMPLE), "--to", "ru", "--format", "xliff12",
                                 "--out", str(out), "--state", str(state)])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = etree.parse(str(out)).getroot()
    schema = xliff12_schema()
    assert schema.validate(doc), schema.error_log
    tu = next(iter(_units(doc).values()))
    source = tu.findtext("x:source", namespaces=X12)
    target = tu.find("x:target", X12)
    if target is None:
        target = etree.SubElement(tu, f"{{{N12}}}target")
        tu.insert(1, target)
    target.text, target.attrib["state"] = "Исправлено переводчиком.", "translated"
    tu.set("approved", "yes")  # what Trados/Virtaal write for a confirmed segment
    etree.ElementTree(doc).write(str(out), xml_declaration=True, encoding="UTF-8")
    result = runner.invoke(app, ["review", "import", str(out), "--state", str(state), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] == 1
    with TranslationMemory(state / "tm.sqlite") as memory:
        row = memory.entries_for([source], "en", "ru")[source]
    assert (row.target, row.origin, row.state) == ("Исправлено переводчиком.", Origin.HUMAN, State.REVIEWED)


OMEGAT_POEDIT_12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.txt" source-language="en" target-language="ru" datatype="plaintext">
    <body>
      <trans-unit id="omegat"><source>Edited in OmegaT.</source><target>Правка в OmegaT.</target></trans-unit>
      <trans-unit id="copy"><source>Left alone.</source><target>Left alone.</target></trans-unit>
      <trans-unit id="fuzzy" approved="yes"><source>Fuzzy one.</source>
        <target state="needs-review-translation">Неточно.</target></trans-unit>
      <trans-unit id="cp"><source>Bell.</source><target state="final">Звонок<x id="1" ctype="x-cp-0007"/>.</target></trans-unit>
    </body>
  </file>
</xliff>
"""


def test_import_accepts_omegat_stateless_targets_but_not_copies_or_fuzzy(tmp_path, tm):
    units = {u.segment_id: u for u in read_bilingual(_write(OMEGAT_POEDIT_12.encode(), tmp_path))}
    assert (units["omegat"].state, units["omegat"].approved) == ("reviewed", True)
    assert (units["copy"].state, units["copy"].approved) == ("translated", False)
    assert (units["fuzzy"].state, units["fuzzy"].approved) == ("translated", False)
    assert units["cp"].target == "Звонок\x07."
    report = import_reviewed([tmp_path / "x.xlf"], tm)
    assert report.stored == 2
    assert set(tm.entries_for(["Edited in OmegaT.", "Left alone.", "Fuzzy one.", "Bell."], "en", "ru")) == {"Edited in OmegaT.", "Bell."}


def test_import_treats_poedit_fuzzy_substate_in_xliff2_as_not_approved(tmp_path, tm):
    doc = etree.fromstring(xliff_bytes(make_article(), RU, version="2.0"))
    x2 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    seg = doc.find(".//x:segment[@id='b2.s1']", x2)  # reviewed in the export
    seg.set("subState", "poedit:fuzzy")
    units = {u.segment_id: u for u in read_bilingual(_write(etree.tostring(doc), tmp_path))}
    assert units["b2/b2.s1"].state == "translated" and not units["b2/b2.s1"].approved
    assert import_reviewed([tmp_path / "x.xlf"], tm).approved == 0
