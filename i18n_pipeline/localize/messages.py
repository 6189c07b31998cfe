"""Every fixed string the pipeline writes for readers or translators, declared once for extraction.

``pybabel extract`` finds these through the markers below (keywords ``N_`` and ``NP_:1c,2``;
plural messages are literal ``ngettext``/``npgettext`` calls in ``catalog.py``). The markers do
nothing at import time: lookups happen per locale in ``catalog.py``.
Keys are stable identifiers callers use; the English text is the msgid translators see.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction without translating it now."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """Mark a message with a gettext context (msgctxt) for extraction."""
    return context, message


# Section names as the site prints them (article.section, upper-cased on the page), keyed by
# the casefolded English name. The catalog holds the sentence-case form an editor would write.
SECTIONS: dict[str, tuple[str, str]] = {
    "world": NP_("section", "World"),
    "politics": NP_("section", "Politics"),
    "economy": NP_("section", "Economy"),
    "society": NP_("section", "Society"),
    "sport": NP_("section", "Sport"),
    "analytics": NP_("section", "Analytics"),
    "interview": NP_("section", "Interview"),
    "opinion": NP_("section", "Opinion"),
    "region": NP_("section", "Region"),
    "caucasus": NP_("section", "Caucasus"),
    "military": NP_("section", "Military"),
    "culture": NP_("section", "Culture"),
    "incidents": NP_("section", "Incidents"),
    "video": NP_("section", "Video"),
    "photo": NP_("section", "Photo"),
}

# TRANSLATORS: the byline under an article; {author} is the author's name as published.
BYLINE = N_("By {author}")
# TRANSLATORS: view counter of an article; {count} is a number already formatted for the locale.
VIEWS = N_("Views: {count}")

# Recognised site chrome with a fixed translation, keyed by the English text as the site shows
# it (matched case- and space-insensitively). Chrome without an entry here is not rendered.
SITE_CHROME: tuple[tuple[str, str], ...] = (
    NP_("site chrome", "What are you looking for?"),
    NP_("site chrome", "Search"),
    NP_("site chrome", "Any use of materials is allowed only if there is a hyperlink to Caliber.az"),
    NP_("site chrome", "Liked the story? Share it on social media!"),
    NP_("site chrome", "Print"),
    NP_("site chrome", "Copy link"),
    NP_("site chrome", "Link copied"),
    NP_("site chrome", "Loading"),
    NP_("site chrome", "The most important world news"),
    NP_("site chrome", "More from this section"),
)

# Labels of the side-by-side review page, keyed by stable names the review writer uses.
REVIEW_LABELS: dict[str, tuple[str, str]] = {
    "source": NP_("review", "Source"),
    "target": NP_("review", "Target"),
    "state": NP_("review", "State"),
    "provenance": NP_("review", "Provenance"),
    "qa": NP_("review", "QA"),
    "glossary": NP_("review", "Glossary"),
    "filter_by_check": NP_("review", "Filter by check"),
    "all_checks": NP_("review", "All checks"),
    "flagged_only": NP_("review", "Show flagged segments only"),
    "no_flags": NP_("review", "No QA findings"),
    "notes": NP_("review", "Notes"),
    "severity": NP_("review", "Severity"),
    "segment": NP_("review", "Segment"),
    "expected": NP_("review", "Expected"),
    "language": NP_("review", "Language"),
    "title": NP_("review", "Translation review"),
    "block": NP_("review", "Block"),
    "dateline": NP_("review", "Dateline"),
    "byline": NP_("review", "Byline"),
}

# XLIFF 2.1 segment states (document.State values), as translators see them.
SEGMENT_STATES: dict[str, tuple[str, str]] = {
    "initial": NP_("segment state", "initial"),
    "translated": NP_("segment state", "translated"),
    "reviewed": NP_("segment state", "reviewed"),
    "final": NP_("segment state", "final"),
}

# Where a target came from (document.Origin values).
ORIGINS: dict[str, tuple[str, str]] = {
    "mt": NP_("origin", "machine translation"),
    "tm": NP_("origin", "translation memory"),
    "human": NP_("origin", "translator"),
    "source": NP_("origin", "source text passed through"),
    "catalog": NP_("origin", "message catalog"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "error": NP_("severity", "error"),
    "warning": NP_("severity", "warning"),
    "info": NP_("severity", "info"),
}

# One title per QA check id (ids from i18n_pipeline.qa.registry), shown to translators.
QA_CHECK_TITLES: dict[str, tuple[str, str]] = {
    "empty": NP_("qa check", "Empty target"),
    "identical": NP_("qa check", "Target identical to source"),
    "untranslated": NP_("qa check", "Untranslated text"),
    "wrong-language": NP_("qa check", "Target not in the target language"),
    "numbers": NP_("qa check", "Numbers missing or changed"),
    "dates": NP_("qa check", "Date not localized"),
    "urls": NP_("qa check", "URL, e-mail, handle or hashtag changed"),
    "dnt-changed": NP_("qa check", "Do-not-translate term changed"),
    "glossary-term": NP_("qa check", "Glossary term not used"),
    "glossary-forbidden": NP_("qa check", "Forbidden glossary variant"),
    "end-punctuation": NP_("qa check", "Sentence-final punctuation differs"),
    "quotes": NP_("qa check", "Wrong or unpaired quotes"),
    "brackets": NP_("qa check", "Unpaired brackets"),
    "whitespace": NP_("qa check", "Extra or misplaced spaces"),
    "invisible-chars": NP_("qa check", "Invisible or control characters"),
    "unknown-token": NP_("qa check", "Unknown-word mark from the model"),
    "repeated-words": NP_("qa check", "Repeated words"),
    "length-ratio": NP_("qa check", "Length out of the expected range"),
    "sentence-count": NP_("qa check", "Sentence count differs"),
    "mixed-script": NP_("qa check", "Latin letters inside a word"),
    "inconsistent": NP_("qa check", "Inconsistent translations of the same sentence"),
    "spelling": NP_("qa check", "Possible spelling error"),
}
