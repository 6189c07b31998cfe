"""Language of every block: Unicode-script rules, a closed candidate set, a document prior.

``langdetect`` alone misreads this site's languages (Armenian → ``et``, Azerbaijani → ``tr``,
"By Khagan Isayev" → ``tl``), so detection works in four steps:

1. **Names aside.** The site writes English full of Azerbaijani, Armenian and Russian names in
   their own spelling ("Şəhla Talıbova", "Hikmət Hacıyev"). A name's letters must not outvote
   the words around it, so capitalized words inside a sentence (and any ``names`` the caller
   passes, e.g. from the glossary) are set aside: the letter rules below read only lower-case
   words, and the statistics read the text without the names. Text that is nothing but names
   ("Bakı, Azərbaycan") is judged as it is.
2. **Script.** Armenian and Georgian letters decide ``hy`` / ``ka`` outright. Cyrillic and Latin
   text narrows the candidates to the languages written in that script. Latin text whose
   function words are English ("the", "of", "during"…: at least ``EN_FUNCTION_SHARE`` of its
   words) is English. Otherwise letters only some candidates use rule others out (``ў`` is
   Belarusian only, ``ә қ ң ө ұ ү һ`` Kazakh, ``є ї ґ`` Ukrainian, ``ы э ё`` never Ukrainian or
   Bulgarian, ``і`` never Russian or Bulgarian, ``ə`` Azerbaijani only).
3. **Statistics.** py3langid's naive-Bayes model (shipped in its wheel, deterministic) ranks the
   remaining candidates; its probability is the block's confidence.
4. **Document prior.** The article's language weighs in: its odds count ``PRIOR_WEIGHT`` times
   when the statistics choose (the confidence stays the model's own probability). A block of a
   few words ("By Khagan Isayev", "WORLD") carries too little evidence, so it inherits the
   article's language when its script allows that language and no rule-out letter contradicts
   it. "Ссылка скопирована" in an English page is Cyrillic, so it is still detected on its own
   (``ru``); "Prezident İlham Əliyev bu gün Bakıda…" has ``ə`` in its own words, so it stays
   ``az`` inside an English article.

The article's language is the language holding most letters of its headline and body.
Measured accuracy and the comparison with langdetect, py3langid alone and lingua are in
``tests/langid_eval.py`` (run it to reproduce the numbers).
"""

from __future__ import annotations

import copy
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from .document import Article, Block
from .errors import UsageError

log = logging.getLogger(__name__)

DEFAULT_CANDIDATES: tuple[str, ...] = ("en", "ru", "hy", "az", "uk", "tr", "ka", "be", "bg", "kk")
UNDETERMINED = "und"  # ISO 639-2 "undetermined": no letters to judge by

# A block of at most this many words besides names inherits the document's language.
SHORT_BLOCK_WORDS = 4
# Language ID saturates long before this; capping the sample keeps a 5 MB paragraph cheap.
MAX_SAMPLE_CHARS = 5000
# The document's language counts this many times its odds when the statistics choose.
PRIOR_WEIGHT = 10.0
# Latin text with at least this share of English function words (and two of them) is English.
EN_FUNCTION_SHARE = 0.2
# Words that are English and (almost) nothing else among Latin-script languages: no "a", "in",
# "on", "at", "her" or "was" (Turkish, Azerbaijani, German use those spellings too).
EN_FUNCTION_WORDS = frozenset(
    "the of and to for with from that this these those which who whose were is are has have had "
    "been would said its their his they he she we not but after during into about than by".split()
)

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
    text: str,
    prior: str | None = None,
    candidates: Sequence[str] = DEFAULT_CANDIDATES,
    names: Iterable[str] = (),
) -> tuple[str, float]:
    """Return ``(language, confidence)`` for one piece of text (also used by QA on MT output).

    ``prior`` is the document's language: it weighs in when the statistics choose, and short
    texts inherit it unless their script or letters rule it out. ``names`` (e.g. glossary
    terms) are set aside like capitalized words inside a sentence. Text without letters gets
    the prior (confidence 0) or ``"und"``.
    """
    sample = text[:MAX_SAMPLE_CHARS]
    if names:
        sample = _names_pattern(tuple(sorted(set(names), key=len, reverse=True))).sub(" ", sample)
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return (prior or UNDETERMINED), 0.0
    scripts = Counter(script_of(c) for c in letters)
    script, count = scripts.most_common(1)[0]
    share = round(count / len(letters), 4)
    lower, context = _split_words(sample)
    if script == "latin" and "en" in candidates and _function_words_are_english(lower):
        return "en", share
    all_letters = {c.lower() for c in letters}
    # A letter only one candidate uses decides only from a lower-case word: a word starting a
    # sentence may still be a name ("Şəhla Talıbova testified…"). Letters that merely rule
    # languages out ("ы" in "Ссылка") count from every word outside the names.
    deciding = {c for word in lower for c in word} or all_letters
    ruling_out = {c.lower() for word in context for c in word} or all_letters
    allowed = _allowed_languages(script, deciding, ruling_out, candidates)
    if len(allowed) == 1:
        (lang,) = allowed
        return lang, share
    if not allowed:
        # A script none of the candidates uses (e.g. Greek with the default set).
        return UNDETERMINED, 0.0
    if len(context) <= SHORT_BLOCK_WORDS and prior in allowed:
        return prior, share
    lang, prob = _statistical(" ".join(context) if context else sample, tuple(sorted(allowed)), prior)
    return lang, round(prob * share, 4)


