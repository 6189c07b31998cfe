"""Names in the day's English sources that no glossary entry covers: the desk's to-do list.

A candidate is a run of capitalised words (``Saudi Arabia``, ``Ministry of Foreign Affairs``),
an acronym (``NATO``, ``U.S.``), or a capitalised word inside a sentence (``Washington``). Titles
before a name are cut off (``Defence Minister Andrew Hastie`` → ``Andrew Hastie``, noted as a
person); a capitalised common word (``However``, ``The``), a single word seen only opening
sentences, demonyms (``Russian``), months, days and the site's chrome are left out, as is
anything a glossary entry matches.
Ranked by the number of articles, then occurrences, then the newest article.

Each candidate also carries what the MT model wrote for it in today's outputs (``renderings``,
per locale, most frequent first): in each target sentence whose source holds the name, the
run of capitalised (or Latin) words that sounds most like the name (transliterated, compared
letter by letter) and stands at about the same place in the sentence. A guess for the desk to
start from, shown with how many sentences it came from, never written anywhere by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .impact import published_segments
from .matcher import match_terms
from .termbase import Glossary

_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z](?:\.[A-Z])+\.?|[A-Z]{2,}s?|Mc[A-Z][a-z]+)"
_LINK = r"(?:\s+(?:of|for|and|the|de|al|bin|von|van|du|da)\s+|\s+|-)"
_RUN = re.compile(rf"(?<![\w.\-\u2010\u2011]){_WORD}(?:{_LINK}{_WORD})*(?![\w\-])")  # "pro-Russia": not a name
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ian|ish|ese|ean|ic|ani|aqi|eli|-[a-z]+)")  # Russian, British, Azerbaijani
_ACRONYM = re.compile(r"[A-Z](?:\.?[A-Z])+\.?s?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[“\"«(]\s*)$")
TITLES = {
    "President", "Vice", "Prime", "Minister", "Defence", "Defense", "Foreign", "Secretary", "General", "Senator",
    "Sen", "Rep", "Representative", "Governor", "Mayor", "Chancellor", "King", "Queen", "Prince", "Princess",
    "Mr", "Mrs", "Ms", "Dr", "Director", "Chief", "Ambassador", "Deputy", "Speaker", "Commissioner", "Colonel",
    "Lieutenant", "Admiral", "Former", "Acting", "State", "Interior", "Finance", "Justice", "Spokesperson",
    "Spokesman", "Spokeswoman", "Pope", "Premier", "Chairman", "Chair", "Leader", "Executive", "Secretary-General",
    "Officer", "Envoy", "Adviser", "Advisor",
}
COMMON = {
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "They", "He", "She", "We", "I", "You", "His",
    "Her", "Their", "Our", "But", "And", "Or", "So", "Yet", "If", "When", "While", "After", "Before", "Since",
    "However", "Meanwhile", "Despite", "Although", "In", "On", "At", "For", "From", "By", "With", "As", "Of", "To",
    "No", "Not", "Some", "Any", "All", "Many", "Most", "Certain",
    "There", "Here", "What", "Who", "Why", "How", "Where", "Which", "Also", "Still", "Now", "Then", "Yes",
    "People", "According", "Asked", "Read", "Photo", "Source", "Sources", "Earlier", "Later", "Last", "Next",
    "Every", "Each", "Such", "Other", "Another", "Both", "Only", "Even", "Under", "Over", "Amid", "Among",
}
CALENDAR = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
}
# Capitalised but not names: economic acronyms, and institutions named generically ("outside Parliament").
NOT_NAMES = {"GDP", "CEO", "CFO", "AI", "TV", "PM", "AM", "OK", "ID", "VAT", "IPO", "LNG", "PR", "Parliament",
             "Government", "Cabinet", "Ministry", "Embassy", "Army", "Police", "Court", "Constitution", "Internet"}
KEEP_THE = {"Hague", "Gambia", "Bahamas"}  # "The Hague": the article is part of the name
CHROME = {"WORLD", "POLITICS", "ECONOMY", "SOCIETY", "ANALYTICS", "OPINION", "NEWS", "A+", "A-", "WHAT", "ARE", "YOU",
          "LOOKING", "FOR"}


@dataclass
class Candidate:
    name: str
    kind: str  # "name" | "acronym" | "person (after a title)" ("opener" while seen only opening a sentence)
    count: int = 0
    article_set: set[str] = field(default_factory=set)
    contexts: list[tuple[str, str]] = field(default_factory=list)  # (article, sentence), first few
    newest: float = 0.0
    renderings: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # locale → (text, sentences)

    @property
    def articles(self) -> int:
        return len(self.article_set)

    @property
    def note(self) -> str:
        return f"Candidate from {self.articles} article(s), {self.count} occurrence(s); e.g. “{self.contexts[0][1][:160]}”"


def extract(sentence: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, kind) for the candidate spans of one English sentence."""
    found = []
    for m in _RUN.finditer(sentence):
        start, text = m.start(), m.group(0)
        words = text.split()
        kind = "acronym" if _ACRONYM.fullmatch(text) else "name"
        while words and (words[0] in COMMON or words[0] in CALENDAR):  # "The Pentagon", "However NATO"
            if words[0] == "The" and len(words) > 1 and words[1] in KEEP_THE:
                break
            start += len(words[0]) + 1
            words = words[1:]
        titled = False
        # "Armenian Prime Minister Nikol Pashinyan", "UN Secretary-General Antonio Guterres": a
        # demonym or an acronym before a title goes with it. Only a person's name (up to three
        # words, no "of") is cut from its title: "State Oil Company of …" stays whole.
        lead = 1 if len(words) > 2 and (_DEMONYM.fullmatch(words[0]) or _ACRONYM.fullmatch(words[0])) \
            and words[1].rstrip(".") in TITLES else 0
        cut = lead
        while cut < len(words) - 1 and words[cut].rstrip(".") in TITLES:
            cut += 1
        rest = words[cut:]
        if cut > lead and len(rest) <= 3 and not any(w.islower() for w in rest):
            start += sum(len(w) + 1 for w in words[:cut])
            words, titled = rest, True
        while words and words[-1] in CALENDAR:
            words = words[:-1]
        while words and words[-1] in ("of", "for", "and", "the", "de"):
            words = words[:-1]
        if not words:
            continue
        name = " ".join(words)
        if name in CHROME or name.upper() == name and len(name) > 6 and " " not in name and kind != "acronym":
            continue
        if len(words) > 1 and all(w in CHROME for w in words):  # "WHAT ARE YOU LOOKING FOR"
            continue
        if name in NOT_NAMES:
            continue
        at_start = bool(_SENTENCE_START.search(sentence[:start]))
        if len(words) == 1 and kind == "name" and (name in TITLES or name in COMMON or _DEMONYM.fullmatch(name)):
            continue
        if len(words) == 1 and kind == "name" and at_start:
            kind = "opener"  # counted only if the word is also seen inside a sentence (find_candidates)
        if titled:
            kind = "person (after a title)"
        found.append((start, start + len(name), name, kind))
    return found


