"""Glossary: the editable term base, term matching, enforcement through MT, compliance.

    termbase.py    CSV term base: load, check, add, update, remove (line-preserving atomic writes)
    tbx.py         TBX-Basic (martif) and TBX v3 export/import
    matcher.py     find terms in English segments
    protect.py     verbatim items (do-not-translate, URLs, numbers): find and verify
    inflect_ru.py  Russian case forms with pymorphy3
    inflect_hy.py  Armenian case suffixes re-attached to approved forms
    enforce.py     make MT output use the approved terms
    compliance.py  check a target text against the source hits
"""

from .compliance import compliance, lemmatized_present
from .enforce import Enforced, enforce, enforce_detailed, queue_term_renderings
from .matcher import match_terms
from .protect import Verbatim, protect, verify
from .tbx import ImportItem, accept_import, diff_tbx, export_tbx, import_tbx
from .termbase import (
    FieldProblem, Glossary, GlossaryConflict, Problem, RowRecord, TermEntry, add_term, check_fields, check_glossary,
    find_row, load_glossary, load_usable_glossary, read_rows, remove_term, row_hash, update_term,
)

__all__ = [
    "Enforced", "Glossary", "Problem", "TermEntry", "Verbatim", "add_term", "check_glossary", "compliance",
    "enforce", "enforce_detailed", "export_tbx", "import_tbx", "lemmatized_present", "load_glossary", "load_usable_glossary",
    "match_terms", "protect", "queue_term_renderings", "remove_term", "verify",
    "ImportItem", "accept_import", "diff_tbx",
    "FieldProblem", "GlossaryConflict", "RowRecord", "check_fields", "find_row", "read_rows", "row_hash", "update_term",
]
