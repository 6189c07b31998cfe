"""The benchmark corpus: N distinct articles derived from the sample, and the work they make.

Article ``i`` is the sample page with its names, places, outlet, counts, date and view count
rotated through fixed pools (each pool with its own stride, so articles differ in many places at
once), its body paragraphs and the sentences inside them shuffled with ``random.Random(i)``, and
every sentence that would still repeat an earlier one (e.g. "No decision or action has been
taken, however, the sources said.") given a unique "(City, day Month)" tag. So no sentence
repeats anywhere in the corpus: neither the pipeline's in-run de-duplication nor its TM nor
Argos's paragraph cache can skip work in a cold run. Article ``i`` is the same whatever N is.

The work each system gets is read through the pipeline's own ``prepare_article`` (ingest,
language detection, sentence splitting), so Argos and the raw CTranslate2 ceiling decode exactly
the sentences the pipeline sends.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from i18n_pipeline.fsutil import atomic_write_text

# Bump when the generator changes, so cached corpora are rebuilt.
GENERATOR_VERSION = "1"
STAMP_FILE = ".stamp.json"
WORK_FILE = ".work.json"

# (pool, stride): the variant for article i is pool[(i * stride + 1) % len(pool)] except that
# article 0 keeps the sample's own wording (index 0). Pool sizes are pairwise coprime.
_LEADERS = ["Trump", "Harris", "Walker", "Morgan", "Bennett", "Collins", "Foster", "Hayes", "Reed", "Porter",
            "Sullivan", "Graham", "Russell", "Ellis", "Warren", "Hughes", "Barnes", "Fisher", "Gordon", "Palmer",
            "Lawson", "Carter", "Dalton", "Hale", "Monroe", "Pierce", "Quinn", "Shaw", "Tucker", "Vance", "Wells"]
_RIVALS = [("Russia", "Russian", "Moscow"), ("Iran", "Iranian", "Tehran"), ("China", "Chinese", "Beijing"),
           ("Belarus", "Belarusian", "Minsk"), ("Venezuela", "Venezuelan", "Caracas"),
           ("Syria", "Syrian", "Damascus"), ("Cuba", "Cuban", "Havana"), ("Serbia", "Serbian", "Belgrade"),
           ("Hungary", "Hungarian", "Budapest"), ("Turkey", "Turkish", "Ankara"), ("Egypt", "Egyptian", "Cairo"),
           ("Pakistan", "Pakistani", "Islamabad"), ("Algeria", "Algerian", "Algiers")]
_PARTNERS = [("Ukraine", "Kyiv"), ("Georgia", "Tbilisi"), ("Moldova", "Chisinau"), ("Poland", "Warsaw"),
             ("Finland", "Helsinki"), ("Estonia", "Tallinn"), ("Latvia", "Riga"), ("Lithuania", "Vilnius"),
             ("Romania", "Bucharest"), ("Taiwan", "Taipei"), ("Armenia", "Yerevan")]
_ALLIES = ["Canada", "Australia", "Japan", "Norway", "Denmark", "Germany", "France"]
_GULF = [("Israel", "Saudi Arabia"), ("Qatar", "Oman"), ("Bahrain", "Kuwait"), ("Singapore", "Malaysia"),
         ("Chile", "Brazil")]
_CARTEL_COUNTRIES = ["Mexico", "Colombia", "Peru", "Ecuador", "Honduras", "Guatemala", "Bolivia", "Panama",
                     "Paraguay"]
_OUTLETS = ["NBC", "CBS", "ABC", "CNN", "Reuters", "Bloomberg", "Politico", "Axios", "Newsweek", "Semafor",
            "Vox", "Slate", "Time", "Fortune", "Wired", "Forbes", "Insider"]
_COUNTS = ["four", "three", "five", "six", "seven", "several", "two", "eight", "nine", "ten", "eleven", "twelve",
           "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_AUTHORS = [("Khagan", "Isayev"), ("Aida", "Mammadova"), ("Orkhan", "Aliyev"), ("Leyla", "Hasanova"),
            ("Rauf", "Guliyev"), ("Nigar", "Karimova"), ("Elvin", "Huseynov"), ("Sabina", "Rzayeva"),
            ("Tural", "Jafarov"), ("Gunel", "Ismayilova"), ("Murad", "Abbasov"), ("Samira", "Valiyeva"),
            ("Farid", "Safarov"), ("Lala", "Musayeva"), ("Kamran", "Hajiyev"), ("Ulviyya", "Babayeva"),
            ("Ilgar", "Mehdiyev"), ("Narmin", "Ahmadova"), ("Vugar", "Nasirov"), ("Arzu", "Quliyeva"),
            ("Emil", "Rustamov"), ("Sevinj", "Orujova"), ("Ramil", "Zeynalov")]
_TAG_CITIES = ["Baku", "Brussels", "London", "Ottawa", "Berlin", "Paris", "Tokyo", "Oslo", "Vienna", "Geneva",
               "Madrid", "Rome", "Prague", "Dublin", "Lisbon", "Athens", "Warsaw", "Seoul", "Delhi", "Nairobi"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]

_SAMPLE_DATE = re.compile(r"\b06 March 2025 20:22\b")
_SAMPLE_VIEWS = re.compile(r"\bViews: 55\b")
_TRAILING_PUNCTUATION = re.compile(r"[.!?…”\"’»)]*$")


@dataclass(frozen=True)
class Paragraph:
    """One block the pipeline translates, and its sentences as the pipeline splits them."""

    text: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Workload:
    """What every system translates: the corpus's translatable blocks, in reading order."""

    articles: int
    paragraphs: tuple[Paragraph, ...]

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p.sentences]

    @property
    def unique_sentences(self) -> list[str]:
        """What the pipeline sends to MT in a cold run (it translates a repeated sentence once)."""
        return list(dict.fromkeys(self.sentences))

    def to_json(self) -> dict:
        return {"articles": self.articles,
                "paragraphs": [{"text": p.text, "sentences": list(p.sentences)} for p in self.paragraphs]}

    @classmethod
    def from_json(cls, data: dict) -> "Workload":
        return cls(data["articles"], tuple(Paragraph(p["text"], tuple(p["sentences"])) for p in data["paragraphs"]))


