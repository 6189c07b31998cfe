"""OPUS-MT (Marian) models converted with CTranslate2's own converter: our Armenian route.

A release (``*.npz``, ``decoder.yml``, ``source.spm``, ``target.spm``, vocab ``.yml``) becomes a
pack directory: ``model/`` (CTranslate2, int8), ``source.spm``, ``target.spm``, ``metadata.json``,
and the release's ``preprocess.sh``, ``postprocess.sh``, ``README.md`` and ``LICENSE`` as shipped.
``metadata.json`` has ``source_prefix``: the source pieces every sentence must start with
(``[">>hye<<"]`` for a multi-target release, ``[]`` otherwise; see ``opus_mt_labels``).
"""

from __future__ import annotations

import json
import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path

from ..config import MTSettings
from ..errors import CorruptModelError
from .base import ModelInfo
from .ctranslate2_engine import CTranslate2Engine, PackFormat, model_adds_source_eos
from .normalize import opus_mt_normalize
from .packs import licence_fields, require_files

log = logging.getLogger(__name__)
KIND = "opus-mt"
# Copied into the pack as the release ships them: the normalization the model was trained with
# (preprocess.sh), its inverse (postprocess.sh), and the model card and license.
RELEASE_FILES_KEPT = ("preprocess.sh", "postprocess.sh", "README.md", "LICENSE")


class OpusMTPack:
    kind = KIND

    def __init__(self, pack_dir: Path, metadata: dict):
        require_files(pack_dir, ["model/model.bin", "source.spm", "target.spm"])
        self.path = pack_dir
        self.metadata = metadata
        self.info = ModelInfo(
            name=pack_dir.name,
            kind=KIND,
            from_code=metadata["from_code"],
            to_code=metadata["to_code"],
            version=str(metadata.get("package_version", "")),
            path=str(pack_dir),
            **licence_fields(metadata),
        )

    def load(self, settings: MTSettings) -> CTranslate2Engine:
        import sentencepiece

        from .spm_codec import SpanCodec

        # One tokenizer per side, as the release trains them; the source side sees the text
        # after the release's own preprocess.sh normalization, as in training.
        source = sentencepiece.SentencePieceProcessor(model_file=str(self.path / "source.spm"))
        target = sentencepiece.SentencePieceProcessor(model_file=str(self.path / "target.spm"))
        codec = SpanCodec(source, target, normalize=opus_mt_normalize)
        labels = self.metadata.get("source_prefix") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise CorruptModelError(f"{self.path / 'metadata.json'}: source_prefix must be a list of pieces; reinstall the pack")
        pack_format = PackFormat(add_eos=not model_adds_source_eos(self.path / "model"), source_prefix=tuple(labels))
        return CTranslate2Engine(self.path / "model", codec, self.info, settings, pack_format)


def find_release_root(directory: Path) -> Path:
    """The folder holding ``decoder.yml`` (releases are often zipped with one extra level)."""
    candidates = sorted(directory.rglob("decoder.yml"), key=lambda p: len(p.parts))
    if not candidates:
        raise CorruptModelError(f"{directory}: no decoder.yml found; is this an OPUS-MT release?")
    return candidates[0].parent


def convert_release(release_root: Path, pack_dir: Path, from_code: str, to_code: str, version: str) -> ModelInfo:
    """Convert a Marian release into a pack directory (which must not exist yet)."""
    from ctranslate2.converters import OpusMTConverter

    from .opus_mt_labels import source_prefix

    require_files(release_root, ["source.spm", "target.spm"])
    prefix = source_prefix(release_root, to_code)  # refuses a multi-target release without to_code
    pack_dir.mkdir(parents=True)
    try:
        OpusMTConverter(str(release_root)).convert(str(pack_dir / "model"), quantization="int8")
    except (OSError, KeyError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise CorruptModelError(f"{release_root}: CTranslate2 cannot convert this release ({exc})") from exc
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(release_root / name, pack_dir / name)
    for extra in RELEASE_FILES_KEPT:
        if (release_root / extra).is_file():
            shutil.copy(release_root / extra, pack_dir / extra)  # keeps the scripts executable
    metadata = {
        "kind": KIND,
        "from_code": from_code,
        "to_code": to_code,
        "package_version": version,
        "source": release_root.name,
        "converted": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "converter": "ctranslate2.converters.OpusMTConverter (int8)",
        "source_prefix": prefix,
    }
    (pack_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return OpusMTPack(pack_dir, metadata).info
