"""What earlier runs produced, so an unchanged article is not processed again.

For each article and locale the manifest keeps a key — a hash of everything that decides the
outputs (the input bytes, models, glossary, settings, catalogs, human translations in the TM,
the pipeline version) — the output files with their hashes, and the article's counts. When the
key matches and every output is still there unchanged, the run reuses them. Kept in the state
folder; deleting it only costs one full run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Done:
    """An article's outputs and counts for one locale, from the run that made them."""

    outputs: list[str]
    stats: dict


class RunManifest:
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
        if not entry or entry.get("key") != key:
            return None
        for output, digest in entry.get("outputs", {}).items():
            try:
                if file_digest(Path(output)) != digest:
                    return None
            except OSError:
                return None
        return Done(list(entry["outputs"]), dict(entry.get("stats", {})))

    def record(self, path: str, locale: str, key: str, outputs: list[str], stats: dict) -> None:
        self._entries[f"{path}\0{locale}"] = {
            "key": key, "outputs": {o: file_digest(Path(o)) for o in outputs}, "stats": stats,
        }

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self._entries, ensure_ascii=False, indent=1))
