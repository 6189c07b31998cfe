"""The glossary desk's library: search, a change with its history, and the forms preview.

The web pages (``i18n_pipeline.web.glossary``) and the CLI call these; every write goes through
``termbase`` (``add_term``, ``update_term``, ``remove_term``), so the desk validates and writes
exactly as ``glossary add/edit/remove`` do. The history is one JSON line per change in
``<state>/glossary-history.jsonl`` (who, when, action, file, before and after rows, and the
version of the whole term base the change made: ``Glossary.hash``), appended after the CSV was
replaced; nothing here imports the web layer. ``termbase_versions`` reads back which desk change
made which version (the figures page names them), ``termbase_version`` is the version now.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import GlossaryError, WriteError
from ..fsutil import atomic_write_bytes
from . import inflect_hy, inflect_ru
from .tbx import ImportItem, accept_import, diff_tbx, export_tbx
from .termbase import (
    COLUMNS, RowRecord, _split, add_term, find_row, read_rows, remove_term, update_term,
)

HISTORY = "glossary-history.jsonl"
IMPORTS = "glossary-imports"  # <state>/glossary-imports/<token>.tbx: an uploaded file while its diff is reviewed
RU_CASES = (("nomn", "nominative (кто? что?)"), ("gent", "genitive (кого? чего?)"), ("datv", "dative (кому? чему?)"),
            ("accs", "accusative (кого? что?)"), ("ablt", "instrumental (кем? чем?)"),
            ("loct", "prepositional (о ком? о чём?)"))
# (singular suffix, plural suffix, label): the suffixes enforcement reads off the model's word.
HY_SUFFIXES = (("", "ներ", "as written"), ("ի", "ների", "genitive/dative"), ("ից", "ներից", "ablative"),
               ("ում", "ներում", "locative"), ("ով", "ներով", "instrumental"), ("ը", "ները", "definite"),
               ("ն", "ներն", "definite (after a vowel)"))


@dataclass(frozen=True)
class Change:
    """One saved change: ``before``/``after`` rows (None for an add / a retirement)."""

    action: str  # "add" | "edit" | "retire"
    file: str
    entry: str
    before: dict[str, str] | None
    after: dict[str, str] | None
    who: str = ""
    at: str = ""
    termbase: str = ""  # the term base's version after the change ("": a line from before it was recorded)


@dataclass(frozen=True)
class TermbaseVersion:
    """A version of the whole term base as the desk's history knows it: the change that made it."""

    digest: str  # ``Glossary.hash``
    change: int  # that change's number in the history (1: the first)
    at: str
    who: str
    action: str
    entry: str


def termbase_version(directory: Path) -> str:
    """The version of the whole term base now: ``Glossary.hash`` of its usable entries, as a run
    records it with each MT (16 hex digits; "" when there is no term-base folder)."""
    from .termbase import load_usable_glossary

    if not Path(directory).is_dir():
        return ""
    return load_usable_glossary(Path(directory))[0].hash


def termbase_versions(state_dir: Path) -> tuple[int, dict[str, TermbaseVersion]]:
    """How many changes the desk's history holds, and per term-base version the newest change that made it."""
    changes = history(state_dir, limit=None)[::-1]
    made = {c.termbase: TermbaseVersion(c.termbase, n, c.at, c.who, c.action, c.entry)
            for n, c in enumerate(changes, 1) if c.termbase}
    return len(changes), made


def search(directory: Path, query: str = "", status: str = "", locale: str = "") -> list[RowRecord]:
    """Rows whose cells contain ``query`` (any case), with ``status`` (approved / needs-review,
    which includes a locale under review) and, for ``locale``, only those with a target or
    under review there (``locale="missing:ru"``: those without a Russian target)."""
    needle = query.strip().casefold()
    found = []
    for record in read_rows(directory):
        row = record.row
        if needle and not any(needle in row.get(c, "").casefold() for c in COLUMNS):
            continue
        state = (row.get("status", "") or "approved").lower()
        if status and not state.startswith(status):
            continue
        if locale.startswith("missing:"):
            if row.get(locale.split(":", 1)[1], "") or row.get("dnt", "").lower() in ("yes", "y", "true", "1", "x"):
                continue
        elif locale and not (row.get(locale, "") or locale in state):
            continue
        found.append(record)
    return found


