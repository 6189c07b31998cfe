"""The model store: installed packs under one directory (``./models`` by default).

Installs extract into a temp folder beside the store and then rename, so a pack is either
fully there or absent; a replaced pack is swapped, never half-overwritten.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from ..config import MTSettings
from ..errors import CorruptModelError, ModelMissingError, UsageError
from ..fsutil import atomic_write_text
from .archive import safe_extract_zip, single_root
from .base import ModelInfo, TranslationEngine
from .packs import METADATA, open_pack, pack_kind, read_metadata

log = logging.getLogger(__name__)
PIVOT = "en"


class ModelStore:
    """``prefer`` maps a target language to the pack kind to use when a pair has packs of
    several kinds (``[models] ru = "argos"``); without one, the catalogue's default kind wins."""

    def __init__(self, root: Path, prefer: Mapping[str, str] | None = None):
        self.root = Path(root)
        self.prefer = dict(prefer or {})
        self._loaded: dict[tuple[str, MTSettings], TranslationEngine] = {}
        self._loading: dict[tuple[str, MTSettings], threading.Lock] = {}
        self._listing: list[ModelInfo] | None = None  # reading packs costs; a run asks often

    # -- discovery -------------------------------------------------------------------------

    def packs(self) -> list[ModelInfo]:
        """Installed, readable packs; an unreadable one is logged and skipped."""
        if self._listing is None:
            self._listing = self._scan()
        return list(self._listing)

    def _scan(self) -> list[ModelInfo]:
        found: list[ModelInfo] = []
        if not self.root.is_dir():
            return found
        for pack_dir in sorted(self.root.iterdir()):
            if not pack_dir.is_dir() or pack_dir.name.startswith("."):
                continue
            try:
                found.append(open_pack(pack_dir).info)
            except CorruptModelError as exc:
                log.warning("%s", exc)
        return found

    def packs_for(self, from_code: str, to_code: str) -> list[ModelInfo]:
        """Every installed pack of a pair, the one ``find`` uses first."""
        from .catalog import DEFAULT_KIND

        found = [p for p in self.packs() if (p.from_code, p.to_code) == (from_code, to_code)]
        wanted = self.prefer.get(to_code) or DEFAULT_KIND.get((from_code, to_code))
        return sorted(found, key=lambda p: p.kind != wanted)

    def find(self, from_code: str, to_code: str) -> ModelInfo | None:
        return next(iter(self.packs_for(from_code, to_code)), None)

    def route(self, from_code: str, to_code: str) -> list[ModelInfo] | None:
        """A direct pack, or src→en + en→tgt through English; None if neither exists."""
        by_pair = {}
        for pack in self.packs():
            pair = (pack.from_code, pack.to_code)
            by_pair.setdefault(pair, self.find(*pair))
        if (from_code, to_code) in by_pair:
            return [by_pair[from_code, to_code]]
        first, second = by_pair.get((from_code, PIVOT)), by_pair.get((PIVOT, to_code))
        if PIVOT not in (from_code, to_code) and first and second:
            return [first, second]
        return None

    def load(self, info: ModelInfo, settings: MTSettings) -> TranslationEngine:
        """Load a pack's engine once per store (a run), however many pairs route through it."""
        key = (info.path, settings)
        with self._loading.setdefault(key, threading.Lock()):  # a load in progress elsewhere: wait for it
            if key not in self._loaded:
                self._loaded[key] = open_pack(Path(info.path)).load(settings)
        return self._loaded[key]

    # -- changes ---------------------------------------------------------------------------

    def install(self, archive: Path, licence: dict[str, str] | None = None) -> ModelInfo:
        """Install an ``.argosmodel`` (or any zipped pack); replaces a pack of the same pair and kind.

        ``licence`` (``Licence.as_metadata``) is recorded in its metadata.json; without it, the
        licence the package's README names (or "unknown")."""
        archive = Path(archive)
        if not archive.is_file():
            raise UsageError(f"{archive}: no such file; give the path of a downloaded .argosmodel")
        with self._staging() as staging:
            safe_extract_zip(archive, staging)
            try:
                pack_dir = single_root(staging)
                record_licence(pack_dir, licence, archive.name)
                open_pack(pack_dir).load(MTSettings(beam_size=1))  # refused unless CTranslate2 loads it
                name = _pack_name(read_metadata(pack_dir))
            except CorruptModelError as exc:
                raise CorruptModelError(_about_archive(exc, staging, archive)) from exc
            return self._commit(pack_dir, name)

    def import_opus_mt(self, source: Path, from_code: str, to_code: str, version: str = "",
                       licence: dict[str, str] | None = None) -> ModelInfo:
        """Convert an OPUS-MT release (zip or folder) and install it as a pack."""
        from .opus_mt_pack import KIND, convert_release, find_release_root

        source = Path(source)
        if not source.exists():
            raise UsageError(f"{source}: no such file or folder; give an OPUS-MT release .zip or its folder")
        with self._staging() as staging:
            if source.is_dir():
                release = find_release_root(source)
            else:
                safe_extract_zip(source, staging / "release")
                release = find_release_root(staging / "release")
            pack_dir = staging / "pack"
            convert_release(release, pack_dir, from_code, to_code, version or source.stem)
            record_licence(pack_dir, licence, source.name)
            open_pack(pack_dir).load(MTSettings(beam_size=1))
            return self._commit(pack_dir, f"{KIND}-{from_code}_{to_code}")

    def import_nllb(self, source: Path, to_code: str, accepted: frozenset[str] = frozenset(),
                    from_code: str = "en") -> ModelInfo:
        """Install a CTranslate2 NLLB-200 folder or zip (non-commercial: ``accepted`` must say so)."""
        from .nllb_pack import KIND, LICENCE, make_pack
        from .catalog import require_accepted

        source = Path(source)
        require_accepted(LICENCE, accepted, f"{source} (NLLB-200)")
        if not source.exists():
            raise UsageError(f"{source}: no such file or folder; give a CTranslate2 NLLB-200 folder or its .zip")
        with self._staging() as staging:
            folder = source
            if source.is_file():
                safe_extract_zip(source, staging / "release")
                folder = staging / "release"
            pack_dir = staging / "pack"
            make_pack(folder, pack_dir, from_code, to_code, source_url=str(source))
            open_pack(pack_dir).load(MTSettings(beam_size=1))
            return self._commit(pack_dir, f"{KIND}-{from_code}_{to_code}")

    def remove(self, name_or_pair: str) -> ModelInfo:
        """Remove a pack by folder name (``translate-en_ru``) or pair (``en-ru``, ``en:hy``)."""
        for info in self.packs():
            pair = {f"{info.from_code}{sep}{info.to_code}" for sep in ("-", "_", ":", "→")}
            if name_or_pair == info.name or name_or_pair in pair:
                shutil.rmtree(info.path)
                self._listing = None
                return info
        raise UsageError(f"no installed model {name_or_pair!r}; see `i18n-pipeline models list`")

    def _staging(self) -> "_Staging":
        self.root.mkdir(parents=True, exist_ok=True)
        return _Staging(self.root)

    def _commit(self, pack_dir: Path, name: str) -> ModelInfo:
        self._listing = None
        final = self.root / name
        if final.resolve().parent != self.root.resolve():
            raise CorruptModelError(f"{name!r} is not a pack folder name; refusing the pack")
        old = self.root / f".{name}.old"
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            final.rename(old)
        pack_dir.rename(final)
        if old.exists():
            shutil.rmtree(old)
        return open_pack(final).info


