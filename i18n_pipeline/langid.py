"""Language of every block: Unicode-script rules, a closed candidate set, a document prior.

``langdetect`` alone misreads this site's languages (Armenian → ``et``, Azerbaijani → ``tr``,
"By Khagan Isayev" → ``tl``), so detection works in three steps:

1. **Script.** Armenian and Georgian letters decide ``hy`` / ``ka`` outright. Cyrillic and Latin
   text narrows the candidates to the languages written in that script, and letters only some
   of them use rule others out (``ў`` is Belarusian only, ``ә қ ң ө ұ ү һ`` Kazakh, ``є ї ґ``
   Ukrainian, ``ы э ё`` never Ukrainian or Bulgarian, ``і`` never Russian or Bulgarian,
   ``ə`` Azerbaijani only).
2. **Statistics.** py3langid's naive-Bayes model (shipped in its wheel, deterministic) ranks the
   remaining candidates; its probability is the block's confidence.
3. **Document prior.** A block of a few words ("By Khagan Isayev", "WORLD") carries too little
   evidence, so it inherits the article's language when its script allows that language and no
   rule-out letter contradicts it. "Ссылка скопирована" in an English page is Cyrillic, so it
   is still detected on its own (``ru``).

The article's language is the language holding most letters of its headline and body.
Measured accuracy and the comparison with langdetect, py3langid alone and lingua are in
``tests/langid_eval.py`` (run it to reproduce the numbers).
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .document import Article, Block
from .errors import UsageError

log = logging.getLogger(__name__)

DEFAULT_CANDIDATES: tuple[str, ...] = ("en", "ru", "hy", "az", "uk", "tr", "ka", "be", "bg", "kk")
UNDETERMINED = "und"  # ISO 639-2 "undetermined": no letters to judge by

# A block with at most this many words inherits the document's language (see module docstring).
SHORT_BLOCK_WORDS = 4
# Language ID saturates long before this; capping the sample keeps a 5 MB paragraph cheap.
MAX_SAMPLE_CHARS = 5000

SCRIPT_LANGS = {"armenian": {"hy"}, "georgian": {"ka"}}
CYRILLIC_LANGS = {"ru", "uk", "be", "bg", "kk", "mk", "sr"}
# Letters that rule languages out: letter → languages that never use it (within the candidates).
_EXCLUDES = {
    "ы": {"uk", "bg"}, "э": {"uk", "bg"}, "ё": {"uk", "bg"},
    "і": {"ru", "bg"}, "ъ": {"uk", "be"}, "и": {"be"}, "щ": {"be"},
}
# Letters that only one candidate uses: letter → that language.
_UNIQUE = {
    "ў": "be",
    "є": "uk", "ї": "uk", "ґ": "uk",
    "ә": "kk", "ғ": "kk", "қ": "kk", "ң": "kk", "ө": "kk", "ұ": "kk", "ү": "kk", "һ": "kk",
    "ə": "az",
}


def script_of(char: str) -> str:
    """The writing system of one letter: latin, cyrillic, armenian, georgian or other."""
    code = ord(char)
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if code <= 0x02AF:  # IPA extensions: holds Azerbaijani ə (U+0259)
        return "latin"
    if 0x0400 <= code <= 0x052F or 0x1C80 <= code <= 0x1C8F or 0xA640 <= code <= 0xA69F:
        return "cyrillic"
    if 0x0530 <= code <= 0x058F or 0xFB13 <= code <= 0xFB17:
        return "armenian"
    if 0x10A0 <= code <= 0x10FF or 0x1C90 <= code <= 0x1CBF or 0x2D00 <= code <= 0x2D2F:
        return "georgian"
    return "other"


def detect_text(
    text: str, prior: str | None = None, candidates: Sequence[str] = DEFAULT_CANDIDATES
) -> tuple[str, float]:
    """Return ``(language, confidence)`` for one piece of text (also used by QA on MT output).

    ``prior`` is the document's language: short texts inherit it unless their script or
    letters rule it out. Text without letters gets the prior (confidence 0) or ``"und"``.
    """
    sample = text[:MAX_SAMPLE_CHARS]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return (prior or UNDETERMINED), 0.0
    scripts = Counter(script_of(c) for c in letters)
    script, count = scripts.most_common(1)[0]
    share = count / len(letters)
    allowed = _allowed_languages(script, {c.lower() for c in letters}, candidates)
    if len(allowed) == 1:
        (lang,) = allowed
        return lang, round(share, 4)
    if not allowed:
        # A script none of the candidates uses (e.g. Greek with the default set).
        return UNDETERMINED, 0.0
    if _is_short(sample) and prior in allowed:
        return prior, round(share, 4)
    lang, prob = _statistical(sample, tuple(sorted(allowed)))
    return lang, round(prob * share, 4)


def detect_languages(article: Article, candidates: Sequence[str] = DEFAULT_CANDIDATES) -> Article:
    """Set ``lang``/``confidence`` on every block and ``article.language``; returns the article."""
    candidates = validate_candidates(candidates)
    content = [b for b in article.blocks if b.translatable]
    first_pass = {id(b): detect_text(b.text, None, candidates) for b in content}
    article.language = _dominant_language(content, first_pass) or article.language
    prior = article.language or None
    for block in article.blocks:
        known = first_pass.get(id(block))
        if known is None or _prior_can_matter(block.text):
            known = detect_text(block.text, prior, candidates)
        block.lang, block.confidence = known
    log.debug("%s: article language %s", article.path, article.language)
    return article


def _prior_can_matter(text: str) -> bool:
    """Whether ``detect_text`` may answer differently with a prior: short or letterless text."""
    sample = text[:MAX_SAMPLE_CHARS]
    return _is_short(sample) or not any(c.isalpha() for c in sample)


def _is_short(sample: str) -> bool:
    """Too few words for statistics: the document's language is the better guess."""
    return len(sample.split()) <= SHORT_BLOCK_WORDS


