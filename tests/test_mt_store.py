"""Model store: install, list, replace, remove, OPUS-MT import, and refusing bad archives."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from i18n_pipeline.errors import CorruptModelError, ModelMissingError, UsageError
from i18n_pipeline.mt.store import ModelStore, require_route


def test_install_lists_the_pack_with_its_identity(tmp_path, random_package):
    store = ModelStore(tmp_path / "models")
    info = store.install(random_package)
    assert (info.from_code, info.to_code, info.kind) == ("en", "ru", "argos")
    assert info.name == "translate-en_ru"
    assert [p.name for p in store.packs()] == ["translate-en_ru"]
    assert store.find("en", "ru") == info


def test_install_replaces_a_pack_of_the_same_pair(tmp_path, random_package, copy_package):
    store = ModelStore(tmp_path / "models")
    store.install(random_package)
    store.install(copy_package)
    assert len(store.packs()) == 1
    assert not [p for p in (tmp_path / "models").iterdir() if p.name.startswith(".")]


def test_remove_by_name_or_pair(tmp_path, random_package):
    store = ModelStore(tmp_path / "models")
    store.install(random_package)
    assert store.remove("en-ru").name == "translate-en_ru"
    assert store.packs() == []
    with pytest.raises(UsageError, match="no installed model"):
        store.remove("en-ru")


def test_route_pivots_through_english(tmp_path, random_package):
    store = ModelStore(tmp_path / "models")
    store.install(random_package)
    assert store.route("en", "ru")[0].to_code == "ru"
    assert store.route("en", "hy") is None
    with pytest.raises(ModelMissingError, match=r"en→hy \(arm\).*import-opus-mt"):
        require_route(store, "en", "hy", "arm")


def _rezip(source: Path, target: Path, mutate) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            result = mutate(item.filename, src.read(item))
            if result is not None:
                dst.writestr(result[0], result[1])
    return target


def test_archive_with_path_traversal_is_refused_whole(tmp_path, random_package):
    evil = _rezip(random_package, tmp_path / "evil.argosmodel", lambda n, d: (n, d))
    with zipfile.ZipFile(evil, "a") as bundle:
        bundle.writestr("../../escaped.txt", "owned")
    store = ModelStore(tmp_path / "models")
    with pytest.raises(CorruptModelError, match="unsafe path"):
        store.install(evil)
    assert not (tmp_path / "escaped.txt").exists()
    assert store.packs() == []


def test_archive_missing_the_model_is_one_clear_error(tmp_path, random_package):
    broken = _rezip(random_package, tmp_path / "broken.argosmodel",
                    lambda n, d: None if n.endswith("model.bin") else (n, d))
    with pytest.raises(CorruptModelError, match="missing model/model.bin"):
        ModelStore(tmp_path / "models").install(broken)


def test_not_a_zip_is_one_clear_error(tmp_path):
    junk = tmp_path / "junk.argosmodel"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CorruptModelError, match="not a zip archive"):
        ModelStore(tmp_path / "models").install(junk)


def test_corrupt_weights_are_refused_at_install(tmp_path, random_package):
    broken = _rezip(random_package, tmp_path / "broken.argosmodel",
                    lambda n, d: (n, b"garbage") if n.endswith("model.bin") else (n, d))
    with pytest.raises(CorruptModelError, match="cannot load"):
        ModelStore(tmp_path / "models").install(broken)


def test_import_opus_mt_from_folder_and_zip(tmp_path, opus_mt_release):
    store = ModelStore(tmp_path / "models")
    info = store.import_opus_mt(opus_mt_release, "en", "hy", version="tiny-1")
    assert (info.kind, info.from_code, info.to_code, info.version) == ("opus-mt", "en", "hy", "tiny-1")
    metadata = json.loads((Path(info.path) / "metadata.json").read_text())
    assert metadata["kind"] == "opus-mt"
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for file in opus_mt_release.rglob("*"):
            bundle.write(file, Path("opus-2020-06-16") / file.relative_to(opus_mt_release))
    again = store.import_opus_mt(archive, "en", "hy")
    assert again.version == "release"
    assert len(store.packs()) == 1


def test_import_opus_mt_without_a_release_is_one_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorruptModelError, match="no decoder.yml"):
        ModelStore(tmp_path / "models").import_opus_mt(tmp_path / "empty", "en", "hy")
