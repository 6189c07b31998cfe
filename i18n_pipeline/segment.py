"""Sentences with character offsets and stable ids for every translatable block.

Splitting is pySBD (its language rules for en, ru, hy, …; English rules for languages it
lacks), with three additions where it is wrong for news copy:

* titles and ranks before a name (``Pres. Aliyev``, ``Lt. Gen. Kellogg``) never end a sentence;
* a "sentence" that is nothing but initials (``В.В.`` before ``Путин``) is glued to the next;
* a block longer than ``CHUNK_CHARS`` is cut at safe sentence ends first, so pySBD never sees a
  huge input (its cost per character grows with input length; a 5 MB paragraph stays ~20 s).

Offsets: ``block.text[start:end] == segment.source``; a segment never starts or ends with
whitespace (the spaces between sentences belong to no segment).

Ids: ``"s" + sha1(normalized sentence)[:12]``, where normalized means NFC with whitespace runs
collapsed to one space; the second and later occurrences of the same sentence in one article get
``-2``, ``-3``… So the same text gives the same id on every run and machine.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .document import Article, Segment

log = logging.getLogger(__name__)

# pySBD's cost per character grows with input length (4 µs/char at 2 kB, 24 µs/char at 20 kB),
# so longer blocks are cut into pieces of about this size at safe sentence ends first.
CHUNK_CHARS = 2_000

# Words that stand before a name and so cannot end a sentence (matched case-sensitively).
NAME_TITLES = frozenset(
    "Mr Mrs Ms Dr Prof Gen Gens Lt Col Maj Capt Cpt Sgt Cmdr Adm Brig Gov Sen Sens Rep Reps Pres "
    "Amb Rev Hon Supt Insp Messrs Mme Mlle".split()
)
_TITLE_END = re.compile(r"(?:^|[\s(\"“«])(?P<word>[A-Z][a-z]{0,5})\.$")
_ONLY_INITIALS = re.compile(r"^(?:[A-ZА-ЯЁ]\.\s?){1,3}$")
# A safe cut: a lower-case word of 3+ letters, end punctuation, space, then a capital or quote.
_CHUNK_BOUNDARY = re.compile(r"(?<=[a-zа-яёա-ֆ]{3})[.!?։…][\"'”»)]*\s+(?=[A-ZА-ЯЁԱ-Ֆ\"“«])")
_SPACE_RUN = re.compile(r"\s+")
# What can end a sentence for pySBD in en/ru/hy (also "1) 2)" list items and line breaks).
# Text with none of these before its final punctuation is one sentence: no pySBD call needed.
_POSSIBLE_BREAK = re.compile(r"[.!?…։՜:;。．！？)\n\r\u2028\u2029\x85\x0b\x0c]")
_FINAL_PUNCTUATION = re.compile(r"[.!?…։՜:;。．！？]?\s*$")  # one mark: pySBD may split "..", ":."


def split_sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character offsets of the sentences in ``text``."""
    spans: list[tuple[int, int]] = []
    for chunk_start, chunk_end in _chunks(text):
        spans.extend(_split_chunk(text, chunk_start, chunk_end, lang))
    return _merge_false_breaks(text, spans)


def is_one_sentence(text: str) -> bool:
    """True when pySBD would return ``text`` whole: nothing that could end a sentence before
    its final punctuation. Measured on the bench corpus: 15% of paragraphs, 26% of the
    sentences QA counts again; pySBD costs ~2.3 ms a paragraph there."""
    return not _POSSIBLE_BREAK.search(_FINAL_PUNCTUATION.sub("", text))


def segment_article(article: Article) -> Article:
    """Fill ``segments`` of every translatable block (headline, body); returns the article."""
    seen: Counter[str] = Counter()
    for block in article.translatable_blocks():
        lang = block.lang or article.language or "en"
        block.segments = []
        for start, end in split_sentences(block.text, lang):
            source = block.text[start:end]
            digest = sentence_hash(source)
            seen[digest] += 1
            seg_id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
            block.segments.append(Segment(id=seg_id, source=source, start=start, end=end))
    return article


