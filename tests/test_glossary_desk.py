"""The glossary desk: line-preserving edits, conflicts, field checks, history, candidates, impact,
its pages in process, and a term change that re-translates only the segments it touches."""

from __future__ import annotations

import difflib
import json
import re
import shutil

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from i18n_pipeline.accounts import User
from i18n_pipeline.cli import app as cli
from i18n_pipeline.errors import GlossaryError
from i18n_pipeline.glossary import GlossaryConflict, check_fields, find_row, load_glossary, remove_term, update_term
from i18n_pipeline.glossary import desk, inflect_ru
from i18n_pipeline.glossary.candidates import extract, find_candidates
from i18n_pipeline.glossary.impact import affected, proposed_glossary, segment_key, where_used
from i18n_pipeline.web import WebConfig, create_app
from workspace_support import STEM, settings_for

ROW = {"en": "Nuuk", "ru": "Оттава", "arm": "Օտտավա", "pos": "propn", "gender": "femn", "animacy": "inan",
       "status": "needs-review", "note": "capital of Canada"}


def _diff(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# -- the term base -------------------------------------------------------------------------------


def test_an_edit_changes_one_line_and_keeps_every_other_byte(site):
    path = site / "glossary" / "places.csv"
    before = path.read_text(encoding="utf-8")
    record = find_row(site / "glossary", "UK")
    update_term(site / "glossary", "UK", {**record.row, "note": "Abbreviation; spelled out in copy."}, base=record.hash)
    after = path.read_text(encoding="utf-8")
    diff = _diff(before, after)
    assert len(diff) == 2 and diff[0].startswith("-UK|U.K.") and diff[1] == (
        "+UK|U.K.,Великобритания,Մեծ Բրիտանիա,,yes,,propn,femn,inan,approved,Abbreviation; spelled out in copy.")
    assert after.count("\n") == before.count("\n")


def test_edit_keeps_bom_odd_quoting_and_a_missing_final_newline(tmp_path):
    text = ('\ufeffen,ru,arm,dnt,case_sensitive,fixed,pos,gender,animacy,status,note\n'
            '"NATO",НАТО,ՆԱՏՕ,,yes,yes,abbr,,,approved,"quoted, on purpose"\n'
            'CIA,ЦРУ,ԿՀՎ,,yes,yes,abbr,,,approved,last row')
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    record = find_row(tmp_path, "CIA")
    update_term(tmp_path, "CIA", {**record.row, "ru": "ЦРУ|Центральное разведывательное управление"}, base=record.hash)
    after = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert after.startswith('\ufeffen,ru') and '"NATO",НАТО,ՆԱՏՕ,,yes,yes,abbr,,,approved,"quoted, on purpose"\n' in after
    assert after.endswith("CIA,ЦРУ|Центральное разведывательное управление,ԿՀՎ,,yes,yes,abbr,,,approved,last row")
    assert load_glossary(tmp_path).get("CIA").targets["ru"][1] == "Центральное разведывательное управление"


def test_a_stale_edit_is_a_conflict_and_nothing_is_lost(site):
    directory = site / "glossary"
    start = find_row(directory, "Trump")
    update_term(directory, "Trump", {**start.row, "note": "first editor"}, base=start.hash)
    with pytest.raises(GlossaryConflict) as caught:
        update_term(directory, "Trump", {**start.row, "note": "second editor"}, base=start.hash)
    assert caught.value.current.row["note"] == "first editor"
    assert find_row(directory, "Trump").row["note"] == "first editor"
    with pytest.raises(GlossaryConflict):
        remove_term(directory, "Trump", base=start.hash)
    assert find_row(directory, "Trump") is not None


def test_a_change_that_breaks_the_base_is_refused_with_the_field_named(site):
    directory = site / "glossary"
    before = (directory / "people.csv").read_bytes()
    problems = check_fields(directory, {**ROW, "en": "Trump", "ru": "Трамповский"})
    assert [(p.field, p.severity) for p in problems if p.severity == "error"] == [("en", "error")]
    assert "conflicting targets for 'Trump'" in problems[0].message
    assert [p.field for p in check_fields(directory, {**ROW, "dnt": "perhaps"})] == ["dnt"]
    assert {p.field for p in check_fields(directory, {**ROW, "arm": ""})} == {"arm"}  # a warning at its field
    assert check_fields(directory, ROW) == []
    with pytest.raises(GlossaryError, match="conflicting targets"):
        desk.save(directory, site / "state", {**ROW, "en": "Trump", "file": "people.csv"}, who="gina")
    assert (directory / "people.csv").read_bytes() == before


def test_save_and_retire_are_in_the_history_with_before_and_after(site):
    directory, state = site / "glossary", site / "state"
    desk.save(directory, state, {**ROW, "file": "places.csv"}, who="gina")
    record = find_row(directory, "Nuuk")
    desk.save(directory, state, {**record.row, "status": "approved"}, who="hasmik", original="Nuuk", base=record.hash)
    desk.retire(directory, state, "Nuuk", who="gina", base=find_row(directory, "Nuuk").hash)
    changes = desk.history(state, "Nuuk")
    assert [(c.action, c.who) for c in changes] == [("retire", "gina"), ("edit", "hasmik"), ("add", "gina")]
    assert changes[1].before["status"] == "needs-review" and changes[1].after["status"] == "approved"
    assert changes[0].after is None and changes[0].before["ru"] == "Оттава"
    assert find_row(directory, "Nuuk") is None


def test_each_desk_change_records_the_version_of_the_whole_term_base_it_made(site):
    from i18n_pipeline.glossary import load_usable_glossary

    directory, state = site / "glossary", site / "state"
    start = desk.termbase_version(directory)
    assert start == load_usable_glossary(directory)[0].hash and len(start) == 16
    assert desk.termbase_versions(state) == (0, {})
    desk.save(directory, state, {**ROW, "file": "places.csv"}, who="gina")
    added = desk.termbase_version(directory)
    record = find_row(directory, "Nuuk")
    desk.save(directory, state, {**record.row, "status": "approved"}, who="hasmik", original="Nuuk", base=record.hash)
    approved = desk.termbase_version(directory)
    desk.retire(directory, state, "Nuuk", who="gina", base=find_row(directory, "Nuuk").hash)
    assert len({start, added, approved}) == 3  # every change is a new version ...
    assert desk.termbase_version(directory) == start  # ... and taking the entry out again is the old one
    assert [c.termbase for c in desk.history(state)] == [start, approved, added]
    count, made = desk.termbase_versions(state)
    assert count == 3 and set(made) == {start, added, approved}
    assert (made[added].change, made[added].who, made[added].action, made[added].entry) == (1, "gina", "add", "Nuuk")
    assert (made[approved].change, made[approved].who) == (2, "hasmik") and made[start].change == 3
    (state / desk.HISTORY).write_text('{"action": "add", "file": "x.csv", "entry": "Old", "before": null, '
                                      '"after": null, "who": "gina", "at": "2025-01-01T00:00:00+00:00"}\n'
                                      + (state / desk.HISTORY).read_text(encoding="utf-8"), encoding="utf-8")
    count, made = desk.termbase_versions(state)  # a line from before versions were recorded still counts
    assert count == 4 and made[added].change == 2 and desk.history(state)[-1].termbase == ""


def test_search_filters_by_text_status_and_locale(site):
    directory = site / "glossary"
    assert [r.id for r in desk.search(directory, "intelligence")][:1] == ["Five Eyes"]
    assert {r.id for r in desk.search(directory, status="needs-review")} >= {"Five Eyes", "CSIS", "Khagan Isayev"}
    assert "Trump" not in {r.id for r in desk.search(directory, status="needs-review")}
    assert {r.id for r in desk.search(directory, locale="missing:ru")} == set()  # NBC and Caliber.Az are dnt


def test_forms_preview_inflects_russian_keeps_fixed_and_attaches_armenian_suffixes():
    forms = desk.forms_preview({"ru": "Дональд Трамп", "arm": "ԱՄՆ", "animacy": "anim"})
    ru = {label: (one, many) for label, one, many in forms["ru"]}
    assert ru["genitive (кого? чего?)"] == ("Дональда Трампа", "Дональдов Трампов")
    assert ru["instrumental (кем? чем?)"] == ("Дональдом Трампом", "Дональдами Трампами")
    assert ru["accusative (кого? что?)"] == ("Дональда Трампа", "Дональдов Трампов")  # animate
    arm = {label: (one, many) for label, one, many in forms["arm"]}
    assert arm["genitive/dative"] == ("ԱՄՆ-ի", "ԱՄՆ-ների")
    fixed = desk.forms_preview({"ru": "Оттава", "fixed": "yes"})["ru"]
    assert {form for _, *cells in fixed for form in cells} == {"Оттава"}
    assert desk.forms_notes({"ru": "Оттава", "fixed": "yes"})["ru"].startswith("fixed:")
    assert "Mark fixed" in desk.forms_notes({"ru": "Оттава"})["ru"]


def test_forms_preview_plural_targets_and_number_keep_default_inflection():
    # The singular column of a plural-only target is what pymorphy3 makes of it; the plural one
    # is what enforcement uses, and the default (no number) is unchanged for existing callers.
    rows = {label: (one, many) for label, one, many in desk.forms_preview({"ru": "Соединённые Штаты"})["ru"]}
    assert rows["dative (кому? чему?)"][1] == "Соединённым Штатам"
    assert "plural column" in desk.forms_notes({"ru": "Соединённые Штаты"})["ru"]
    assert inflect_ru.inflect("Соединённые Штаты", "datv") == "Соединённым Штатам"
    assert inflect_ru.inflect("Служба безопасности", "ablt", number="plur") == "Службами безопасности"
    assert inflect_ru.inflect("Служба безопасности", "ablt") == "Службой безопасности"
    assert inflect_ru.inflect("Служба", "nomn", number="plur") == "Службы"
    assert inflect_ru.inflect("СКРС", "gent", number="plur") == "СКРС"
    with pytest.raises(ValueError):
        inflect_ru.inflect("Служба", "gent", number="dual")


# -- candidates and impact -----------------------------------------------------------------------


def test_extract_finds_names_acronyms_and_names_after_titles_not_sentence_openers():
    found = {name: kind for _, _, name, kind in extract(
        "However, Defence Minister Andrew Hastie told the Ministry of Foreign Affairs in Nuuk that NATO agreed.")}
    assert found == {"Andrew Hastie": "person (after a title)", "Ministry of Foreign Affairs": "name",
                     "Nuuk": "name", "NATO": "acronym"}
    assert extract("Meanwhile the talks went on.") == []
    assert [kind for *_, kind in extract("Nuuk is cold.")] == ["opener"]


def _published(out, article, *sentences):
    """A minimal aligned document, as translate writes it, holding ``sentences``."""
    segments = [{"id": f"s{i}", "source": text, "target": {"text": text, "terms": []}} for i, text in enumerate(sentences)]
    (out / article).mkdir(parents=True, exist_ok=True)
    (out / article / "ru.json").write_text(json.dumps({"blocks": [{"segments": segments}]}), encoding="utf-8")


def test_candidates_come_from_the_outputs_ranked_and_skip_what_the_glossary_covers(site):
    _published(site / "out", "a1", "Defence Minister Andrew Hastie met Trump in Nuuk.", "However, NATO said no.")
    _published(site / "out", "a2", "Nuuk and the United States disagree, Andrew Hastie said.", "Nuuk is cold.")
    found = find_candidates(site / "out", load_glossary(site / "glossary"))
    names = [c.name for c in found]
    assert names[:2] == ["Nuuk", "Andrew Hastie"] and "NATO" in names
    assert found[0].count == 3 and found[0].articles == 2 and found[0].contexts[0][1].startswith("Defence Minister")
    for covered in ("Trump", "United States", "Five Eyes", "NBC News", "CSIS", "Defence Minister Andrew Hastie",
                    "However", "Russian", "English-speaking"):
        assert covered not in names


def test_affected_segments_are_those_containing_the_changed_entry(site):
    directory = site / "glossary"
    before = load_glossary(directory)
    record = find_row(directory, "CIA")
    after = proposed_glossary(directory, {**record.row, "ru": "Центральное разведывательное управление"}, "CIA")
    touched = affected(site / "out", before, after)
    assert touched and all("CIA" in s.source for s in touched) and {s.locale for s in touched} == {"ru", "arm"}
    assert {(s.segment, s.locale) for s in touched} == {(s.segment, s.locale) for s in where_used(site / "out", before, "CIA")}
    assert segment_key(before, "Nothing to see here.", "ru") == segment_key(after, "Nothing to see here.", "ru")


# -- the pages -----------------------------------------------------------------------------------


def _client(site, user: User | None = None):
    app = create_app(WebConfig(settings_for(site), token="launch-secret", local_user="editor"))
    client = TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)
    assert client.get("/glossary?token=launch-secret").status_code == 303
    if user is not None:  # the same session store the login view fills
        sid, _ = app.app.state.sessions.create(user)
        client.cookies.set("i18n_session", sid)
    return client


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_pages_list_filter_and_escape(site):
    client = _client(site)
    page = client.get("/glossary")
    assert page.status_code == 200 and "Five Eyes" in page.text and "<script>" not in page.text
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert "Donald Trump" not in client.get("/glossary?status=needs-review").text
    entry = client.get("/glossary/entry?id=Donald Trump")
    assert entry.status_code == 200 and "Дональда Трампа" in entry.text  # the forms preview, server-side
    assert client.get("/glossary/entry?id=Nobody").status_code == 404
    assert "/static/glossary.js" in entry.text and client.get("/static/glossary.js").status_code == 200


