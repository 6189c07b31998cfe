"""TBX export and import: TBX-Basic ``martif`` (what Weblate and translate-toolkit read) and TBX v3.

One concept entry per glossary row; one language section per language (the site's ``arm``
is ``hy`` in TBX); the first term of a language is ``preferredTerm-admn-sts``, the others
``admittedTerm-admn-sts``. TBX has no data category for our enforcement flags, so they travel
in a note that starts with ``i18n-pipeline:`` (``dnt=yes; fixed=yes; status=needs-review:arm``);
the editor's own note is a separate note. Forbidden variants are ``deprecatedTerm-admn-sts``
terms (what memoQ and MultiTerm call forbidden). Imports parse with the hardened parser in xmlsafe.

``diff_tbx`` compares a TBX file with the base without writing: each entry is ``added`` (no
English variant known), ``changed`` (one entry shares its variants and differs in what the file
carries), ``conflicting`` (it overlaps several entries, or the base's checks refuse it) or
``unchanged``; ``accept_import`` applies one added or changed entry through ``termbase``, at
the row hash the diff saw (a row edited since is a ``GlossaryConflict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import GlossaryError, InputError, UsageError
from ..fsutil import atomic_write_bytes
from ..locales import resolve_locale
from ..xmlsafe import parse_xml_bytes
from .termbase import (
    COLUMNS, TARGET_COLUMNS, Glossary, RowRecord, TermEntry, _parse_row, _split, check_fields, entry_to_row,
    format_forbidden, load_glossary, parse_forbidden, read_rows, write_entries,
)

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


@dataclass(frozen=True)
class ImportItem:
    """One TBX entry against the base: ``kind`` is added | changed | conflicting | unchanged."""

    kind: str
    entry: str  # the imported entry's first English variant
    after: dict[str, str]  # the row as it would be saved (the base's values where the file says nothing)
    before: dict[str, str] | None = None  # the base row it changes (changed, unchanged)
    base: str = ""  # that row's hash when the diff was made
    file: str = ""  # the CSV the base row is in
    fields: tuple[str, ...] = ()  # columns that differ (changed)
    reason: str = ""  # why it conflicts
    others: tuple[str, ...] = field(default_factory=tuple)  # base entries it overlaps (conflicting)


def diff_tbx(source: Path | bytes, directory: Path, *, name: str = "") -> list[ImportItem]:
    """What importing the TBX file ``source`` (a path, or its bytes named ``name``) would change."""
    label = name or str(source)
    data = _read_bytes(source) if isinstance(source, Path) else source
    nodes = _entry_nodes(data, label)
    records = read_rows(Path(directory))
    by_variant: dict[str, RowRecord] = {}
    for record in records:
        for variant in _split(record.row.get("en", "")):
            by_variant.setdefault(variant, record)
    items = []
    for node in nodes:
        got = _read_row(node)
        if got is None:
            continue
        row, carried = got
        entry_id = _split(row["en"])[0]
        matches = list({id(r): r for v in _split(row["en"]) if (r := by_variant.get(v))}.values())
        if len(matches) > 1:
            others = tuple(r.id for r in matches)
            items.append(ImportItem("conflicting", entry_id, row, reason=f"its English terms belong to {len(others)} "
                                    f"entries ({', '.join(others)}); merge them by hand", others=others))
            continue
        if not matches:
            after = {c: row.get(c, "") for c in COLUMNS}
            problems = [p for p in check_fields(Path(directory), {**after, "file": IMPORT_FILE}) if p.severity == "error"]
            kind, reason = ("conflicting", problems[0].message) if problems else ("added", "")
            items.append(ImportItem(kind, entry_id, after, reason=reason))
            continue
        record = matches[0]
        after = {c: (row.get(c, "") if c in carried else record.row.get(c, "")) for c in COLUMNS}
        old, new = _canonical(record.row), _canonical(after)
        differ = tuple(c for c in COLUMNS if old[c] != new[c])
        after = {c: after[c] if c in differ else record.row.get(c, "") for c in COLUMNS}  # same meaning: same cell
        if not differ:
            items.append(ImportItem("unchanged", record.id, after, record.row, record.hash, record.file))
            continue
        problems = [p for p in check_fields(Path(directory), after, original=record.id) if p.severity == "error"]
        if problems:
            items.append(ImportItem("conflicting", record.id, after, record.row, record.hash, record.file, differ,
                                    problems[0].message, (record.id,)))
        else:
            items.append(ImportItem("changed", record.id, after, record.row, record.hash, record.file, differ))
    return items


def accept_import(directory: Path, item: ImportItem) -> Path:
    """Write one added or changed entry of a diff (the desk records it in the history itself)."""
    from .termbase import add_term, update_term

    if item.kind == "added":
        return add_term(Path(directory), {**item.after, "file": IMPORT_FILE})
    if item.kind == "changed":
        return update_term(Path(directory), item.entry, item.after, base=item.base)
    raise GlossaryError(f"{item.entry!r} is {item.kind}; only added and changed entries can be accepted"
                        + (f" ({item.reason})" if item.reason else ""))


IMPORT_FILE = "imported.csv"
KINDS = ("added", "changed", "conflicting", "unchanged")


def describe(item: ImportItem) -> str:
    """One line for ``glossary import --dry-run`` and the desk: what accepting the entry does."""
    if item.kind == "added":
        shown = "; ".join(f"{c} {item.after[c]}" for c in (*TARGET_COLUMNS, "status") if item.after.get(c))
        return f"added {item.entry!r}" + (f" ({shown})" if shown else "")
    if item.kind == "changed":
        before = item.before or {}
        parts = [f"{c}: {before.get(c, '') or '—'} → {item.after.get(c, '') or '—'}" for c in item.fields]
        return f"changed {item.entry!r} in {item.file}: " + "; ".join(parts)
    if item.kind == "conflicting":
        return f"conflicting {item.entry!r}: {item.reason}"
    return f"unchanged {item.entry!r}"


def summarize(items: list[ImportItem]) -> str:
    counts = {k: sum(1 for i in items if i.kind == k) for k in KINDS}
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def _canonical(row: dict[str, str]) -> dict[str, str]:
    """A row's cells by meaning (``case_sensitive`` blank = what it implies, ``needs-review:ru,arm`` …)."""
    entry, _ = _parse_row({c: row.get(c, "") for c in COLUMNS}, "", 0)
    if entry is not None:
        return entry_to_row(entry)
    return {c: _same(c, row.get(c, "")) for c in COLUMNS}


