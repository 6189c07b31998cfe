"""Review loop: reviewed XLIFF 2 / XLIFF 1.2 / TMX into the TM as human, conflicts, work-file export."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from test_export_fixtures import ARM, RU, SCHEMAS, TRICKY_SOURCE, TRICKY_TARGET, make_article

from i18n_pipeline.document import Origin, State
from i18n_pipeline.errors import InputError
from i18n_pipeline.export.tmx import tmx_bytes
from i18n_pipeline.export.xliff import xliff_bytes
from i18n_pipeline.review import export_for_review, import_reviewed, read_bilingual
from i18n_pipeline.tm import TMEntry, TranslationMemory

X = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
MODEL = {"model": "translate-en_ru", "model_version": "1.9", "glossary_hash": "g1"}


@pytest.fixture
def tm(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as memory:
        yield memory


def _reviewed_xliff(tmp_path: Path, name: str, edits: dict[str, tuple[str, str]]) -> Path:
    """Our XLIFF with some segments edited by a 'translator': {segment id: (target, state)}."""
    doc = etree.fromstring(xliff_bytes(make_article(), RU))
    for seg_id, (text, state) in edits.items():
        seg = doc.find(f".//x:segment[@id='{seg_id}']", X)
        target = seg.find("x:target", X)
        if target is None:
            target = etree.SubElement(seg, f"{{{X['x']}}}target")
        target.text = text
        seg.set("state", state)
    path = tmp_path / name
    path.write_bytes(etree.tostring(doc, xml_declaration=True, encoding="UTF-8"))
    return path


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file original="a.txt" source-language="en-US" target-language="ru-RU" datatype="plaintext">
    <body>
      <trans-unit id="1" approved="yes">
        <source>Signed <g id="1">off</g> by editor.</source>
        <target>Подписано <g id="1">редактором</g>.</target>
      </trans-unit>
      <trans-unit id="2">
        <source>Only translated.</source>
        <target state="translated">Только переведено.</target>
      </trans-unit>
      <trans-unit id="3">
        <source>Final one.</source>
        <target state="final">Окончательно<x id="2"/>.</target>
      </trans-unit>
      <trans-unit id="4">
        <source>First. Second.</source>
        <seg-source><mrk mtype="seg" mid="a">First.</mrk> <mrk mtype="seg" mid="b">Second.</mrk></seg-source>
        <target state="signed-off"><mrk mtype="seg" mid="a">Первое.</mrk> <mrk mtype="seg" mid="b">Второе.</mrk></target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""

OMEGAT_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
          creationtoolversion="6.0" segtype="sentence" srclang="EN-US"/>
  <body>
    <tu>
      <tuv lang="EN-US"><seg>From OmegaT &amp; friends.</seg></tuv>
      <tuv lang="HY"><seg>OmegaT-ից և ընկերներից։</seg></tuv>
    </tu>
    <tu>
      <tuv lang="EN-US"><seg>No target here.</seg></tuv>
    </tu>
  </body>
</tmx>
"""


# -- reading --------------------------------------------------------------------------------


def test_read_bilingual_xliff12_flattens_inline_codes_and_maps_states(tmp_path):
    path = tmp_path / "a.xlf"
    path.write_text(XLIFF12, encoding="utf-8")
    units = {u.segment_id: u for u in read_bilingual(path)}
    assert set(units) == {"1", "2", "3", "4/a", "4/b"}
    assert (units["1"].source, units["1"].target, units["1"].state) == ("Signed off by editor.", "Подписано редактором.", "reviewed")
    assert units["2"].state == "translated" and not units["2"].approved
    assert (units["3"].target, units["3"].state) == ("Окончательно.", "final")
    assert (units["4/b"].source, units["4/b"].target, units["4/b"].state) == ("Second.", "Второе.", "final")
    assert (units["1"].source_lang, units["1"].target_lang, units["1"].format) == ("en-US", "ru-RU", "xliff1.2")


