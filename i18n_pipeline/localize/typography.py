"""Typography of machine output for ru and hy, as small rules that never touch frozen text.

Frozen: the caller's protected spans (glossary / do-not-translate), URLs, domains, e-mails,
@handles, #hashtags, numbers (1,234.5 · 1 234,5 · 20:22 · 06.03.2025), inline code, markup
tags and format placeholders. Each frozen span is swapped for one private-use character, the
rules run on the masked text, and the spans are put back byte for byte. No library covers
Russian and Armenian rules together (typograf is JavaScript), hence these hand-written ones.

Rules, each one safe to apply twice:
- both: a hyphen or en dash with spaces on both sides becomes a spaced em dash ( — ), not
  between two numbers (a range or score); no space before , . ; : ! ? (and ։ ՝ for hy).
- ru: quotes «…», nested „…“; hy: quotes «…» at every level. Straight quotes are paired by
  context; when a straight quote's direction is unclear the quotes are left as they are.
- hy: the Armenian full stop ։ replaces a sentence-final period after an Armenian word of two
  or more letters (or the verb է) that is not an abbreviation (թ., թթ., պրն. …), or after a
  closing quote or bracket that follows one; a ':' at the very end after Armenian text (typed
  for ։) too. Not before an opening quote: "ասաց. «…»" may be the colon (միջակետ) use.
- hy: a wh-question that starts with an interrogative word (Ինչու …?) gets the question mark
  ՞ on that word's stressed vowel (Ինչո՞ւ) and ends with ։. Yes/no questions keep "?": which
  word carries ՞ there depends on meaning, not on form.
- hy: the hyphen between an abbreviation, a Latin-script word or a number and a glued case
  suffix (ԱՄՆի → ԱՄՆ-ի, NBCում → NBC-ում, 2025ին → 2025-ին).
Not done, on purpose: the Armenian comma ՝ (բութ) and the emphasis/exclamation marks ՛ ՜ go
where the syntax or the stress of meaning puts them; an English comma or "!" does not say where,
so "," (the Armenian storaket) and "!" are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

# Private-use planes: numbers get plane 15, every other frozen span plane 16, so rules can tell
# a number from a protected term without looking up the original text.
_NUM_BASE, _OTHER_BASE = 0xF0000, 0x100000
_NUM = "[\U000F0000-\U000FFFFD]"
_OTHER = "[\U00100000-\U0010FFFD]"
_ANY_PLACEHOLDER = re.compile(f"{_NUM}|{_OTHER}")

_FROZEN = re.compile(
    r"(?P<url>(?:https?|ftp)://[^\s<>«»\"“”„]+[^\s<>«»\"“”„.,;:!?)\]'’]"
    r"|www\.[^\s<>«»\"“”„]+[^\s<>«»\"“”„.,;:!?)\]'’])"
    r"|(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<handle>(?<![\w@#])[@#][\w.]*\w)"
    r"|(?P<domain>(?<![\w.])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9]))"
    r"|(?P<code>`[^`\n]+`|<[^<>\n]+>|\{[\w.:!]*\}|%(?:\(\w+\))?[sdifr])"
    r"|(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,:/]\d+)*)"
)

_ARM_UPPER = "\u0531-\u0556"
_ARM_LOWER = "\u0561-\u0587"
_ARM_LETTER = f"{_ARM_UPPER}{_ARM_LOWER}"
_SPACES = " \u00a0\t"

Rule = Callable[[str, dict[str, str]], str]  # (masked text, marker → frozen original) → text


def apply_typography(text: str, lang: str, protected: Sequence[tuple[int, int]] = ()) -> str:
    """Apply the rules of ``lang`` (``ru`` or ``hy``) to ``text``; other languages pass unchanged.

    ``protected`` are (start, end) character offsets into ``text`` that must stay untouched.
    """
    rules = _RULES.get(lang)
    if rules is None or not text:
        return text
    if _ANY_PLACEHOLDER.search(text):
        logger.warning("typography skipped: the text holds private-use characters the rules use as markers")
        return text
    masked, originals = _mask(text, protected)
    for rule in rules:
        masked = rule(masked, originals)
    return _ANY_PLACEHOLDER.sub(lambda m: originals[m.group()], masked)


def _mask(text: str, protected: Sequence[tuple[int, int]]) -> tuple[str, dict[str, str]]:
    spans: list[tuple[int, int, bool]] = []  # start, end, is_number
    for start, end in protected:
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"protected span ({start}, {end}) is outside a text of {len(text)} characters")
        if start < end:
            spans.append((start, end, False))
    spans.extend((m.start(), m.end(), m.lastgroup == "number") for m in _FROZEN.finditer(text))
    merged: list[list] = []
    for start, end, is_number in sorted(spans):
        if merged and start < merged[-1][1]:  # overlap: one frozen span, a number only if all were
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2] = merged[-1][2] and is_number
        else:
            merged.append([start, end, is_number])
    pieces, originals, position, counts = [], {}, 0, [0, 0]
    for start, end, is_number in merged:
        base = _NUM_BASE if is_number else _OTHER_BASE
        marker = chr(base + counts[is_number])
        counts[is_number] += 1
        originals[marker] = text[start:end]
        pieces += [text[position:start], marker]
        position = end
    pieces.append(text[position:])
    return "".join(pieces), originals


# --- dashes and spaces -------------------------------------------------------------------

_WORDISH = r"[^\s\-–—]"  # a neighbour that is neither a space nor another dash
_SPACED_HYPHEN = re.compile(rf"(?<={_WORDISH})[{_SPACES}]+(?:--?|–)[{_SPACES}]+(?={_WORDISH})")
_LOPSIDED_EM_DASH = re.compile(
    rf"(?<={_WORDISH})(?:[{_SPACES}]+—[{_SPACES}]*|[{_SPACES}]*—[{_SPACES}]+)(?={_WORDISH})"
)
_IS_NUMBER = re.compile(_NUM)


def _dashes(text: str, _frozen: dict[str, str]) -> str:
    def spaced(match: re.Match) -> str:
        before, after = text[match.start() - 1], text[match.end()]
        if _IS_NUMBER.fullmatch(before) and _IS_NUMBER.fullmatch(after):
            return match.group()  # 10 - 20, 2 - 1: a range or a score, not a dash
        return " — "

    text = _SPACED_HYPHEN.sub(spaced, text)
    return _LOPSIDED_EM_DASH.sub(" — ", text)


def _no_space_before(marks: str) -> Rule:
    # Only a mark used as punctuation: followed by a space, the end, a quote or closer, or
    # another mark (" .NET" and " ,5" are left alone). Quotes of both styles: the quote rule
    # runs later, so a second pass must see «„ where the first saw “".
    pattern = re.compile(rf"[{_SPACES}]+([{marks}]+)(?=\s|$|[«„»“”\"')\]])")
    return lambda text, _frozen: pattern.sub(r"\1", text)


# --- quotes ------------------------------------------------------------------------------

_QUOTE_CHARS = "\"“”„«»"
_OPEN_BEFORE = "([{—–-/" + _QUOTE_CHARS
_CLOSE_AFTER = ".,;:!?…)]}—–-։՝" + _QUOTE_CHARS


def _quotes(outer: tuple[str, str], inner: tuple[str, str]) -> Rule:
    def rule(text: str, _frozen: dict[str, str]) -> str:
        positions = [i for i, ch in enumerate(text) if ch in _QUOTE_CHARS]
        if not positions:
            return text
        chars = list(text)
        stack: list[int] = []
        for i in positions:
            direction = _direction(text, i, stack)
            if direction is None:
                return text  # a straight quote that could open or close: leave all quotes as they are
            if direction == "open":
                depth = len(stack)
                stack.append(i)
                chars[i] = (outer if depth == 0 else inner)[0]
            else:
                if stack:
                    stack.pop()
                # A closer without an opener closes a quote begun in an earlier sentence.
                chars[i] = (outer if not stack else inner)[1]
        return _trim_inside_quotes("".join(chars), outer, inner)

    return rule


def _direction(text: str, i: int, stack: list[int]) -> str | None:
    ch = text[i]
    if ch in "«„":
        return "open"
    if ch == "»":
        return "close"
    if ch == "“" and stack and text[stack[-1]] == "„":
        return "close"  # „…“ pairs (Russian inner, German) win over context
    before = text[i - 1] if i > 0 else None
    after = text[i + 1] if i + 1 < len(text) else None
    can_open = (before is None or before.isspace() or before in _OPEN_BEFORE) and after is not None and not after.isspace()
    can_close = before is not None and not before.isspace() and (after is None or after.isspace() or after in _CLOSE_AFTER)
    if can_open != can_close:
        return "open" if can_open else "close"
    if ch == "“":  # an English opener
        return "open"
    if ch == "”":
        return "close"
    return None


def _trim_inside_quotes(text: str, outer: tuple[str, str], inner: tuple[str, str]) -> str:
    opens = re.escape(outer[0] + inner[0])
    closes = re.escape(outer[1] + inner[1])
    text = re.sub(rf"([{opens}])[{_SPACES}]+(?=\S)", r"\1", text)
    return re.sub(rf"(?<=\S)[{_SPACES}]+([{closes}])", r"\1", text)


# --- Armenian ----------------------------------------------------------------------------

_HY_ABBREVIATIONS = frozenset(
    "թթ դդ պրն տկն պող հմմտ մլն մլրդ հզր կմ կգ սմ մմ դոկտ պրոֆ ակադ գեն փխգնդ գնդ ընկ".split()
)
_HY_CASE_SUFFIXES = (
    "ի ին ից ով ում ը ն ու ուց եր երի երին երը երն երից երով երում ներ ների ներին ները ներն "
    "ներից ներով ներում ական ականներ ականների ցի րդ րդը րդն րդի րդին"
).split()
_SUFFIX = "|".join(sorted(_HY_CASE_SUFFIXES, key=len, reverse=True))
_LATIN_GLUED = re.compile(rf"(?<![\w-])([A-Za-z][A-Za-z0-9]*|{_OTHER})([{_ARM_LOWER}]+)(?![\w-])")
# A frozen span takes the hyphen when it ends in Latin script or a digit (NBC, Caliber.az, a URL)
# or is an Armenian abbreviation (ԱՄՆ, ՀՀ).
_TAKES_HYPHEN = re.compile(rf"[A-Za-z0-9]$|^[{_ARM_UPPER}]{{2,}}$")
_ABBR_GLUED = re.compile(rf"(?<![\w-])([{_ARM_UPPER}]{{2,}}|{_NUM})({_SUFFIX})(?![\w-])")


def _hy_suffix_hyphen(text: str, frozen: dict[str, str]) -> str:
    def latin(match: re.Match) -> str:
        head = match.group(1)
        if head in frozen and not _TAKES_HYPHEN.search(frozen[head]):
            return match.group()  # a protected Armenian word: its ending is part of the word
        return f"{head}-{match.group(2)}"

    text = _LATIN_GLUED.sub(latin, text)
    return _ABBR_GLUED.sub(lambda m: f"{m.group(1)}-{m.group(2)}", text)


_HY_QUESTION_WORDS = frozenset(
    "ով ում ինչ ինչու ինչպես ինչպիսի ինչքան որտեղ որտեղից ուր երբ որքան քանի որն որը արդյոք".split()
)
_HY_VOWELS = "աեէըիոօ"
_HY_QUESTION_END = re.compile(r"\?([»”“\")]*\s*)$")
_HY_SENTENCE_BREAK = re.compile(r"[։.!?]\s+")
_HY_FIRST_WORD = re.compile(rf"([«\"“„(]?)([{_ARM_LETTER}]+)")


def _hy_question(text: str, _frozen: dict[str, str]) -> str:
    end = _HY_QUESTION_END.search(text)
    if end is None:
        return text
    body = text[: end.start()]
    start = max((m.end() for m in _HY_SENTENCE_BREAK.finditer(body)), default=0)
    first = _HY_FIRST_WORD.match(body, start)
    if first is None or first.group(2).lower() not in _HY_QUESTION_WORDS or "?" in body[start:]:
        return text  # a yes/no question, or no interrogative word in front: "?" stays
    word = _with_question_mark(first.group(2))
    return f"{body[: first.start(2)]}{word}{body[first.end(2):]}։{end.group(1)}"


def _with_question_mark(word: str) -> str:
    """Put ՞ after the stressed (last, not ը) vowel; in the digraph ու it goes after ո."""
    lower = word.lower()
    vowels = [i for i, ch in enumerate(lower) if ch in _HY_VOWELS]
    full = [i for i in vowels if lower[i] != "ը"] or vowels
    at = full[-1]
    return word[: at + 1] + "՞" + word[at + 1 :]


_HY_FULL_STOP = re.compile(
    rf"(?<![.])(?:(?<=[{_ARM_LETTER}])|(?<=[{_ARM_LETTER}][»”“\")]))\.(?![.])"
    rf"(?=[»”“\")]?(?:$|\s+(?![a-z{_ARM_LOWER}а-яё«\"“„])))"
)
_HY_TRAILING_COLON = re.compile(rf"(?<=[{_ARM_LETTER}])([»”“\")]?):(\s*)$")
_HY_WORD_BEFORE = re.compile(rf"([{_ARM_LETTER}]+)[»”“\")]?$")


def _hy_full_stop(text: str, _frozen: dict[str, str]) -> str:
    def stop(match: re.Match) -> str:
        word = _HY_WORD_BEFORE.search(text, 0, match.start())
        found = word.group(1) if word else ""
        if (len(found) < 2 and found != "է") or found.lower() in _HY_ABBREVIATIONS:
            return "."  # an initial (Ա.) or an abbreviation (2025 թ.), not a sentence end
        return "։"

    text = _HY_FULL_STOP.sub(stop, text)
    return _HY_TRAILING_COLON.sub(r"\1։\2", text)


_RULES: dict[str, tuple[Rule, ...]] = {
    "ru": (_dashes, _no_space_before(",.;:!?…"), _quotes(("«", "»"), ("„", "“"))),
    "hy": (
        _dashes,
        _no_space_before(",.;:!?…։՝"),
        _quotes(("«", "»"), ("«", "»")),
        _hy_suffix_hyphen,
        _hy_question,
        _hy_full_stop,
    ),
}