class _Staging(tempfile.TemporaryDirectory):
    """A temp folder inside the store, so the final rename never crosses filesystems."""

    def __init__(self, root: Path):
        super().__init__(dir=root, prefix=".staging-")

    def __enter__(self) -> Path:
        return Path(self.name)


def _pack_name(metadata: dict) -> str:
    kind = pack_kind(metadata)
    prefix = metadata.get("type", "translate") if kind == "argos" else kind
    if not isinstance(prefix, str) or not re.fullmatch(r"[a-z][a-z0-9-]{0,30}", prefix):
        raise CorruptModelError(f"pack type {prefix!r} is not a plain name; refusing the pack")
    return f"{prefix}-{metadata['from_code']}_{metadata['to_code']}"


def record_licence(pack_dir: Path, licence: dict[str, str] | None, source: str) -> None:
    """Write the pack's licence, source and attribution into its metadata.json (atomically)."""
    from .catalog import licence_of_folder

    metadata = read_metadata(pack_dir)
    if licence is None:
        if metadata.get("licence"):
            return
        licence = licence_of_folder(pack_dir).as_metadata(source)
    metadata.update(licence)
    atomic_write_text(pack_dir / METADATA, json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")


def _about_archive(error: CorruptModelError, staging: Path, archive: Path) -> str:
    """Name the archive the user gave, not the staging folder that is gone once we return."""
    message = str(error)
    if message.startswith(str(staging)):
        message = message.split(": ", 1)[-1]
    return f"{archive}: {message.replace(str(staging), archive.name)}"


def missing_model_message(from_code: str, to_code: str, site_code: str) -> str:
    label = f"{from_code}→{to_code}" + (f" ({site_code})" if site_code != to_code else "")
    if to_code == "hy" or from_code == "hy":
        how = (f"`i18n-pipeline models import-opus-mt RELEASE.zip --from {from_code} --to {to_code}` "
               "(get the OPUS-MT release with `make models` on a connected machine)")
    else:
        how = (f"`i18n-pipeline models install translate-{from_code}_{to_code}.argosmodel` "
               f"(or `i18n-pipeline models fetch {from_code} {to_code}` on a connected machine)")
    return f"no model for {label}: install it with {how}"


def require_route(store: ModelStore, from_code: str, to_code: str, site_code: str) -> list[ModelInfo]:
    route = store.route(from_code, to_code)
    if route is None:
        raise ModelMissingError(missing_model_message(from_code, to_code, site_code))
    return route


__all__ = ["ModelStore", "require_route", "missing_model_message", "METADATA"]
