"""TBX round trip from the desk: export = ``glossary export``; an import is a diff accepted entry by entry."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from i18n_pipeline.cli import app as cli
from i18n_pipeline.errors import GlossaryError
from i18n_pipeline.glossary import GlossaryConflict, accept_import, diff_tbx, export_tbx, find_row, load_glossary, update_term
from i18n_pipeline.glossary import desk
from i18n_pipeline.web import WebConfig, create_app
from workspace_support import settings_for

STARTER = Path(__file__).resolve().parents[1] / "glossary"
runner = CliRunner()


def _base(tmp_path: Path, name: str = "glossary") -> Path:
    directory = tmp_path / name
    shutil.copytree(STARTER, directory)
    return directory


def _edited_export(tmp_path: Path, version: str = "basic") -> tuple[Path, Path]:
    """A base and a TBX exported from a copy of it with one new, one changed and one conflicting entry."""
    ours, theirs = _base(tmp_path), _base(tmp_path, "theirs")
    record = find_row(theirs, "Five Eyes")
    update_term(theirs, "Five Eyes", {**record.row, "ru": "«Пять глаз»|Пятёрка разведок", "forbidden": "ru:Пятёрка"},
                base=record.hash)
    (theirs / "terms.csv").write_text("en,ru,arm,status\nAndrew Hastie,Эндрю Хасти,Էնդրյու Հասթի,needs-review\n",
                                      encoding="utf-8")
    tbx = tmp_path / f"theirs.{version}.tbx"
    export_tbx(load_glossary(theirs), tbx, version)
    # One entry whose English terms are two entries of the base: no single edit can apply it.
    entry, lang, group = ("conceptEntry", "langSec", "termSec") if version == "v3" else ("termEntry", "langSet", "tig")
    merged = (f'<{entry} id="m"><{lang} xml:lang="en"><{group}><term>Trump</term></{group}><{group}><term>CIA</term>'
              f'</{group}></{lang}><{lang} xml:lang="ru"><{group}><term>Трамп</term></{group}></{lang}></{entry}>')
    tbx.write_text(tbx.read_text(encoding="utf-8").replace("</body>", merged + "</body>"), encoding="utf-8")
    return ours, tbx


@pytest.mark.parametrize("version", ["basic", "v3"])
def test_an_export_of_the_base_reads_back_unchanged_forbidden_variants_included(tmp_path, version):
    directory = _base(tmp_path)
    record = find_row(directory, "Five Eyes")
    update_term(directory, "Five Eyes", {**record.row, "forbidden": "ru:Пятёрка|arm:Հնգյակ"}, base=record.hash)
    tbx = export_tbx(load_glossary(directory), tmp_path / "base.tbx", version)
    assert "deprecatedTerm-admn-sts" in tbx.read_text(encoding="utf-8")
    items = diff_tbx(tbx, directory)
    assert len(items) == len(load_glossary(directory).entries) and {i.kind for i in items} == {"unchanged"}


@pytest.mark.parametrize("version", ["basic", "v3"])
def test_the_diff_tells_added_changed_and_conflicting_and_accepts_one_entry_at_a_time(tmp_path, version):
    directory, tbx = _edited_export(tmp_path, version)
    items = {i.entry: i for i in diff_tbx(tbx, directory) if i.kind != "unchanged"}
    assert {k: i.kind for k, i in items.items()} == {"Five Eyes": "changed", "Andrew Hastie": "added",
                                                     "Trump": "conflicting"}
    assert items["Five Eyes"].fields == ("ru", "forbidden")
    assert "2 entries (Trump, CIA)" in items["Trump"].reason
    before = (directory / "organisations.csv").read_text(encoding="utf-8").splitlines()
    accept_import(directory, items["Five Eyes"])
    after = (directory / "organisations.csv").read_text(encoding="utf-8").splitlines()
    changed = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    # The file had no forbidden column: the header grows once, and the changed entry is the only other change.
    assert [line[:1] for line in changed if "Five Eyes" in line] == ["-", "+"]
    assert load_glossary(directory).get("Five Eyes").forbidden == {"ru": ("Пятёрка",)}
    assert load_glossary(directory).get("Andrew Hastie") is None  # not accepted yet
    accept_import(directory, items["Andrew Hastie"])
    assert load_glossary(directory).get("Andrew Hastie").status == "needs-review"
    assert {i.entry: i.kind for i in diff_tbx(tbx, directory) if i.kind != "unchanged"} == {"Trump": "conflicting"}
    with pytest.raises(GlossaryError, match="only added and changed"):
        accept_import(directory, items["Trump"])


def test_accepting_a_change_the_base_moved_past_is_a_conflict(tmp_path):
    directory, tbx = _edited_export(tmp_path)
    [item] = [i for i in diff_tbx(tbx, directory) if i.kind == "changed"]
    record = find_row(directory, "Five Eyes")
    update_term(directory, "Five Eyes", {**record.row, "note": "edited meanwhile"}, base=record.hash)
    with pytest.raises(GlossaryConflict):
        accept_import(directory, item)


def test_an_external_tbx_changes_only_what_it_carries(tmp_path):
    directory = _base(tmp_path)
    tbx = tmp_path / "cat.tbx"
    tbx.write_text('<?xml version="1.0"?><martif type="TBX-Basic" xml:lang="en"><text><body>'
                   '<termEntry id="x"><langSet xml:lang="en"><tig><term>CIA</term></tig></langSet>'
                   '<langSet xml:lang="ru"><tig><term>ЦРУ</term></tig><tig><term>Цэрэушники</term>'
                   '<termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet>'
                   '</termEntry></body></text></martif>', encoding="utf-8")
    [item] = diff_tbx(tbx, directory)
    # Its Armenian target, flags and note are not in the file: they stay; the forbidden variant is new.
    assert item.kind == "changed" and item.fields == ("forbidden",) and item.after["arm"] == find_row(directory, "CIA").row["arm"]


def test_cli_import_dry_run_shows_the_diff_and_writes_nothing(tmp_path):
    directory, tbx = _edited_export(tmp_path)
    files = {p.name: p.read_bytes() for p in directory.glob("*.csv")}
    result = runner.invoke(cli, ["glossary", "import", str(tbx), "--dry-run", "--glossary", str(directory)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "changed 'Five Eyes' in organisations.csv: ru: «Пять глаз» → «Пять глаз»|Пятёрка разведок; forbidden: — → ru:Пятёрка" in lines
    assert any(line.startswith("added 'Andrew Hastie' (ru Эндрю Хасти; arm Էնդրյու Հասթի") for line in lines)
    assert any(line.startswith("conflicting 'Trump': ") for line in lines)
    assert lines[-1] == "1 added, 1 changed, 1 conflicting, 25 unchanged; nothing written (--dry-run)"
    assert {p.name: p.read_bytes() for p in directory.glob("*.csv")} == files
    accepted = runner.invoke(cli, ["glossary", "import", str(tbx), "--accept", "Andrew Hastie", "--glossary", str(directory)])
    assert accepted.exit_code == 0 and load_glossary(directory).get("Andrew Hastie") is not None, accepted.output
    wrong = runner.invoke(cli, ["glossary", "import", str(tbx), "--accept", "Nobody", "--glossary", str(directory)])
    assert wrong.exit_code != 0 and "'Nobody': not an entry" in wrong.output and len(wrong.output.strip().splitlines()) == 1


def test_desk_export_equals_the_cli_and_an_import_is_accepted_entry_by_entry(site, tmp_path):
    app = create_app(WebConfig(settings_for(site), token="launch-secret", local_user="editor"))
    client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    assert client.get("/glossary?token=launch-secret").status_code == 303
    directory = site / "glossary"
    out = tmp_path / "cli.tbx"
    assert runner.invoke(cli, ["glossary", "export", str(out), "--tbx", "v3", "--glossary", str(directory)]).exit_code == 0
    download = client.get("/glossary/export?tbx=v3")
    assert download.status_code == 200 and download.content == out.read_bytes()
    assert client.get("/glossary/export?tbx=v9").status_code == 400

    theirs = tmp_path / "theirs"
    shutil.copytree(directory, theirs)
    (theirs / "terms.csv").write_text("en,ru,arm\nAndrew Hastie,Эндрю Хасти,Էնդրյու Հասթի\n", encoding="utf-8")
    export_tbx(load_glossary(theirs), tmp_path / "theirs.tbx")
    page = client.get("/glossary/import")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    shown = client.post("/glossary/import", data={"csrf": token, "tbx": (tmp_path / "theirs.tbx").read_text(encoding="utf-8")})
    assert shown.status_code == 200 and 'class="import-added" data-entry="Andrew Hastie"' in shown.text
    upload = re.search(r'name="token" value="([0-9a-f]{16})"', shown.text).group(1)
    done = client.post("/glossary/import/accept", data={"csrf": token, "token": upload, "entry": "Andrew Hastie"})
    assert done.status_code == 200 and "&#39;Andrew Hastie&#39; added: saved" in done.text
    assert load_glossary(directory).get("Andrew Hastie") is not None
    assert desk.history(settings_for(site).state_dir)[0].entry == "Andrew Hastie"
    bad = client.post("/glossary/import", data={"csrf": token, "tbx": "<html/>"})
    assert bad.status_code == 400 and "not a TBX" in bad.text


def test_a_bare_term_in_a_language_section_still_reads(tmp_path):
    directory = _base(tmp_path)
    tbx = tmp_path / "bare.tbx"
    tbx.write_text('<?xml version="1.0"?><martif type="TBX-Basic" xml:lang="en"><text><body><termEntry>'
                   '<langSet xml:lang="en"><term>Nuuk</term></langSet><langSet xml:lang="ru"><term>Нуук</term></langSet>'
                   '</termEntry></body></text></martif>', encoding="utf-8")
    [item] = diff_tbx(tbx, directory)
    assert (item.kind, item.after["ru"]) == ("added", "Нуук")
    assert accept_import(directory, item).name == "imported.csv"
