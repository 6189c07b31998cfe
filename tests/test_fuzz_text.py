"""Property-based fuzzing of the stages that see raw article text.

Readers, the sentence splitter, the glossary matcher and typography must hold their
invariants on any input, and a reader may only ever fail with ``InputError`` (one line naming
the file), never with a crash that would stop a batch. Examples are bounded so the file stays
a few seconds; failures are reproducible from hypothesis' printed seed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from i18n_pipeline.errors import InputError
from i18n_pipeline.glossary import load_glossary, match_terms
from i18n_pipeline.ingest import read_article
from i18n_pipeline.localize import apply_typography
from i18n_pipeline.segment import split_sentences

GLOSSARY = Path(__file__).resolve().parents[1] / "glossary"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like news copy more often than uniform unicode would: words, titles, initials,
# quotes, numbers, URLs, Cyrillic and Armenian, odd whitespace and punctuation runs.
_PIECES = st.sampled_from([
    "The", "council", "said", "Mr.", "Dr.", "Lt. Gen.", "U.S.", "CSIS", "Five Eyes", "Five-Eyes", "Trump's",
    "V.V.", "Putin", "В.В.", "Путин", "сказал", "Հայաստան", "ասաց", "է", "Ինչու", "2025", "1,234.5", "20:22",
    "06.03.2025", "https://example.com/a?b=1", "www.nato.int", "x@y.org", "@handle", "#tag", "{name}", "%s",
    "<b>", "&amp;", ".", ",", "!", "?", "...", "…", "։", "\"", "'", "«", "»", "„", "“", "”", "(", ")", "-", "–",
    "—", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u202f", "\u200b", "\r\n", "e\u0301", "ﬁ", "İ", "ß",
])
NEWSY = st.lists(st.one_of(_PIECES, st.text(min_size=1, max_size=8)), max_size=40).map(" ".join)
ANY_TEXT = st.one_of(NEWSY, st.text(max_size=200))


# --- readers ---------------------------------------------------------------------------------------


def _document(kind: str, parts: list[str]) -> str:
    """A file of the given kind around fuzzed parts (structure sometimes broken on purpose)."""
    if kind == "txt":
        return "\n".join(parts)
    if kind == "md":
        return "---\ntitle: " + (parts[0] if parts else "") + "\n---\n\n" + "\n\n".join(parts[1:])
    if kind == "html":
        body = "".join(f"<p>{p}</p>" if i % 3 else f"<h1>{p}" for i, p in enumerate(parts))
        return f"<html><head><title>{parts[0] if parts else ''}</title></head><body>{body}</body></html>"
    return json.dumps({"title": parts[0] if parts else "", "body": "\n\n".join(parts[1:])})[: None if len(parts) % 4 else -1]


@FUZZ
@given(kind=st.sampled_from(["txt", "md", "html", "json"]), parts=st.lists(ANY_TEXT, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "latin-1"]))
@example(kind="json", parts=["x", "[]"], encoding="utf-8")
@example(kind="md", parts=["a: [b", "Body text here."], encoding="utf-8")
@example(kind="html", parts=["<script>alert(1)</script>", "Body."], encoding="utf-8")
def test_readers_return_an_article_or_one_line_input_error(tmp_path, kind, parts, encoding):
    path = tmp_path / f"fuzz.{kind}"
    path.write_bytes(_document(kind, parts).encode(encoding, errors="replace"))
    try:
        article = read_article(path)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message
        return
    assert article.path == str(path) and article.blocks
    for block in article.blocks:
        assert block.text and block.text == block.text.strip()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "title", "x"]), inner, max_size=2),
    max_leaves=6,
)
_FIELDS = ["title", "headline", "published", "date", "author", "authors", "section", "credit", "views", "body", "text"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=6), wrap=st.booleans(), as_md=st.booleans())
@example(data={"title": "T", "views": "²", "body": "Some body text here."}, wrap=False, as_md=False)
@example(data={"title": "T", "published": "2025-13-45", "body": "Body."}, wrap=False, as_md=True)
def test_any_metadata_values_give_an_article_or_input_error(tmp_path, data, wrap, as_md):
    """CMS JSON and Markdown front matter: field values of any type and shape."""
    import yaml

    if as_md:
        front = yaml.safe_dump({k: v for k, v in data.items() if k not in ("body", "text")}, allow_unicode=True)
        path = tmp_path / "meta.md"
        path.write_text(f"---\n{front}---\n\n{data.get('body') if isinstance(data.get('body'), str) else 'Body.'}\n",
                        encoding="utf-8")
    else:
        path = tmp_path / "meta.json"
        path.write_text(json.dumps({"article": data} if wrap else data), encoding="utf-8")
    try:
        article = read_article(path)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(article.headline, str) and isinstance(article.author, str)
    assert article.views is None or isinstance(article.views, int)


@pytest.mark.parametrize("suffix", ["json", "md", "html"])
def test_deeply_nested_input_is_an_input_error(tmp_path, suffix):
    nested = {"json": "[" * 200_000, "md": "---\ntitle: " + "[" * 20_000 + "\n---\n\nBody.\n",
              "html": "<div>" * 300_000 + "Body text."}[suffix]
    path = tmp_path / f"deep.{suffix}"
    path.write_text(nested, encoding="utf-8")
    try:
        read_article(path)
    except InputError as exc:
        assert str(exc).startswith(str(path))


def test_readers_refuse_junk_bytes_with_input_error(tmp_path):
    # A separate, byte-level pass: random bytes in every supported format.
    @FUZZ
    @given(kind=st.sampled_from(["txt", "md", "html", "htm", "json", "markdown"]), data=st.binary(max_size=300))
    def check(kind, data):
        path = tmp_path / f"junk.{kind}"
        path.write_bytes(data)
        try:
            read_article(path)
        except InputError as exc:
            assert "\n" not in str(exc)

    check()


# --- segmenter -------------------------------------------------------------------------------------


@FUZZ
@given(text=ANY_TEXT, lang=st.sampled_from(["en", "ru", "hy", "xx"]))
@example(text="Mr. Smith met Lt. Gen. Kellogg. В.В. Путин ответил.", lang="en")
@example(text=" \n ", lang="en")
def test_sentence_spans_are_ordered_disjoint_stripped_and_cover_all_words(text, lang):
    spans = split_sentences(text, lang)
    cursor = 0
    for start, end in spans:
        assert cursor <= start < end <= len(text)
        piece = text[start:end]
        assert piece and piece == piece.strip()
        cursor = end
    covered = "".join(text[s:e] for s, e in spans)
    # Nothing but whitespace may fall between or around sentences: no word is lost.
    assert "".join(text.split()) == "".join(covered.split())


@settings(max_examples=5, deadline=None)
@given(sentence=NEWSY.filter(lambda s: s.strip()))
def test_long_blocks_are_cut_without_losing_text(sentence):
    text = ((sentence.strip() + ". ") * (4500 // (len(sentence) + 2) + 2)).strip()
    spans = split_sentences(text, "en")
    assert "".join(text.split()) == "".join("".join(text[s:e] for s, e in spans).split())
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


# --- glossary matcher ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(GLOSSARY)


@FUZZ
@given(text=ANY_TEXT, locale=st.sampled_from(["ru", "arm", "hy"]))
@example(text="Canadian Security Intelligence Service (CSIS) and the U.S. and US-UK Five-Eyes", locale="ru")
@example(text="CSIS's CSISs csis U.S.A. pro-Trump Trump", locale="arm")
def test_term_hits_are_real_disjoint_and_in_text_order(glossary, text, locale):
    hits = match_terms(glossary, text, locale)
    ids = {e.id for e in glossary.entries}
    cursor = 0
    for hit in hits:
        assert cursor <= hit.start < hit.end <= len(text)
        assert text[hit.start:hit.end] == hit.term
        assert hit.entry_id in ids
        cursor = hit.end
    assert hits == match_terms(glossary, text, locale)  # deterministic (pattern cache)


@FUZZ
@given(prefix=ANY_TEXT, suffix=ANY_TEXT, term=st.sampled_from(["Five Eyes", "CIA", "Donald Trump", "United Kingdom"]))
def test_a_glossary_term_between_spaces_is_always_found(glossary, prefix, suffix, term):
    text = f"{prefix} {term} {suffix}"
    start = len(prefix) + 1
    hits = match_terms(glossary, text, "ru")
    # Found itself, or overlapped by a longer term that the longest-match rule preferred.
    assert any(h.start < start + len(term) and start < h.end for h in hits)


_TERM = st.one_of(_PIECES, st.text(alphabet=st.characters(codec="utf-8", exclude_characters="|,\"\r\n"), max_size=12))


@FUZZ
@given(rows=st.lists(st.tuples(st.lists(_TERM, min_size=1, max_size=3), st.sampled_from(["", "yes", "no"]),
                               st.sampled_from(["", "noun", "abbr", "propn"])), min_size=1, max_size=5),
       text=ANY_TEXT)
@example(rows=[(["U.S.-"], "", "")], text="the U.S.- said")
@example(rows=[(["-"], "", ""), (["- x"], "", "")], text="a - x")
def test_any_term_base_the_loader_accepts_matches_without_crashing(tmp_path, rows, text):
    # Editors type terms in a spreadsheet; whatever load_glossary accepts must be matchable.
    from i18n_pipeline.errors import GlossaryError

    lines = ["en,ru,arm,case_sensitive,pos"] + [f"\"{'|'.join(en)}\",т,տ,{cs},{pos}" for en, cs, pos in rows]
    folder = tmp_path / "g"
    folder.mkdir(exist_ok=True)
    (folder / "terms.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        base = load_glossary(folder)
    except GlossaryError as exc:
        assert "\n" not in str(exc)
        return
    for hit in match_terms(base, text, "ru"):
        assert text[hit.start:hit.end] == hit.term and hit.start < hit.end


# --- typography ------------------------------------------------------------------------------------


@st.composite
def text_with_protected_spans(draw):
    pieces = draw(st.lists(st.tuples(ANY_TEXT, st.booleans()), min_size=1, max_size=6))
    text, spans = "", []
    for piece, protect in pieces:
        if protect and piece:
            spans.append((len(text), len(text) + len(piece)))
        text += piece
    return text, spans


@FUZZ
@given(case=text_with_protected_spans(), lang=st.sampled_from(["ru", "hy", "en"]))
@example(case=('He said "yes" - then left .', [(3, 7)]), lang="ru")
@example(case=("Ինչու է NBCում - ասաց.", [(8, 14)]), lang="hy")
def test_typography_leaves_protected_spans_byte_for_byte(case, lang):
    text, spans = case
    result = apply_typography(text, lang, spans)
    cursor = 0
    for start, end in spans:  # each protected piece survives, in order, untouched
        found = result.find(text[start:end], cursor)
        assert found >= 0, (text[start:end], result)
        cursor = found + (end - start)
    if lang == "en":
        assert result == text


@FUZZ
@given(text=ANY_TEXT, lang=st.sampled_from(["ru", "hy"]))
def test_typography_is_idempotent(text, lang):
    once = apply_typography(text, lang)
    assert apply_typography(once, lang) == once


def test_protected_span_outside_the_text_is_refused():
    with pytest.raises(ValueError, match="outside"):
        apply_typography("abc", "ru", [(1, 9)])
