"""TBX export and import: TBX-Basic ``martif`` (what Weblate and translate-toolkit read) and TBX v3.

One concept entry per glossary row; one language section per language (the site's ``arm``
is ``hy`` in TBX); the first term of a language is ``preferredTerm-admn-sts``, the others
``admittedTerm-admn-sts``. TBX has no data category for our enforcement flags, so they travel
in a note that starts with ``i18n-pipeline:`` (``dnt=yes; fixed=yes; status=needs-review:arm``);
the editor's own note is a separate note. Imports parse with the hardened parser in xmlsafe.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import GlossaryError, InputError, UsageError
from ..fsutil import atomic_write_bytes
from ..locales import resolve_locale
from ..xmlsafe import parse_xml_bytes
from .termbase import COLUMNS, TARGET_COLUMNS, Glossary, TermEntry, _parse_row, entry_to_row, load_glossary, write_entries

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
FLAG_NOTE = "i18n-pipeline:"
_FLAGS = ("dnt", "case_sensitive", "fixed", "status", "pos", "gender", "animacy")
_LANGS = {"en": "en", **{site: resolve_locale(site).lang for site in TARGET_COLUMNS}}


def export_tbx(glossary: Glossary, out: Path, version: str = "basic") -> Path:
    """Write the glossary as TBX-Basic (``martif``) or TBX v3 (``version="v3"``)."""
    if version not in ("basic", "v3"):
        raise UsageError(f"unknown TBX version {version!r}; use basic or v3")
    v3 = version == "v3"
    root = _root(v3)
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for number, entry in enumerate(glossary.entries, start=1):
        _write_entry(body, entry, f"c{number}", v3)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return atomic_write_bytes(out, data)


def import_tbx(path: Path, directory: Path) -> Path:
    """Add the entries of a TBX file (either version) to ``directory``/imported.csv; returns that file.

    Entries whose English terms are already in the glossary are skipped (an editor resolves
    those by hand); the result is validated before it is written.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read ({exc.strerror}); check the path") from exc
    try:
        root = parse_xml_bytes(data, str(path))
    except InputError as exc:
        raise GlossaryError(str(exc)) from exc
    if etree.QName(root).localname not in ("martif", "tbx"):
        raise GlossaryError(f"{path}: root element is <{etree.QName(root).localname}>, not a TBX <martif> or <tbx>")
    entries = [e for e in (_read_entry(node, str(path)) for node in _children(root, "termEntry", "conceptEntry")) if e]
    if not entries:
        raise GlossaryError(f"{path}: no term entries with English terms found; is this a TBX file?")
    directory = Path(directory)
    known: set[str] = set()
    existing: list[TermEntry] = []
    target = directory / "imported.csv"
    if any(directory.glob("*.csv")):
        glossary = load_glossary(directory)
        known = {v for e in glossary.entries for v in e.en}
        existing = [e for e in glossary.entries if Path(e.file).name == target.name]
    fresh = [e for e in entries if not set(e.en) & known]
    if not fresh:
        raise GlossaryError(f"{path}: every entry is already in {directory}; nothing imported")
    written = write_entries(target, existing + fresh)
    try:
        load_glossary(directory)
    except GlossaryError:
        if existing:
            write_entries(target, existing)
        else:
            target.unlink()
        raise
    return written


# --- writing ---------------------------------------------------------------------------------


def _root(v3: bool) -> etree._Element:
    if v3:
        root = etree.Element("tbx", nsmap={None: TBX3_NS}, type="TBX-Basic", style="dca")
        root.set(XML_LANG, "en")
        header = etree.SubElement(root, "tbxHeader")
    else:
        root = etree.Element("martif", type="TBX-Basic")
        root.set(XML_LANG, "en")
        header = etree.SubElement(root, "martifHeader")
    source = etree.SubElement(etree.SubElement(header, "fileDesc"), "sourceDesc")
    etree.SubElement(source, "p").text = "i18n-pipeline glossary"
    return root


def _write_entry(body: etree._Element, entry: TermEntry, entry_id: str, v3: bool) -> None:
    node = etree.SubElement(body, "conceptEntry" if v3 else "termEntry", id=entry_id)
    row = entry_to_row(entry)
    flags = "; ".join(f"{k}={row[k]}" for k in _FLAGS if row[k])
    etree.SubElement(node, "note").text = f"{FLAG_NOTE} {flags}"
    if entry.note:
        etree.SubElement(node, "note").text = entry.note
    for column, lang in _LANGS.items():
        terms = entry.en if column == "en" else entry.targets.get(column, ())
        if not terms:
            continue
        lang_node = etree.SubElement(node, "langSec" if v3 else "langSet")
        lang_node.set(XML_LANG, lang)
        for rank, term in enumerate(terms):
            group = etree.SubElement(lang_node, "termSec" if v3 else "tig")
            etree.SubElement(group, "term").text = term
            if entry.pos:
                etree.SubElement(group, "termNote", type="partOfSpeech").text = _tbx_pos(entry.pos)
            if column == "ru" and entry.gender in ("masc", "femn", "neut"):
                gender = {"masc": "masculine", "femn": "feminine", "neut": "neuter"}[entry.gender]
                etree.SubElement(group, "termNote", type="grammaticalGender").text = gender
            status = "preferredTerm-admn-sts" if rank == 0 else "admittedTerm-admn-sts"
            etree.SubElement(group, "termNote", type="administrativeStatus").text = status


def _tbx_pos(pos: str) -> str:
    return {"propn": "properNoun", "abbr": "noun", "phrase": "other"}.get(pos, pos)


# --- reading ---------------------------------------------------------------------------------


def _children(node: etree._Element, *names: str):
    return [n for n in node.iter() if isinstance(n.tag, str) and etree.QName(n).localname in names]


def _read_entry(node: etree._Element, source: str) -> TermEntry | None:
    terms: dict[str, list[str]] = {}
    pos = gender = ""
    for lang_node in _children(node, "langSet", "langSec"):
        lang = (lang_node.get(XML_LANG) or "").lower().split("-")[0]
        column = next((c for c, l in _LANGS.items() if l == lang or c == lang), None)
        if column is None:
            continue
        for term in _children(lang_node, "term"):
            text = "".join(term.itertext()).strip()
            if text:
                terms.setdefault(column, []).append(text)
        for note in _children(lang_node, "termNote"):
            kind, value = note.get("type"), (note.text or "").strip()
            if kind == "partOfSpeech" and not pos:
                pos = {"properNoun": "propn", "noun": "noun", "adjective": "adj"}.get(value, "")
            if kind == "grammaticalGender" and column == "ru":
                gender = {"masculine": "masc", "feminine": "femn", "neuter": "neut"}.get(value, "")
    if not terms.get("en"):
        return None
    flags: dict[str, str] = {}
    notes: list[str] = []
    for note in _children(node, "note", "descrip"):
        text = "".join(note.itertext()).strip()
        if text.startswith(FLAG_NOTE):
            for pair in text[len(FLAG_NOTE):].split(";"):
                key, _, value = pair.partition("=")
                if key.strip() in _FLAGS:
                    flags[key.strip()] = value.strip()
        elif text and note.getparent() is node:
            notes.append(text)

    row = {c: "" for c in COLUMNS}
    row.update(en="|".join(terms["en"]), pos=pos, gender=gender, note=" ".join(notes))
    row.update(flags)  # our own flags, when the file came from us, are exact
    for column in TARGET_COLUMNS:
        row[column] = "|".join(terms.get(column, []))
    entry, problems = _parse_row(row, source, node.sourceline or 0)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise GlossaryError(f"{errors[0]}; fix the TBX entry and import again")
    return entry
