"""The catalogue of QA checks: stable id, default severity, and what each one looks for.

Ids are public (XLIFF notes, the review page, ``--json`` summaries, ``[qa]`` in i18n.toml),
so they never change meaning; add a new id rather than re-purpose an old one.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Check:
    id: str
    severity: str  # the default; i18n.toml may re-grade it
    summary: str  # one line for docs and ``qa --list``
    level: str = "segment"  # "segment" | "block" | "batch": where the runner calls it


CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check("empty", ERROR, "the target is empty while the source has text"),
        Check("identical", ERROR, "the target is the source copied unchanged (names, acronyms, DNT terms excepted)"),
        Check("untranslated", ERROR, "the target is still in the source language, or keeps a run of copied source words"),
        Check("wrong-language", ERROR, "the target is in a language other than the target language"),
        Check("numbers", ERROR, "a number of the source is missing or changed in the target (locale formats tolerated)"),
        Check("dates", WARNING, "an English month, weekday or date format is left in the target, or the month changed"),
        Check("urls", ERROR, "a URL, e-mail address, @handle or #hashtag differs between source and target"),
        Check("dnt-changed", ERROR, "a do-not-translate term of the source is not in the target verbatim"),
        Check("glossary-term", WARNING, "a glossary term is not rendered with an approved translation"),
        Check("glossary-forbidden", WARNING, "the target uses a variant the glossary forbids (any inflected form)"),
        Check("end-punctuation", WARNING, "the sentence-final punctuation differs (Armenian ։ ՞ ՜ understood)"),
        Check("quotes", WARNING, "quotes are straight, of the wrong style for the language, or unpaired"),
        Check("brackets", WARNING, "brackets are unpaired in the target while paired in the source"),
        Check("whitespace", WARNING, "double spaces, leading/trailing whitespace, or a space before punctuation"),
        Check("invisible-chars", WARNING, "zero-width, bidi or control characters in the target"),
        Check("unknown-token", ERROR, "the model's unknown-word mark (⁇ or <unk>) reached the target"),
        Check("repeated-words", WARNING, "a word or phrase repeated back to back (MT stutter)"),
        Check("length-ratio", WARNING, "target length out of the expected range for the language pair"),
        Check("sentence-count", WARNING, "the target has a different number of sentences than the source", "block"),
        Check("mixed-script", WARNING, "Latin letters inside a Cyrillic or Armenian word (look-alike letters)"),
        Check("inconsistent", WARNING, "the same source sentence is translated differently within the batch", "batch"),
        Check("spelling", INFO, "words the Hunspell dictionary of the target language does not know"),
    )
}
