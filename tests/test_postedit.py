"""Post-editing figures: HTER/chrF from sacrebleu computed independently, groups, unchanged share, CLI."""

from __future__ import annotations

import json

import pytest
from sacrebleu.metrics import CHRF, TER
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.document import State
from i18n_pipeline.postedit import report, segment_hter
from i18n_pipeline.tm.workspace import EditRecord
from i18n_pipeline.workspace import Correction, Workspace
from workspace_support import ARM, RU, STEM, settings_for


def _edit(article, locale, who, mt, final):
    return EditRecord(article, locale, "s1", 1, "src", final, State.REVIEWED, mt, mt, who, "2026-01-01T00:00:00+00:00")


def test_hter_is_case_sensitive_ter_of_the_mt_against_its_post_edit():
    assert segment_hter("Мэр открыл школу.", "Мэр открыл школу.") == 0
    assert segment_hter("мэр открыл школу .", "Мэр открыл школу .") == pytest.approx(25.0)  # 1 edit, 4 words


def test_groups_are_scored_at_corpus_level_and_unchanged_counted():
    edits = [_edit("a", "ru", "rita", "Мэр открыл школу.", "Мэр открыл школу."),
             _edit("a", "ru", "rita", "Дождь закрыл дороги.", "Сильный дождь перекрыл дороги."),
             _edit("b", "arm", "aram", "Բարև աշխարհ", "Բարև, աշխարհ"),
             _edit("b", "arm", "aram", "", "human over human: no MT, left out")]
    result = report(edits)
    assert result.overall.segments == 3 and result.overall.unchanged == 1
    mts, posts = [e.mt_text for e in edits[:3]], [[e.target for e in edits[:3]]]
    assert result.overall.hter == pytest.approx(TER(case_sensitive=True).corpus_score(mts, posts).score)
    assert result.overall.chrf == pytest.approx(CHRF().corpus_score(mts, posts).score)
    assert set(result.by["who"]) == {"rita", "aram"} and result.by["article"]["a"].unchanged_share == 50.0
    assert "case:mixed" in result.signatures["hter"] and result.signatures["chrf"].startswith("nrefs:1")


def _by_model(segment_id, model, version, glossary, at, mt, final):
    return EditRecord("a", "ru", segment_id, 1, "src", final, State.REVIEWED, mt, mt, "rita", at, 0, model, version, glossary)


def test_figures_per_model_glossary_version_and_per_model_per_week():
    edits = [_by_model("s1", "translate-en_ru", "1.9", "t1:aaa", "2026-03-02T10:00:00+00:00", "Мэр открыл школу.", "Мэр открыл школу."),
             _by_model("s2", "translate-en_ru", "1.9", "t1:bbb", "2026-03-10T10:00:00+00:00", "Дождь закрыл дороги.",
                       "Сильный дождь перекрыл дороги."),
             _by_model("s3", "opus-mt-en-ru", "2024-01", "t1:bbb", "2026-03-10T11:00:00+00:00", "Мэр сказал.", "Мэр заявил."),
             _by_model("s4", "", "", "", "2026-03-10T12:00:00+00:00", "Старое МТ.", "Старая правка."),  # before the columns
             _by_model("s5", "", "", "", "2026-03-10T12:00:00+00:00", "", "human over human: no model")]
    result = report(edits)
    ter, chrf = TER(case_sensitive=True), CHRF()
    argos = [e for e in edits if e.model == "translate-en_ru"]
    assert set(result.by["model"]) == {"translate-en_ru 1.9", "opus-mt-en-ru 2024-01", "unknown"}
    assert result.by["model"]["translate-en_ru 1.9"].hter == pytest.approx(
        ter.corpus_score([e.mt_text for e in argos], [[e.target for e in argos]]).score)
    assert result.by["model"]["unknown"].segments == 1  # the save without an MT text is nobody's
    assert {k: f.segments for k, f in result.by["glossary"].items()} == {"t1:aaa": 1, "t1:bbb": 2, "unknown": 1}
    weeks = result.model_week["translate-en_ru 1.9"]
    assert list(weeks) == ["2026-W10", "2026-W11"] and weeks["2026-W10"].unchanged == 1
    assert weeks["2026-W11"].chrf == pytest.approx(chrf.corpus_score([argos[1].mt_text], [[argos[1].target]]).score)
    data = result.as_dict()
    assert data["model"]["opus-mt-en-ru 2024-01"]["segments"] == 1
    per_segment = {f["segment"]: f for f in data["segments"]}  # every save with an MT text, scored alone
    assert set(per_segment) == {"s1", "s2", "s3", "s4"} and per_segment["s1"]["unchanged"]
    assert per_segment["s3"]["hter"] == round(ter.sentence_score("Мэр сказал.", ["Мэр заявил."]).score, 2)
    assert per_segment["s3"]["model"] == "opus-mt-en-ru 2024-01" and per_segment["s4"]["model"] == "unknown"
    assert data["model_week"]["translate-en_ru 1.9"]["2026-W11"]["segments"] == 1


