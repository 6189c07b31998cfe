"""Term base: loading, checking, editing, hashing and TBX exchange."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from i18n_pipeline.errors import GlossaryError
from i18n_pipeline.glossary import add_term, check_glossary, export_tbx, import_tbx, load_glossary, remove_term

STARTER = Path(__file__).resolve().parents[1] / "glossary"
HEADER = "en,ru,arm,dnt,case_sensitive,fixed,pos,gender,animacy,status,note\n"
ARTICLE_NAMES = [
    "Five Eyes", "CSIS", "Canada Security Intelligence Service", "Canadian Security Intelligence Service", "CIA",
    "NBC News", "NBC", "Caliber.Az", "Khagan Isayev", "Trump", "Kyiv", "Moscow", "Washington", "Saudi Arabia",
    "Israel", "United Kingdom", "UK", "United States", "U.S.", "US", "Canada", "Mexico", "Ukraine", "Russia",
    "Defense Department", "White House",
]


def write(directory: Path, name: str, rows: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_starter_glossary_loads_clean_and_covers_the_sample_article():
    assert [p for p in check_glossary(STARTER) if p.severity == "error"] == []
    glossary = load_glossary(STARTER)
    variants = {v for e in glossary.entries for v in e.en}
    assert set(ARTICLE_NAMES) <= variants
    csis = glossary.get("CSIS")
    assert csis.targets["ru"] == ("СКРС",) and csis.fixed
    assert glossary.get("Caliber.Az").dnt
    # Unsure Armenian is marked for review, not enforced.
    assert glossary.get("Five Eyes").approved_targets("arm") == ()
    assert glossary.get("Five Eyes").approved_targets("ru") == ("«Пять глаз»",)


def test_check_reports_each_problem_as_file_line(tmp_path):
    write(tmp_path, "a.csv", "CIA,ЦРУ,ԿՀՎ,,,,,,,,\nCIA,ЦРУ,ԿՀՎ,,,,,,,,\nNATO,НАТО,,,,,,,,,\n")
    write(tmp_path, "b.csv", "CIA,Цру,ԿՀՎ,,,,,,,,\nnato,,ՆԱՏՕ,,no,,,,,,\nBad,X,Y,maybe,,,,,,,\n,X,Y,,,,,,,,\nToo,many,cells,,,,,,,,,,,\n")
    problems = check_glossary(tmp_path)
    text = [str(p) for p in problems]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert f"{a}:3: duplicate term 'CIA' (also at {a}:2)" in text
    assert any(t.startswith(f"{b}:2: conflicting targets for 'CIA'") for t in text)
    assert any(t.startswith(f"{a}:4: empty arm target") for t in text)
    assert any(t.startswith(f"{b}:3: 'nato' and 'NATO'") and "shadows" in t for t in text)
    assert f"{b}:4: dnt must be yes or no, got 'maybe'" in text
    assert f"{b}:5: malformed row: empty 'en' term" in text
    assert f"{b}:6: malformed row: 14 cells, header has 11" in text
    with pytest.raises(GlossaryError, match=r"a\.csv:3: duplicate term 'CIA'"):
        load_glossary(tmp_path)


def test_line_numbers_count_quoted_newlines(tmp_path):
    write(tmp_path, "a.csv", 'CIA,ЦРУ,ԿՀՎ,,,,,,,,"two\nlines"\nCIA,ЦРУ,ԿՀՎ,,,,,,,,\n')
    assert any(str(p).endswith("a.csv:4: duplicate term 'CIA' (also at " + str(tmp_path / "a.csv") + ":2)") for p in check_glossary(tmp_path))


def test_add_and_remove_validate_and_write_atomically(tmp_path):
    shutil.copytree(STARTER, tmp_path / "g")
    directory = tmp_path / "g"
    before = load_glossary(directory).hash
    path = add_term(directory, {"en": "NATO", "ru": "НАТО", "arm": "ՆԱՏՕ", "fixed": "yes", "pos": "abbr"})
    assert path == directory / "terms.csv"
    glossary = load_glossary(directory)
    assert glossary.get("NATO").targets == {"ru": ("НАТО",), "arm": ("ՆԱՏՕ",)}
    assert glossary.hash != before
    with pytest.raises(GlossaryError, match="conflicting targets for 'CIA'.*refused adding"):
        add_term(directory, {"en": "CIA", "ru": "Цэрэу"})
    with pytest.raises(GlossaryError, match="dnt must be yes or no"):
        add_term(directory, {"en": "OSCE", "dnt": "perhaps"})
    assert "OSCE" not in (directory / "terms.csv").read_text(encoding="utf-8")
    assert remove_term(directory, "NATO") == directory / "terms.csv"
    assert load_glossary(directory).hash == before
    assert not list(directory.glob("*.i18n-tmp"))
    with pytest.raises(GlossaryError, match="no entry with English term 'Atlantis'"):
        remove_term(directory, "Atlantis")


def test_hash_ignores_file_names_and_order_but_not_content(tmp_path):
    write(tmp_path / "x", "one.csv", "CIA,ЦРУ,ԿՀՎ,,,,,,,,\nMoscow,Москва,Մոսկվա,,,,,,,,\n")
    write(tmp_path / "y", "z.csv", "Moscow,Москва,Մոսկվա,,,,,,,,\n")
    write(tmp_path / "y", "a.csv", "CIA,ЦРУ,ԿՀՎ,,,,,,,,\n")
    write(tmp_path / "z", "one.csv", "CIA,ЦРУ,ԿՀՎ,,,,,,,,\nMoscow,Москва,Մոսկվա,,,,,,,,note\n")
    hashes = [load_glossary(tmp_path / d).hash for d in "xyz"]
    assert hashes[0] == hashes[1] != hashes[2]


def test_missing_directory_is_a_glossary_error(tmp_path):
    with pytest.raises(GlossaryError, match="glossary directory not found"):
        load_glossary(tmp_path / "nope")


@pytest.mark.parametrize("version, root", [("basic", b"<martif"), ("v3", b"<tbx")])
def test_tbx_round_trip_keeps_every_entry(tmp_path, version, root):
    glossary = load_glossary(STARTER)
    out = export_tbx(glossary, tmp_path / "g.tbx", version=version)
    data = out.read_bytes()
    assert root in data and "Служба безопасности и разведки Канады".encode() in data
    assert b'xml:lang="hy"' in data  # the site's "arm" is "hy" in standards
    (tmp_path / "new").mkdir()
    import_tbx(out, tmp_path / "new")
    assert load_glossary(tmp_path / "new").hash == glossary.hash


def test_tbx_basic_is_readable_by_translate_toolkit(tmp_path):
    from translate.storage import tbx

    out = export_tbx(load_glossary(STARTER), tmp_path / "g.tbx")
    store = tbx.tbxfile.parsefile(str(out))
    sources = {unit.source for unit in store.units}
    assert {"Five Eyes", "CSIS", "Caliber.Az"} <= sources


def test_tbx_import_skips_known_terms_and_refuses_entities(tmp_path):
    directory = tmp_path / "g"
    shutil.copytree(STARTER, directory)
    out = export_tbx(load_glossary(STARTER), tmp_path / "g.tbx")
    with pytest.raises(GlossaryError, match="already in"):
        import_tbx(out, directory)
    evil = tmp_path / "evil.tbx"
    evil.write_text(
        '<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY x "boom">]><martif type="TBX-Basic"><text><body>'
        '<termEntry><langSet xml:lang="en"><tig><term>&x;</term></tig></langSet></termEntry></body></text></martif>',
        encoding="utf-8",
    )
    with pytest.raises(GlossaryError, match="refused for safety"):
        import_tbx(evil, directory)
    assert not (directory / "imported.csv").exists()
