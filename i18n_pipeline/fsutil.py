"""Atomic file writes: a temp file in the same directory, fsync, then rename.

Every output and state file goes through here, so a killed run never leaves a half-written
file under its real name, and a failed write (e.g. disk full) leaves no temp file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import WriteError

TEMP_SUFFIX = ".i18n-tmp"


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write ({exc.strerror or exc}); check free space and permissions") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp)
        raise WriteError(f"{target}: cannot write ({exc.strerror or exc}); check free space and permissions") from exc
    except BaseException:
        _discard(tmp)
        raise
    return target


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_temp_files(directory: str | os.PathLike) -> int:
    """Delete temp files a killed run left behind; returns how many were removed."""
    root = Path(directory)
    if not root.is_dir():
        return 0
    removed = 0
    for stale in root.rglob(f"*{TEMP_SUFFIX}"):
        _discard(stale)
        removed += 1
    return removed


def _discard(path: str | os.PathLike) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
