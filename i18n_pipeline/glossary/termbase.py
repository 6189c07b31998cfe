"""The term base: CSV files in a directory that editors maintain in a spreadsheet.

Every ``*.csv`` file in the directory (sorted by name) holds one entry per row under a header:

    en, ru, arm, dnt, case_sensitive, fixed, pos, gender, animacy, status, note[, forbidden]

``en``, ``ru`` and ``arm`` hold variants separated by ``|``; the first target is the preferred
one. ``dnt`` (do not translate), ``case_sensitive`` and ``fixed`` (indeclinable) take
yes/no (blank: no; blank ``case_sensitive`` means "yes when the term has a capital letter").
``status`` is ``approved`` or ``needs-review``; ``needs-review:arm`` (or ``:ru``) puts only that
locale's target under review. Only approved targets are enforced; a target under review is
reported but never forced into a translation.
The entry key (``TermHit.entry_id``) is the first English variant.
``forbidden`` (optional column) lists targets the desk rejects, each with its locale:
``ru:Пятёрка|ru:Пять Очей|arm:Հնգյակ``; QA flags them (``glossary-forbidden``) wherever they
stand in a target, in any inflected form. A file without the column needs none; the first
forbidden variant written to such a file adds it to the header.

Writes (``add_term``, ``update_term``, ``remove_term``) splice only the changed row into the
file's text, so every other line (row order, quoting, comments, a BOM) stays byte for byte and
a git diff shows one line per change; each write holds a lock on the directory, checks the
base as it will be (the checks of ``glossary check``) and replaces the file atomically. An
update names the row hash the editor started from (``row_hash``); a row changed since is a
``GlossaryConflict``, never a lost edit.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GlossaryError
from ..fsutil import atomic_write_text
from ..locales import resolve_locale


COLUMNS = ("en", "ru", "arm", "dnt", "case_sensitive", "fixed", "pos", "gender", "animacy", "status", "note",
           "forbidden")
# Columns a file may lack: left out of row hashes while empty (old rows keep their hashes), and
# added to a file's header only when a row first needs them.
OPTIONAL_COLUMNS = ("forbidden",)
TARGET_COLUMNS = ("ru", "arm")
DEFAULT_FILE = "terms.csv"
STATUSES = ("approved", "needs-review")
POS_VALUES = ("", "noun", "propn", "adj", "phrase", "abbr")
GENDERS = ("", "masc", "femn", "neut", "plur")
ANIMACY = ("", "anim", "inan")
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class TermEntry:
    """One row of the term base."""

    en: tuple[str, ...]
    targets: dict[str, tuple[str, ...]]  # site locale code → approved forms, preferred first
    dnt: bool = False
    case_sensitive: bool = True
    fixed: bool = False
    pos: str = ""
    gender: str = ""
    animacy: str = ""
    status: str = "approved"
    review_locales: frozenset[str] = frozenset()  # locales whose target needs review
    note: str = ""
    file: str = ""
    line: int = 0
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # site locale → rejected targets

    @property
    def id(self) -> str:
        return self.en[0]

    def approved_targets(self, locale_code: str) -> tuple[str, ...]:
        """Targets that enforcement may use for a locale (site or ISO code); () if none."""
        site = resolve_locale(locale_code).site
        if site in self.review_locales:
            return ()
        return self.targets.get(site, ())

    def __hash__(self) -> int:  # dict field: hash by identity of the row
        return hash((self.en, self.file, self.line))


@dataclass(frozen=True)
class Problem:
    """One finding of ``check_glossary``; ``str()`` is ``file:line: problem``."""

    file: str
    line: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Glossary:
    """All entries of a term-base directory, in file then row order."""

    entries: list[TermEntry]
    directory: Path | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def hash(self) -> str:
        """Stable content hash: changes when any entry changes, not when files are renamed or reordered."""
        if "hash" not in self._cache:
            rows = sorted(_canonical_row(e) for e in self.entries)
            digest = hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()
            self._cache["hash"] = digest[:16]
        return self._cache["hash"]

    def get(self, entry_id: str) -> TermEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def __len__(self) -> int:
        return len(self.entries)


def load_glossary(directory: Path) -> Glossary:
    """Read and validate every CSV in ``directory``; raise GlossaryError on the first error."""
    directory = Path(directory)
    errors = [p for p in check_glossary(directory) if p.severity == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more; run `i18n-pipeline glossary check`)" if len(errors) > 1 else ""
        raise GlossaryError(f"{errors[0]}{more}")
    return Glossary(_read_directory(directory)[0], directory)


def load_usable_glossary(directory: Path) -> tuple[Glossary, list[Problem]]:
    """Every entry no error touches, plus the errors: one broken row must not stop a batch.

    A row with an error (malformed, or the later of two conflicting rows) is left out, so the
    run enforces only what the base says without ambiguity and reports the rest.
    """
    directory = Path(directory)
    entries, problems = _read_directory(directory)
    errors = sorted((p for p in problems + _cross_check(entries) if p.severity == "error"),
                    key=lambda p: (p.file, p.line))
    broken = {(p.file, p.line) for p in errors}
    return Glossary([e for e in entries if (e.file, e.line) not in broken], directory), errors


def check_glossary(directory: Path) -> list[Problem]:
    """Every problem in the term base: malformed rows, duplicates, conflicts, empty targets, shadowing."""
    entries, problems = _read_directory(Path(directory))
    return sorted(problems + _cross_check(entries), key=lambda p: (p.file, p.line))


class GlossaryConflict(GlossaryError):
    """The row changed (or went) since the editor loaded it; ``current`` is the row now, or None."""

    def __init__(self, message: str, current: "RowRecord | None"):
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class RowRecord:
    """One row as the file holds it (broken rows too), for editors: cells, place and hash."""

    file: str  # the CSV file's name inside the directory
    line: int
    row: dict[str, str]
    hash: str

    @property
    def id(self) -> str:
        variants = _split(self.row.get("en", ""))
        return variants[0] if variants else ""


@dataclass(frozen=True)
class FieldProblem:
    """A problem the proposed row would have, with the form field it belongs to."""

    field: str
    severity: str
    message: str


def row_hash(row: dict[str, str]) -> str:
    """The hash of a row's cells (known columns); an editor sends it back as the version it edited."""
    text = "\x1f".join(row.get(c, "").strip() for c in _hashed_columns(row))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_rows(directory: Path) -> list[RowRecord]:
    """Every row of every CSV, in file then row order, whether or not it is valid."""
    records = []
    for path in _csv_files(Path(directory)):
        _, _, header, spans = _spans(path)
        records += [RowRecord(path.name, first, row, row_hash(row)) for first, _, row in spans]
    return records


