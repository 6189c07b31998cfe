"""Model store: install, list, replace, remove, OPUS-MT import, and refusing bad archives."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.errors import CorruptModelError, ModelMissingError, UsageError
from i18n_pipeline.mt.store import ModelStore, require_route
from i18n_pipeline.testing import build_tiny_opus_mt_release
from i18n_pipeline.testing.opus_mt import RELEASE_YML

runner = CliRunner()


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


def test_imported_opus_mt_pack_keeps_the_release_scripts_and_has_no_source_prefix(tmp_path, opus_mt_release):
    info = ModelStore(tmp_path / "models").import_opus_mt(opus_mt_release, "en", "hy")
    pack = Path(info.path)
    for name in ("preprocess.sh", "postprocess.sh", "README.md", "LICENSE"):
        assert (pack / name).read_bytes() == (opus_mt_release / name).read_bytes(), name
    assert os.access(pack / "preprocess.sh", os.X_OK)
    assert json.loads((pack / "metadata.json").read_text())["source_prefix"] == []


@pytest.fixture(scope="module")
def multi_target_release(tmp_path_factory):
    """Like Tatoeba's eng-hye opus-2020-09-10: one model for several targets, chosen by >>id<<."""
    return build_tiny_opus_mt_release(tmp_path_factory.mktemp("multi") / "eng-hye+rus", target_labels=("hye", "rus"))


@pytest.mark.parametrize("target, label", [("hy", ">>hye<<"), ("ru", ">>rus<<")])
def test_multi_target_release_stores_the_label_of_the_requested_target(tmp_path, multi_target_release, target, label):
    info = ModelStore(tmp_path / "models").import_opus_mt(multi_target_release, "en", target)
    pack = Path(info.path)
    assert json.loads((pack / "metadata.json").read_text())["source_prefix"] == [label]
    assert label in json.loads((pack / "model" / "shared_vocabulary.json").read_text())  # one source piece


def test_multi_target_label_is_found_from_the_release_yml_alone(tmp_path, multi_target_release):
    release = tmp_path / "release"
    shutil.copytree(multi_target_release, release)
    (release / "README.md").write_text("# opus-2020-09-10.zip\n\n* dataset: opus\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError):  # `- >>hye<<`, as Tatoeba writes it, is not YAML
        yaml.safe_load((release / RELEASE_YML).read_text(encoding="utf-8"))
    info = ModelStore(tmp_path / "models").import_opus_mt(release, "en", "hy")
    assert json.loads((Path(info.path) / "metadata.json").read_text())["source_prefix"] == [">>hye<<"]


def test_multi_target_release_without_the_target_label_is_refused_with_one_line(tmp_path):
    release = build_tiny_opus_mt_release(tmp_path / "eng-zle", target_labels=("rus", "ukr"))
    models = tmp_path / "models"
    result = runner.invoke(app, ["models", "import-opus-mt", str(release), "--from", "en", "--to", "arm",
                                 "--models", str(models)])
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert str(release) in result.stderr and ">>hye<<" in result.stderr and ">>rus<<, >>ukr<<" in result.stderr
    assert ModelStore(models).packs() == [] and [p.name for p in models.iterdir()] == []
