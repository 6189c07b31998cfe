"""Hand-built articles and the shared bilingual-format contract the format tests subclass.

(No tests here; pytest collects the module and finds none. The contract is the Translate
Toolkit pattern: every writer/reader pair must pass the same round-trip assertions.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from i18n_pipeline.document import (
    Article,
    Block,
    Kind,
    LocalizedFields,
    Origin,
    Provenance,
    QAFlag,
    Role,
    Segment,
    State,
    Target,
    TermHit,
)
from i18n_pipeline.locales import SITE_LOCALES

RU = SITE_LOCALES["ru"]
ARM = SITE_LOCALES["arm"]
SCHEMAS = Path(__file__).resolve().parent / "schemas"  # official XLIFF 2.1 / TMX 1.4b schemas; see its README

TRICKY_SOURCE = 'Tom & Jerry said "5 < 6" — it\'s café time.'
TRICKY_TARGET = 'Том и Джерри сказали: «5 < 6» & "кафе" — ёж.'
MT = Provenance(Origin.MT, engine="ctranslate2", model="translate-en_ru", model_version="1.9", glossary_hash="g1")


def _segment(block_id: str, n: int, source: str, start: int, targets: dict[str, Target] | None = None, terms=None) -> Segment:
    return Segment(
        id=f"{block_id}.s{n}", source=source, start=start, end=start + len(source), targets=targets or {}, terms=terms or []
    )


def make_article(stem: str = "000_sample") -> Article:
    """An article exercising every writer path, with targets for ``ru`` and ``arm``."""
    headline = "NBC: allies scrutinise intel sharing"
    b1 = Block("b1", Role.HEADLINE, headline, Kind.HEADING, lang="en", confidence=0.99)
    b1.segments = [
        _segment("b1", 1, headline, 0, {
            "ru": Target("NBC: союзники пересматривают обмен разведданными", State.TRANSLATED, MT),
            "arm": Target("NBC: դաշնակիցները վերանայում են", State.TRANSLATED,
                          Provenance(Origin.MT, engine="ctranslate2", model="opus-mt-en-hy", model_version="2024-01")),
        })
    ]  # fmt: skip

    s1, s2 = TRICKY_SOURCE, "Nothing was decided."
    p1 = f"{s1} {s2}"
    nato = TermHit("NATO", 0, 4, "nato", ("НАТО",), status="ok", rendered="НАТО")
    b2 = Block("b2", Role.BODY, p1, lang="en", confidence=0.97)
    b2.segments = [
        _segment("b2", 1, s1, 0, {
            "ru": Target(TRICKY_TARGET, State.REVIEWED, Provenance(Origin.HUMAN, tm_hit=True)),
            "arm": Target("Թոմ & Ջերի <5>", State.FINAL, Provenance(Origin.HUMAN)),
        }),
        _segment("b2", 2, s2, len(s1) + 1, {
            "ru": Target("", State.INITIAL, MT),
        }),
    ]  # fmt: skip

    s3 = "NATO met in Brussels on 6 March."
    b3 = Block("b3", Role.BODY, s3, lang="en", confidence=0.95)
    b3.segments = [
        _segment("b3", 1, s3, 0, {
            "ru": Target("НАТО собралось в Брюсселе 7 марта.", State.TRANSLATED, MT,
                         flags=[QAFlag("numbers", "error", "6 in source, 7 in target"),
                                QAFlag("glossary-term", "info", "NATO → НАТО")],
                         terms=[nato]),
        }, terms=[TermHit("NATO", 0, 4, "nato", ("НАТО",))]),
    ]  # fmt: skip

    s4 = "Это уже по-русски."
    b4 = Block("b4", Role.BODY, s4, lang="ru", confidence=0.99, notes=["already in ru: passed through"])
    b4.segments = [
        _segment("b4", 1, s4, 0, {"ru": Target(s4, State.TRANSLATED, Provenance(Origin.SOURCE, note="already in ru"))})
    ]
    s5 = "An untranslated sentence."
    b5 = Block("b5", Role.BODY, s5, Kind.QUOTE, lang="en", confidence=0.9)
    b5.segments = [_segment("b5", 1, s5, 0)]

    blocks = [
        Block("c1", Role.CHROME, "WHAT ARE YOU LOOKING FOR ?", lang="en", chrome_role="navigation"),
        Block("d1", Role.DATELINE, "06 March 2025 20:22"),
        b1,
        Block("a1", Role.BYLINE, "By Jane Roe"),
        b2,
        b3,
        b4,
        b5,
        Block("c2", Role.CHROME, "Caliber.az © 2025.", chrome_role="copyright"),
    ]
    return Article(
        path=f"articles/{stem}.txt",
        stem=stem,
        blocks=blocks,
        headline=headline,
        published=datetime(2025, 3, 6, 16, 22, tzinfo=timezone.utc),
        author="Jane Roe",
        section="WORLD",
        language="en",
        site="caliber.az",
        localized={"ru": LocalizedFields(section="МИР", dateline="6 марта 2025, 20:22", byline="Джейн Роу")},
    )


def expected_pairs(article: Article, site: str) -> list[tuple[str, str]]:
    """(source, target) for every segment of every translatable block; "" for no target."""
    return [
        (seg.source, seg.targets[site].text if site in seg.targets else "")
        for block in article.translatable_blocks()
        for seg in block.segments
    ]


@dataclass(frozen=True)
class ReadBack:
    source_lang: str
    target_lang: str
    pairs: list[tuple[str, str]]  # (source, target) in file order


class BilingualContract:
    """Round-trip contract every bilingual format test subclasses (set ``suffix``, implement both)."""

    suffix = ""

    def write(self, article: Article, locale, path: Path) -> None:
        raise NotImplementedError

    def read(self, path: Path) -> ReadBack:
        raise NotImplementedError

    @pytest.fixture(params=["ru", "arm"])
    def written(self, request, tmp_path):
        locale = RU if request.param == "ru" else ARM
        article = make_article()
        path = tmp_path / f"{locale.site}{self.suffix}"
        self.write(article, locale, path)
        return article, locale, path

    def test_segment_count_matches_the_article(self, written):
        article, locale, path = written
        assert len(self.read(path).pairs) == len(article.segments()) == 6

    def test_languages_are_standard_codes(self, written):
        _, locale, path = written
        back = self.read(path)
        assert back.source_lang == "en"
        assert back.target_lang == locale.lang  # "hy" for the site's "arm"

    def test_text_round_trips_exactly(self, written):
        article, locale, path = written
        assert self.read(path).pairs == expected_pairs(article, locale.site)

    def test_escaping_non_ascii_and_empty_targets_survive(self, written):
        article, locale, path = written
        pairs = dict(self.read(path).pairs)
        assert TRICKY_SOURCE in pairs
        if locale.site == "ru":
            assert pairs[TRICKY_SOURCE] == TRICKY_TARGET
            assert pairs["Nothing was decided."] == ""  # an empty target stays empty
        assert pairs["An untranslated sentence."] == ""  # no target at all
