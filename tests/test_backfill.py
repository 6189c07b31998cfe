"""backfill on a local Ray (2 CPUs) with the copy models: the same outputs and summary as translate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.errors import EXIT_USAGE
from i18n_pipeline.mt.store import ModelStore

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'i18n-pipeline[ray]'); backfill untested")

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    store.install(copy_package)
    store.install(copy_package_hy)
    return root


@pytest.fixture(scope="module")
def local_ray():
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def _inbox(tmp_path: Path, count: int) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for n in range(count):  # the sample, each with its own headline and first sentence
        variant = text.replace("NBC: US allies", f"NBC report {n}: US allies").replace(
            "Certain US allies", f"Certain US allies ({n + 1} of them)")
        (inbox / f"article_{n}.txt").write_text(variant, encoding="utf-8")
    return inbox


def _invoke(command: str, inbox: Path, root: Path, models: Path, *extra: str):
    args = [command, str(inbox), "--to", "ru,arm", "--out", str(root / "out"), "--models", str(models),
            "--state", str(root / "state"), "--json", *extra]
    result = runner.invoke(app, args)
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _texts(document) -> list[str]:
    """Every target text in an aligned-document JSON, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("target"), dict) and "text" in node["target"]:
                found.append(node["target"]["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def test_backfill_writes_what_translate_writes(tmp_path, models, local_ray):
    inbox = _inbox(tmp_path, 4)
    single, summary = _invoke("translate", inbox, tmp_path / "single", models)
    assert single.exit_code == 0, single.output
    ray_run, ray_summary = _invoke("backfill", inbox, tmp_path / "ray", models, "--workers", "2",
                                   "--batch-articles", "2")
    assert ray_run.exit_code == 0, ray_run.output
    ray_tree, single_tree = _tree(tmp_path / "ray" / "out"), _tree(tmp_path / "single" / "out")
    assert ray_tree.keys() == single_tree.keys() and len(ray_tree) == 4 * 12
    # The translated articles are byte for byte what translate wrote; the bilingual files differ
    # only in provenance: a sentence an earlier batch translated is a TM hit in a later one.
    for name in ray_tree:
        if name.endswith((".txt", ".html")) and ".review." not in name:
            assert ray_tree[name] == single_tree[name], name
    for name in (n for n in ray_tree if n.endswith(".json")):
        targets = [json.loads(tree[name]) for tree in (ray_tree, single_tree)]
        assert _texts(targets[0]) == _texts(targets[1]) and _texts(targets[0]), name
    for site in ("ru", "arm"):
        ours, theirs = ray_summary["locales"][site], summary["locales"][site]
        assert (ours["segments"], ours["mt"] + ours["tm"], ours["passthrough"]) == (
            theirs["segments"], theirs["mt"] + theirs["tm"], theirs["passthrough"])
    assert sorted(a["stem"] for a in ray_summary["articles"]) == sorted(a["stem"] for a in summary["articles"])
    # the rerun finds everything done and translates nothing
    again, again_summary = _invoke("backfill", inbox, tmp_path / "ray", models)
    assert again.exit_code == 0 and all(s["mt"] == 0 for s in again_summary["locales"].values())
    assert len(again_summary["articles"]) == 4


def test_an_unreachable_ray_address_is_one_line_exit_2(tmp_path, models):
    inbox = _inbox(tmp_path, 1)
    result, _ = _invoke("backfill", inbox, tmp_path, models, "--ray", "127.0.0.1:1")
    assert result.exit_code == EXIT_USAGE
    assert len(result.stderr.strip().splitlines()) == 1 and "no Ray cluster answers" in result.stderr
    assert not (tmp_path / "out").exists()
