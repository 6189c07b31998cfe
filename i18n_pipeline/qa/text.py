"""Small text helpers the checks share: scripts of letters, words, and placeables to set aside.

Hand-rolled on purpose: three scripts are told apart by code-point ranges, which is exact,
instead of pulling in a Unicode-script library for it.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

LATIN, CYRILLIC, ARMENIAN, OTHER = "Latin", "Cyrillic", "Armenian", "other"

# The script each language is written in, for the languages this newsroom meets.
LANG_SCRIPT = {
    "en": LATIN, "az": LATIN, "tr": LATIN, "fr": LATIN, "de": LATIN, "es": LATIN, "it": LATIN,
    "ru": CYRILLIC, "uk": CYRILLIC, "bg": CYRILLIC, "be": CYRILLIC, "kk": CYRILLIC, "sr": CYRILLIC,
    "hy": ARMENIAN,
}


@lru_cache(maxsize=None)  # a few hundred distinct characters; called for every letter QA reads
def script_of(ch: str) -> str | None:
    """The script of one letter, or None for anything that is not a letter."""
    if not ch.isalpha():
        return None
    cp = ord(ch)
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
        return LATIN
    if 0x400 <= cp <= 0x52F or 0x1C80 <= cp <= 0x1C8F:
        return CYRILLIC
    if 0x531 <= cp <= 0x58F or 0xFB13 <= cp <= 0xFB17:
        return ARMENIAN
    return OTHER


def script_shares(text: str) -> tuple[dict[str, float], int]:
    """Share of the text's letters in each script, and the number of letters."""
    counts = Counter(s for s in map(script_of, text) if s)
    total = sum(counts.values())
    return ({s: n / total for s, n in counts.items()} if total else {}), total


# URLs, e-mail addresses, @handles and #hashtags: copied verbatim, never translated.
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>«»\"“”„]+", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE_RE = re.compile(r"(?<![\w@])@\w{2,}")
HASHTAG_RE = re.compile(r"(?<![\w&#])#\w*[^\W\d]\w*")
_TRAILING = ".,;:!?)]}»”“'\"։՝"


def placeables(text: str) -> list[str]:
    """URLs, e-mails, @handles and #hashtags in the order they stand, trailing punctuation cut."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (URL_RE, EMAIL_RE, HANDLE_RE, HASHTAG_RE):
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue  # the @ of an e-mail or the # of a URL fragment is not a handle/hashtag
            token = m.group().rstrip(_TRAILING)
            taken.append((m.start(), m.end()))
            found.append((m.start(), token))
    return [t for _, t in sorted(found)]


def strip_placeables(text: str) -> str:
    """The text with URLs, e-mails, handles and hashtags blanked (so their digits are no numbers)."""
    for pattern in (URL_RE, EMAIL_RE, HANDLE_RE, HASHTAG_RE):
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """Letter runs (apostrophes inside kept, hyphens split): the unit of repeat/copy checks."""
    return WORD_RE.findall(text)


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def is_name_like(word: str) -> bool:
    """Capitalized or all-caps words and acronyms: names, which may stay as in the source."""
    return word[:1].isupper() or (len(word) > 1 and word.isupper())