def test_read_bilingual_reads_an_omegat_tmx_with_its_doctype_line(tmp_path):
    path = tmp_path / "omegat.tmx"
    path.write_text(OMEGAT_TMX, encoding="utf-8")
    units = read_bilingual(path)
    assert [(u.source, u.target, u.target_lang) for u in units] == [
        ("From OmegaT & friends.", "OmegaT-ից և ընկերներից։", "HY"),
        ("No target here.", "", ""),
    ]
    assert [u.approved for u in units] == [True, False]


def test_read_bilingual_keeps_notes_and_ids_of_our_xliff(tmp_path):
    path = tmp_path / "ru.xlf"
    path.write_bytes(xliff_bytes(make_article(), RU))
    unit = next(u for u in read_bilingual(path) if u.segment_id == "b3/b3.s1")
    assert any(note.startswith("[b3.s1] numbers (error)") for note in unit.notes)
    assert (unit.state, unit.format) == ("translated", "xliff2")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"<xliff", "not well-formed"),
        (b"<html><body/></html>", "not an XLIFF 2.x, XLIFF 1.2 or TMX"),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><tmx>&e;</tmx>', "refused for safety"),
    ],
)
def test_read_bilingual_rejects_bad_files_with_one_clear_line(tmp_path, content, problem):
    path = tmp_path / "bad.xlf"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as info:
        read_bilingual(path)
    assert "bad.xlf" in str(info.value) and "\n" not in str(info.value)


# -- importing ------------------------------------------------------------------------------


def test_reviewed_xliff_enters_the_tm_as_human_and_beats_mt_later(tmp_path, tm):
    path = _reviewed_xliff(
        tmp_path, "ru.xlf", {"b1.s1": ("Союзники пересматривают обмен", "final"), "b3.s1": ("Не одобрено.", "translated")}
    )
    report = import_reviewed([path], tm)
    # approvals: b1.s1 (edited, final) and b2.s1 (already reviewed in the export); b3.s1 is only "translated"
    assert (report.units, report.approved, report.stored, report.conflicts, report.errors) == (6, 2, 2, [], [])
    headline = "NBC: allies scrutinise intel sharing"
    # a later run with another model still gets the human translation, and MT cannot replace it
    found = tm.lookup_many([headline, TRICKY_SOURCE, "NATO met in Brussels on 6 March."], "en", "ru",
                           model="new-model", model_version="9", glossary_hash="other")  # fmt: skip
    assert {k: (v.target, v.origin, v.state) for k, v in found.items()} == {
        headline: ("Союзники пересматривают обмен", Origin.HUMAN, State.FINAL),
        TRICKY_SOURCE: (TRICKY_TARGET, Origin.HUMAN, State.REVIEWED),
    }
    tm.store_many([TMEntry(headline, "MT again", "en", "ru", Origin.MT, **MODEL)])
    assert tm.entries_for([headline], "en", "ru")[headline].target == "Союзники пересматривают обмен"


def test_import_reads_xliff12_and_tmx_and_skips_our_own_machine_output(tmp_path, tm):
    x12 = tmp_path / "a.xlf"
    x12.write_text(XLIFF12, encoding="utf-8")
    omegat = tmp_path / "omegat.tmx"
    omegat.write_text(OMEGAT_TMX, encoding="utf-8")
    ours = tmp_path / "arm.tmx"
    ours.write_bytes(tmx_bytes(make_article(), ARM))  # x-state: one final (human), one translated (MT)
    report = import_reviewed([x12, omegat, ours], tm)
    assert report.errors == [] and report.conflicts == []
    assert report.stored == 4 + 1 + 1
    assert tm.entries_for(["From OmegaT & friends."], "en", "hy")["From OmegaT & friends."].origin is Origin.HUMAN
    assert tm.entries_for(["Only translated."], "en", "ru") == {}
    assert TRICKY_SOURCE in tm.entries_for([TRICKY_SOURCE], "en", "hy")
    assert "NBC: allies scrutinise intel sharing" not in tm.entries_for(["NBC: allies scrutinise intel sharing"], "en", "hy")