def _same(column: str, value: str) -> str:
    """A cell as compared by the diff: variants in order, flags by meaning, case of keywords ignored."""
    value = value.strip()
    if column in ("dnt", "fixed"):
        return "yes" if value.lower() in ("yes", "y", "true", "1", "x") else ""
    if column in ("pos", "gender", "animacy", "status", "case_sensitive"):
        return value.lower() or ("approved" if column == "status" else "")
    if column == "forbidden":
        return format_forbidden(parse_forbidden(value)[0])
    if column in ("en", *TARGET_COLUMNS):
        return "|".join(_split(value))
    return value


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read ({exc.strerror}); check the path") from exc


def _entry_nodes(data: bytes, label: str) -> list:
    try:
        root = parse_xml_bytes(data, label)
    except InputError as exc:
        raise GlossaryError(str(exc)) from exc
    if etree.QName(root).localname not in ("martif", "tbx"):
        raise GlossaryError(f"{label}: root element is <{etree.QName(root).localname}>, not a TBX <martif> or <tbx>")
    nodes = _children(root, "termEntry", "conceptEntry")
    if not any(_read_row(n) for n in nodes):
        raise GlossaryError(f"{label}: no term entries with English terms found; is this a TBX file?")
    return nodes


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
        forbidden = () if column == "en" else entry.forbidden.get(column, ())
        if not terms and not forbidden:
            continue
        lang_node = etree.SubElement(node, "langSec" if v3 else "langSet")
        lang_node.set(XML_LANG, lang)
        for rank, term in enumerate(terms + forbidden):
            group = etree.SubElement(lang_node, "termSec" if v3 else "tig")
            etree.SubElement(group, "term").text = term
            if entry.pos:
                etree.SubElement(group, "termNote", type="partOfSpeech").text = _tbx_pos(entry.pos)
            if column == "ru" and entry.gender in ("masc", "femn", "neut"):
                gender = {"masc": "masculine", "femn": "feminine", "neut": "neuter"}[entry.gender]
                etree.SubElement(group, "termNote", type="grammaticalGender").text = gender
            status = ("deprecatedTerm-admn-sts" if rank >= len(terms) else
                      "preferredTerm-admn-sts" if rank == 0 else "admittedTerm-admn-sts")
            etree.SubElement(group, "termNote", type="administrativeStatus").text = status


