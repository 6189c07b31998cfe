"""Candidates: ≥ 90% of the top 30 are real names on the labelled news list (tests/candidates_eval.py)."""

from __future__ import annotations

from candidates_eval import precision

from i18n_pipeline.glossary.candidates import extract


def test_top_30_candidates_are_at_least_90_percent_real_names():
    value, found, unlabelled = precision(30)
    assert len(found) == 30 and unlabelled == []  # every ranked candidate has a label
    assert value >= 0.9, [c.name for c in found]


def test_titles_with_a_demonym_generic_words_and_the_hague():
    names = {name: kind for _, _, name, kind in extract(
        "Armenian Prime Minister Nikol Pashinyan met UN Secretary-General Antonio Guterres in The Hague.")}
    assert names == {"Nikol Pashinyan": "person (after a title)", "Antonio Guterres": "person (after a title)",
                     "The Hague": "name"}
    names = {name for _, _, name, _ in extract("SOCAR, the State Oil Company of Azerbaijan Republic, cut GDP forecasts "
                                               "outside Parliament.")}
    assert names == {"SOCAR", "State Oil Company of Azerbaijan Republic"}