def test_conflicting_approvals_are_reported_with_their_files_not_merged(tmp_path, tm):
    tm.import_human([TMEntry(TRICKY_SOURCE, "Из памяти.", "en", "ru", Origin.HUMAN, State.FINAL)])
    first = _reviewed_xliff(tmp_path, "one.xlf", {"b3.s1": ("Вариант А.", "reviewed")})
    second = _reviewed_xliff(tmp_path, "two.xlf", {"b3.s1": ("Вариант Б.", "final")})
    report = import_reviewed([first, second], tm)
    by_source = {c.conflict.source: c for c in report.conflicts}
    nato = by_source["NATO met in Brussels on 6 March."]
    assert nato.conflict.targets == ("Вариант А.", "Вариант Б.")
    assert nato.where == (f"{first}#b3/b3.s1", f"{second}#b3/b3.s1")
    against_tm = by_source[TRICKY_SOURCE]  # both files approve the export's target, the TM holds another
    assert against_tm.conflict.targets == ("Из памяти.", TRICKY_TARGET) and against_tm.where[0] == "tm"
    assert not report.ok
    rows = tm.entries_for(["NATO met in Brussels on 6 March.", TRICKY_SOURCE], "en", "ru")
    assert "NATO met in Brussels on 6 March." not in rows and rows[TRICKY_SOURCE].target == "Из памяти."


def test_a_bad_file_is_reported_and_the_others_go_on(tmp_path, tm):
    bad = tmp_path / "broken.xlf"
    bad.write_bytes(b"<xliff><file>")
    missing = tmp_path / "missing.tmx"
    good = _reviewed_xliff(tmp_path, "good.xlf", {"b1.s1": ("Заголовок.", "final")})
    report = import_reviewed([bad, missing, good], tm)
    assert [e.path for e in report.errors] == [str(bad), str(missing)]
    assert report.files == [good] and report.stored == 2


# -- exporting for review -------------------------------------------------------------------


def test_export_for_review_fills_tm_matches_and_sets_states(tmp_path, tm):
    article = make_article()
    tm.import_human([TMEntry("NATO met in Brussels on 6 March.", "Человек.", "en", "ru", Origin.HUMAN, State.FINAL)])
    tm.store_many([TMEntry("An untranslated sentence.", "Старый перевод.", "en", "ru", Origin.MT, State.TRANSLATED,
                           model="old", model_version="0")])  # fmt: skip
    path = export_for_review(article, RU, tm, tmp_path / "work")
    assert path == tmp_path / "work" / "000_sample.ru.xlf"
    doc = etree.parse(str(path)).getroot()
    segs = {s.get("id"): s for s in doc.iterfind(".//x:segment", X)}
    assert (segs["b3.s1"].get("state"), segs["b3.s1"].findtext("x:target", namespaces=X)) == ("final", "Человек.")
    assert (segs["b5.s1"].get("state"), segs["b5.s1"].findtext("x:target", namespaces=X)) == ("initial", "Старый перевод.")
    assert segs["b1.s1"].get("state") == "translated"  # the run's own MT target
    assert "b3.s1" in article.blocks[5].segments[0].id and article.blocks[5].segments[0].targets["ru"].text != "Человек."
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-2.1" / "xliff_core_2.0.xsd")))  # fails if missing
    assert schema.validate(doc), schema.error_log


def test_export_for_review_accepts_a_file_path(tmp_path, tm):
    path = export_for_review(make_article(), ARM, tm, tmp_path / "for-anna.xlf")
    assert path == tmp_path / "for-anna.xlf" and read_bilingual(path)[0].target_lang == "hy"
