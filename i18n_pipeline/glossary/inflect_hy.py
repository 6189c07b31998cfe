"""Armenian term forms: keep the case suffix the model produced and re-attach it to the approved form.

Armenian marks case and definiteness with suffixes on the last word of a phrase (Կանադայի,
Մոսկվայում, Թրամփը). We read the suffix off the words the model wrote and attach it to the
approved term: after an abbreviation or a word in another script with a hyphen (ԱՄՆ-ի, ԿՀՎ-ն,
Caliber.Az-ի); with a glide յ after a stem in ա or ո before a vowel (Կանադայի); the article is
ն after a vowel and ը after a consonant. No maintained Armenian morphology library ships for
Python, hence these few hand-written rules; irregular stems (տուն → տան) are listed by hand.
"""

from __future__ import annotations

import re

# Longest first, so "ներից" is read before "ից" and "ին" before "ի".
SUFFIXES = (
    "ներից", "ներում", "ներով", "ներին", "ների", "ները", "ներն", "ներ",
    "ից", "ում", "ով", "ին", "ի", "ը", "ն",
)
_VOWEL_INITIAL = ("ի", "ից", "ում", "ով", "ին")
_VOWELS = "աեէիոօ"
_CONSONANT_NAMED = "ԼՄՆՍՏՓ"  # letters whose names end in a consonant: էլ, էմ, էն, էս, տյուն, փյուր
_ARMENIAN = re.compile(r"[\u0531-\u0587]")
_WORD = re.compile(r"[\w\u0531-\u0587.\-]+")
# Oblique stems that a suffix rule cannot produce: (word, suffix) → form.
_IRREGULAR = {
    ("տուն", "ի"): "տան", ("տուն", "ին"): "տանը", ("տուն", "ում"): "տանը", ("տուն", "ից"): "տնից",
    ("տուն", "ով"): "տնով", ("տուն", "ը"): "տունը", ("տուն", "ն"): "տունը",
}


def attach(form: str, suffix: str) -> str:
    """The approved ``form`` carrying ``suffix`` on its last word."""
    if not suffix:
        return form
    head, _, last = form.rpartition(" ")
    prefix = f"{head} " if head else ""
    if _needs_hyphen(last):
        if suffix in ("ը", "ն") and _ARMENIAN.match(last[-1]):
            # An abbreviation is read by letter names: ԿՀՎ (…վե) takes ն, ԱՄՆ (…էն) takes ը.
            suffix = "ը" if last[-1] in _CONSONANT_NAMED else "ն"
        return f"{prefix}{last}-{suffix}"
    if (last, suffix) in _IRREGULAR:
        return prefix + _IRREGULAR[(last, suffix)]
    if last.endswith("ություն") and suffix in ("ի", "ով", "ին"):
        # -ություն declines as -ության, -ությամբ (ծառայության, նախարարությամբ)
        stem = last[: -len("ություն")]
        return prefix + stem + {"ի": "ության", "ով": "ությամբ", "ին": "ությանը"}[suffix]
    if suffix in ("ը", "ն"):
        return prefix + last + ("ն" if _ends_in_vowel(last) else "ը")
    if suffix in _VOWEL_INITIAL and last[-1:] in "աո" and not last.endswith("ու"):
        return prefix + last + "յ" + suffix
    return prefix + last + suffix


def all_forms(form: str) -> set[str]:
    """The approved form bare and with every suffix (what compliance accepts)."""
    return {form} | {attach(form, s) for s in SUFFIXES}


def read_suffix(span_text: str, approved: tuple[str, ...]) -> str:
    """The case suffix on the model's words for the term ("" when it wrote the bare form).

    First try to reproduce the span from an approved form and a suffix (exact, handles
    -ության and տան); otherwise read a known suffix off the last word, which is what happens
    when the model transliterated or mistranslated the stem.
    """
    span = " ".join(span_text.split()).lower()
    for form in approved:
        for suffix in ("",) + SUFFIXES:
            if attach(form, suffix).lower() == span:
                return suffix
    words = _WORD.findall(span)
    if not words:
        return ""
    last = words[-1]
    if "-" in last:
        tail = last.rsplit("-", 1)[1]
        return tail if tail in SUFFIXES else ""
    approved_last = approved[0].rpartition(" ")[2] if approved else ""
    for suffix in SUFFIXES:
        rest = last[: -len(suffix)]
        if not last.endswith(suffix) or len(rest) < 2 or not _ARMENIAN.search(rest):
            continue
        # The article's shape follows the approved stem: a final ն after a consonant-final
        # stem (Վաշինգթոն for Վաշինգտոն) is part of the word, not the article.
        article_n_fits = _ends_in_vowel(approved_last) or (approved_last and _needs_hyphen(approved_last))
        if suffix == "ն" and not (_ends_in_vowel(rest) and article_n_fits):
            continue
        if approved_last.endswith(suffix) and not last.endswith(approved_last + suffix):
            continue  # the approved word itself ends so (…ություն + ն): not a suffix
        return suffix
    return ""


def stem(word: str) -> str:
    """A word without its case suffix (for suffix-stripped lemmatized matching)."""
    if "-" in word:
        base, _, tail = word.rpartition("-")
        if tail in SUFFIXES:
            return base
    for (base, suffix), form in _IRREGULAR.items():
        if word == form:
            return base
    if word.endswith(("ության", "ությամբ", "ությանը")):
        return word[: word.rindex("ությ")] + "ություն"
    for suffix in SUFFIXES:
        rest = word[: -len(suffix)]
        if word.endswith(suffix) and len(rest) >= 3:
            if suffix == "ն" and (rest[-1:] not in _VOWELS or rest.endswith("ու")):
                continue  # տուն, Վաշինգտոն: the ն is the stem's own
            return rest[:-1] if rest.endswith("յ") and suffix in _VOWEL_INITIAL else rest
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text)]


def _needs_hyphen(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    if not letters:
        return True
    if any(not _ARMENIAN.match(ch) for ch in letters):
        return True  # another script: Caliber.Az-ի, NBC-ն
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)  # ԱՄՆ-ի


def _ends_in_vowel(word: str) -> bool:
    return word[-1:] in _VOWELS or word.endswith("ու")
