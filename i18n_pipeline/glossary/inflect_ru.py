"""Russian term forms with pymorphy3: read the case a sentence needs, inflect a term into it.

A term is inflected the way an editor would: the head noun and the adjectives (or participles)
before it agree with the case; genitive complements after the head stay («в Службе безопасности
и разведки Канады»); a person's first name and surname both inflect («Дональда Трампа»).
Fixed (indeclinable) terms and quoted names never change: pymorphy3 would happily guess
«СКРС» → «скрса», and a quoted name after a generic noun stays nominative
(«членов альянса «Пять глаз»»).
"""

from __future__ import annotations

import re
from functools import lru_cache

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
QUOTES = "«»\"“”„'‘’"
# Cases each preposition can govern (the noun after it must be in one of them).
PREPOSITION_CASES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("в", "во", "на"), ("loct", "accs")),
    **dict.fromkeys(("о", "об", "обо"), ("loct", "accs")),
    "при": ("loct",),
    "по": ("datv", "loct", "accs"),
    **dict.fromkeys(("к", "ко", "благодаря", "согласно", "вопреки", "навстречу"), ("datv",)),
    **dict.fromkeys(("с", "со"), ("ablt", "gent")),
    **dict.fromkeys(
        ("из", "от", "до", "для", "без", "у", "около", "после", "против", "среди", "вокруг", "кроме",
         "вместо", "ради", "возле", "мимо", "вдоль", "из-за", "из-под", "со стороны", "вблизи", "внутри"),
        ("gent",),
    ),
    "между": ("ablt", "gent"),
    **dict.fromkeys(("над", "надо", "перед", "передо"), ("ablt",)),
    **dict.fromkeys(("под", "подо", "за"), ("ablt", "accs")),
    **dict.fromkeys(("через", "про", "сквозь", "в адрес"), ("accs",)),
}
_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3  # imported on first use: loading the dictionaries takes a moment

    return pymorphy3.MorphAnalyzer()


def is_frozen(form: str, fixed: bool) -> bool:
    """Whether a target form must stay as written in every case."""
    return fixed or form[:1] in QUOTES or not _WORD.search(form) or _is_abbreviation(form)


def _is_abbreviation(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def inflect(form: str, case: str, *, fixed: bool = False, animate: bool | None = None,
            number: str | None = None) -> str | None:
    """``form`` (nominative) put into ``case``; None when pymorphy3 cannot inflect the head.

    ``number`` (``"sing"``/``"plur"``) also changes the number; by default (None) the term keeps
    the number it is written in, which is what enforcement and compliance use.
    """
    if number not in (None, "sing", "plur"):
        raise ValueError(f"number must be 'sing' or 'plur', not {number!r}")
    if is_frozen(form, fixed):
        return form
    if case == "nomn" and number is None:
        return form
    words = form.split(" ")
    parses = [_nominative_parse(w) for w in words]
    head = next((i for i, p in enumerate(parses) if p is not None and p.tag.POS == "NOUN"), None)
    if head is None:
        return None
    noun = parses[head]
    own = "plur" if "plur" in noun.tag else "sing"
    if number == own:
        number = None  # the term's own number: inflect exactly as the default does
        if case == "nomn":
            return form
    renumber = number is not None
    number = number or own
    alive = animate if animate is not None else "anim" in noun.tag
    if case == "accs" and alive and (number == "plur" or noun.tag.gender == "masc"):
        # Animate masculine and plural accusative is the genitive; pymorphy3's guesser does
        # not know that an unknown first name ("Хаган") is animate, so say it directly.
        case = "gent"
    out = list(words)
    targets = list(range(head + 1))
    # A person's name: first name and surname agree ("Дональда Трампа"); complements do not.
    if alive:
        for i in range(head + 1, len(words)):
            if parses[i] is None or parses[i].tag.POS != "NOUN":
                break
            targets.append(i)
    for i in targets:
        parse = parses[i]
        if parse is None or parse.tag.POS not in ("NOUN", "ADJF", "PRTF"):
            if i == head:
                return None
            continue  # e.g. a number or a Latin word before the head stays as written
        grammemes = {case}
        if renumber:
            grammemes.add(number)
        if parse.tag.POS != "NOUN":
            grammemes.add(number)
            if case == "accs" and (number == "plur" or noun.tag.gender == "masc"):
                grammemes.add("inan")  # animate ones were turned into the genitive above
        changed = parse.inflect(grammemes)
        if changed is None:
            return None
        out[i] = _restore_case(words[i], changed.word)
    return " ".join(out)


def written_number(form: str) -> str | None:
    """``"sing"`` or ``"plur"``: the number of ``form``'s head noun as written (None: no noun found)."""
    for word in form.split(" "):
        parse = _nominative_parse(word)
        if parse is not None and parse.tag.POS == "NOUN":
            return "plur" if "plur" in parse.tag else "sing"
    return None


def all_forms(form: str, *, fixed: bool = False, animate: bool | None = None) -> set[str]:
    """Every case form of ``form`` (for compliance: any inflected form of an approved target counts)."""
    forms = {form}
    if is_frozen(form, fixed):
        return forms
    for case in CASES[1:]:
        inflected = inflect(form, case, fixed=fixed, animate=animate)
        if inflected:
            forms.add(inflected)
    return forms


def candidate_cases(span_text: str, preceding_word: str | None) -> list[str]:
    """Cases the replaced words could be in, most likely first, narrowed by the preposition before them.

    The words the model produced may be wrong (a transliteration, another synonym) but their
    endings still show the case the sentence needs; pymorphy3's guesser reads unknown words too.
    """
    allowed = PREPOSITION_CASES.get((preceding_word or "").lower())
    weights: dict[str, float] = {}
    for word in _WORD.findall(span_text):
        for parse in _morph().parse(word):
            if parse.tag.POS not in ("NOUN", "ADJF", "PRTF"):
                continue
            case = {"loc2": "loct", "gen2": "gent", "acc2": "accs", "voct": "nomn", "gen1": "gent", "loc1": "loct"}.get(
                parse.tag.case, parse.tag.case
            )
            if case in CASES and (allowed is None or case in allowed):
                weights[case] = weights.get(case, 0.0) + parse.score
    if not weights:
        return list(allowed) if allowed else ["nomn"]
    return sorted(weights, key=lambda c: -weights[c])


def lemmas(text: str) -> list[str]:
    """Normal forms of the Cyrillic words in ``text`` (for lemmatized term matching)."""
    return [_morph().parse(w)[0].normal_form.replace("ё", "е") for w in _WORD.findall(text)]


def _nominative_parse(word: str):
    if not _WORD.fullmatch(word):
        return None
    options = [p for p in _morph().parse(word) if p.tag.case == "nomn"]
    if not options:
        return None
    # Prefer the noun reading for names ("Штаты"), then pymorphy3's own ranking.
    return max(options, key=lambda p: (p.tag.POS in ("NOUN", "ADJF", "PRTF"), p.score))


def _restore_case(original: str, produced: str) -> str:
    """pymorphy3 answers in lower case: give the word back the capitals it had."""
    if original.isupper() and len(original) > 1:
        return produced.upper()
    if original[:1].isupper():
        return produced[:1].upper() + produced[1:]
    return produced