def save(directory: Path, state_dir: Path, fields: dict, *, who: str, original: str = "",
         base: str | None = None) -> Change:
    """Add (no ``original``) or replace the entry ``original`` that was at ``base``; record it."""
    if original:
        before = find_row(directory, original)
        update_term(directory, original, fields, base=base)
        after_id = (_split(fields.get("en", "")) or (original,))[0]
        after = find_row(directory, after_id)
        change = Change("edit", after.file if after else "", after_id, before.row if before else None,
                        after.row if after else None)
    else:
        path = add_term(directory, fields)
        entry = (_split(fields.get("en", "")) or ("",))[0]
        after = find_row(directory, entry)
        change = Change("add", path.name, entry, None, after.row if after else None)
    return record(state_dir, change, who, directory)


def retire(directory: Path, state_dir: Path, entry: str, *, who: str, base: str | None = None) -> Change:
    """Take the entry out of the base (its row is kept in the history, so it can be restored)."""
    before = find_row(directory, entry)
    path = remove_term(directory, entry, base=base)
    return record(state_dir, Change("retire", path.name, entry, before.row if before else None, None), who, directory)


def record(state_dir: Path, change: Change, who: str, directory: Path | None = None) -> Change:
    """Append ``change`` to the history (one line, O_APPEND: concurrent writers never interleave);
    with the term-base ``directory``, the version of the whole term base the change made."""
    done = Change(change.action, change.file, change.entry, change.before, change.after, who,
                  datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  termbase_version(directory) if directory is not None else change.termbase)
    line = json.dumps(done.__dict__, ensure_ascii=False) + "\n"
    path = Path(state_dir) / HISTORY
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise WriteError(f"{path}: the glossary was saved but the history could not be written "
                         f"({exc.strerror or exc}); check free space and permissions") from exc
    return done


def history(state_dir: Path, entry: str = "", limit: int | None = 200) -> list[Change]:
    """Changes, newest first; for ``entry``, those whose before or after row names it (``limit=None``: all)."""
    path = Path(state_dir) / HISTORY
    if not path.exists():
        return []
    changes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            change = Change(**data)
        except (ValueError, TypeError):
            continue  # a line a crash cut short
        names = {change.entry} | {v for row in (change.before, change.after) if row for v in _split(row.get("en", ""))}
        if not entry or entry in names:
            changes.append(change)
    return changes[::-1][:limit]


def forms_preview(fields: dict) -> dict[str, list[tuple[str, ...]]]:
    """How the preferred targets will appear in sentences.

    Russian: one row per case, ``(label, singular, plural)`` from pymorphy3 as enforcement
    inflects them. Enforcement keeps the number the target is written in, so that column is the
    one it uses; the other is what a sentence about several (or one) of them needs. A form
    pymorphy3 cannot produce reads ``—``; ``fixed`` (and an abbreviation or a quoted name) keeps
    one form everywhere. Armenian: ``(label, singular, plural)`` with the suffixes enforcement
    attaches (it keeps the suffix the model wrote, plural ones included).
    """
    preview: dict[str, list[tuple[str, ...]]] = {}
    fixed = _flag(fields.get("fixed", ""))
    animacy = str(fields.get("animacy", "")).lower()
    animate = True if animacy == "anim" else False if animacy == "inan" else None
    ru = _split(str(fields.get("ru", "")))
    if ru:
        try:
            rows = []
            for case, label in RU_CASES:
                singular, plural = (inflect_ru.inflect(ru[0], case, fixed=fixed, animate=animate, number=n)
                                    for n in ("sing", "plur"))
                rows.append((label, singular or "—", plural or "—"))
            preview["ru"] = rows
        except Exception as exc:  # pymorphy3 missing or its dictionaries broken: said, not fatal
            raise GlossaryError(f"Russian forms preview unavailable ({exc}); check that pymorphy3 is installed") from exc
    arm = _split(str(fields.get("arm", "")))
    if arm:
        preview["arm"] = [(label, inflect_hy.attach(arm[0], one), inflect_hy.attach(arm[0], many))
                          for one, many, label in HY_SUFFIXES]
    return preview