def ensure_corpus(sample: Path, count: int, corpus_dir: Path) -> tuple[list[Path], Workload]:
    """The corpus files and their workload, rebuilt only when the sample or generator changed."""
    stamp = {"generator": GENERATOR_VERSION, "articles": count,
             "sample_sha1": hashlib.sha1(sample.read_bytes()).hexdigest()}
    paths = [corpus_dir / f"bench_{i:04d}.txt" for i in range(count)]
    stamp_file, work_file = corpus_dir / STAMP_FILE, corpus_dir / WORK_FILE
    if _read_json(stamp_file) == stamp and all(p.is_file() for p in paths) and work_file.is_file():
        return paths, Workload.from_json(_read_json(work_file))
    for path, text in zip(paths, generate_articles(sample.read_text(encoding="utf-8"), count)):
        atomic_write_text(path, text)
    workload = read_workload(paths)
    atomic_write_text(work_file, json.dumps(workload.to_json(), ensure_ascii=False))
    atomic_write_text(stamp_file, json.dumps(stamp))
    return paths, workload


def read_workload(paths: list[Path], source_lang: str = "en") -> Workload:
    """The translatable blocks of ``paths`` as the pipeline reads and splits them."""
    from i18n_pipeline.pipeline import prepare_article

    paragraphs = []
    for path in paths:
        article = prepare_article(path)
        for block in article.translatable_blocks():
            if (block.lang or article.language or "en") == source_lang and block.segments:
                paragraphs.append(Paragraph(block.text, tuple(s.source for s in block.segments)))
    return Workload(len(paths), tuple(paragraphs))


def generate_articles(sample_text: str, count: int) -> list[str]:
    """``count`` article texts in the sample's page layout; see the module docstring."""
    layout = _Layout.of(sample_text)
    seen: set[str] = set()
    tags = iter(_unique_tags())
    articles = []
    for index in range(count):
        variant = _Variant(index)
        rng = random.Random(index)
        heading = _distinct(variant.substitute(layout.heading), seen, tags)
        body = []
        for paragraph in _shuffled(layout.paragraphs, rng, keep=index == 0):
            sentences = _shuffled(paragraph, rng, keep=index == 0)
            body.append(" ".join(_distinct(variant.substitute(s), seen, tags) for s in sentences))
        articles.append(layout.assemble(variant.substitute_chrome, heading, body))
    return articles