def detect_languages(
    article: Article, candidates: Sequence[str] = DEFAULT_CANDIDATES, names: Iterable[str] = ()
) -> Article:
    """Set ``lang``/``confidence`` on every block and ``article.language``; returns the article.

    A first pass without a prior finds the article's language; every block is then detected
    with it as the prior (``detect_text(block.text, article.language, …)``).
    """
    candidates = validate_candidates(candidates)
    names = tuple(names)
    content = [b for b in article.blocks if b.translatable]
    first_pass = {id(b): detect_text(b.text, None, candidates, names) for b in content}
    article.language = _dominant_language(content, first_pass) or article.language
    prior = article.language or None
    for block in article.blocks:
        block.lang, block.confidence = detect_text(block.text, prior, candidates, names)
    log.debug("%s: article language %s", article.path, article.language)
    return article


# A word: letters (and digits, apostrophes, hyphens) starting with a letter.
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# What may stand between two words when the second one starts a sentence (or a quotation).
_SENTENCE_GAP = re.compile(r"[.!?…։:;«“„\"(\[]")


def _split_words(sample: str) -> tuple[list[str], list[str]]:
    """``(lower-case words, words with the names set aside)`` of a text.

    A capitalized word is a name unless it starts the text, a sentence or a quotation.
    """
    lower: list[str] = []
    context: list[str] = []
    previous_end = None
    for match in _WORD.finditer(sample):
        word = match.group()
        starts_sentence = previous_end is None or _SENTENCE_GAP.search(sample, previous_end, match.start())
        previous_end = match.end()
        if word[0].islower():
            lower.append(word)
            context.append(word)
        elif starts_sentence or not word[0].isupper():
            context.append(word)
    return lower, context


def _function_words_are_english(lower_words: list[str]) -> bool:
    hits = sum(1 for word in lower_words if word in EN_FUNCTION_WORDS)
    return hits >= 2 and hits >= EN_FUNCTION_SHARE * len(lower_words)


@lru_cache(maxsize=8)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(name) for name in names if name.strip()) or r"(?!)"
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


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


def _allowed_languages(script: str, deciding: set[str], ruling_out: set[str], candidates: Sequence[str]) -> set[str]:
    if script in SCRIPT_LANGS:
        return SCRIPT_LANGS[script] & set(candidates) or set(SCRIPT_LANGS[script])
    if script == "cyrillic":
        allowed = CYRILLIC_LANGS & set(candidates)
    elif script == "latin":
        allowed = {c for c in candidates if c not in CYRILLIC_LANGS and c not in ("hy", "ka")}
    else:
        return set()
    unique = {_UNIQUE[c] for c in deciding if c in _UNIQUE} & allowed
    if len(unique) == 1:
        return unique
    for char, excluded in _EXCLUDES.items():
        if char in ruling_out and allowed - excluded:
            allowed = allowed - excluded
    return allowed


def _dominant_language(blocks: list[Block], detected: dict[int, tuple[str, float]]) -> str:
    weight: Counter[str] = Counter()
    for block in blocks:
        lang, _ = detected[id(block)]
        if lang != UNDETERMINED:
            weight[lang] += sum(1 for c in block.text[:MAX_SAMPLE_CHARS] if c.isalpha())
    return weight.most_common(1)[0][0] if weight else ""


