"""localize_article and localized_chrome: fixed strings come from the catalogs, never from MT."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from i18n_pipeline.document import Article, Block, Origin, Role, Segment, State
from i18n_pipeline.locales import resolve_locale
from i18n_pipeline.localize import format_datetime_long, localize_article, localized_chrome, translator

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"
BAKU = timezone(timedelta(hours=4))
RU, ARM = resolve_locale("ru"), resolve_locale("arm")


def _article(**fields) -> Article:
    base = dict(
        path="a.txt", stem="a", section="WORLD", author="Khagan Isayev", credit="Caliber.Az", views=55,
        published=datetime(2025, 3, 6, 20, 22, tzinfo=BAKU),
        blocks=[
            Block("s", Role.SECTION, "WORLD"),
            Block("h", Role.HEADLINE, "Search"),  # translatable: MT's business even if it looks like chrome
            Block("c1", Role.CHROME, "WHAT ARE YOU LOOKING FOR ?", chrome_role="search"),
            Block("c2", Role.CHROME, "share-lineLiked the story? Share it on social media!", chrome_role="share"),
            Block("c3", Role.CHROME, "Ссылка скопирована", chrome_role="share", lang="ru"),
            Block("c4", Role.CHROME, "A+", chrome_role="font-size"),
            Block("v", Role.VIEWS, "Views: 55"),
            Block("k", Role.CREDIT, "Caliber.Az"),
        ],
    )
    base.update(fields)
    return Article(**base)


@pytest.mark.parametrize("locale", [RU, ARM])
def test_fields_come_from_catalog_and_cldr(locale):
    article = localize_article(_article(), locale)
    fields = article.localized[locale.site]
    t = translator(locale)
    assert fields.section == t.pgettext("section", "World") != "World"
    assert fields.dateline == format_datetime_long(article.published, locale)
    assert fields.byline == t.gettext("By {author}").format(author="Khagan Isayev") != "By Khagan Isayev"
    assert fields.credit == "Caliber.Az"


def test_the_sample_section_names_are_the_editors_words():
    article = _article()
    localize_article(article, RU)
    localize_article(article, ARM)
    assert article.localized["ru"].section == "Мир"
    assert article.localized["arm"].section == "Աշխարհ"
    assert set(article.localized) == {"ru", "arm"}


def test_chrome_with_a_catalog_entry_is_marked_and_rendered():
    article = localize_article(_article(), ARM)
    by_id = {b.id: b for b in article.blocks}
    t = translator(ARM)
    assert localized_chrome(by_id["c1"], ARM, article) == t.pgettext("site chrome", "What are you looking for?")
    assert localized_chrome(by_id["c2"], ARM, article) == t.pgettext("site chrome", "Liked the story? Share it on social media!")
    # A stray Russian widget string is recognised through the ru catalog and rendered in hy.
    assert localized_chrome(by_id["c3"], ARM, article) == t.pgettext("site chrome", "Link copied")
    assert localized_chrome(by_id["c3"], RU, article) == "Ссылка скопирована"
    assert localized_chrome(by_id["v"], ARM, article) == t.gettext("Views: {count}").format(count="55")
    for block_id in ("s", "c1", "c2", "c3", "v"):
        assert any(n.startswith("arm: rendered from the message catalog") for n in by_id[block_id].notes), block_id
    for block_id in ("h", "c4", "k"):  # headline: MT; unknown chrome and brand credit: kept as is
        assert localized_chrome(by_id[block_id], ARM, article) is None
        assert not by_id[block_id].notes


def test_a_segmented_chrome_block_gets_a_final_catalog_target():
    block = Block("s", Role.SECTION, "WORLD", segments=[Segment("s-0", "WORLD", 0, 5)])
    localize_article(_article(blocks=[block]), RU)
    target = block.segments[0].targets["ru"]
    assert (target.text, target.state, target.provenance.origin) == ("Мир", State.FINAL, Origin.CATALOG)


def test_missing_parts_leave_fields_empty_and_say_why(caplog):
    with caplog.at_level(logging.INFO, logger="i18n_pipeline.localize.article"):
        article = localize_article(_article(section="GARDENING", author="", published=None, blocks=[]), RU)
    assert article.localized["ru"].section == ""
    assert article.localized["ru"].byline == article.localized["ru"].dateline == ""
    assert "GARDENING" in caplog.text


def test_dateline_block_needs_the_article():
    block = Block("d", Role.DATELINE, "06 March 2025 20:22")
    assert localized_chrome(block, RU) is None
    article = _article()
    assert localized_chrome(block, RU, article) == format_datetime_long(article.published, RU)
    assert localized_chrome(Block("b", Role.BYLINE, "By Jane Doe"), RU) == translator(RU).gettext("By {author}").format(author="Jane Doe")


def test_sample_article_end_to_end():
    from i18n_pipeline.ingest import read_article

    article = read_article(SAMPLE)
    for locale in (RU, ARM):
        localize_article(article, locale)
        fields = article.localized[locale.site]
        assert fields.section and fields.byline.endswith("Khagan Isayev")
        assert fields.dateline == format_datetime_long(datetime(2025, 3, 6, 20, 22, tzinfo=BAKU), locale)
    rendered = [b for b in article.blocks if any(n.startswith("arm: rendered") for n in b.notes)]
    assert {b.role for b in rendered} >= {Role.SECTION, Role.CHROME, Role.DATELINE, Role.BYLINE}
    assert not any(b.translatable for b in rendered)
