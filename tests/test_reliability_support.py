"""Shared helpers for the reliability tests (no tests here): workspaces, runs, output comparison.

"Equal outputs" means equal *content*: the same files, the same sources, targets and states,
the same translated article byte for byte. Provenance is left out on purpose: a rerun serves
from the TM what an uninterrupted run got from MT (``origin`` mt vs tm, ``tm_hit``, a term
"enforced" vs found "ok"), and that difference is correct, not a loss.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import lxml.html
from lxml import etree

from i18n_pipeline.fsutil import TEMP_SUFFIX
from i18n_pipeline.mt.store import ModelStore

CLI = Path(sys.executable).with_name("i18n-pipeline")
XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def article(n: int) -> str:
    """A short Markdown article; ``n`` makes each one's sentences differ."""
    return (
        f"---\ntitle: Council approves budget plan {n}\nauthor: Anna Petrova\npublished: 2025-03-0{1 + n % 9}\n---\n\n"
        f"The city council approved the new budget on Tuesday after debate number {n}. "
        f"Officials said the plan would fund {n + 2} schools, roads and hospitals.\n\n"
        f"Critics argued that the spending in district {n} was too high. "
        "The mayor said the vote was a victory for residents.\n"
    )


def install_models(root: Path, *packages: Path) -> Path:
    store = ModelStore(root)
    for package in packages:
        store.install(package)
    return root


def make_inbox(folder: Path, count: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"story{n}.md").write_text(article(n), encoding="utf-8")
    return folder


def quick_config(folder: Path) -> Path:
    """Settings for these tests: QA spelling off. Loading a Hunspell dictionary takes seconds per
    process and has nothing to do with crash safety; every other stage runs as in production."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "i18n.toml"
    path.write_text('[qa]\noff = ["spelling"]\n', encoding="utf-8")
    return path


def translate_command(inbox: Path, out: Path, state: Path, models: Path, *extra: str) -> list[str]:
    """The CLI command line; settings from ``quick_config`` beside the state folder."""
    config = quick_config(state.parent)
    return [str(CLI), "translate", str(inbox), "--to", "ru,arm", "--out", str(out), "--models", str(models),
            "--state", str(state), "--glossary", str(state.parent / "no-glossary"), "--config", str(config), *extra]


def run_cli(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


# --- comparing outputs ---------------------------------------------------------------------------


def snapshot(out: Path) -> dict[str, object]:
    """Every output file under ``out`` (relative path) → its comparable content."""
    return {str(p.relative_to(out)): content(p) for p in sorted(out.rglob("*")) if p.is_file()}


def content(path: Path) -> object:
    """Parses each file (so a half-written one raises) and keeps what must not change."""
    data = path.read_bytes()
    name = path.name
    if name.endswith(".xlf"):
        root = etree.fromstring(data)
        return [(s.get("id"), s.get("state"), _text(s.find(f"{XLIFF}source")), _text(s.find(f"{XLIFF}target")))
                for s in root.iter(f"{XLIFF}segment")]
    if name.endswith(".tmx"):
        root = etree.fromstring(data)
        return [[(tuv.get(XML_LANG), _text(tuv.find("seg"))) for tuv in tu.iter("tuv")] for tu in root.iter("tu")]
    if name.endswith(".review.html"):
        doc = lxml.html.document_fromstring(data)
        return [(el.get("data-seg"), el.text_content()) for el in doc.iter() if el.get("data-seg")]
    if name.endswith(".json"):
        return _without_provenance(json.loads(data))
    return data  # the translated article (.txt, .html): byte for byte


def _text(element) -> str | None:
    return None if element is None else "".join(element.itertext())


def _without_provenance(value):
    if isinstance(value, dict):
        return {k: _without_provenance(v) for k, v in value.items()
                if k != "provenance" and not (k == "status" and v in ("ok", "enforced"))}
    if isinstance(value, list):
        return [_without_provenance(v) for v in value]
    return value


def temp_files(root: Path) -> list[Path]:
    return sorted(root.rglob(f"*{TEMP_SUFFIX}"))


def tm_rows(state: Path) -> list[tuple]:
    """The TM's content without timestamps, after SQLite's own integrity check passed."""
    with sqlite3.connect(state / "tm.sqlite") as db:
        check = db.execute("PRAGMA integrity_check").fetchall()
        assert check == [("ok",)], check
        rows = db.execute("SELECT source_key, src_lang, tgt_lang, target, origin, state, model, model_version, "
                          "glossary_hash FROM tm ORDER BY 1, 2, 3").fetchall()
    return rows