def _statistical(text: str, allowed: tuple[str, ...], prior: str | None) -> tuple[str, float]:
    """The model's choice among ``allowed``, the prior's odds weighted; the model's probability."""
    model_langs = tuple(lang for lang in allowed if lang in _model_labels())
    if not model_langs:
        return allowed[0], 0.5
    if len(model_langs) == 1:
        return model_langs[0], 1.0
    ranked = dict(_identifier(model_langs).rank(text))
    lang = max(ranked, key=lambda code: ranked[code] * (PRIOR_WEIGHT if code == prior else 1.0))
    return lang, float(ranked[lang])


@lru_cache(maxsize=1)
def _model_labels() -> tuple[str, ...]:
    return tuple(_identifier(None).labels)


@lru_cache(maxsize=32)
def _identifier(langs: tuple[str, ...] | None):
    identifier = copy.copy(_full_model())  # set_languages rebinds arrays, so sharing them is safe
    if langs:
        identifier.set_languages(list(langs))
    return identifier


def preload(cache_dir: Path | None = None) -> None:
    """Load the language-ID model in the background (a run calls this before it reads its
    first article, so the loading overlaps the run's start-up).

    With ``cache_dir`` (a run passes its model store's ``.cache``), the model is read from an
    uncompressed copy kept there, made on first use: py3langid ships it as LZMA-compressed npz,
    whose decompression costs 0.36–0.65 s every run here (the copy loads in 0.07 s; 68 MB on disk)."""
    threading.Thread(target=_full_model, args=(cache_dir,), daemon=True, name="load langid").start()


_LOADING = threading.Lock()
_MODEL = None
_CACHE_FORMAT = "1"  # bump when the cached copy's layout changes
_CACHE_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


def _full_model(cache_dir: Path | None = None):
    """The whole model, loaded once a process, however many threads ask first."""
    global _MODEL
    with _LOADING:
        if _MODEL is None:
            _MODEL = _load_full_model(cache_dir)
        return _MODEL


def _load_full_model(cache_dir: Path | None):
    # Imported here: loading the model takes ~0.3 s, which `--help` and most tests never need.
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    source = MODEL_DIR / MODEL_FILE
    if cache_dir is not None:
        try:
            return _load_cached(Path(cache_dir), source, LanguageIdentifier)
        except (OSError, ValueError, KeyError):  # unwritable or damaged: the shipped file still works
            log.debug("language-ID model cache in %s not used", cache_dir, exc_info=True)
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _load_cached(cache_dir: Path, source: Path, identifier_type):
    """The identifier from ``cache_dir/langid-<digest of the shipped file>/``, written first if
    missing (in a temporary folder renamed into place, so a reader never sees half a copy); a
    copy that does not load is removed and written again."""
    import hashlib
    import shutil

    digest = hashlib.sha256(source.read_bytes() + _CACHE_FORMAT.encode()).hexdigest()[:16]
    folder = cache_dir / f"langid-{digest}"
    if (folder / "classes.json").is_file():
        try:
            return _read_copy(folder, identifier_type)
        except (OSError, ValueError, KeyError):
            log.warning("language-ID model cache %s was damaged; writing it again", folder)
            shutil.rmtree(folder, ignore_errors=True)
    _write_copy(folder, source)
    return _read_copy(folder, identifier_type)


def _write_copy(folder: Path, source: Path) -> None:
    import json
    import os
    import shutil
    import tempfile

    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(source)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".langid-", dir=folder.parent))
    try:
        arrays = {"ptc": ptc, "pc": pc, "nextmove": np.frombuffer(nextmove, dtype=nextmove.typecode),
                  "nextmove_row": np.frombuffer(row, dtype=row.typecode),
                  "out_feat": np.asarray(output, dtype=np.int32)}
        for name, array in arrays.items():
            np.save(staging / f"{name}.npy", array, allow_pickle=False)
        (staging / "classes.json").write_text(json.dumps(classes), encoding="utf-8")
        try:
            os.rename(staging, folder)
        except OSError:  # another process made it first: theirs is the same
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_copy(folder: Path, identifier_type):
    import json

    import numpy as np

    loaded = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _CACHE_ARRAYS}
    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    if len(classes) != loaded["ptc"].shape[1] or len(loaded["out_feat"]) != len(loaded["nextmove_row"]):
        raise ValueError(f"{folder}: arrays do not fit together")
    return identifier_type(loaded["ptc"], loaded["pc"], classes, _stdlib_array(loaded["nextmove"]),
                           loaded["out_feat"].tolist(), norm_probs=True, tk_row=_stdlib_array(loaded["nextmove_row"]))


def _stdlib_array(values):
    """A NumPy unsigned array as the stdlib ``array`` py3langid's tokenizer walks (as it loads its own)."""
    from array import array

    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(values.tobytes())
    return out
