"""Is each source term rendered by an approved target (in any inflected form) in a target text?

Used after MT (by enforcement) and again after translators edit (the QA ``glossary-term``
check). Counting matters: a sentence naming Moscow twice needs two renderings of Москва.
Do-not-translate hits (whose only expected form is the source spelling) must come back byte
for byte; translatable terms may carry any case form (ru) or case suffix (hy). Typographic
quotes and ё/е are not told apart: the localization stage sets quotes, and Russian copy often
writes е for ё.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..document import TermHit
from ..locales import Locale, resolve_locale
from . import inflect_hy, inflect_ru

_QUOTES = str.maketrans({q: '"' for q in "«»“”„‟\u201a\u2039\u203a"})


def is_verbatim(hit: TermHit) -> bool:
    """A do-not-translate hit: its only accepted target is the source spelling itself."""
    return hit.expected == (hit.term,)


def compliance(source_hits: list[TermHit], target_text: str, locale: Locale | str) -> list[TermHit]:
    """Copies of ``source_hits`` with status ok/missing and the rendered form (no-target hits unchanged)."""
    lang = resolve_locale(locale).lang if isinstance(locale, str) else locale.lang
    found_by_entry: dict[str, list[str]] = {}
    out: list[TermHit] = []
    for hit in source_hits:
        if not hit.expected:
            out.append(replace(hit, status="no-target") if hit.status == "pending" else hit)
            continue
        if hit.entry_id not in found_by_entry:
            found_by_entry[hit.entry_id] = find_renderings(hit, target_text, lang)
        found = found_by_entry[hit.entry_id]
        if found:
            out.append(replace(hit, status="enforced" if hit.status == "enforced" else "ok", rendered=found.pop(0)))
        else:
            out.append(replace(hit, status="missing", rendered=""))
    return out


def find_renderings(hit: TermHit, target_text: str, lang: str) -> list[str]:
    """The accepted renderings of ``hit`` that stand in ``target_text``, in text order."""
    return [target_text[start:end] for start, end in rendering_spans(hit, target_text, lang)]


def rendering_spans(hit: TermHit, target_text: str, lang: str) -> list[tuple[int, int]]:
    """Where the accepted renderings of ``hit`` stand in ``target_text``, in text order."""
    if is_verbatim(hit):
        pattern = re.compile(rf"(?<![\w]){re.escape(hit.term)}(?![^\W_]|\.\w)")
        return [m.span() for m in pattern.finditer(target_text)]
    pattern = _forms_pattern(hit.expected, lang)
    # _normalise maps character for character, so match offsets hold in the original text.
    return [m.span() for m in pattern.finditer(_normalise(target_text))]


def accepted_forms(expected: tuple[str, ...], lang: str) -> set[str]:
    """Every form that counts as an approved target: inflections and capitalised sentence starts."""
    forms: set[str] = set()
    for form in expected:
        if lang == "ru":
            # A hit does not carry the entry's animacy, and a person's surname declines only as
            # animate (Хагана Исаева): accept both readings.
            forms |= inflect_ru.all_forms(form) | inflect_ru.all_forms(form, animate=True)
        elif lang == "hy":
            forms |= inflect_hy.all_forms(form)
        else:
            forms.add(form)
    return forms | {f[:1].upper() + f[1:] for f in forms}


def lemmatized_present(expected: tuple[str, ...], target_text: str, lang: str) -> bool:
    """WMT-style lemmatized match: the approved term's lemmas appear in order among the target's."""
    analyse = _lemma_sequence(lang)
    target = analyse(target_text)
    for form in expected:
        wanted = analyse(form)
        if wanted and any(target[i : i + len(wanted)] == wanted for i in range(len(target) - len(wanted) + 1)):
            return True
    return False


def _lemma_sequence(lang: str):
    if lang == "ru":
        return _ru_lemmas
    if lang == "hy":
        return lambda text: [w.lower() for w in inflect_hy.stems(text)]
    return lambda text: text.lower().split()


def _ru_lemmas(text: str) -> list[str]:
    # Latin words and digits are kept as they are, so "NBC" still counts.
    out = []
    for word in re.findall(r"[\w-]+", text):
        out += inflect_ru.lemmas(word) if re.search("[А-Яа-яЁё]", word) else [word.lower()]
    return out


def _normalise(text: str) -> str:
    return text.translate(_QUOTES).replace("ё", "е").replace("Ё", "Е")


@lru_cache(maxsize=4096)
def _forms_pattern(expected: tuple[str, ...], lang: str) -> re.Pattern:
    forms = sorted({_normalise(f) for f in accepted_forms(expected, lang)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")