def _tbx_pos(pos: str) -> str:
    return {"propn": "properNoun", "abbr": "noun", "phrase": "other"}.get(pos, pos)


# --- reading ---------------------------------------------------------------------------------


def _children(node: etree._Element, *names: str):
    return [n for n in node.iter() if isinstance(n.tag, str) and etree.QName(n).localname in names]


def _read_entry(node: etree._Element, source: str) -> TermEntry | None:
    got = _read_row(node)
    if got is None:
        return None
    entry, problems = _parse_row(got[0], source, node.sourceline or 0)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise GlossaryError(f"{errors[0]}; fix the TBX entry and import again")
    return entry


def _read_row(node: etree._Element) -> tuple[dict[str, str], set[str]] | None:
    """The CSV row of one TBX entry and the columns the file actually carries (None: no English term)."""
    terms: dict[str, list[str]] = {}
    forbidden: dict[str, list[str]] = {}
    pos = gender = ""
    for lang_node in _children(node, "langSet", "langSec"):
        lang = (lang_node.get(XML_LANG) or "").lower().split("-")[0]
        column = next((c for c, l in _LANGS.items() if l == lang or c == lang), None)
        if column is None:
            continue
        groups = _children(lang_node, "tig", "termSec", "ntig") or _children(lang_node, "term")
        for group in groups:  # a bare <term> in the language section (some tools write that) is its own group
            term = group if etree.QName(group).localname == "term" else next(iter(_children(group, "term")), None)
            text = "".join(term.itertext()).strip() if term is not None else ""
            status = next(((n.text or "").strip() for n in _children(group, "termNote")
                           if n.get("type") == "administrativeStatus"), "")
            if not text:
                continue
            if status.startswith(("deprecatedTerm", "supersededTerm")) and column != "en":
                forbidden.setdefault(column, []).append(text)
            else:
                terms.setdefault(column, []).append(text)
        for note in _children(lang_node, "termNote"):
            kind, value = note.get("type"), (note.text or "").strip()
            if kind == "partOfSpeech" and not pos:
                pos = {"properNoun": "propn", "noun": "noun", "adjective": "adj"}.get(value, "")
            if kind == "grammaticalGender" and column == "ru":
                gender = {"masculine": "masc", "feminine": "femn", "neuter": "neut"}.get(value, "")
    if not terms.get("en"):
        return None
    carried = {"en", *terms} | ({"pos"} if pos else set()) | ({"gender"} if gender else set())
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
    row["forbidden"] = "|".join(f"{c}:{t}" for c in TARGET_COLUMNS for t in forbidden.get(c, []))
    if notes:
        carried.add("note")
    if flags:  # a file we wrote says every flag and note, and every locale it leaves out is empty
        carried |= set(_FLAGS) | set(TARGET_COLUMNS) | {"forbidden", "note"}
    elif forbidden:
        carried.add("forbidden")
    return row, carried