def test_add_edit_conflict_retire_through_the_pages(site):
    client = _client(site)
    token = _csrf(client.get("/glossary/entry").text)
    form = {**ROW, "note": "<script>alert(1)</script>", "file": "places.csv", "original": "", "base": ""}
    assert client.post("/glossary/save", data=form).status_code == 403  # no CSRF token
    saved = client.post("/glossary/save", data={**form, "csrf": token})
    assert saved.status_code == 303 and saved.headers["location"] == "/glossary/entry?id=Nuuk&saved=1"
    page = client.get("/glossary/entry?id=Nuuk").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    edit = {**form, "csrf": token, "original": "Nuuk", "base": base, "status": "approved"}
    assert client.post("/glossary/save", data=edit).status_code == 303
    stale = client.post("/glossary/save", data={**edit, "note": "mine"})
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    bad = client.post("/glossary/save", data={**form, "csrf": token, "en": "Trump"})
    assert bad.status_code == 400 and 'data-problems-for="en"><li class="error">' in bad.text
    fresh = re.search(r'name="base" value="([^"]+)"', client.get("/glossary/entry?id=Nuuk").text).group(1)
    retired = client.post("/glossary/retire", data={"csrf": token, "original": "Nuuk", "base": fresh})
    assert retired.status_code == 303 and find_row(site / "glossary", "Nuuk") is None
    history = client.get("/glossary/history").text
    assert history.count("editor") >= 3 and "retire" in history


