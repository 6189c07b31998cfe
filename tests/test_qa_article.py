"""check_article / check_batch_consistency on the document model, config from i18n.toml."""

from __future__ import annotations

import pytest

from i18n_pipeline.document import Article, Block, Origin, Provenance, QAFlag, Role, Segment, Target
from i18n_pipeline.errors import UsageError
from i18n_pipeline.locales import resolve_locale
from i18n_pipeline.qa import CHECKS, QAConfig, check_article, check_batch_consistency, load_config

RU, ARM = resolve_locale("ru"), resolve_locale("arm")


def article(pairs: list[tuple[str, dict[str, str]]], stem: str = "a") -> Article:
    segments = [
        Segment(f"s{i}", src, 0, len(src), {site: Target(text) for site, text in targets.items()})
        for i, (src, targets) in enumerate(pairs)
    ]
    text = " ".join(src for src, _ in pairs)
    return Article(f"{stem}.txt", stem, [Block("b1", Role.BODY, text, lang="en", segments=segments)], language="en")


SRC = "Talks between the two countries resumed in Geneva on Monday."
OK = {"ru": "Переговоры между двумя странами возобновились в понедельник в Женеве.",
      "arm": "Երկու երկրների միջև բանակցությունները երկուշաբթի վերսկսվել են Ժնևում։"}


def test_counts_flag_segments_per_locale_and_listing_every_enabled_check():
    art = article([(SRC, OK), ("Prices rose 5%.", {"ru": "Цены выросли на 7%.", "arm": "Գներն աճել են 5%-ով։"})])
    ru, arm = check_article(art, RU), check_article(art, ARM)
    assert ru["numbers"] == 1 and arm["numbers"] == 0
    assert set(ru) == set(CHECKS) - {"spelling"} or set(ru) == set(CHECKS)  # spelling only where a dictionary is
    flags = art.blocks[0].segments[1].targets["ru"].flags
    assert [f.check for f in flags] == ["numbers"] and flags[0].severity == "error"
    assert art.blocks[0].segments[0].targets["ru"].flags == []


def test_running_twice_does_not_pile_up_flags_and_keeps_foreign_flags():
    art = article([("Prices rose 5%.", {"ru": "Цены выросли на 7%."})])
    target = art.blocks[0].segments[0].targets["ru"]
    target.flags.append(QAFlag("reviewer-note", "info", "kept"))
    check_article(art, RU)
    check_article(art, RU)
    assert [f.check for f in target.flags] == ["reviewer-note", "numbers"]


def test_passed_through_targets_and_target_language_blocks_are_not_checked():
    art = article([(SRC, {"ru": SRC})])
    art.blocks[0].segments[0].targets["ru"].provenance = Provenance(Origin.SOURCE)
    assert sum(check_article(art, RU).values()) == 0
    art = article([(SRC, {"ru": SRC})])
    art.blocks[0].lang = "ru"
    assert sum(check_article(art, RU).values()) == 0


def test_copy_model_output_flags_every_body_segment():
    pairs = [(SRC, {"ru": SRC}), ("The minister said the talks would go on.", {"ru": "The minister said the talks would go on."})]
    art = article(pairs)
    counts = check_article(art, RU)
    assert counts["identical"] == 2
    assert all(s.targets["ru"].flags[0].check == "identical" for s in art.segments())


def test_sentence_count_per_paragraph():
    art = article([(SRC, {"arm": "Բանակցությունները վերսկսվել են։ Դա եղել է Ժնևում երկուշաբթի։"})])
    assert check_article(art, ARM)["sentence-count"] == 1


def test_batch_consistency_across_articles():
    variant = {"ru": "Переговоры двух стран возобновились в понедельник в Женеве."}
    a, b, c = article([(SRC, OK)], "a"), article([(SRC, variant)], "b"), article([(SRC, OK)], "c")
    assert check_batch_consistency([a, c], RU, None) == {"inconsistent": 0}
    assert check_batch_consistency([a, b, c], RU, QAConfig()) == {"inconsistent": 3}
    flags = b.segments()[0].targets["ru"].flags
    assert [f.check for f in flags] == ["inconsistent"] and "2 ways" in flags[0].message
    check_batch_consistency([a, b, c], RU, QAConfig())
    assert len(b.segments()[0].targets["ru"].flags) == 1
    assert check_batch_consistency([a, b], ARM, QAConfig(off=frozenset({"inconsistent"}))) == {}


def test_config_switches_off_regrades_and_sets_thresholds():
    config = load_config({"qa": {
        "off": ["numbers"], "severity": {"length-ratio": "error"},
        "length-ratio": {"en-ru": [0.9, 1.5]}, "thresholds": {"length-min-source-chars": 10},
    }, "glossary": {}})
    assert not config.enabled("numbers") and config.severity_of("length-ratio") == "error"
    art = article([("Prices rose 5% in May.", {"ru": "Цены выросли на 7 % в мае, сообщили в министерстве."})])
    counts = check_article(art, RU, config)
    assert "numbers" not in counts and counts["length-ratio"] == 1
    flag = art.segments()[0].targets["ru"].flags[0]
    assert (flag.check, flag.severity) == ("length-ratio", "error")
    assert load_config({}) == QAConfig()


@pytest.mark.parametrize("table,words", [
    ({"off": ["nubmers"]}, "nubmers"), ({"severity": {"numbers": "fatal"}}, "fatal"),
    ({"length-ratio": {"en-ru": [2, 1]}}, "en-ru"), ({"thresholds": {"langid-min-letters": "many"}}, "langid-min-letters"),
    ({"thresholds": {"speed": 1}}, "speed"), ({"colour": 1}, "colour"),
])
def test_bad_config_names_the_setting(table, words):
    with pytest.raises(UsageError, match=words):
        load_config({"qa": table})