def test_workspace_report_and_stats_cli(site):
    ws = Workspace(settings_for(site))
    items = [i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable]
    ws.apply_correction(Correction(STEM, "ru", items[0].segment.id, items[0].target.text, State.REVIEWED, 0, RU))
    ws.apply_correction(Correction(STEM, "ru", items[1].segment.id, "Совсем другой текст.", State.REVIEWED, 0, RU))
    mts = [items[0].target.text, items[1].target.text]
    expected = TER(case_sensitive=True).corpus_score(mts, [[items[0].target.text, "Совсем другой текст."]]).score
    args = ["stats", "--state", str(site / "state"), "--out", str(site / "out")]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["overall"]["segments"] == 2 and data["overall"]["unchanged"] == 1
    assert data["overall"]["hter"] == round(expected, 2) and data["who"]["rita"]["segments"] == 2
    made = items[0].target.provenance  # the copy models' name and version, from the translate output
    model = f"{made.model} {made.model_version}"
    assert data["model"] == {model: data["overall"]} and list(data["model_week"]) == [model]
    keys = {i.target.provenance.glossary_hash for i in items[:2]}  # per sentence: the matching entries' hash
    assert set(data["glossary"]) == keys and sum(g["segments"] for g in data["glossary"].values()) == 2
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0 and "rita" in text.stdout and "hter: nrefs:1|case:mixed" in text.stdout and f"{expected:.1f}" in text.stdout


def _timed(segment_id, source, ms, *, mt="Мэр открыл школу.", final="Мэр открыл новую школу."):
    return EditRecord("a", "ru", segment_id, 1, source, final, State.REVIEWED, mt, mt, "rita", "2026-01-01T00:00:00+00:00", ms)


def test_edit_time_per_word_leaves_out_unmeasured_and_slow_segments_as_matecat_does():
    edits = [_timed("s1", "The mayor opened a school.", 10_000),  # 5 words, 2 s/word
             _timed("s2", "Rain closed the roads.", 6_000),  # 4 words, 1.5 s/word
             _timed("s3", "Two words", 51_000),  # 25.5 s/word: left out, counted slow
             _timed("s4", "Not measured at all.", 0)]  # fmt: skip
    overall = report(edits).overall
    assert (overall.segments, overall.timed, overall.slow, overall.timed_words) == (4, 2, 1, 9)
    assert overall.edit_seconds == pytest.approx(16.0) and overall.seconds_per_word == pytest.approx(16 / 9)
    assert report(edits).as_dict()["overall"]["seconds_per_word"] == 1.78
    # a segment's time is every save of it together when the store gives the totals
    totals = {("a", "ru", "s1"): 20_000, ("a", "ru", "s3"): 40_000}
    with_totals = report(edits, totals).overall
    assert (with_totals.timed, with_totals.slow, with_totals.edit_seconds) == (2, 0, pytest.approx(60.0))


def test_edit_time_is_capped_on_save_summed_over_saves_and_shown_by_stats(site):
    from i18n_pipeline.workspace import EDIT_MS_CAP

    ws = Workspace(settings_for(site))
    a, b, c = ([i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable][:3])
    ws.apply_correction(Correction(STEM, "ru", a.segment.id, "Первая правка.", State.REVIEWED, 0, RU, 1_500))
    ws.apply_correction(Correction(STEM, "ru", a.segment.id, "Вторая правка.", State.REVIEWED, 1, RU, 3_000))
    ws.apply_correction(Correction(STEM, "ru", b.segment.id, "Без времени.", State.REVIEWED, 0, RU, -5))
    ws.apply_correction(Correction(STEM, "ru", c.segment.id, "Забытый сегмент.", State.REVIEWED, 0, RU, 10 * EDIT_MS_CAP))
    assert [h.edit_ms for h in ws.history(STEM, "ru", a.segment.id)] == [3_000, 1_500]
    assert ws.history(STEM, "ru", b.segment.id)[0].edit_ms == 0
    assert ws.history(STEM, "ru", c.segment.id)[0].edit_ms == EDIT_MS_CAP
    c_slow = EDIT_MS_CAP / 1000 / len(c.segment.source.split()) > 25
    args = ["stats", "--state", str(site / "state"), "--out", str(site / "out")]
    data = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)["overall"]
    seconds = 4.5 + (0 if c_slow else EDIT_MS_CAP / 1000)
    words = len(a.segment.source.split()) + (0 if c_slow else len(c.segment.source.split()))
    assert (data["timed"], data["slow"]) == (1 + (not c_slow), int(c_slow))
    assert data["edit_seconds"] == round(seconds, 1) and data["seconds_per_word"] == round(seconds / words, 2)
    text = CliRunner().invoke(app, args).stdout
    assert "s/word" in text and f"{seconds / words:.2f}" in text


def _tb(segment_id, termbase, mt, final, glossary="t1:aaa"):
    return EditRecord("a", "ru", segment_id, 1, "src", final, State.REVIEWED, mt, mt, "rita", "2026-03-02T10:00:00+00:00",
                      0, "translate-en_ru", "1.9", glossary, termbase)