def test_a_translator_reads_the_glossary_but_may_not_change_it(site):
    client = _client(site, User("rita", ("translator:ru",)))
    page = client.get("/glossary/entry")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text
    answer = client.post("/glossary/save", data={**ROW, "csrf": _csrf(page.text)})
    assert answer.status_code == 403 and "glossary role" in answer.text
    assert find_row(site / "glossary", "Nuuk") is None
    desk_user = _client(site, User("gina", ("glossary",)))
    token = _csrf(desk_user.get("/glossary/entry").text)
    assert desk_user.post("/glossary/save", data={**ROW, "csrf": token}).status_code == 303


def test_check_answers_problems_forms_and_affected_segments(site):
    client = _client(site)
    record = find_row(site / "glossary", "CIA")
    token = _csrf(client.get("/glossary/entry?id=CIA").text)
    answer = client.post("/glossary/check", headers={"accept": "application/json", "x-csrf-token": token},
                         data={**record.row, "ru": "Центральное разведывательное управление", "fixed": "",
                               "original": "CIA"})
    body = answer.json()
    assert answer.status_code == 200 and body["problems"] == []
    genitive = {row[0]: row[1:] for row in body["forms"]["ru"]}["genitive (кого? чего?)"]
    assert genitive == ["Центрального разведывательного управления", "Центральных разведывательных управлений"]
    assert "singular column" in body["forms_notes"]["ru"]
    assert body["affected"]["count"] >= 2 and all("CIA" in s["source"] for s in body["affected"]["segments"])
    dup = client.post("/glossary/check", headers={"accept": "application/json", "x-csrf-token": token},
                      data={**ROW, "en": "CIA", "ru": "ЦРУ!"}).json()
    assert [p["field"] for p in dup["problems"] if p["severity"] == "error"] == ["en"]