def find_row(directory: Path, en_term: str) -> RowRecord | None:
    wanted = en_term.strip()
    return next((r for r in read_rows(directory) if wanted in _split(r.row.get("en", ""))), None)


def add_term(directory: Path, entry_fields: dict) -> Path:
    """Append one entry (to ``entry_fields["file"]`` or terms.csv), refusing a change that breaks the base."""
    directory = Path(directory)
    with _locked(directory):
        path, new_text, _ = _prepare_add(directory, entry_fields)
        _refuse_if_broken(directory, path, new_text, f"adding {str(entry_fields.get('en', ''))!r}")
        return _write(path, new_text)


def update_term(directory: Path, en_term: str, entry_fields: dict, *, base: str | None = None) -> Path:
    """Replace the row of ``en_term`` with ``entry_fields`` (all columns); only that row's lines change.

    ``base`` is the ``row_hash`` the editor started from: if the row changed since, nothing is
    written and GlossaryConflict says who must look again.
    """
    directory = Path(directory)
    with _locked(directory):
        path, new_text, _ = _prepare_update(directory, en_term, entry_fields, base)
        _refuse_if_broken(directory, path, new_text, f"changing {en_term!r}")
        return _write(path, new_text)


def remove_term(directory: Path, en_term: str, *, base: str | None = None) -> Path:
    """Remove the entry whose English variants include ``en_term``; returns the file changed."""
    directory = Path(directory)
    with _locked(directory):
        path, lines, first, last = _locate(directory, en_term, base)
        new_text = "".join(lines[: first - 1] + lines[last:])
        _refuse_if_broken(directory, path, new_text, f"removing {en_term.strip()!r}")
        return _write(path, new_text)