@dataclass(frozen=True)
class _Layout:
    """The sample cut into: page before the headline, headline, between, body, page after."""

    before: str
    heading: str
    between: str
    paragraphs: tuple[tuple[str, ...], ...]  # body paragraphs, each as its sentences
    after: str

    @classmethod
    def of(cls, sample_text: str) -> "_Layout":
        from i18n_pipeline.document import Kind
        from i18n_pipeline.ingest.text_dump import parse_text_dump
        from i18n_pipeline.ingest.profile import load_profiles
        from i18n_pipeline.segment import split_sentences

        parsed, _ = parse_text_dump(sample_text, *load_profiles(None))
        blocks = [b for b in parsed.blocks if b.translatable]
        heading = next(b.text for b in blocks if b.kind is Kind.HEADING)
        paragraphs = [b.text for b in blocks if b.kind is not Kind.HEADING]
        head_at = _find(sample_text, heading, 0)
        body_at = _find(sample_text, paragraphs[0], head_at + len(heading))
        end = body_at
        for text in paragraphs:
            end = _find(sample_text, text, end) + len(text)
        return cls(
            before=sample_text[:head_at], heading=heading, between=sample_text[head_at + len(heading):body_at],
            paragraphs=tuple(tuple(text[a:b] for a, b in split_sentences(text, "en")) for text in paragraphs),
            after=sample_text[end:],
        )

    def assemble(self, chrome, heading: str, body: list[str]) -> str:
        return chrome(self.before) + heading + chrome(self.between) + "\n\n".join(body) + chrome(self.after)


class _Variant:
    """The substitutions of article ``index`` (index 0 is the sample's own wording)."""

    def __init__(self, index: int):
        self.index = index
        leader = _pick(_LEADERS, index, 7)
        rival, rival_adj, rival_capital = _pick(_RIVALS, index, 5)
        partner, partner_capital = _pick(_PARTNERS, index, 3)
        first_gulf, second_gulf = _pick(_GULF, index, 2)
        self.author = " ".join(_pick(_AUTHORS, index, 5))
        words = {
            "Trump": leader, "Russia": rival, "Russian": rival_adj, "Moscow": rival_capital,
            "Ukraine": partner, "Kyiv": partner_capital, "Canada": _pick(_ALLIES, index, 3),
            "Israel": first_gulf, "Saudi Arabia": second_gulf, "Mexico": _pick(_CARTEL_COUNTRIES, index, 4),
            "NBC": _pick(_OUTLETS, index, 5), "four": _pick(_COUNTS, index, 6),
        }
        self.words = words
        self._pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")\b")

    def substitute(self, text: str) -> str:
        return self._pattern.sub(lambda m: self.words[m.group(1)], text)

    def substitute_chrome(self, text: str) -> str:
        """Date line, view count and byline, which are no translatable blocks but make pages differ."""
        published = datetime(2025, 3, 6, 20, 22) + timedelta(days=self.index, minutes=37 * self.index)
        text = _SAMPLE_DATE.sub(published.strftime("%d %B %Y %H:%M"), text)
        text = _SAMPLE_VIEWS.sub(f"Views: {55 + 13 * self.index}", text)
        return text.replace("Khagan Isayev", self.author)


def _pick(pool: list, index: int, stride: int):
    return pool[(index * stride) % len(pool)]


def _shuffled(items, rng: random.Random, *, keep: bool) -> list:
    items = list(items)
    if not keep:
        rng.shuffle(items)
    return items


def _distinct(sentence: str, seen: set[str], tags) -> str:
    """The sentence, or it with a unique "(City, day Month)" tag if the corpus has it already."""
    while sentence in seen:
        cut = _TRAILING_PUNCTUATION.search(sentence).start()
        sentence = f"{sentence[:cut]} ({next(tags)}){sentence[cut:]}"
    seen.add(sentence)
    return sentence


def _unique_tags():
    """Endless distinct "City, 3 May" tags (a year is added once the 6,720 plain ones run out)."""
    count = 0
    while True:
        city = _TAG_CITIES[count % len(_TAG_CITIES)]
        day = 1 + (count // len(_TAG_CITIES)) % 28
        month = _MONTHS[(count // (len(_TAG_CITIES) * 28)) % 12]
        cycle = count // (len(_TAG_CITIES) * 28 * 12)
        yield f"{city}, {day} {month}" + (f" {2000 + cycle}" if cycle else "")
        count += 1


def _find(text: str, part: str, start: int) -> int:
    at = text.find(part, start)
    if at < 0:
        raise ValueError(f"sample article: block {part[:40]!r}… not found verbatim; the corpus generator "
                         "needs blocks that appear as-is in the sample text")
    return at


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