def test_candidates_page_starts_a_needs_review_entry(site):
    _published(site / "out", "a1", "The talks in Nuuk ended.", "Nuuk <b>agreed</b>.")
    client = _client(site)
    page = client.get("/glossary/candidates")
    assert page.status_code == 200 and "Nuuk &lt;b&gt;agreed&lt;/b&gt;." in page.text
    link = re.search(r'href="(/glossary/entry\?en=Nuuk[^"]*)"', page.text).group(1)
    form = client.get(link.replace("&amp;", "&")).text
    assert 'name="en" value="Nuuk"' in form and '<option value="needs-review" selected>' in form


# -- a term change re-translates only what it touches ----------------------------------------------


def _translate(site, inbox, out):
    result = CliRunner().invoke(cli, ["translate", str(inbox), "--to", "ru,arm", "--out", str(out), "--models",
                                      str(site / "models"), "--state", str(site / "state"), "--glossary",
                                      str(site / "glossary"), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_term_change_sends_only_the_segments_containing_it_back_to_the_engine(site, tmp_path):
    inbox = tmp_path / "inbox50"
    inbox.mkdir()
    sample = (site / "inbox" / f"{STEM}.txt").read_text(encoding="utf-8")
    for n in range(50):  # 50 articles: the sample plus a sentence of its own each
        (inbox / f"{n:03d}_article.txt").write_text(sample.replace(
            "No decision or action has been taken, however, the sources said.",
            f"No decision has been taken in case {n}, the sources said."), encoding="utf-8")
    out = tmp_path / "out"
    first = _translate(site, inbox, out)
    assert first["failed"] == []
    directory = site / "glossary"
    record = find_row(directory, "CIA")
    new_ru = "Центральное разведывательное управление"
    update_term(directory, "CIA", {**record.row, "ru": new_ru}, base=record.hash)
    again = _translate(site, inbox, out)
    ru, arm = again["locales"]["ru"], again["locales"]["arm"]
    with_cia = _segments_containing(out, "CIA")
    assert 50 <= with_cia < ru["segments"] // 10
    assert ru["mt"] == with_cia and arm["mt"] == with_cia  # only those went to the engine again
    assert ru["tm"] == ru["segments"] - ru["mt"] and arm["tm"] == arm["segments"] - arm["mt"]
    cold = tmp_path / "cold"
    shutil.copytree(site / "models", cold / "models")
    shutil.copytree(directory, cold / "glossary")
    cold_run = CliRunner().invoke(cli, ["translate", str(inbox), "--to", "ru,arm", "--out", str(cold / "out"),
                                        "--models", str(cold / "models"), "--state", str(cold / "state"),
                                        "--glossary", str(cold / "glossary"), "--json"])
    assert cold_run.exit_code in (0, 1), cold_run.output
    for name in ("ru.txt", "arm.txt", "ru.html"):
        for article in ("000_article", "049_article"):
            assert (out / article / name).read_bytes() == (cold / "out" / article / name).read_bytes(), (article, name)


def _segments_containing(out, term: str) -> int:
    from i18n_pipeline.glossary.impact import published_segments

    return sum(1 for s in published_segments(out) if s.locale == "ru" and term in s.source)


def test_cli_edit_changes_one_line_and_candidates_lists_names(site):
    path = site / "glossary" / "people.csv"
    before = path.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["glossary", "edit", "Trump", "--set", "note=US president.", "--glossary",
                                      str(site / "glossary")])
    assert result.exit_code == 0, result.output
    assert len(_diff(before, path.read_text(encoding="utf-8"))) == 2
    bad = CliRunner().invoke(cli, ["glossary", "edit", "Trump", "--set", "dnt=perhaps", "--glossary", str(site / "glossary")])
    assert bad.exit_code != 0 and "dnt must be yes or no" in bad.output
    _published(site / "out", "a1", "Talks in Nuuk went on.")
    listed = CliRunner().invoke(cli, ["glossary", "candidates", "--out", str(site / "out"), "--json", "--glossary",
                                      str(site / "glossary")])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["name"] == "Nuuk"