def forms_notes(fields: dict) -> dict[str, str]:
    """One line per locale saying which forms enforcement uses and what ``fixed`` changes."""
    notes: dict[str, str] = {}
    ru = _split(str(fields.get("ru", "")))
    if ru:
        form = ru[0]
        if _flag(fields.get("fixed", "")):
            notes["ru"] = f"fixed: «{form}» stays as written in every case and number; clear fixed to inflect it."
        elif inflect_ru.is_frozen(form, False):
            notes["ru"] = (f"«{form}» is an abbreviation, a quoted name or not Cyrillic: it stays as written "
                           "in every case, fixed or not.")
        else:
            try:
                own = inflect_ru.inflect(form, "gent") is not None and inflect_ru.written_number(form)
            except Exception:  # the preview itself reports pymorphy3 trouble
                own = None
            column = {"sing": "singular", "plur": "plural"}.get(own or "", "")
            notes["ru"] = ((f"Enforcement puts «{form}» into the case the sentence needs and keeps its number "
                            f"(the {column} column). " if column else
                            f"pymorphy3 cannot inflect «{form}»: enforcement keeps it as written. ")
                           + "Mark fixed to keep it as written everywhere.")
    arm = _split(str(fields.get("arm", "")))
    if arm:
        notes["arm"] = (f"Enforcement keeps the case suffix the model wrote and attaches it to «{arm[0]}» "
                        "(with a hyphen after an abbreviation or a Latin name).")
    return notes


def _flag(value) -> bool:
    return str(value).strip().lower() in ("yes", "y", "true", "1", "x")


# --- TBX round trip ----------------------------------------------------------------------------


def export(directory: Path, out: Path, version: str = "basic") -> Path:
    """The desk's download: exactly what ``glossary export`` writes."""
    from .termbase import load_glossary

    return export_tbx(load_glossary(Path(directory)), Path(out), version=version)


def stash_import(state_dir: Path, data: bytes) -> str:
    """Keep an uploaded TBX file while its diff is reviewed; the token names it (its content hash)."""
    import hashlib

    token = hashlib.sha256(data).hexdigest()[:16]
    atomic_write_bytes(Path(state_dir) / IMPORTS / f"{token}.tbx", data)
    return token


def import_diff(directory: Path, state_dir: Path, token: str) -> list[ImportItem]:
    """The diff of a stashed upload against the base as it is now."""
    if not token.isalnum() or len(token) != 16:
        raise GlossaryError(f"{token!r} is not an uploaded TBX file; upload it again")
    path = Path(state_dir) / IMPORTS / f"{token}.tbx"
    if not path.exists():
        raise GlossaryError("the uploaded TBX file is gone (the state folder was cleaned); upload it again")
    return diff_tbx(path.read_bytes(), directory, name="the uploaded TBX file")


def accept(directory: Path, state_dir: Path, item: ImportItem, *, who: str) -> Change:
    """Apply one added or changed entry of an import diff, and record it like any desk change."""
    path = accept_import(directory, item)
    after = find_row(directory, item.entry)
    action = "add" if item.kind == "added" else "edit"
    return record(state_dir, Change(action, path.name, item.entry, item.before, after.row if after else None), who,
                  directory)
