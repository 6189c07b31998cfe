"""What earlier runs produced, so an unchanged article is not processed again.

For each article and locale the manifest keeps a key — a hash of everything that decides the
outputs (the input bytes, models, glossary, settings, catalogs, human translations in the TM,
the pipeline version) — the output files with their hashes, and the article's counts. When the
key matches and every output is still there unchanged, the run reuses them. An output that
changed or went missing, or a manifest that cannot be read, means: process the article again.

Where it lives is the translation memory's choice (``TranslationMemory.manifest``): with the
embedded SQLite memory ``RunManifest``, ``manifest.json`` in the state folder (deleting it only
costs one full run); with a PostgreSQL memory a table every machine shares
(``tm.postgres.PostgresManifest``). Both have the ``Manifest`` API.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Protocol, Sequence

from .fsutil import atomic_write_text

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"


def fingerprint(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def output_digests(outputs: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """``{output: SHA-256}``: digests already taken (where the writer still held the article) are kept."""
    if isinstance(outputs, Mapping):
        return dict(outputs)
    return {o: file_digest(Path(o)) for o in outputs}


def outputs_unchanged(digests: Mapping[str, str]) -> bool:
    """True when every output is still there with the digest it was recorded with."""
    if not isinstance(digests, Mapping):  # a record damaged by hand: not to be trusted
        return False
    for output, digest in digests.items():
        try:
            if file_digest(Path(output)) != digest:
                return False
        except OSError:
            return False
    return True


@dataclass
class Done:
    """An article's outputs and counts for one locale, from the run that made them."""

    outputs: list[str]
    stats: dict


class Manifest(Protocol):
    """What is up to date, per article path and locale (``RunManifest``, ``PostgresManifest``)."""

    def done(self, path: str, locale: str, key: str) -> Done | None: ...  # None: process it again
    def record(self, path: str, locale: str, key: str, outputs: Sequence[str] | Mapping[str, str],
               stats: dict) -> None: ...  # outputs: paths, or paths with the digests taken when written
    def save(self) -> None: ...  # what was recorded since the last save, kept
    def recorded(self) -> set[tuple[str, str]]: ...  # every (path, locale) it holds


class RunManifest:
    """The manifest of the embedded memory: ``manifest.json`` in the state folder."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / MANIFEST
        self._entries: dict[str, dict] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._entries = data if isinstance(data, dict) else {}
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable (%s); every article will be processed again", self.path, exc)

    def done(self, path: str, locale: str, key: str) -> Done | None:
        """The earlier result if its key matches and every output is still as it was written."""
        entry = self._entries.get(f"{path}\0{locale}")
        if not isinstance(entry, dict) or entry.get("key") != key or not outputs_unchanged(entry.get("outputs", {})):
            return None
        return Done(list(entry["outputs"]), dict(entry.get("stats", {})))

    def record(self, path: str, locale: str, key: str, outputs: Sequence[str] | Mapping[str, str],
               stats: dict) -> None:
        self._entries[f"{path}\0{locale}"] = {"key": key, "outputs": output_digests(outputs), "stats": stats}

    def recorded(self) -> set[tuple[str, str]]:
        return {tuple(name.split("\0", 1)) for name in self._entries}

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self._entries, ensure_ascii=False, indent=1))
