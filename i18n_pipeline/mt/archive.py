"""Safe extraction of model archives (.argosmodel and OPUS-MT .zip files).

Hand-written because ``zipfile.extractall`` silently rewrites hostile names instead of
refusing them, and knows nothing of links or decompression bombs: we refuse the archive.
"""

from __future__ import annotations

import fnmatch
import hashlib
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ..errors import CorruptModelError

MAX_UNPACKED_BYTES = 8 * 1024**3  # the largest real packs are a few hundred MB
MAX_MEMBERS = 10_000


def safe_extract_zip(archive: Path, destination: Path) -> None:
    """Extract ``archive`` into ``destination``; refuse it whole if any member is unsafe."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            _check_members(archive, members)
            for member in members:
                bundle.extract(member, destination)
    except zipfile.BadZipFile as exc:
        raise CorruptModelError(f"{archive}: not a zip archive ({exc}); download the pack again") from exc
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise CorruptModelError(f"{archive}: cannot extract ({exc}); download the pack again") from exc


def verify_zip(archive: Path, expected: Sequence[tuple[str, ...]], sha256: str | None = None) -> None:
    """Refuse a downloaded archive before anything is unpacked: checksum (when the source gives
    one), every member's CRC, and the files a pack must have (each tuple: one of these globs)."""
    if sha256:
        digest = hashlib.sha256()
        with archive.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha256.lower():
            raise CorruptModelError(f"{archive.name}: sha256 {digest.hexdigest()} is not the {sha256} the index "
                                    "gives; the download is corrupt, fetch it again")
    try:
        with zipfile.ZipFile(archive) as bundle:
            bad = bundle.testzip()
            parts = [PurePosixPath(n).parts for n in bundle.namelist()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptModelError(f"{archive.name}: not a readable zip archive ({exc}); fetch it again") from exc
    if bad is not None:
        raise CorruptModelError(f"{archive.name}: {bad} fails its CRC check; the download is corrupt, fetch it again")
    tails = {"/".join(p[i:]) for p in parts for i in range(len(p))}  # "x/model/model.bin" → "model/model.bin", …
    missing = [" or ".join(choice) for choice in expected
               if not any(fnmatch.fnmatchcase(tail, pattern) for pattern in choice for tail in tails)]
    if missing:
        raise CorruptModelError(f"{archive.name}: archive lacks {', '.join(missing)}; it is not a model pack")


def _check_members(archive: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise CorruptModelError(f"{archive}: {len(members)} entries is not a model pack; refusing it")
    total = 0
    for member in members:
        name = PurePosixPath(member.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or (name.parts and name.parts[0].endswith(":")):
            raise CorruptModelError(f"{archive}: unsafe path {member.filename!r} in archive; refusing it")
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise CorruptModelError(f"{archive}: link {member.filename!r} in archive; refusing it")
        total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise CorruptModelError(f"{archive}: unpacks to more than {MAX_UNPACKED_BYTES >> 30} GiB; refusing it")


def single_root(directory: Path) -> Path:
    """The pack folder inside an extracted archive (Argos zips hold one top-level folder)."""
    entries = [p for p in directory.iterdir() if not p.name.startswith("__MACOSX")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return directory
