"""Downloading model packs: the only network code in the project, used only by ``models fetch``.

Run it on a connected machine (``make models``) and carry ``models/`` to the offline one.
Offline it fails at once with one line; it never runs on the translate path.
"""

from __future__ import annotations

import json
import logging
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import OfflineError, UsageError
from .base import ModelInfo
from .store import ModelStore

log = logging.getLogger(__name__)
TIMEOUT_S = 30
# Argos has no English→Armenian package; these OPUS-MT releases are converted on import.
OPUS_MT_RELEASES: dict[tuple[str, str], str] = {
    ("en", "hy"): "https://object.pouta.csc.fi/Tatoeba-MT-models/eng-hye/opus-2020-06-16.zip",
}


def fetch(store: ModelStore, from_code: str, to_code: str) -> ModelInfo:
    """Install the pack for a pair: Argos's package index first, then known OPUS-MT releases."""
    if (from_code, to_code) in OPUS_MT_RELEASES:
        url = OPUS_MT_RELEASES[from_code, to_code]
        with tempfile.TemporaryDirectory() as scratch:
            release = _download(url, Path(scratch) / Path(url).name, f"{from_code}→{to_code}")
            return store.import_opus_mt(release, from_code, to_code, version=Path(url).stem)
    index = _argos_index()
    for entry in index:
        if entry.get("from_code") == from_code and entry.get("to_code") == to_code:
            with tempfile.TemporaryDirectory() as scratch:
                target = Path(scratch) / f"translate-{from_code}_{to_code}.argosmodel"
                archive = _download_any(entry.get("links", []), target, f"{from_code}→{to_code}")
                return store.install(archive)
    raise UsageError(f"no package for {from_code}→{to_code} in the Argos index or the known OPUS-MT releases")


def _argos_index() -> list[dict]:
    from .argos_pack import argos_package_module

    url = argos_package_module().settings.remote_package_index
    data = _get(url, "the Argos package index")
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise OfflineError(f"{url}: the package index is not JSON ({exc}); try again later") from exc
    return index if isinstance(index, list) else []


def _download_any(links: list[str], target: Path, label: str) -> Path:
    if not links:
        raise UsageError(f"the Argos index lists no download link for {label}")
    last: OfflineError | None = None
    for link in links:
        try:
            return _download(link, target, label)
        except OfflineError as exc:
            last = exc
    assert last is not None
    raise last


def _download(url: str, target: Path, label: str) -> Path:
    log.info("downloading %s from %s", label, url)
    target.write_bytes(_get(url, label))
    return target


def _get(url: str, label: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OfflineError(
            f"cannot download {label} ({reason}): this machine is offline; run `make models` on a "
            "connected machine and copy its models/ folder here"
        ) from exc
