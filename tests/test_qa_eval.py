"""The labelled set (tests/data/qa): size, and precision/recall no lower than measured."""

from __future__ import annotations

import pytest
from qa_eval import evaluate, load_items, total

from i18n_pipeline.qa import CHECKS

# Measured with tests/qa_eval.py (spelling off: the set is labelled without dictionaries).
FLOOR = {"ru": (1.00, 0.98), "hy": (1.00, 0.98)}  # micro precision, micro recall
PER_CHECK_FLOOR = 0.8  # no single check below this on either measure


@pytest.mark.parametrize("lang", ["ru", "hy"])
def test_labelled_set_is_big_enough_and_covers_every_check(lang):
    items = load_items(lang)
    assert len(items) >= 100
    labelled = {c for i in items for c in i["expected"]}
    assert labelled >= set(CHECKS) - {"spelling"}
    assert sum(1 for i in items if not i["expected"]) >= 40  # clean pairs for precision


@pytest.mark.parametrize("lang", ["ru", "hy"])
def test_precision_and_recall_stay_at_measured_level(lang):
    scores, errors = evaluate(lang)
    t = total(scores)
    precision, recall = FLOOR[lang]
    assert t.precision >= precision and t.recall >= recall, "\n".join(errors)
    for check, s in scores.items():
        assert s.precision >= PER_CHECK_FLOOR and s.recall >= PER_CHECK_FLOOR, (check, errors)
