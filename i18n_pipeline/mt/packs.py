"""Model pack kinds, named in a registry and imported on demand (importing all is slow).

A pack is a directory with a ``metadata.json``; its ``kind`` says which module reads it
(Argos packages have none and are ``argos``). A new model kind is one module plus one line here.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Protocol

from ..config import MTSettings
from ..errors import CorruptModelError
from .base import ModelInfo, TranslationEngine

PACK_KINDS: dict[str, str] = {
    "argos": "i18n_pipeline.mt.argos_pack:ArgosPack",
    "opus-mt": "i18n_pipeline.mt.opus_mt_pack:OpusMTPack",
    "nllb": "i18n_pipeline.mt.nllb_pack:NLLBPack",
}
METADATA = "metadata.json"
# Codes end up in folder names: a hostile pack must not steer an install with "../".
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")


class Pack(Protocol):
    info: ModelInfo

    def load(self, settings: MTSettings) -> TranslationEngine: ...


def read_metadata(pack_dir: Path) -> dict:
    path = pack_dir / METADATA
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CorruptModelError(f"{pack_dir}: not a model pack (no {METADATA}); reinstall it") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CorruptModelError(f"{path}: unreadable pack metadata ({exc}); reinstall the pack") from exc
    if not isinstance(data, dict) or not data.get("from_code") or not data.get("to_code"):
        raise CorruptModelError(f"{path}: pack metadata lacks from_code/to_code; reinstall the pack")
    for key in ("from_code", "to_code"):
        if not isinstance(data[key], str) or not LANGUAGE_CODE.fullmatch(data[key]):
            raise CorruptModelError(f"{path}: {key} {data[key]!r} is not a language code; refusing the pack")
    return data


def pack_kind(metadata: dict) -> str:
    return str(metadata.get("kind") or "argos")


def open_pack(pack_dir: Path) -> Pack:
    metadata = read_metadata(pack_dir)
    kind = pack_kind(metadata)
    if kind not in PACK_KINDS:
        raise CorruptModelError(f"{pack_dir}: unknown model kind {kind!r}; known: {', '.join(PACK_KINDS)}")
    module_name, class_name = PACK_KINDS[kind].split(":")
    pack_class = getattr(importlib.import_module(module_name), class_name)
    return pack_class(pack_dir, metadata)


def licence_fields(metadata: dict) -> dict[str, str]:
    """ModelInfo's licence, source_url and attribution as ``metadata.json`` records them."""
    fields = {"licence": metadata.get("licence") or "unknown", "source_url": metadata.get("source_url") or "",
              "attribution": metadata.get("attribution") or ""}
    return {key: value if isinstance(value, str) else str(value) for key, value in fields.items()}


def require_files(pack_dir: Path, names: list[str]) -> None:
    missing = [n for n in names if not (pack_dir / n).is_file()]
    if missing:
        raise CorruptModelError(f"{pack_dir}: pack is missing {', '.join(missing)}; reinstall it")
