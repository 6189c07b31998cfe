"""Readers: the sample site dump, HTML (profiled and unknown sites), CMS JSON, Markdown, bad input."""

from __future__ import annotations

import json
import shutil
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from i18n_pipeline.document import Kind, Role
from i18n_pipeline.errors import InputError
from i18n_pipeline.ingest import describe, describe_error, read_article
from i18n_pipeline.langid import detect_languages, detect_text
from i18n_pipeline.segment import segment_article

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "articles" / "000_62d6198c2960ff45.txt"
DATA = ROOT / "tests" / "data" / "ingest"
BAKU = timezone(timedelta(hours=4))
LEAKS = ("SCRIPT TEXT", "STYLE TEXT", "IFRAME TEXT", "NOSCRIPT TEXT", "SECOND SCRIPT")


def body(article):
    return [b for b in article.blocks if b.role is Role.BODY]


def full(path: Path):
    return segment_article(detect_languages(read_article(path)))


# --- the sample (issue 3, item 3) ------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    return full(SAMPLE)


def test_sample_fields(sample):
    assert sample.headline == "NBC: US allies, including UK and Canada, scrutinising intel sharing amid Trump's pro-Russia policy"
    assert sample.published == datetime(2025, 3, 6, 20, 22, tzinfo=BAKU)
    assert sample.published.isoformat() == "2025-03-06T20:22:00+04:00"
    assert sample.author == "Khagan Isayev"
    assert sample.section == "WORLD"
    assert sample.credit == "Caliber.Az"
    assert sample.views == 55
    assert sample.site == "caliber.az"
    assert sample.language == "en"


def test_sample_body_is_exactly_the_thirteen_paragraphs(sample):
    paragraphs = body(sample)
    assert len(paragraphs) == 13
    assert paragraphs[0].text.startswith("Certain US allies are considering")
    assert paragraphs[-1].text.endswith("peace talks.")
    assert all(b.kind is Kind.PARAGRAPH and b.lang == "en" for b in paragraphs)


def test_sample_chrome_is_kept_aside_with_roles(sample):
    chrome = {b.text: b for b in sample.chrome()}
    body_text = " ".join(b.text for b in body(sample))
    for text in ("twitter", "search", "A+", "print", "copy link", "ads", "loading", "Ссылка скопирована"):
        assert text in chrome and text not in body_text
    assert chrome["Ссылка скопирована"].lang == "ru"
    assert chrome["Ссылка скопирована"].chrome_role == "share"
    assert chrome["twitter"].chrome_role == "social"
    assert chrome["arm"].chrome_role == "language-switcher"
    assert chrome["A+"].chrome_role == "font-size"
    assert chrome["The most important world news"].chrome_role == "section-tagline"
    assert chrome["WORLD"].chrome_role == "more-from-section"
    assert chrome["Caliber.az © 2025. ."].chrome_role == "copyright"


def test_sample_fields_are_their_own_blocks_and_not_translatable(sample):
    roles = {b.role: b for b in sample.blocks if b.role not in (Role.BODY, Role.CHROME)}
    assert roles[Role.BYLINE].text == "By Khagan Isayev" and roles[Role.BYLINE].lang == "en"
    assert roles[Role.DATELINE].text == "06 March 2025 20:22"
    assert roles[Role.VIEWS].text == "Views: 55"
    assert roles[Role.SECTION].text == "WORLD"
    assert [b.role for b in sample.translatable_blocks()] == [Role.HEADLINE] + [Role.BODY] * 13


def test_sample_parses_exactly_as_recorded(sample):
    """Plain-text reading (issue 14, item 8) must not change how the page dump is read."""
    recorded = json.loads((DATA / "sample_blocks.json").read_text(encoding="utf-8"))
    assert [[b.id, b.role.value, b.kind.value, b.chrome_role, b.text] for b in sample.blocks] == recorded


