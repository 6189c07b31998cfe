"""Hostile ``.argosmodel`` archives are refused whole: nothing lands outside the model folder,
the packs already installed keep working, and the user gets one line and exit code 3."""

from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.errors import EXIT_MODEL
from i18n_pipeline.mt.store import ModelStore

runner = CliRunner()


def _rebuild(good: Path, out: Path, *, rename=None, drop=(), metadata=None, extra=()) -> Path:
    """A copy of a good pack with members renamed, dropped, metadata changed or entries added."""
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            name = info.filename
            if any(name.endswith(d) for d in drop):
                continue
            data = source.read(info)
            if metadata and name.endswith("metadata.json"):
                data = json.dumps({**json.loads(data), **metadata}).encode()
            info.filename = rename(name) if rename else name
            target.writestr(info, data)
        for info, data in extra:
            target.writestr(info, data)
    return out


def _symlink(name: str, to: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix: the mode bits below are honoured
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, to.encode()


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def store(tmp_path, copy_package_hy) -> Path:
    """A model folder nested two levels deep, with one good pack installed."""
    root = tmp_path / "a" / "b" / "models"
    ModelStore(root).install(copy_package_hy)
    return root


HOSTILE = {
    "parent-traversal": lambda good, out: _rebuild(good, out, rename=lambda n: "../../" + n),
    "absolute-path": lambda good, out: _rebuild(good, out, extra=[(zipfile.ZipInfo("/tmp/i18n-evil-abs.txt"), b"x")]),
    "backslash-traversal": lambda good, out: _rebuild(good, out, extra=[(zipfile.ZipInfo("..\\..\\evil.txt"), b"x")]),
    "drive-letter": lambda good, out: _rebuild(good, out, extra=[(zipfile.ZipInfo("C:/evil.txt"), b"x")]),
    "symlink-to-etc": lambda good, out: _rebuild(good, out, extra=[_symlink("translate-en_ru-1_0/leak", "/etc/passwd")]),
    "symlinked-model": lambda good, out: _rebuild(good, out, drop=("model/model.bin",),
                                                   extra=[_symlink("translate-en_ru-1_0/model/model.bin", "/etc/passwd")]),
    "missing-model-bin": lambda good, out: _rebuild(good, out, drop=("model/model.bin",)),
    "missing-metadata": lambda good, out: _rebuild(good, out, drop=("metadata.json",)),
    "missing-tokenizer": lambda good, out: _rebuild(good, out, drop=("sentencepiece.model",)),
    "metadata-not-json": lambda good, out: _rebuild(good, out, drop=("metadata.json",),
                                                     extra=[(zipfile.ZipInfo("translate-en_ru-1_0/metadata.json"), b"{")]),
    "truncated-zip": lambda good, out: (out.write_bytes(good.read_bytes()[: good.stat().st_size // 2]), out)[1],
    "not-a-zip": lambda good, out: (out.write_bytes(b"\x7fELF" + bytes(range(256)) * 4), out)[1],
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_is_refused_whole_with_one_line(case, store, copy_package, tmp_path):
    archive = HOSTILE[case](copy_package, tmp_path / f"{case}.argosmodel")
    before_store = _tree(store)
    outside_before = _tree(tmp_path / "a")
    result = runner.invoke(app, ["models", "install", str(archive), "--models", str(store)])
    assert result.exit_code == EXIT_MODEL, (case, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _tree(store) == before_store  # the installed pack untouched, no staging folder left
    assert {k for k in _tree(tmp_path / "a")} == set(outside_before)  # nothing beside the store
    assert not Path("/tmp/i18n-evil-abs.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert [p.name for p in ModelStore(store).packs()] == ["translate-en_hy"]


@pytest.mark.parametrize("field", ["from_code", "to_code", "type"])
def test_pack_metadata_cannot_steer_the_install_outside_the_store(field, store, copy_package, tmp_path):
    # The pack folder name is built from metadata.json; "../" there must not escape the store.
    # The store already holds translate-en_hy, so "en_hy/../../.." resolves through it.
    value = {"from_code": "en_hy/../../../escaped", "to_code": "ru/../../../escaped", "type": "translate-en_hy/../../../escaped"}
    archive = _rebuild(copy_package, tmp_path / "steer.argosmodel", metadata={field: value[field]})
    result = runner.invoke(app, ["models", "install", str(archive), "--models", str(store)])
    escaped = [p for p in tmp_path.rglob("*escaped*")]
    assert escaped == [], f"pack installed outside the store: {escaped}"
    assert result.exit_code == EXIT_MODEL, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("case", ["missing-model-bin", "missing-metadata", "missing-tokenizer", "metadata-not-json"])
def test_the_error_names_the_archive_the_user_gave(case, store, copy_package, tmp_path):
    # Not the temporary staging folder inside the store, which is gone by the time one reads it.
    archive = HOSTILE[case](copy_package, tmp_path / f"{case}.argosmodel")
    result = runner.invoke(app, ["models", "install", str(archive), "--models", str(store)])
    assert result.exit_code == EXIT_MODEL
    assert result.stderr.startswith(f"error: {archive}"), result.stderr
    assert ".staging-" not in result.stderr


def test_a_good_pack_still_installs(store, copy_package):
    # The same code path accepts a real pack: the refusals above are about the archives.
    result = runner.invoke(app, ["models", "install", str(copy_package), "--models", str(store)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in ModelStore(store).packs()) == ["translate-en_hy", "translate-en_ru"]