def validate_candidates(candidates: Iterable[str]) -> tuple[str, ...]:
    """Lower-case, de-duplicate and check the configured candidate languages."""
    cleaned = tuple(dict.fromkeys(c.strip().lower() for c in candidates if c.strip()))
    if not cleaned:
        raise UsageError("no candidate languages for language detection; set e.g. [langid] candidates = [\"en\", \"ru\"]")
    known = set(_model_labels()) | {"hy", "ka"}
    unknown = [c for c in cleaned if c not in known]
    if unknown:
        raise UsageError(f"unknown language code(s) for detection: {', '.join(unknown)}; use ISO 639-1 codes such as en, ru, hy")
    return cleaned


def _allowed_languages(script: str, letters: set[str], candidates: Sequence[str]) -> set[str]:
    if script in SCRIPT_LANGS:
        return SCRIPT_LANGS[script] & set(candidates) or set(SCRIPT_LANGS[script])
    if script == "cyrillic":
        allowed = CYRILLIC_LANGS & set(candidates)
    elif script == "latin":
        allowed = {c for c in candidates if c not in CYRILLIC_LANGS and c not in ("hy", "ka")}
    else:
        return set()
    unique = {_UNIQUE[c] for c in letters if c in _UNIQUE} & allowed
    if len(unique) == 1:
        return unique
    for char, excluded in _EXCLUDES.items():
        if char in letters and allowed - excluded:
            allowed = allowed - excluded
    return allowed


def _dominant_language(blocks: list[Block], detected: dict[int, tuple[str, float]]) -> str:
    weight: Counter[str] = Counter()
    for block in blocks:
        lang, _ = detected[id(block)]
        if lang != UNDETERMINED:
            weight[lang] += sum(1 for c in block.text[:MAX_SAMPLE_CHARS] if c.isalpha())
    return weight.most_common(1)[0][0] if weight else ""


def _statistical(text: str, allowed: tuple[str, ...]) -> tuple[str, float]:
    model_langs = tuple(lang for lang in allowed if lang in _model_labels())
    if not model_langs:
        return allowed[0], 0.5
    if len(model_langs) == 1:
        return model_langs[0], 1.0
    return _identifier(model_langs).classify(text)


@lru_cache(maxsize=1)
def _model_labels() -> tuple[str, ...]:
    return tuple(_identifier(None).labels)


@lru_cache(maxsize=32)
def _identifier(langs: tuple[str, ...] | None):
    identifier = copy.copy(_full_model())  # set_languages rebinds arrays, so sharing them is safe
    if langs:
        identifier.set_languages(list(langs))
    return identifier


@lru_cache(maxsize=1)
def _full_model():
    # Imported here: loading the model takes ~0.3 s, which `--help` and most tests never need.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