def test_describe_matches_the_schema(sample):
    data = json.loads(json.dumps(describe(sample), ensure_ascii=False))
    assert {"path", "headline", "published", "author", "section", "language", "blocks"} <= set(data)
    assert data["published"] == "2025-03-06T20:22:00+04:00"
    for block in data["blocks"]:
        assert {"role", "kind", "text", "lang", "confidence"} <= set(block)
        if block["role"] in ("headline", "body"):
            assert block["sentences"]
            for sentence in block["sentences"]:
                assert block["text"][sentence["start"] : sentence["end"]] == sentence["text"]
        else:
            assert "sentences" not in block
    assert describe_error("x.txt", InputError("x.txt", "file is empty; export it again")) == {
        "path": "x.txt",
        "error": "x.txt: file is empty; export it again",
    }


# --- HTML --------------------------------------------------------------------------------------


def test_profiled_html_page():
    article = full(DATA / "caliber_page.html")
    assert article.site == "caliber.az"
    assert article.headline == "Azerbaijan and partners sign Caspian transit accord"
    assert article.published == datetime(2025, 3, 7, 11, 5, tzinfo=BAKU)
    assert (article.author, article.section, article.views) == ("Nigar Aliyeva", "POLITICS", 1204)
    kinds = [(b.kind, b.text[:20]) for b in body(article)]
    assert kinds[2][0] is Kind.QUOTE
    assert (Kind.HEADING, "What changes") in kinds
    assert [k for k, _ in kinds].count(Kind.LIST_ITEM) == 2
    assert {b.chrome_role for b in article.chrome()} >= {"social", "language-switcher", "search", "share", "copyright"}
    everything = " ".join(b.text for b in article.blocks)
    assert not any(leak in everything for leak in LEAKS)


def test_unknown_site_html_goes_through_trafilatura():
    article = full(DATA / "unknown_site.html")
    assert article.site == ""
    assert article.headline == "Port of Baku expands container terminal"
    assert article.author == "Jane Roe"
    assert article.published == datetime(2025, 2, 10, 9, 30, tzinfo=timezone.utc)
    texts = [b.text for b in body(article)]
    assert texts[0].startswith("The Port of Baku opened")
    assert any(b.kind is Kind.QUOTE for b in body(article))
    everything = " ".join(b.text for b in article.blocks)
    assert "Home" not in texts and not any(leak in everything for leak in LEAKS)


# --- CMS JSON and Markdown ---------------------------------------------------------------------


def test_cms_json_export():
    article = full(DATA / "cms_export.json")
    assert article.headline == "Georgia and Armenia discuss new border crossing"
    assert article.published == datetime(2025, 3, 5, 14, 10, tzinfo=BAKU)  # naive → site time
    assert (article.author, article.section, article.views) == ("Khagan Isayev", "REGION", 312)
    quote = [b for b in body(article) if b.kind is Kind.QUOTE][0]
    assert quote.lang == "ru" and article.language == "en"
    assert [b.role for b in article.blocks][-1] is Role.BYLINE


def test_cms_json_with_missing_fields(tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"content": "First paragraph of text.\nSecond paragraph of text."}), encoding="utf-8")
    article = read_article(path)
    assert article.headline == "" and article.published is None and article.author == ""
    assert [b.text for b in body(article)] == ["First paragraph of text.", "Second paragraph of text."]


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"title": "No body here"}', "no article body"),
        ("[1, 2]", "expected one JSON object"),
        ('{"title": "broken",', "not valid JSON"),
    ],
)
def test_bad_cms_json_is_one_line_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_article(path)
    assert message in str(caught.value) and str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_markdown_with_front_matter():
    article = full(DATA / "article.md")
    assert article.headline == "Baku hosts energy week"
    assert article.published == datetime(2025, 6, 2, 10, 0, tzinfo=BAKU)
    assert (article.author, article.section) == ("Leyla Mammadova", "ECONOMY")
    kinds = [b.kind for b in body(article)]
    assert kinds == [Kind.PARAGRAPH, Kind.HEADING, Kind.PARAGRAPH, Kind.QUOTE, Kind.LIST_ITEM, Kind.LIST_ITEM]
    assert article.blocks[-1].role is Role.BYLINE
    assert not any(b.text == "Baku hosts energy week" for b in body(article))


