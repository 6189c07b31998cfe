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
    text = CliRunner().invoke(app, args)
    assert text.exit_code == 0 and "rita" in text.stdout and "hter: nrefs:1|case:mixed" in text.stdout and f"{expected:.1f}" in text.stdout
