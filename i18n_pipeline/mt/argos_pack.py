"""Argos Translate packages, read through ``argostranslate.package`` and decoded by our engine.

Argos's own translate module is never imported: it downloads a sentence model at run time.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from ..config import MTSettings
from ..errors import CorruptModelError
from .base import ModelInfo
from .ctranslate2_engine import CTranslate2Engine, PackFormat, PlainCodec
from .spm_codec import SpanCodec
from .packs import licence_fields, require_files

_XDG_VARS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")


@cache
def argos_package_module():
    """Import ``argostranslate.package`` without letting it write into the user's home.

    ``argostranslate.settings`` creates data, config and cache directories under $HOME (or
    $XDG_*) at import time; we point those at a private temp directory for the import.
    """
    saved = {var: os.environ.get(var) for var in _XDG_VARS}
    scratch = Path(tempfile.gettempdir()) / f"i18n-pipeline-argos-{os.getuid()}"
    try:
        for var in _XDG_VARS:
            os.environ[var] = str(scratch / var.lower())
        import argostranslate.package as package_module
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    return package_module


class ArgosPack:
    kind = "argos"

    def __init__(self, pack_dir: Path, metadata: dict):
        require_files(pack_dir, ["model/model.bin"])
        if not any((pack_dir / n).is_file() for n in ("sentencepiece.model", "bpe.model")):
            raise CorruptModelError(f"{pack_dir}: pack has no sentencepiece.model or bpe.model; reinstall it")
        try:
            self.package = argos_package_module().Package(pack_dir)
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptModelError(f"{pack_dir}: Argos cannot read this package ({exc}); reinstall it") from exc
        self.path = pack_dir
        self.info = ModelInfo(
            name=pack_dir.name,
            kind=self.kind,
            from_code=self.package.from_code,
            to_code=self.package.to_code,
            version=str(self.package.package_version or metadata.get("package_version", "")),
            path=str(pack_dir),
            **licence_fields(metadata),
        )

    def load(self, settings: MTSettings) -> CTranslate2Engine:
        tokenizer = self.package.tokenizer
        if hasattr(tokenizer, "lazy_processor"):
            # One SentencePiece model serves both sides of an Argos package; its own offsets
            # give every piece's span (Argos's decode also turns "_" into spaces: not used).
            processor = tokenizer.lazy_processor()
            codec = SpanCodec(processor, processor)
        else:
            codec = PlainCodec(tokenizer.encode, tokenizer.decode)  # BPE packages: no offsets
        prefix = (self.package.target_prefix,) if self.package.target_prefix else ()
        return CTranslate2Engine(self.path / "model", codec, self.info, settings, PackFormat(target_prefix=prefix))