# --- plain text (issue 14, item 8) ----------------------------------------------------------


def test_cp1251_russian_headline_and_one_sentence(tmp_path):
    path = tmp_path / "plain_ru.txt"
    path.write_bytes("Заголовок статьи\r\nЛидеры стран подписали соглашение о транзите грузов.\r\n".encode("cp1251"))
    article = detect_languages(read_article(path))
    assert article.headline == "Заголовок статьи"
    assert [(b.role, b.kind, b.text) for b in article.blocks] == [
        (Role.HEADLINE, Kind.HEADING, "Заголовок статьи"),
        (Role.BODY, Kind.PARAGRAPH, "Лидеры стран подписали соглашение о транзите грузов."),
    ]
    assert article.language == "ru" and {b.lang for b in article.blocks} == {"ru"}


def test_one_armenian_paragraph_is_the_body(tmp_path):
    text = "Երևանում այսօր տեղի է ունեցել կառավարության նիստը, որտեղ քննարկվել է բյուջեի նախագիծը։"
    path = tmp_path / "plain_hy.txt"
    path.write_text(text + "\n", encoding="utf-8")
    article = detect_languages(read_article(path))
    assert article.headline == ""
    assert [(b.role, b.text, b.lang) for b in article.blocks] == [(Role.BODY, text, "hy")]
    assert article.language == "hy"


def test_one_english_paragraph_is_the_body(tmp_path):
    text = "Transport ministers agreed on Thursday to build a new rail link across the region."
    path = tmp_path / "plain_en.txt"
    path.write_text(text, encoding="utf-8")
    article = detect_languages(read_article(path))
    assert [(b.role, b.text, b.lang) for b in article.blocks] == [(Role.BODY, text, "en")]
    assert article.language == "en"


