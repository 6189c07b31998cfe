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


def test_mt_renderings_pick_the_name_the_model_wrote_in_each_locale():
    from i18n_pipeline.glossary.candidates import mt_renderings

    source = "Armenian Prime Minister Nikol Pashinyan met President Ilham Aliyev in Abu Dhabi."
    segments = [
        ("ru", source, "Премьер-министр Армении Никол Пашинян встретился с президентом Ильхамом Алиевым в Абу-Даби."),
        ("arm", source, "Հայաստանի վարչապետ Նիկոլ Փաշինյանը Աբու Դաբիում հանդիպել է նախագահ Իլհամ Ալիևի հետ։"),
        ("ru", "Pashinyan spoke later.", "Позже выступил Никол Пашинян."),
        ("ru", "The European Commission fined Google.", "Европейская комиссия оштрафовала Google."),
        ("ru", "Observers from the OSCE reported pressure.", "Наблюдатели ОБСЕ сообщили о давлении."),
    ]
    assert mt_renderings("Nikol Pashinyan", segments) == {"arm": [("Նիկոլ Փաշինյանը", 1)], "ru": [("Никол Пашинян", 1)]}
    assert mt_renderings("Abu Dhabi", segments) == {"arm": [("Աբու Դաբիում", 1)], "ru": [("Абу-Даби", 1)]}
    assert mt_renderings("European Commission", segments) == {"ru": [("Европейская комиссия", 1)]}
    assert mt_renderings("Google", segments) == {"ru": [("Google", 1)]}
    assert mt_renderings("OSCE", segments) == {"ru": [("ОБСЕ", 1)]}
    assert mt_renderings("Mark Rutte", segments) == {}  # in no source: nothing guessed


def test_candidates_carry_the_renderings_of_todays_outputs(site):
    import json

    from i18n_pipeline.glossary import load_glossary
    from i18n_pipeline.glossary.candidates import find_candidates

    pairs = [("Defence Minister Andrew Hastie met Trump in Nuuk.", "Министр обороны Эндрю Хасти встретился с Трампом в Нууке."),
             ("Andrew Hastie said Nuuk was cold.", "Эндрю Хасти сказал, что в Нууке холодно.")]
    (site / "out" / "a1").mkdir(parents=True, exist_ok=True)
    segments = [{"id": f"s{i}", "source": en, "target": {"text": ru, "terms": []}} for i, (en, ru) in enumerate(pairs)]
    (site / "out" / "a1" / "ru.json").write_text(json.dumps({"blocks": [{"segments": segments}]}), encoding="utf-8")
    found = {c.name: c for c in find_candidates(site / "out", load_glossary(site / "glossary"))}
    assert found["Andrew Hastie"].renderings == {"ru": [("Эндрю Хасти", 2)]}
    assert found["Nuuk"].renderings == {"ru": [("Нууке", 2)]}
