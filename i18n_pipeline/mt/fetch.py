"""Downloading model packs: the only network code in the project, used only by ``models fetch``.

Run it on a connected machine (``make models``) and carry ``models/`` to the offline one; it never
runs on the translate path. Every request sends ``User-Agent: i18n-pipeline/<version>`` (servers
answer Python's default agent with 403, argos-translate#269). Failures are one line each:

- no network at all (DNS, refused, unreachable): ``OfflineError``, "this machine is offline";
- the server answers with an HTTP error: ``DownloadError`` naming the status and the URL;
- the body ends before its Content-Length: ``DownloadError``, "cut short";
- the archive fails its sha256 (when the index gives one), a CRC, or lacks a pack's files:
  ``CorruptModelError``, before anything is unpacked into the store.

Progress goes to an optional callback (``Step``); the CLI renders it, this module never prints.
"""

from __future__ import annotations

import http.client
import json
import logging
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import ModelSources
from ..errors import DownloadError, OfflineError, UsageError
from .archive import verify_zip
from .base import ModelInfo
from .catalog import Release, choose, licence_in_text, require_accepted
from .store import ModelStore

log = logging.getLogger(__name__)
TIMEOUT_S = 30
CHUNK = 1 << 16
USER_AGENT = f"i18n-pipeline/{__version__}"
OFFLINE_HINT = "run `make models` on a connected machine and copy its models/ folder here"


ARGOS_FILES = [("metadata.json",), ("model/model.bin",), ("sentencepiece.model", "bpe.model")]
OPUS_MT_FILES = [("decoder.yml",), ("source.spm",), ("target.spm",), ("*.npz",), ("*.vocab.yml",)]


@dataclass(frozen=True)
class Step:
    """One progress report: ``task`` advanced to ``completed`` of ``total`` (None: unknown)."""

    task: str
    completed: int
    total: int | None
    unit: str = "bytes"  # or "steps"


Progress = Callable[[Step], None]


def fetch(store: ModelStore, from_code: str, to_code: str, sources: ModelSources | None = None,
          progress: Progress | None = None, *, kind: str | None = None,
          accepted: frozenset[str] = frozenset()) -> ModelInfo:
    """Install the pack for a pair: the release ``catalog.choose`` picks (``kind``, else the
    i18n.toml choice, else the default), with its licence recorded in the pack."""
    sources = sources or ModelSources()
    return fetch_release(store, choose(from_code, to_code, kind, sources.choices), sources, progress, accepted)


def fetch_release(store: ModelStore, release: Release, sources: ModelSources, progress: Progress | None = None,
                  accepted: frozenset[str] = frozenset()) -> ModelInfo:
    report = progress or (lambda step: None)
    from_code, to_code = release.from_code, release.to_code
    label = f"{from_code}→{to_code}"
    require_accepted(release.licence, accepted, f"{release.name}")
    with tempfile.TemporaryDirectory(prefix="i18n-pipeline-fetch-") as scratch:
        if release.kind == "opus-mt":
            url = release_url(release, sources)
            archive = download(url, Path(scratch) / Path(release.path).name, label, report)
            verify_zip(archive, OPUS_MT_FILES, release.sha256)
            task = f"convert {label}"
            report(Step(task, 0, 1, "steps"))
            info = store.import_opus_mt(archive, from_code, to_code, version=release.version,
                                        licence=release.licence.as_metadata(url))
            report(Step(task, 1, 1, "steps"))
            return info
        entry = _index_entry(_argos_index(sources), from_code, to_code)
        target = Path(scratch) / f"translate-{from_code}_{to_code}.argosmodel"
        archive, link = _download_any(entry.get("links") or [], target, label, report)
        verify_zip(archive, ARGOS_FILES, entry.get("sha256"))
        task = f"install {label}"
        report(Step(task, 0, 1, "steps"))
        info = store.install(archive, licence=_argos_licence(archive, link))
        report(Step(task, 1, 1, "steps"))
        return info


def release_url(release: Release, sources: ModelSources) -> str:
    """Where an OPUS-MT release is downloaded from (the mirror of i18n.toml or the default)."""
    return f"{sources.opus_mt_mirror.rstrip('/')}/{release.path}"


def _argos_licence(archive: Path, link: str) -> dict[str, str]:
    """The licence an Argos package's README names (``unknown`` when none: argos-translate#507)."""
    import zipfile

    text = ""
    with zipfile.ZipFile(archive) as bundle:
        for name in bundle.namelist():
            if name.count("/") == 1 and name.endswith("/README.md"):
                text = bundle.read(name).decode("utf-8", errors="replace")
    return licence_in_text(text, "Argos Translate package (argosopentech)").as_metadata(link)


def _argos_index(sources: ModelSources) -> list[dict]:
    url = sources.argos_index
    if not url:
        from .argos_pack import argos_package_module

        url = argos_package_module().settings.remote_package_index
    data = _read(url, "the Argos package index")
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise DownloadError(f"{url}: the package index is not JSON ({exc}); try again later") from exc
    return [entry for entry in index if isinstance(entry, dict)] if isinstance(index, list) else []


def _index_entry(index: list[dict], from_code: str, to_code: str) -> dict:
    for entry in index:
        if entry.get("from_code") == from_code and entry.get("to_code") == to_code:
            return entry
    raise UsageError(f"no package for {from_code}→{to_code} in the Argos index; "
                     "choose another kind with --kind, or install a pack file with `models install`")


def _download_any(links: list[str], target: Path, label: str, report: Progress) -> tuple[Path, str]:
    if not links:
        raise UsageError(f"the Argos index lists no download link for {label}")
    last: Exception | None = None
    for link in links:
        try:
            return download(link, target, label, report), link
        except (OfflineError, DownloadError) as exc:
            log.info("%s", exc)
            last = exc
    assert last is not None
    raise last


def download(url: str, target: Path, label: str, progress: Progress | None = None) -> Path:
    """Stream ``url`` into ``target``, reporting bytes; refuse a body shorter than announced."""
    report = progress or (lambda step: None)
    task = f"download {label}"
    log.info("downloading %s from %s", label, url)
    done, total = 0, None
    try:
        with _open(url, label) as response, target.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            report(Step(task, 0, total))
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                report(Step(task, done, total))
    except (http.client.HTTPException, OSError) as exc:  # after the answer began: not "offline"
        raise _cut_short(url, label, done, total, exc) from exc
    if total is not None and done != total:
        raise _cut_short(url, label, done, total, None)
    return target


def _read(url: str, label: str) -> bytes:
    try:
        with _open(url, label) as response:
            return response.read()
    except (http.client.HTTPException, OSError) as exc:
        raise _cut_short(url, label, 0, None, exc) from exc


def _open(url: str, label: str):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise DownloadError(f"{url}: the server answered HTTP {exc.code} {exc.reason} for {label}; "
                            f"{_http_hint(exc.code)}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OfflineError(f"cannot download {label} ({reason}): this machine is offline; {OFFLINE_HINT}") from exc


def _http_hint(status: int) -> str:
    if status == 404:
        return "the file is not there (moved or renamed); check the index URL or the release name"
    if status in (401, 403):
        return "the server refuses this client; try again later or download the file by hand and install it"
    if status >= 500:
        return "the server is failing; try again later"
    return "try again later"


def _cut_short(url: str, label: str, done: int, total: int | None, exc: Exception | None) -> DownloadError:
    of = f" of {total:,}" if total is not None else ""
    why = f" ({exc})" if exc is not None else ""
    return DownloadError(f"{url}: the download of {label} was cut short after {done:,}{of} bytes{why}; "
                         "fetch it again")
