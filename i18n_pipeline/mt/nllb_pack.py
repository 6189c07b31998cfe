"""NLLB-200 models in CTranslate2 format (``TransformersConverter`` output, e.g. an int8 folder).

Non-commercial (CC-BY-NC-4.0): installed only with ``--accept-licence non-commercial``, and
every translation made with one says so in its provenance.

A pack directory: ``model/`` (``model.bin``, ``config.json``, the shared vocabulary),
``sentencepiece.bpe.model`` (one tokenizer for both sides) and ``metadata.json`` with
``source_lang``/``target_lang`` (FLORES-200 codes: ``eng_Latn``, ``hye_Armn``, ``rus_Cyrl``) and
``source_order``. The source is ``[eng_Latn] + pieces + </s>`` (transformers' tokenizer since
April 2023), or ``pieces + </s> + [eng_Latn]`` for a folder whose ``tokenizer_config.json`` says
``"legacy_behaviour": true``. The decoder is forced to start with the target language token,
which ``PackFormat.target_prefix`` drops from every hypothesis.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import langcodes

from ..config import MTSettings
from ..errors import CorruptModelError, ModelError
from ..fsutil import atomic_write_text
from .base import ModelInfo
from .catalog import CC_BY_NC_4, Licence
from .ctranslate2_engine import CTranslate2Engine, PackFormat, model_adds_source_eos
from .packs import licence_fields, require_files

KIND = "nllb"
SPM = "sentencepiece.bpe.model"
LICENCE = Licence("CC-BY-NC-4.0", CC_BY_NC_4,
                  "NLLB Team et al. (2022), \"No Language Left Behind: Scaling Human-Centered Machine "
                  "Translation\", Meta AI; CC-BY-NC 4.0")
VOCABULARIES = ("shared_vocabulary.json", "shared_vocabulary.txt")
# What the converter folder may hold beside the model that the pack does not need.
_NOT_MODEL = {SPM, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
              "README.md", "LICENSE", ".gitattributes"}


def flores_code(code: str) -> str:
    """NLLB's language token for an ISO code: ``hy`` → ``hye_Armn``, ``ru`` → ``rus_Cyrl``."""
    language = langcodes.Language.get(code)
    return f"{language.to_alpha3()}_{language.maximize().script}"


class NLLBPack:
    kind = KIND

    def __init__(self, pack_dir: Path, metadata: dict):
        require_files(pack_dir, ["model/model.bin", SPM])
        self.path = pack_dir
        self.metadata = metadata
        for key in ("source_lang", "target_lang"):
            if not isinstance(metadata.get(key), str):
                raise CorruptModelError(f"{pack_dir / 'metadata.json'}: NLLB pack lacks {key}; reinstall it")
        self.info = ModelInfo(name=pack_dir.name, kind=KIND, from_code=metadata["from_code"],
                              to_code=metadata["to_code"], version=str(metadata.get("package_version", "")),
                              path=str(pack_dir), **licence_fields(metadata))

    def load(self, settings: MTSettings) -> CTranslate2Engine:
        import sentencepiece

        from .spm_codec import SpanCodec

        processor = sentencepiece.SentencePieceProcessor(model_file=str(self.path / SPM))
        source, target = self.metadata["source_lang"], self.metadata["target_lang"]
        legacy = self.metadata.get("source_order") == "legacy"
        add_eos = not model_adds_source_eos(self.path / "model")
        pack_format = PackFormat(add_eos=add_eos, source_prefix=() if legacy else (source,),
                                 source_suffix=(source,) if legacy else (), target_prefix=(target,))
        return CTranslate2Engine(self.path / "model", SpanCodec(processor, processor), self.info, settings, pack_format)


def make_pack(folder: Path, pack_dir: Path, from_code: str, to_code: str, source_url: str) -> ModelInfo:
    """Build a pack from a CTranslate2 NLLB folder (``model.bin`` + ``sentencepiece.bpe.model``)."""
    root = _model_root(folder)
    if not (root / SPM).is_file():
        raise CorruptModelError(f"{folder}: no {SPM} beside model.bin; copy the NLLB tokenizer into the folder "
                                "(CTranslate2's converter: --copy_files sentencepiece.bpe.model)")
    source, target = flores_code(from_code), flores_code(to_code)
    vocabulary = _vocabulary(root)
    missing = [token for token in (source, target) if token not in vocabulary]
    if missing:
        raise ModelError(f"{folder}: the model's vocabulary has no {' or '.join(missing)}; "
                         "is this an NLLB-200 model? give --from/--to languages it covers")
    (pack_dir / "model").mkdir(parents=True)
    for path in root.iterdir():
        if path.is_file() and path.name not in _NOT_MODEL:
            shutil.copyfile(path, pack_dir / "model" / path.name)
    shutil.copyfile(root / SPM, pack_dir / SPM)
    for extra in ("README.md", "tokenizer_config.json"):
        if (root / extra).is_file():
            shutil.copyfile(root / extra, pack_dir / extra)
    metadata = {
        "kind": KIND, "from_code": from_code, "to_code": to_code,
        "package_version": Path(source_url).name.removesuffix(".zip"), "source_lang": source, "target_lang": target,
        "source_order": "legacy" if _legacy(root) else "language-first",
        **LICENCE.as_metadata(source_url),
    }
    atomic_write_text(pack_dir / "metadata.json", json.dumps(metadata, indent=2) + "\n")
    return NLLBPack(pack_dir, metadata).info


def _model_root(folder: Path) -> Path:
    candidates = sorted(Path(folder).rglob("model.bin"), key=lambda p: len(p.parts))
    if not candidates:
        raise CorruptModelError(f"{folder}: no model.bin; give a CTranslate2 NLLB-200 folder (or its zip)")
    return candidates[0].parent


def _vocabulary(root: Path) -> set[str]:
    for name in VOCABULARIES:
        path = root / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            try:
                return set(json.loads(text)) if name.endswith(".json") else set(text.splitlines())
            except ValueError as exc:
                raise CorruptModelError(f"{path}: unreadable vocabulary ({exc}); convert the model again") from exc
    raise CorruptModelError(f"{root}: no shared_vocabulary.json or .txt; is this a CTranslate2 NLLB model?")


def _legacy(root: Path) -> bool:
    """Whether the tokenizer the folder ships puts the language after </s> (pre-2023 order)."""
    config = root / "tokenizer_config.json"
    if not config.is_file():
        return False
    try:
        return bool(json.loads(config.read_text(encoding="utf-8")).get("legacy_behaviour", False))
    except ValueError as exc:
        raise CorruptModelError(f"{config}: unreadable ({exc}); fix or remove it") from exc