def check_fields(directory: Path, entry_fields: dict, *, original: str | None = None) -> list[FieldProblem]:
    """What ``glossary check`` would say about this row if it were saved (added, or replacing
    ``original``), each problem with its field; nothing is written."""
    directory = Path(directory)
    try:
        if original:
            path, new_text, line = _prepare_update(directory, original, entry_fields, None)
        else:
            path, new_text, line = _prepare_add(directory, entry_fields)
    except GlossaryConflict as exc:
        return [FieldProblem("en", "error", str(exc))]
    except GlossaryError as exc:
        return [FieldProblem("file" if "field" not in str(exc) else "en", "error", str(exc))]
    before, after = _problems_before_after(directory, path, new_text)
    known = {(p.file, p.message) for p in before}
    found = [p for p in after if (p.file == str(path) and p.line == line)
             or (p.severity == "error" and (p.file, p.message) not in known)]
    return [FieldProblem(problem_field(p.message), p.severity, p.message) for p in found]


_FIELD_AT_START = re.compile(r"^(dnt|case_sensitive|fixed|pos|gender|animacy|status|forbidden)\b")
_TARGET_FIELD = re.compile(r"\b(?:empty|repeated) (ru|arm) target\b")


def problem_field(message: str) -> str:
    """The column a ``glossary check`` message is about (``en`` for term-level problems)."""
    if found := _FIELD_AT_START.match(message):
        return found.group(1)
    if found := _TARGET_FIELD.search(message):
        return found.group(1)
    return "en"


def entry_to_row(entry: TermEntry) -> dict[str, str]:
    """The CSV row for an entry (used by writers such as TBX import)."""
    status = entry.status
    if entry.review_locales and status == "approved":
        status = "needs-review:" + ",".join(sorted(entry.review_locales))
    return {
        "en": "|".join(entry.en),
        **{loc: "|".join(entry.targets.get(loc, ())) for loc in TARGET_COLUMNS},
        "dnt": "yes" if entry.dnt else "",
        "case_sensitive": "yes" if entry.case_sensitive else "no",
        "fixed": "yes" if entry.fixed else "",
        "pos": entry.pos,
        "gender": entry.gender,
        "animacy": entry.animacy,
        "status": status,
        "note": entry.note,
        "forbidden": format_forbidden(entry.forbidden),
    }


def parse_forbidden(cell: str) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """``ru:Пятёрка|arm:Հնգյակ`` → ({"ru": ("Пятёрка",), "arm": ("Հնգյակ",)}, problems)."""
    found: dict[str, list[str]] = {}
    problems = []
    for part in _split(cell):
        locale, sep, text = part.partition(":")
        locale, text = locale.strip().lower(), text.strip()
        if not sep or locale not in TARGET_COLUMNS:
            problems.append(f"forbidden variant {part!r} must start with its locale ({' or '.join(c + ':' for c in TARGET_COLUMNS)})")
        elif not any(ch.isalnum() for ch in text):
            problems.append(f"forbidden variant {part!r} has no letters or digits after {locale}:")
        else:
            found.setdefault(locale, []).append(text)
    return {loc: tuple(forms) for loc, forms in found.items()}, problems