def find_candidates(out_dir: Path, glossary: Glossary | None, limit: int = 100) -> list[Candidate]:
    """Candidates from the English sources of ``<out>/*/*.json``, best first."""
    mtimes = {p.parent.name: p.stat().st_mtime for p in Path(out_dir).glob("*/*.json")} if Path(out_dir).is_dir() else {}
    segments = list(published_segments(out_dir))
    found = rank_candidates(((seg.article, seg.source) for seg in segments), glossary, mtimes, limit)
    for cand in found:
        cand.renderings = mt_renderings(cand.name, ((s.locale, s.source, s.target) for s in segments))
    return found


_TARGET_WORD = re.compile(r"[\w’'.-]*\w")
_ROMAN = str.maketrans({**dict(zip("абвгдезийклмнопрстуфхцы", "abvgdeziyklmnoprstufhcy")), "ё": "e", "ж": "zh",
                        "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "э": "e", "ю": "yu", "я": "ya",
                        **dict(zip("աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
                                   ["a", "b", "g", "d", "e", "z", "e", "e", "t", "zh", "i", "l", "kh", "ts", "k", "h",
                                    "dz", "gh", "ch", "m", "y", "n", "sh", "o", "ch", "p", "j", "r", "s", "v", "t",
                                    "r", "ts", "v", "p", "k", "o", "f"]))})


def mt_renderings(name: str, segments: Iterable[tuple[str, str, str]], keep: int = 2) -> dict[str, list[tuple[str, int]]]:
    """What the model wrote for ``name`` in (locale, source, target) triples: per locale, the likeliest
    run of each target whose source holds the name, grouped, most sentences first."""
    from difflib import SequenceMatcher

    wanted = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
    counts: dict[str, dict[str, int]] = {}
    for locale, source, target in segments:
        at = wanted.search(source)
        if at is None or not target:
            continue
        where = at.start() / max(len(source), 1)
        best, score = "", 0.0
        words = list(_TARGET_WORD.finditer(target))
        size = len(name.split())
        for i, first in enumerate(words):
            if not first.group(0)[:1].isupper():
                continue  # a name's rendering starts with a capital (Европейская комиссия, Փաշինյանը)
            for n in range(max(1, size - 1), size + 2):
                if i + n > len(words):
                    break
                text = target[first.start():words[i + n - 1].end()]
                sound = SequenceMatcher(None, _roman(name), _roman(text)).ratio()
                place = 1 - abs(first.start() / max(len(target), 1) - where)
                value = 0.7 * sound + 0.3 * place
                if value > score:
                    best, score = text, value
        if best and score >= 0.5:
            counts.setdefault(locale, {}).setdefault(best, 0)
            counts[locale][best] += 1
    return {loc: sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:keep] for loc, found in sorted(counts.items())}


def _roman(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().translate(_ROMAN))


def rank_candidates(sentences: Iterable[tuple[str, str]], glossary: Glossary | None,
                    mtimes: dict[str, float] | None = None, limit: int = 100) -> list[Candidate]:
    """Candidates from (article, English sentence) pairs, best first (``mtimes``: article → recency)."""
    by_name: dict[str, Candidate] = {}
    seen: set[tuple[str, str]] = set()
    mtimes = mtimes or {}
    for article, source in sentences:
        if (article, source) in seen:
            continue  # the same source sentence in the ru and arm outputs
        seen.add((article, source))
        covered = [(h.start, h.end) for h in match_terms(glossary, source, "ru")] if glossary else []
        for start, end, name, kind in extract(source):
            if any(start < e and s < end for s, e in covered):
                continue
            cand = by_name.setdefault(name, Candidate(name, kind))
            if cand.kind == "opener" and kind != "opener":
                cand.kind = kind
            cand.count += 1
            cand.article_set.add(article)
            cand.newest = max(cand.newest, mtimes.get(article, 0.0))
            if len(cand.contexts) < 5:
                cand.contexts.append((article, source))
    # A capitalised word seen only at the start of sentences is most often a common word.
    ranked = sorted((c for c in by_name.values() if c.kind != "opener"), key=lambda c: (-c.articles, -c.count, -c.newest, c.name))
    return ranked[:limit]