def sentence_hash(sentence: str) -> str:
    """The stable part of a segment id: the same sentence text always gives the same value."""
    normalized = _SPACE_RUN.sub(" ", unicodedata.normalize("NFC", sentence)).strip()
    return "s" + hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:12]


def _chunks(text: str) -> list[tuple[int, int]]:
    if len(text) <= CHUNK_CHARS:
        return [(0, len(text))]
    chunks, start = [], 0
    while len(text) - start > CHUNK_CHARS:
        window_end = start + CHUNK_CHARS
        cut = None
        for match in _CHUNK_BOUNDARY.finditer(text, start + CHUNK_CHARS // 2, window_end):
            cut = match.end()
        if cut is None:  # no sentence end in the window: cut at the last space, or hard
            space = text.rfind(" ", start + 1, window_end)
            cut = space + 1 if space > start else window_end
        chunks.append((start, cut))
        start = cut
    chunks.append((start, len(text)))
    return chunks


def _split_chunk(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    chunk = text[start:end]
    spans, cursor = [], 0
    try:
        pieces = [chunk] if is_one_sentence(chunk) else _segmenter(lang).segment(chunk)
    except (ValueError, IndexError):  # pySBD's list rules crash on some control characters ("0\x1f0")
        log.warning("sentence splitter failed on a block with control characters; kept it as one sentence")
        pieces = [chunk]
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        found = chunk.find(stripped, cursor)
        if found < 0:  # pySBD changed the text (it should not with clean=False): keep going safely
            continue
        spans.append((start + found, start + found + len(stripped)))
        cursor = found + len(stripped)
    if not spans and chunk.strip():
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((start + lead, start + len(chunk.rstrip())))
    return spans


def _merge_false_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and _ends_before_name(text[merged[-1][0] : merged[-1][1]]) and _starts_like_name(text, span[0]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def _ends_before_name(sentence: str) -> bool:
    title = _TITLE_END.search(sentence)
    if title and title.group("word") in NAME_TITLES:
        return True
    return bool(_ONLY_INITIALS.match(sentence))


def _starts_like_name(text: str, start: int) -> bool:
    return start < len(text) and text[start].isupper()


@lru_cache(maxsize=16)
def _segmenter(lang: str):
    # Imported here: pySBD compiles many regexes on import, which most commands never need.
    import pysbd
    from pysbd.languages import LANGUAGE_CODES
    from pysbd.utils import TextSpan

    class Segmenter(pysbd.Segmenter):
        # pySBD finds each sentence it split back in the text with ``re.finditer(re.escape(
        # sentence) + r"\s*")``: a new pattern per sentence, which overflows ``re``'s cache, so every
        # sentence is compiled (a third of pySBD's CPU time on the bench corpus). The same search, on str.find.
        def sentences_with_char_spans(self, sentences):
            return _literal_spans(self.original_text, sentences, TextSpan)

    code = lang if lang in LANGUAGE_CODES else "en"
    return Segmenter(language=code, clean=False)


def _literal_spans(text: str, sentences, span_type) -> list:
    """pySBD's ``Segmenter.sentences_with_char_spans``, the same result without regexes: for each
    sentence, the first occurrence (each search starting where the last match ended, as
    ``finditer`` does) that ends past the previous sentence, with the whitespace after it."""
    spans, prior_end = [], 0
    for sentence in sentences:
        if not sentence:  # pySBD's pattern is then ``\s*`` alone: one constant pattern, run as pySBD runs it
            for match in re.finditer(r"\s*", text):
                if match.end() > prior_end:
                    spans.append(span_type(match.group(), *match.span()))
                    prior_end = match.end()
                    break
            continue
        found = text.find(sentence)
        while found >= 0:
            end = found + len(sentence)
            while end < len(text) and text[end].isspace():  # ``\s`` on str is str.isspace
                end += 1
            if end > prior_end:
                spans.append(span_type(text[found:end], found, end))
                prior_end = end
                break
            found = text.find(sentence, end)
    return spans