def format_forbidden(forbidden: dict[str, tuple[str, ...]]) -> str:
    """The ``forbidden`` cell for per-locale rejected targets (``TARGET_COLUMNS`` order)."""
    return "|".join(f"{loc}:{form}" for loc in TARGET_COLUMNS for form in forbidden.get(loc, ()))


def write_entries(path: Path, entries: list[TermEntry]) -> Path:
    return atomic_write_text(path, _render(list(COLUMNS), [entry_to_row(e) for e in entries]))


# --- reading -------------------------------------------------------------------------------


def _csv_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise GlossaryError(f"{directory}: glossary directory not found; pass --glossary DIR or create it")
    return sorted(p for p in directory.glob("*.csv") if p.is_file())


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}:1: not UTF-8 ({exc.reason}); save the file as UTF-8 CSV") from exc
    except OSError as exc:
        raise GlossaryError(f"{path}: cannot read ({exc.strerror}); check the path and permissions") from exc


def _numbered_rows(text: str) -> tuple[list[str], list[tuple[int, int, dict[str, str], int]]]:
    """Header and (first line, last line, row, cell count) per row; line numbers are the file's
    (header is line 1): a quoted cell may span lines."""
    # strict: an unclosed quote is an error, not a cell that silently swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[tuple[int, int, dict[str, str], int]] = []
    start = 1
    try:
        for cells in reader:
            if not header:
                header = [c.strip().lower() for c in cells]
            elif any(c.strip() for c in cells):
                row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
                rows.append((start, reader.line_num, row, len(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        exc.line = start  # the row where the broken quoting begins
        raise
    return header, rows


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        header, numbered = _numbered_rows(_read_text(path))
    except csv.Error as exc:
        raise GlossaryError(f"{path}:{getattr(exc, 'line', 1)}: {_csv_problem(exc)}; fix the file first") from exc
    return header, [row for _, _, row, _ in numbered]


def _read_directory(directory: Path) -> tuple[list[TermEntry], list[Problem]]:
    entries: list[TermEntry] = []
    problems: list[Problem] = []
    for path in _csv_files(directory):
        got_entries, got_problems = _parse_text(_read_text(path), str(path))
        entries += got_entries
        problems += got_problems
    return entries, problems


def _parse_text(text: str, name: str) -> tuple[list[TermEntry], list[Problem]]:
    try:
        header, rows = _numbered_rows(text)
    except csv.Error as exc:
        return [], [Problem(name, getattr(exc, "line", 1), "error", _csv_problem(exc))]
    if "en" not in header:
        return [], [Problem(name, 1, "error", "header has no 'en' column; first row must name the columns")]
    entries: list[TermEntry] = []
    problems = [Problem(name, 1, "warning", f"unknown column {c!r} is ignored") for c in header if c not in COLUMNS]
    for line, _, row, width in rows:
        if width > len(header):
            problems.append(Problem(name, line, "error", f"malformed row: {width} cells, header has {len(header)}"))
            continue
        entry, row_problems = _parse_row(row, name, line)
        problems += row_problems
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _csv_problem(exc: csv.Error) -> str:
    hint = "; check for an unclosed or stray quote" if "quote" in str(exc) or "end of data" in str(exc) else ""
    return f"malformed CSV ({exc}){hint}"


def _parse_row(row: dict[str, str], file: str, line: int) -> tuple[TermEntry | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(file, line, "error", message))

    en = _split(row.get("en", ""))
    if not en:
        bad("malformed row: empty 'en' term")
        return None, problems
    for variant in en:
        if not any(ch.isalnum() for ch in variant):
            bad(f"English term {variant!r} has no letters or digits; fix the cell")
    flags = {}
    for name in ("dnt", "case_sensitive", "fixed"):
        value = row.get(name, "").lower()
        if value not in _TRUE | _FALSE:
            bad(f"{name} must be yes or no, got {row[name]!r}")
        flags[name] = value in _TRUE
    if row.get("case_sensitive", "") == "":
        flags["case_sensitive"] = any(ch.isupper() for ch in en[0])
    status, review = _parse_status(row.get("status", ""), bad)
    for name, allowed in (("pos", POS_VALUES), ("gender", GENDERS), ("animacy", ANIMACY)):
        if row.get(name, "").lower() not in allowed:
            bad(f"{name} must be one of {', '.join(a for a in allowed if a)}, got {row[name]!r}")
    targets = {loc: _split(row.get(loc, "")) for loc in TARGET_COLUMNS}
    for loc, forms in targets.items():
        if not forms and not flags["dnt"]:
            problems.append(Problem(file, line, "warning", f"empty {loc} target for {en[0]!r}: it will not be enforced in {loc}"))
        if len(set(forms)) != len(forms):
            problems.append(Problem(file, line, "warning", f"repeated {loc} target for {en[0]!r}"))
    if len(set(en)) != len(en):
        problems.append(Problem(file, line, "warning", f"repeated English variant in {en[0]!r}"))
    forbidden, forbidden_problems = parse_forbidden(row.get("forbidden", ""))
    for message in forbidden_problems:
        bad(message)
    for loc, forms in forbidden.items():
        approved = {_fold(t) for t in targets.get(loc, ())}
        for form in forms:
            if _fold(form) in approved:
                bad(f"forbidden {loc} variant {form!r} is also an approved {loc} target of {en[0]!r}; keep it in one column")
    entry = TermEntry(
        en=en,
        targets=targets,
        dnt=flags["dnt"],
        case_sensitive=flags["case_sensitive"],
        fixed=flags["fixed"],
        pos=row.get("pos", "").lower(),
        gender=row.get("gender", "").lower(),
        animacy=row.get("animacy", "").lower(),
        status=status,
        review_locales=review,
        note=row.get("note", ""),
        file=file,
        line=line,
        forbidden=forbidden,
    )
    return (entry if not any(p.severity == "error" for p in problems) else None), problems


def _parse_status(value: str, bad) -> tuple[str, frozenset[str]]:
    """``approved`` | ``needs-review`` | ``needs-review:arm,ru`` → (status, locales under review)."""
    text = value.strip().lower() or "approved"
    status, _, locales = text.partition(":")
    status = status.strip()
    if status not in STATUSES:
        bad(f"status must be approved or needs-review, got {value!r}")
        return "approved", frozenset()
    if status == "approved":
        return status, frozenset()
    wanted = {c.strip() for c in locales.split(",") if c.strip()} or set(TARGET_COLUMNS)
    unknown = wanted - set(TARGET_COLUMNS)
    if unknown:
        bad(f"status names unknown locale(s) {', '.join(sorted(unknown))}; use {', '.join(TARGET_COLUMNS)}")
    return ("needs-review" if wanted == set(TARGET_COLUMNS) else "approved"), frozenset(wanted & set(TARGET_COLUMNS))


def _fold(text: str) -> str:
    """Case, ё/е and quotes ignored: how a forbidden variant is compared with a target."""
    return text.strip("«»\"“”„ ").casefold().replace("ё", "е")


def _hashed_columns(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS or row.get(c, "").strip())


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


# --- cross-entry checks ----------------------------------------------------------------------


def _cross_check(entries: list[TermEntry]) -> list[Problem]:
    """Duplicates, conflicting targets and shadowing, across all files."""
    problems: list[Problem] = []
    exact: dict[str, TermEntry] = {}
    folded: dict[str, TermEntry] = {}
    for entry in entries:
        for variant in entry.en:
            other = exact.get(variant)
            if other is not None and other is not entry:
                where = f"{other.file}:{other.line}"
                if other.targets == entry.targets and other.dnt == entry.dnt:
                    problems.append(Problem(entry.file, entry.line, "error", f"duplicate term {variant!r} (also at {where})"))
                else:
                    problems.append(Problem(entry.file, entry.line, "error", f"conflicting targets for {variant!r} (also at {where}); keep one row"))
                continue
            exact[variant] = entry
            key = _match_key(variant)
            rival = folded.get(key)
            if rival is not None and rival is not entry and (not entry.case_sensitive or not rival.case_sensitive):
                problems.append(
                    Problem(entry.file, entry.line, "warning",
                            f"{variant!r} and {rival.id!r} ({rival.file}:{rival.line}) match the same text; the longer/first entry shadows the other")
                )
            folded.setdefault(key, entry)
    return problems


def _match_key(variant: str) -> str:
    """What the matcher cannot tell apart when case is ignored: case, hyphen/space, plural -s."""
    key = " ".join(variant.lower().replace("-", " ").split())
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


# --- writing ---------------------------------------------------------------------------------


def _render(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in header})
    return out.getvalue()


def _refuse_if_broken(directory: Path, path: Path, new_text: str, action: str) -> None:
    """Validate the directory as it would be after the change; refuse a change that adds an error.

    Errors the base already had are tolerated (compared without line numbers, which a removal
    shifts), so an editor can still fix a broken base one command at a time.
    """
    old, new = _problems_before_after(directory, path, new_text)
    before = {(p.file, p.message) for p in old if p.severity == "error"}
    added = [p for p in new if p.severity == "error" and (p.file, p.message) not in before]
    if added:
        raise GlossaryError(f"{added[0]}; refused {action}, the glossary is unchanged")


def _problems_before_after(directory: Path, path: Path, new_text: str) -> tuple[list[Problem], list[Problem]]:
    def errors(replacement: str | None) -> list[Problem]:
        entries: list[TermEntry] = []
        problems: list[Problem] = []
        files = set(_csv_files(directory)) | {path}
        for other in sorted(files):
            if other == path:
                if replacement is None and not path.exists():
                    continue
                text = replacement.removeprefix(_BOM) if replacement is not None else _read_text(path)
            else:
                text = _read_text(other)
            got_entries, got_problems = _parse_text(text, str(other))
            entries += got_entries
            problems += got_problems
        problems += _cross_check(entries)
        return problems

    return errors(None), errors(new_text)


@contextmanager
def _locked(directory: Path):
    """One writer at a time per term-base directory (flock on the directory itself: no lock file)."""
    if not directory.is_dir():
        raise GlossaryError(f"{directory}: glossary directory not found; pass --glossary DIR or create it")
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


_BOM = "\ufeff"


def _write(path: Path, text: str) -> Path:
    return atomic_write_text(path, text)


def _spans(path: Path) -> tuple[list[str], str, list[str], list[tuple[int, int, dict[str, str]]]]:
    """The file's physical lines, its line ending, header and (first line, last line, row) per row."""
    text = _read_text(path) if path.exists() else ""
    bom = _BOM if path.exists() and path.read_bytes().startswith(b"\xef\xbb\xbf") else ""
    lines = io.StringIO(text, newline="").readlines()
    if bom and lines:
        lines[0] = bom + lines[0]
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    try:
        header, rows = _numbered_rows(text)
    except csv.Error as exc:
        raise GlossaryError(f"{path}:{getattr(exc, 'line', 1)}: {_csv_problem(exc)}; fix the file first") from exc
    return lines, eol, header, [(first, last, row) for first, last, row, _ in rows]


def _clean_fields(directory: Path, entry_fields: dict) -> tuple[str, dict[str, str]]:
    fields_ = {k: str(v).strip() for k, v in entry_fields.items() if v is not None}
    file_name = fields_.pop("file", "") or DEFAULT_FILE
    unknown = sorted(set(fields_) - set(COLUMNS))
    if unknown:
        raise GlossaryError(f"{directory / file_name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    if not file_name.endswith(".csv") or Path(file_name).name != file_name or file_name.startswith("."):
        raise GlossaryError(f"{file_name!r}: the file must be a .csv name inside the glossary folder (no folders)")
    return file_name, fields_


def _render_row(header: list[str], row: dict[str, str], eol: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=eol).writerow([row.get(h, "") for h in header])
    return out.getvalue()


def _prepare_add(directory: Path, entry_fields: dict) -> tuple[Path, str, int]:
    """(file, its new text, the new row's line) for appending an entry."""
    file_name, fields_ = _clean_fields(directory, entry_fields)
    path = directory / file_name
    lines, eol, header, _ = _spans(path)
    if not header:
        header, lines = list(COLUMNS), [_render_row(list(COLUMNS), dict(zip(COLUMNS, COLUMNS)), eol)]
    missing = [c for c in COLUMNS if c not in header and (c not in OPTIONAL_COLUMNS or fields_.get(c))]
    if missing:  # an old file without some columns: the header grows, every row is written again
        header_, rows = _read_rows(path)
        header_ += missing
        text = _render(header_, rows + [{c: fields_.get(c, "") for c in header_}])
        return path, text, text.count("\n")
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += eol
    lines.append(_render_row(header, {c: fields_.get(c, "") for c in header}, eol))
    return path, "".join(lines), len(lines)


def _locate(directory: Path, en_term: str, base: str | None) -> tuple[Path, list[str], int, int]:
    """The file, its lines and the first/last line of the row of ``en_term``; conflict if not at ``base``."""
    wanted = en_term.strip()
    for path in _csv_files(directory):
        lines, _, _, spans = _spans(path)
        for first, last, row in spans:
            if wanted in _split(row.get("en", "")):
                if base is not None and row_hash(row) != base:
                    current = RowRecord(path.name, first, row, row_hash(row))
                    raise GlossaryConflict(f"{path}:{first}: {wanted!r} was changed by someone else since you "
                                           "opened it; review their version, then apply your change again", current)
                return path, lines, first, last
    if base is not None:
        raise GlossaryConflict(f"{directory}: {wanted!r} was removed or renamed by someone else since you opened it; "
                               "nothing was saved", None)
    raise GlossaryError(f"{directory}: no entry with English term {wanted!r}; see `i18n-pipeline glossary list`")


def _prepare_update(directory: Path, en_term: str, entry_fields: dict, base: str | None) -> tuple[Path, str, int]:
    _, fields_ = _clean_fields(directory, {k: v for k, v in entry_fields.items() if k != "file"})
    path, lines, first, last = _locate(directory, en_term, base)
    _, eol, header, spans = _spans(path)
    old = next(row for f, _, row in spans if f == first)
    missing = [c for c in OPTIONAL_COLUMNS if c not in header and fields_.get(c)]
    if missing:  # the first forbidden variant of a file: its header grows, every row is written again
        header_, rows = _read_rows(path)
        header_ += missing
        at = [f for f, _, _ in spans].index(first)
        rows[at] = {h: fields_.get(h, "") if h in COLUMNS else old.get(h, "") for h in header_}
        text = _render(header_, rows)
        return path, text, _numbered_rows(text)[1][at][0]
    row = {h: fields_.get(h, "") if h in COLUMNS else old.get(h, "") for h in header}
    new_lines = lines[: first - 1] + [_render_row(header, row, eol)] + lines[last:]
    if last == len(lines) and not lines[-1].endswith(("\n", "\r")):
        new_lines[first - 1] = new_lines[first - 1].rstrip("\r\n")  # the file had no final newline
    return path, "".join(new_lines), first


def _canonical_row(entry: TermEntry, *, forbidden: bool = True) -> str:
    """The entry's cells joined; an empty ``forbidden`` is left out (hashes of older bases hold),
    and ``forbidden=False`` leaves it out always (what MT sees: enforcement never reads it)."""
    row = entry_to_row(entry)
    return "\x1f".join(row[c] for c in _hashed_columns(row) if forbidden or c != "forbidden")