def test_figures_per_term_base_version_beside_the_sentences_glossary_key():
    edits = [_tb("s1", "aaaa000011112222", "Мэр открыл школу.", "Мэр открыл школу."),
             _tb("s2", "aaaa000011112222", "Дождь закрыл дороги.", "Сильный дождь перекрыл дороги.", "t1:bbb"),
             _tb("s3", "bbbb333344445555", "Мэр сказал.", "Мэр заявил.", "t1:bbb"),
             _tb("s4", "", "Старое МТ.", "Старая правка.")]  # saved before the term base's version was recorded
    result = report(edits)
    ter, chrf = TER(case_sensitive=True), CHRF()
    first = edits[:2]
    assert {k: f.segments for k, f in result.by["termbase"].items()} == {
        "aaaa000011112222": 2, "bbbb333344445555": 1, "unknown": 1}
    assert result.by["termbase"]["aaaa000011112222"].hter == pytest.approx(
        ter.corpus_score([e.mt_text for e in first], [[e.target for e in first]]).score)
    assert result.by["termbase"]["bbbb333344445555"].chrf == pytest.approx(
        chrf.corpus_score(["Мэр сказал."], [["Мэр заявил."]]).score)
    assert {k: f.segments for k, f in result.by["glossary"].items()} == {"t1:aaa": 2, "t1:bbb": 2}  # kept, per sentence
    data = result.as_dict()
    assert data["termbase"]["aaaa000011112222"]["unchanged"] == 1
    assert [(s["segment"], s["termbase"], s["glossary"]) for s in data["segments"]] == [
        ("s1", "aaaa000011112222", "t1:aaa"), ("s2", "aaaa000011112222", "t1:bbb"),
        ("s3", "bbbb333344445555", "t1:bbb"), ("s4", "unknown", "t1:aaa")]


def test_a_term_base_change_between_runs_splits_the_figures_by_version_and_the_page_names_the_change(site):
    import re

    from starlette.testclient import TestClient

    from i18n_pipeline.glossary import desk, load_usable_glossary
    from i18n_pipeline.web import WebConfig, create_app

    glossary, state = site / "glossary", site / "state"
    before = load_usable_glossary(glossary)[0].hash
    ws = Workspace(settings_for(site))
    first = [i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable][0]
    assert first.target.provenance.termbase == before
    ws.apply_correction(Correction(STEM, "ru", first.segment.id, "Правка при старом глоссарии.", State.REVIEWED, 0, RU))
    desk.save(glossary, state, {"en": "Nuuk", "ru": "Нуук", "arm": "Նուուկ", "pos": "propn", "status": "approved"},
              who="gina")  # a term the article does not use: its sentences' keys stay, the whole base's version moves
    after = load_usable_glossary(glossary)[0].hash
    assert after != before
    translated = CliRunner().invoke(app, ["translate", str(site / "inbox"), "--to", "ru", "--out", str(site / "out"),
                                          "--models", str(site / "models"), "--state", str(state), "--glossary",
                                          str(glossary), "--quiet", "--json"])
    assert translated.exit_code == 0, translated.output
    doc = json.loads((site / "out" / STEM / "ru.json").read_text(encoding="utf-8"))
    mt = [s["target"]["provenance"] for b in doc["blocks"] for s in b.get("segments", [])
          if s.get("target") and s["target"]["provenance"]["origin"] in ("mt", "tm")]
    assert mt and {p["termbase"] for p in mt} == {after}  # the MT reused from the TM too: valid under the new base
    second = [i for _, row in ws.article(STEM, "ru").rows for i in row if i.editable and i.version == 0][1]
    ws.apply_correction(Correction(STEM, "ru", second.segment.id, "Правка при новом глоссарии.", State.REVIEWED, 0, RU))
    result = CliRunner().invoke(app, ["stats", "--state", str(state), "--out", str(site / "out"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: v["segments"] for k, v in data["termbase"].items()} == {before: 1, after: 1}
    assert {s["segment"]: s["termbase"] for s in data["segments"]} == {first.segment.id: before, second.segment.id: after}
    client = TestClient(create_app(WebConfig(settings_for(site), token="t0k3n", local_user="editor")),
                        base_url="http://127.0.0.1", follow_redirects=False)
    assert client.get("/?token=t0k3n").status_code == 303
    page = client.get("/stats").text
    table = page[page.index('data-group="Per term-base version"'):]
    table = table[:table.index("</table>")]
    rows = dict(re.findall(r'<tr data-key="([0-9a-f]{16})">(.*?)</tr>', table, re.S))
    assert set(rows) == {before, after}
    assert re.search(r"desk change 1 · \d{4}-\d\d-\d\d \d\d:\d\d · gina \(add Nuuk\) · current", rows[after])
    assert "termbase-note" not in rows[before]  # the version translate started with: no desk change made it
    assert f"Now: <code>{after}</code>, after 1 glossary-desk change." in page