def test_prose_keeps_short_paragraphs_and_takes_a_headline_only_when_it_looks_like_one(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("Rail link agreed\n\nMinisters met in Baku on Thursday.\nNo date yet\n\nThe cost is shared.\n",
                    encoding="utf-8")
    article = read_article(path)
    assert article.headline == "Rail link agreed"
    assert [b.text for b in body(article)] == ["Ministers met in Baku on Thursday.", "No date yet", "The cost is shared."]
    path.write_text("Ministers met in Baku on Thursday.\nThe cost is shared.\n", encoding="utf-8")
    article = read_article(path)
    assert article.headline == "" and len(body(article)) == 2  # a first line ending in "." is a paragraph


def test_prose_fields_are_still_fields(tmp_path):
    path = tmp_path / "prose_byline.txt"
    path.write_text("Rail link agreed\nMinisters met in Baku on Thursday.\nBy Anna Petrova\n", encoding="utf-8")
    article = read_article(path)
    assert article.author == "Anna Petrova"
    assert [b.role for b in article.blocks] == [Role.HEADLINE, Role.BODY, Role.BYLINE]


def test_chrome_or_a_dateline_makes_a_text_file_a_page_dump(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("Home\nRail link agreed in Baku today\nMinisters met on Thursday to sign it.\nNo date yet\n",
                    encoding="utf-8")
    article = read_article(path)  # "Home" is chrome: page heuristics, the trailing short line is chrome
    assert [b.text for b in body(article)] == ["Ministers met on Thursday to sign it."]
    assert {"Home", "No date yet"} <= {b.text for b in article.chrome()}


# --- encodings and bad input ------------------------------------------------------------------

RUSSIAN_DUMP = "МИР\nСаммит в Баку завершился подписанием соглашения\n06 March 2025 20:22\nЛидеры стран подписали соглашение о транзите грузов через Каспийское море.\n"


def test_cp1251_is_detected(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes(RUSSIAN_DUMP.encode("cp1251"))
    article = detect_languages(read_article(path))
    assert body(article)[0].text.startswith("Лидеры стран подписали")
    assert article.language == "ru"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_bom_encodings_are_decoded(tmp_path, encoding):
    path = tmp_path / "bom.txt"
    path.write_bytes(SAMPLE.read_text(encoding="utf-8").encode(encoding))
    assert len(body(read_article(path))) == 13


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\n ", "file is empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary file"),
        ("latin.txt", "Caf\xe9 cr\xe8me br\xfbl\xe9e is sweet and very good.".encode("latin-1"), "not UTF-8, UTF-16 or cp1251"),
        ("page.pdf", b"%PDF-1.4", "unsupported file type"),
        ("menu.txt", b"home\nsearch\nloading\n", "no article body"),
    ],
)
def test_bad_input_is_one_line_error_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_article(path)
    text = str(caught.value)
    assert message in text and str(path) in text and "\n" not in text


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_article(tmp_path / "nope.txt")


def test_five_megabyte_single_paragraph_uses_bounded_memory(tmp_path):
    paragraph = "The convoy moved slowly along the coast road towards the port. " * 80_000  # ~5 MB
    path = tmp_path / "huge.txt"
    path.write_text(f"WORLD\nA very long report from the coast\n06 March 2025 20:22\n{paragraph}\n", encoding="utf-8")
    size = path.stat().st_size
    detect_text("warm up")  # load the language model outside the measurement
    tracemalloc.start()
    try:
        article = detect_languages(read_article(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(body(article)) == 1 and body(article)[0].lang == "en"
    assert peak < 12 * size  # a few copies of the text, never a blow-up


# --- site profiles are data ---------------------------------------------------------------------


def test_an_editor_can_extend_profiles(tmp_path):
    profiles = tmp_path / "sites"
    profiles.mkdir()
    shutil.copy(ROOT / "i18n_pipeline" / "ingest" / "sites" / "caliber.az.toml", profiles / "caliber.az.toml")
    toml = (profiles / "caliber.az.toml").read_text(encoding="utf-8")
    (profiles / "caliber.az.toml").write_text(toml.replace('ads = ["ads",', 'ads = ["ads", "Sponsored by Example",'), encoding="utf-8")
    page = tmp_path / "page.txt"
    text = SAMPLE.read_text(encoding="utf-8").replace("\nWith Trump and his deputies", "\nSponsored by Example\n\nWith Trump and his deputies")
    page.write_text(text, encoding="utf-8")
    default = read_article(page)
    extended = read_article(page, site_profiles_dir=profiles)
    assert "Sponsored by Example" in [b.text for b in body(default)]
    assert "Sponsored by Example" not in [b.text for b in body(extended)]
    assert {b.text: b.chrome_role for b in extended.chrome()}["Sponsored by Example"] == "ads"


def test_unknown_site_text_dump_uses_generic_heuristics(tmp_path):
    page = tmp_path / "other.txt"
    page.write_text(
        "Home\nNews\nSport\nHome\n"
        "Ministers agree new rail link across the Caucasus\n"
        "March 6, 2025 18:00\n"
        "Transport ministers agreed on Thursday to build a new rail link across the region.\n"
        "The line will connect three capitals and carry freight from 2028, officials said.\n"
        "By Anna Petrova\n"
        "Share\nRelated stories\nLoading\n",
        encoding="utf-8",
    )
    article = read_article(page)
    assert article.headline == "Ministers agree new rail link across the Caucasus"
    assert article.published == datetime(2025, 3, 6, 18, 0, tzinfo=BAKU)
    assert article.author == "Anna Petrova"
    assert len(body(article)) == 2
    assert {"Home", "Share", "Loading", "Related stories"} <= {b.text for b in article.chrome()}
